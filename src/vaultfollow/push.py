"""The calendar into a CalDAV calendar (Nextcloud, Fastmail, iCloud, Radicale...).

A push makes the server's copy of *our* entries equal to the calendar file:
it creates what is missing, rewrites what changed and deletes what left the
file. Ours are the objects whose UID ends in `@vaultfollow`; everything else
in that calendar is never read beyond its UID, changed or deleted.

A push reconciles against the whole calendar file, so it is idempotent: when
the server cannot be reached, the push is retried with backoff, and when it
still fails a record in `.vaultfollow/push.json` says so; the next push (or
`watch --push`) starts over from the current file, so no update is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shlex
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vaultfollow.core.config import CalDAVSettings
from vaultfollow.core.ics import UID_DOMAIN
from vaultfollow.core.layout import STATE_DIR
from vaultfollow.errors import ConfigError, UsageError, VaultfollowError
from vaultfollow.store.vault import Vault

log = logging.getLogger(__name__)

PUSH_STATE_FILE = f"{STATE_DIR}/push.json"
OWNED_SUFFIX = f"@{UID_DOMAIN}"
ATTEMPTS = 4  # one try and three retries
BACKOFF = 1.0  # seconds before the first retry; doubled each time
TIMEOUT = 30  # seconds per request


class PushError(VaultfollowError):
    """The server could not be reached or refused the update (exit 1); the
    record in `.vaultfollow/push.json` makes the next push try again."""


class PushAuthError(UsageError):
    """The server refused the user name or password (exit 2: fix the config)."""


@dataclass(slots=True)
class PushReport:
    """What a push changed on the server, by UID."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    foreign: int = 0  # entries of others in that calendar, left alone
    attempts: int = 1

    def describe(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.deleted)} deleted, {self.unchanged} unchanged; "
            f"{self.foreign} other entries in that calendar left alone"
        )


# --- settings -------------------------------------------------------------------


