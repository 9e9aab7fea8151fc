"""What a push remembers, in `.vaultfollow/push.json`, kept with the vault
so that every machine syncing it pushes as the same vault: the vault's id,
the calendar pushed to and what was written there (hash and ETag of each
entry, and why the server refused one), a failed push awaiting a retry, and
the calendars pushed to before that still hold entries of ours.

The file's format, how an older or broken one is read, and what a change of
`[caldav]` url or calendar does to it live here; `push.py` talks to the
server and changes the state only through the fields of `PushState`.
No credentials are ever stored: urls are kept without them.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vaultfollow.core.config import CalDAVSettings, without_userinfo
from vaultfollow.core.layout import STATE_DIR
from vaultfollow.store.vault import Vault

log = logging.getLogger(__name__)

PUSH_STATE_FILE = f"{STATE_DIR}/push.json"


@dataclass(slots=True)
class PushState:
    """`.vaultfollow/push.json` as a push reads and changes it."""

    vault_id: str
    url: str
    calendar: str
    events: dict[str, dict[str, str]]  # uid -> {"sha", "etag"[, "refused"]}
    pending: dict[str, Any] | None
    leaving: list[dict[str, Any]]  # [{"url", "calendar", "uids": [...]}]

    @property
    def target(self) -> str:
        return f"{self.url}#{self.calendar}"


def _target_of(raw: Mapping[str, Any]) -> tuple[str, str]:
    """The url and calendar of a record, without credentials (accepted in the url before)."""
    if isinstance(raw.get("url"), str) and isinstance(raw.get("calendar"), str):
        return without_userinfo(raw["url"]), raw["calendar"]
    url, _, calendar = str(raw.get("target") or "").rpartition("#")  # as 0.1 wrote it
    return without_userinfo(url), calendar


def load_state(vault: Vault, settings: CalDAVSettings) -> PushState:
    """The state for a push to `settings`: what was written there, or,
    when url or calendar changed, nothing yet and the calendar left listed
    in `leaving`. An unreadable file is warned about and read as empty."""
    data = vault.read_bytes(PUSH_STATE_FILE)
    try:
        raw = json.loads(data) if data is not None else {}
    except ValueError:
        log.warning("%s is unreadable; the next push compares everything", PUSH_STATE_FILE)
        raw = {}
    if not isinstance(raw, dict):
        raw = {}
    events = raw.get("events")
    events = events if isinstance(events, dict) else {}
    pending = raw.get("pending")
    vault_id = raw.get("vault_id")
    leaving = [
        {**item, "url": without_userinfo(str(item.get("url", "")))}
        for item in raw.get("leaving") or []
        if isinstance(item, dict) and isinstance(item.get("uids"), list)
    ]
    state = PushState(
        vault_id if isinstance(vault_id, str) and vault_id else secrets.token_hex(8),
        settings.url,
        settings.calendar,
        {},
        pending if isinstance(pending, dict) else None,
        leaving,
    )
    old_url, old_calendar = _target_of(raw)
    if (old_url, old_calendar) == (settings.url, settings.calendar):
        state.events = events
    elif old_url:
        written = sorted(uid for uid, record in events.items() if "refused" not in record)
        state.leaving.append({"url": old_url, "calendar": old_calendar, "uids": written})
    # Back to a calendar left before: its entries are ours again, not to delete.
    state.leaving = [
        item
        for item in state.leaving
        if (item.get("url"), item.get("calendar")) != (settings.url, settings.calendar)
    ]
    return state


def save_state(vault: Vault, state: PushState) -> None:
    text = json.dumps(
        {
            "vault_id": state.vault_id,
            "url": state.url,
            "calendar": state.calendar,
            "events": state.events,
            "pending": state.pending,
            "leaving": state.leaving,
        },
        indent=1,
        sort_keys=True,
    )
    vault.write(PUSH_STATE_FILE, (text + "\n").encode("utf-8"), [STATE_DIR])


def record_failure(vault: Vault, state: PushState, message: str, attempts: int) -> None:
    """Note a push that failed, for the next one to retry (since when it
    fails, why, after how many tries); a state that cannot be written is
    logged, not raised, as the push's own error matters more."""
    since = (state.pending or {}).get("since") or datetime.now(UTC).isoformat(timespec="seconds")
    state.pending = {"since": since, "error": message, "attempts": attempts}
    try:
        save_state(vault, state)
    except OSError:
        log.exception("could not record the failed push in %s", PUSH_STATE_FILE)


def push_pending(vault: Vault) -> dict[str, Any] | None:
    """The record of a push that failed and awaits a retry, if any."""
    data = vault.read_bytes(PUSH_STATE_FILE)
    try:
        raw = json.loads(data) if data is not None else {}
    except ValueError:
        return None
    pending = raw.get("pending") if isinstance(raw, dict) else None
    return pending if isinstance(pending, dict) else None
