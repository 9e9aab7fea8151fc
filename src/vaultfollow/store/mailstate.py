"""`.vaultfollow/mail.json`: what the mailbox showed about the vault's
follow-ups (see `core.mailbox.MailState`): follow-up ids and hashed
application keys, each with a day, the matched address and a hash of the
message id. Nothing of other mail, no subject, no sender but the matched one."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import date

from vaultfollow.core.layout import STATE_DIR
from vaultfollow.core.mailbox import MailState, Sighting
from vaultfollow.store.vault import Vault

log = logging.getLogger(__name__)

MAIL_STATE_FILE = f"{STATE_DIR}/mail.json"


def parse_mail_state(data: bytes) -> MailState:
    """The state as `dump_mail_state` wrote it (ValueError when it is not)."""
    try:
        raw = json.loads(data.decode("utf-8"))
        if not isinstance(raw, dict) or raw.get("format") != 1:
            raise ValueError("no `format`")
        return MailState(sent=_sightings(raw["sent"]), replied=_sightings(raw["replied"]))
    except (UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None


def _sightings(raw: Mapping[str, Mapping[str, str]]) -> dict[str, Sighting]:
    return {
        str(key): Sighting(date.fromisoformat(v["day"]), str(v["address"]), str(v["message"]))
        for key, v in raw.items()
    }


def dump_mail_state(state: MailState) -> bytes:
    def table(found: Mapping[str, Sighting]) -> dict[str, dict[str, str]]:
        return {
            key: {"day": s.day.isoformat(), "address": s.address, "message": s.message}
            for key, s in sorted(found.items())
        }

    data = {
        "format": 1,
        "about": "what vaultfollow saw in your mailbox about your follow-ups (hashes, days)",
        "sent": table(state.sent),
        "replied": table(state.replied),
    }
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def load_mail_state(vault: Vault) -> MailState:
    """What earlier checks saw; nothing when there is no file or it is not ours."""
    # A stat first: a vault that never read a mailbox opens no file for it.
    data = vault.read_bytes(MAIL_STATE_FILE) if vault.exists(MAIL_STATE_FILE) else None
    if data is None:
        return MailState()
    try:
        return parse_mail_state(data)
    except ValueError as exc:
        log.warning("%s is not vaultfollow's mail state (%s); not read", MAIL_STATE_FILE, exc)
        return MailState()


def _is_mail_state(current: bytes | None) -> bool:
    if current is None:
        return True
    try:
        parse_mail_state(current)
    except ValueError:
        return False
    return True


def save_mail_state(vault: Vault, state: MailState, owned: Iterable[str]) -> bool:
    """Keep `state`, merged with what the file holds now (only ever added to)."""
    merged = load_mail_state(vault).merged(state)
    return vault.write(MAIL_STATE_FILE, dump_mail_state(merged), owned, replaces=_is_mail_state)