def caldav_password(settings: CalDAVSettings, environ: Mapping[str, str] = os.environ) -> str:
    """The password from `password_env` or `password_command` (its first
    line of output); ConfigError naming the key when neither gives one."""
    if settings.password_env:
        value = environ.get(settings.password_env)
        if value is None:
            raise ConfigError(
                [
                    f'[caldav] password_env = "{settings.password_env}": that environment '
                    "variable is not set; export it before running vaultfollow"
                ]
            )
        return value
    if settings.password_command:
        key = f'[caldav] password_command = "{settings.password_command}"'
        try:
            done = subprocess.run(
                shlex.split(settings.password_command),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            raise ConfigError([f"{key} could not be run ({exc})"]) from None
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise ConfigError([f"{key} failed with exit code {done.returncode}: {why}"])
        lines = done.stdout.splitlines()
        if not lines or not lines[0]:
            raise ConfigError([f"{key} printed no password"])
        return lines[0]
    raise ConfigError(
        [
            "[caldav]: no password; set password_env (an environment variable) or "
            'password_command (e.g. "pass show caldav")'
        ]
    )


def check_settings(settings: CalDAVSettings) -> None:
    """ConfigError listing what `push` needs and the config lacks."""
    errors = []
    if not settings.url.startswith(("http://", "https://")):
        errors.append(
            f'[caldav] url = "{settings.url}": write the CalDAV address, such as '
            '"https://cloud.example.com/remote.php/dav" (with `calendar`) or the '
            "calendar's own URL"
        )
    if not settings.username:
        errors.append("[caldav] username is empty; write your CalDAV user name")
    if errors:
        raise ConfigError(errors)


# --- the calendar, one resource per UID -------------------------------------------


def split_calendar(data: bytes) -> dict[str, bytes]:
    """One calendar object resource per UID of `data`, as CalDAV wants them:
    the entry with the time zones it may use, without METHOD (RFC 4791 4.1)."""
    from icalendar import Calendar

    calendar = Calendar.from_ical(data)
    zones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    resources: dict[str, bytes] = {}
    for component in calendar.subcomponents:
        if component.name not in ("VEVENT", "VTODO") or "UID" not in component:
            continue
        one = Calendar()
        for name in ("VERSION", "PRODID", "CALSCALE"):
            if name in calendar:
                one.add(name.lower(), calendar[name])
        for zone in zones:
            one.add_component(zone)
        one.add_component(component)
        resources[str(component["UID"])] = one.to_ical()
    return resources


# --- state ------------------------------------------------------------------------


@dataclass(slots=True)
class _State:
    target: str
    events: dict[str, dict[str, str]]  # uid -> {"sha": ..., "etag": ...}
    pending: dict[str, Any] | None


def _load_state(vault: Vault, target: str) -> _State:
    data = vault.read_bytes(PUSH_STATE_FILE)
    try:
        raw = json.loads(data) if data is not None else {}
    except ValueError:
        log.warning("%s is unreadable; the next push compares everything", PUSH_STATE_FILE)
        raw = {}
    if not isinstance(raw, dict):
        raw = {}
    events = raw.get("events") if raw.get("target") == target else None
    pending = raw.get("pending")
    return _State(
        target,
        events if isinstance(events, dict) else {},
        pending if isinstance(pending, dict) else None,
    )


def _save_state(vault: Vault, state: _State) -> None:
    text = json.dumps(
        {"target": state.target, "events": state.events, "pending": state.pending},
        indent=1,
        sort_keys=True,
    )
    vault.write(PUSH_STATE_FILE, (text + "\n").encode("utf-8"), [STATE_DIR])


def push_pending(vault: Vault) -> dict[str, Any] | None:
    """The record of a push that failed and awaits a retry, if any."""
    data = vault.read_bytes(PUSH_STATE_FILE)
    try:
        raw = json.loads(data) if data is not None else {}
    except ValueError:
        return None
    pending = raw.get("pending") if isinstance(raw, dict) else None
    return pending if isinstance(pending, dict) else None


# --- the server -----------------------------------------------------------------


class _Remote:
    """The few CalDAV operations a push needs, over the `caldav` library."""

    def __init__(self, settings: CalDAVSettings, password: str) -> None:
        import caldav

        client_class: Any = caldav.DAVClient  # typed as a lazy export by caldav
        self.client: Any = client_class(
            url=settings.url, username=settings.username, password=password, timeout=TIMEOUT
        )
        try:
            if settings.calendar:
                principal: Any = self.client.principal()
                self.calendar: Any = principal.calendar(name=settings.calendar)
            else:
                self.calendar = self.client.calendar(url=settings.url)
        except BaseException:
            self.client.close()
            raise

    def owned(self) -> tuple[dict[str, tuple[Any, str]], int]:
        """Our objects by UID with their ETags, and how many others there are."""
        found: dict[str, tuple[Any, str]] = {}
        others = 0
        objects = [
            *self.calendar.search(event=True),
            *self.calendar.search(todo=True, include_completed=True),
        ]
        for obj in objects:
            uid = str(obj.id or "")
            if uid.endswith(OWNED_SUFFIX):
                props = getattr(obj, "props", None) or {}
                found[uid] = (obj, str(props.get("{DAV:}getetag", "")))
            else:
                others += 1
        return found, others

    def create(self, body: bytes) -> None:
        text = body.decode("utf-8")
        if "BEGIN:VTODO" in text:
            self.calendar.add_todo(text, increase_seqno=False)
        else:
            self.calendar.add_event(text, increase_seqno=False)

    def update(self, obj: Any, body: bytes) -> None:
        obj.data = body.decode("utf-8")
        obj.save(increase_seqno=False)

    def delete(self, obj: Any) -> None:
        obj.delete()

    def close(self) -> None:
        self.client.close()


Connect = Callable[[CalDAVSettings, str], _Remote]


def _retryable(exc: BaseException) -> bool:
    """Offline, timeouts and server-side failures: worth another try."""
    from caldav.lib.error import AuthorizationError, DAVError, NotFoundError

    if isinstance(exc, AuthorizationError | NotFoundError):
        return False
    if isinstance(exc, DAVError):
        return exc.status is None or exc.status >= 500 or exc.status == 429
    return isinstance(exc, OSError)


def push_calendar(
    vault: Vault,
    data: bytes,
    settings: CalDAVSettings,
    *,
    password: str | None = None,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    connect: Connect = _Remote,
) -> PushReport:
    """Make the server hold exactly the `@vaultfollow` entries of `data`.

    Retries offline and server errors `attempts` times in all, waiting
    `backoff`, then twice as long, and so on. Raises PushAuthError for a
    refused login, PushError when every attempt failed (after recording it
    for the next push), UsageError when the calendar does not exist."""
    from caldav.lib.error import AuthorizationError, NotFoundError

    check_settings(settings)
    if password is None:
        password = caldav_password(settings)
    wanted = split_calendar(data)
    state = _load_state(vault, f"{settings.url}#{settings.calendar}")
    where = settings.url + (f" (calendar {settings.calendar!r})" if settings.calendar else "")
    delay = backoff
    for attempt in range(1, attempts + 1):
        try:
            report = _connect_and_reconcile(connect, settings, password, wanted, state)
        except AuthorizationError:
            raise PushAuthError(
                f"{where}: the server refused user {settings.username!r}; check [caldav] "
                "username and the password (an app password for iCloud and Fastmail)"
            ) from None
        except NotFoundError:
            raise UsageError(
                f"{where}: no such calendar; check [caldav] url and calendar "
                "(create the calendar in your calendar app first)"
            ) from None
        except Exception as exc:
            if not _retryable(exc):
                _record_failure(vault, state, exc, attempt)
                raise PushError(f"{where}: the push failed: {_reason(exc)}") from None
            if attempt == attempts:
                _record_failure(vault, state, exc, attempt)
                raise PushError(
                    f"{where}: could not push after {attempts} tries ({_reason(exc)}); "
                    "the next push, or watch --push, tries again: nothing is lost"
                ) from None
            log.warning(
                "%s: %s; trying again in %.0f s (%d of %d)",
                where,
                _reason(exc),
                delay,
                attempt,
                attempts,
            )
            sleep(delay)
            delay *= 2
            continue
        report.attempts = attempt
        state.pending = None
        _save_state(vault, state)
        return report
    raise AssertionError("unreachable")


def _connect_and_reconcile(
    connect: Connect,
    settings: CalDAVSettings,
    password: str,
    wanted: dict[str, bytes],
    state: _State,
) -> PushReport:
    remote = connect(settings, password)
    try:
        return _reconcile(remote, wanted, state)
    finally:
        remote.close()


def _reconcile(remote: _Remote, wanted: dict[str, bytes], state: _State) -> PushReport:
    report = PushReport()
    present, report.foreign = remote.owned()
    for uid, body in sorted(wanted.items()):
        sha = hashlib.sha256(body).hexdigest()
        known = state.events.get(uid)
        if uid in present:
            obj, etag = present[uid]
            if known == {"sha": sha, "etag": etag} and etag:
                report.unchanged += 1
                continue
            remote.update(obj, body)
            report.updated.append(uid)
        else:
            remote.create(body)
            report.created.append(uid)
        state.events[uid] = {"sha": sha, "etag": ""}
    for uid in sorted(set(present) - set(wanted)):
        remote.delete(present[uid][0])
        state.events.pop(uid, None)
        report.deleted.append(uid)
    for uid in list(state.events):
        if uid not in wanted:
            del state.events[uid]
    if report.created or report.updated:
        # The server's ETags of what we just wrote, so the next push can tell
        # our own versions from edits made on the server.
        after, _ = remote.owned()
        for uid, record in state.events.items():
            if uid in after:
                record["etag"] = after[uid][1]
    return report


def _record_failure(vault: Vault, state: _State, exc: BaseException, attempts: int) -> None:
    since = (state.pending or {}).get("since") or datetime.now(UTC).isoformat(timespec="seconds")
    state.pending = {"since": since, "error": _reason(exc), "attempts": attempts}
    try:
        _save_state(vault, state)
    except OSError:
        log.exception("could not record the failed push in %s", PUSH_STATE_FILE)


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


# --- for watch --push ---------------------------------------------------------------


class PushWorker:
    """Pushes the calendar file in the background after each pass of the
    watcher (`notify`), one push at a time, the latest file each time; after
    a failure it tries again later (doubling the wait up to `max_wait`)."""

    def __init__(
        self,
        vault: Vault,
        calendar_path: str,
        settings: CalDAVSettings,
        *,
        first_wait: float = 30.0,
        max_wait: float = 900.0,
    ) -> None:
        self.vault = vault
        self.calendar_path = calendar_path
        self.settings = settings
        self.first_wait = first_wait
        self.max_wait = max_wait
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="vaultfollow-push", daemon=True)
        self.pushes = 0

    def start(self) -> None:
        check_settings(self.settings)
        caldav_password(self.settings)  # a config problem shows at once, not later
        self._thread.start()
        if push_pending(self.vault) is not None:
            self.notify()

    def notify(self, *_: object) -> None:
        """Push soon (accepts and ignores a PassReport, to serve as the hook)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=TIMEOUT + 5)

    def _run(self) -> None:
        wait: float | None = None
        while not self._stop.is_set():
            self._wake.wait(wait)
            self._wake.clear()
            if self._stop.is_set():
                return
            data = self.vault.read_bytes(self.calendar_path)
            if data is None:
                wait = None
                continue
            try:
                report = push_calendar(self.vault, data, self.settings, attempts=1)
            except PushAuthError as exc:
                log.error("push: %s", exc.message)
                wait = None  # no point retrying until something changes
            except VaultfollowError as exc:
                wait = self.first_wait if wait is None else min(wait * 2, self.max_wait)
                log.warning("push: %s; retrying in %.0f s", exc.message, wait)
            except Exception:
                wait = self.first_wait if wait is None else min(wait * 2, self.max_wait)
                log.exception("push failed; retrying in %.0f s", wait)
            else:
                self.pushes += 1
                wait = None
                if report.created or report.updated or report.deleted:
                    log.info("pushed: %s", report.describe())
