"""The calendar into a CalDAV calendar (Nextcloud, Fastmail, iCloud, Radicale...).

A push makes the server's copy of *our* entries equal to the calendar file:
it creates what is missing, rewrites what changed and deletes what left the
file. Ours are the objects whose UID ends in `@vaultfollow` and that name
this vault (X-VAULTFOLLOW-VAULT, an id kept in `.vaultfollow/push.json`), so
two vaults can share a calendar; everything else in that calendar is never
changed or deleted. When `[caldav]` url or calendar changes, our entries in
the calendar left are deleted (by a later push when it is out of reach).

Each entry is sent on its own: one the server refuses is reported with the
server's reason in words, and the rest of the push goes on. A push
reconciles against the whole calendar file, so it is idempotent: when the
server cannot be reached, the push is retried with backoff, and when it
still fails a record in `.vaultfollow/push.json` says so; the next push (or
`watch --push`) starts over from the current file, so no update is lost.
Errors that no retry mends (credentials, a URL that is not a calendar, an
untrusted certificate) are not retried. What a push remembers between
runs, and the format of `.vaultfollow/push.json`, is `push_state.py`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from vaultfollow.core.config import CalDAVSettings, is_loopback, without_userinfo
from vaultfollow.core.ics import UID_DOMAIN
from vaultfollow.errors import ConfigError, UsageError, VaultfollowError
from vaultfollow.push_state import PushState, load_state, push_pending, record_failure, save_state
from vaultfollow.push_trouble import (
    CALDAV_NS,
    Trouble,
    entry_refused,
    network_trouble,
    refusal_reason,
    status_of,
)
from vaultfollow.secrets import read_secret
from vaultfollow.store.vault import Vault

log = logging.getLogger(__name__)

OWNED_SUFFIX = f"@{UID_DOMAIN}"
ATTEMPTS = 4  # one try and three retries
BACKOFF = 1.0  # seconds before the first retry; doubled each time


TIMEOUT = 30  # seconds per request
EXIT_DELIVERY_FAILED = 3  # the CLI's exit code when the calendar did not fully reach the server


class PushError(VaultfollowError):
    """The server could not be reached (exit 3); the record in
    `.vaultfollow/push.json` makes the next push try again."""

    exit_code = EXIT_DELIVERY_FAILED


class PushAuthError(UsageError):
    """The server refused the user name or password (exit 2: fix the config)."""


ACTIONS = ("created", "updated", "deleted", "refused", "unchanged")


@dataclass(frozen=True, slots=True)
class EntryResult:
    """What a push did with one entry; `reason` says why a refused one was
    refused, and what to do, in words."""

    uid: str
    summary: str
    action: str  # one of ACTIONS
    reason: str = ""
    held: bool = False  # refused before and unchanged since: not sent again

    def as_json(self) -> dict[str, str]:
        return {
            "uid": self.uid,
            "summary": self.summary,
            "action": self.action,
            "reason": self.reason,
        }


@dataclass(slots=True)
class PushReport:
    """What a push did, entry by entry."""

    entries: list[EntryResult] = field(default_factory=list)
    foreign: int = 0  # entries of others in that calendar, left alone
    attempts: int = 1

    def uids(self, action: str) -> list[str]:
        return [e.uid for e in self.entries if e.action == action]

    @property
    def created(self) -> list[str]:
        return self.uids("created")

    @property
    def updated(self) -> list[str]:
        return self.uids("updated")

    @property
    def deleted(self) -> list[str]:
        return self.uids("deleted")

    @property
    def refused(self) -> list[EntryResult]:
        return [e for e in self.entries if e.action == "refused"]

    @property
    def unchanged(self) -> int:
        return len(self.uids("unchanged"))

    @property
    def changed(self) -> bool:
        return any(e.action in ("created", "updated", "deleted") for e in self.entries)

    def describe(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.deleted)} deleted, {self.unchanged} unchanged, "
            f"{len(self.refused)} refused; "
            f"{self.foreign} other entries in that calendar left alone"
        )


# --- settings -------------------------------------------------------------------


def caldav_password(settings: CalDAVSettings, environ: Mapping[str, str] = os.environ) -> str:
    """The password from `password_env` or `password_command` (its first
    line of output); ConfigError naming the key when neither gives one."""
    return read_secret(
        "caldav",
        password_env=settings.password_env,
        password_command=settings.password_command,
        environ=environ,
    )


def check_settings(settings: CalDAVSettings, environ: Mapping[str, str] = os.environ) -> None:
    """ConfigError listing what `push` needs and the config lacks."""
    errors = []
    bare = without_userinfo(settings.url)
    if bare != settings.url:
        errors.append(
            "[caldav] url holds credentials before the host (user:password@); write it "
            f'without them, as "{bare}", the user name in [caldav] username and the '
            "password in password_env or password_command"
        )
    elif not settings.url.startswith(("http://", "https://")):
        errors.append(
            f'[caldav] url = "{settings.url}": write the CalDAV address, such as '
            '"https://cloud.example.com/remote.php/dav" (with `calendar`) or the '
            "calendar's own URL"
        )
    if not settings.username:
        errors.append("[caldav] username is empty; write your CalDAV user name")
    try:
        ca_bundle(settings, environ)
    except ConfigError as exc:
        errors.extend(exc.errors)
    if errors:
        raise ConfigError(errors)


CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")


def ca_bundle(settings: CalDAVSettings, environ: Mapping[str, str] = os.environ) -> str | bool:
    """The CA certificates to trust for the server: `[caldav] ca_file`, else
    the file named by REQUESTS_CA_BUNDLE or SSL_CERT_FILE, else True (the
    system's store). ConfigError when the file named is missing or holds no
    certificate."""
    if settings.ca_file:
        where = f'[caldav] ca_file = "{settings.ca_file}"'
        path = os.path.expanduser(settings.ca_file)
    else:
        variable = next((v for v in CA_VARIABLES if environ.get(v)), None)
        if variable is None:
            return True
        where = f'the environment variable {variable} = "{environ[variable]}"'
        path = os.path.expanduser(environ[variable])
    _check_ca_file(path, where)
    return path


def _check_ca_file(path: str, where: str) -> None:
    import ssl

    if not os.path.isfile(path):
        raise ConfigError([f"{where}: no such file; write the path of the CA certificate (PEM)"])
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError, ValueError) as exc:
        why = getattr(exc, "reason", None) or type(exc).__name__
        raise ConfigError(
            [f"{where}: holds no usable CA certificate ({why}); write the path of a PEM file"]
        ) from None


def sends_credentials_up_front(url: str) -> bool:
    """Basic credentials go with the first request over TLS and to this
    machine (servers such as Cyrus answer discovery without asking for
    them, and then find no calendar); elsewhere only when the server asks."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme == "https" or is_loopback(parts.hostname or "")


# --- the calendar, one resource per UID -------------------------------------------


VAULT_PROPERTY = "X-VAULTFOLLOW-VAULT"


def split_calendar(data: bytes, vault_id: str = "") -> dict[str, bytes]:
    """One calendar object resource per UID of `data`, as CalDAV wants them:
    the entry with the time zones it may use, without METHOD (RFC 4791 4.1);
    with `vault_id`, each entry names its vault (VAULT_PROPERTY)."""
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
        if vault_id:
            component.add(VAULT_PROPERTY.lower(), vault_id)
        one.add_component(component)
        resources[str(component["UID"])] = one.to_ical()
    return resources


# --- the server -----------------------------------------------------------------

PROPFIND_KIND = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:displayname/></d:prop></d:propfind>'
)


@dataclass(frozen=True, slots=True)
class _Collection:
    href: str
    name: str
    is_calendar: bool


class _Remote:
    """The few CalDAV operations a push needs, over the `caldav` library."""

    def __init__(self, settings: CalDAVSettings, password: str) -> None:
        from caldav.lib.error import AuthorizationError

        self.settings = settings
        basic = sends_credentials_up_front(settings.url)
        self.client: Any = self._client(password, basic=basic)
        try:
            try:
                self.calendar: Any = self._open_calendar()
            except AuthorizationError as exc:
                if not (basic and status_of(exc) == 401):
                    raise
                # A server that wants another scheme (Digest): let it choose.
                self.client.close()
                self.client = self._client(password, basic=False)
                self.calendar = self._open_calendar()
        except BaseException:
            self.client.close()
            raise

    def _client(self, password: str, *, basic: bool) -> Any:
        import caldav

        client_class: Any = caldav.DAVClient  # typed as a lazy export by caldav
        return client_class(
            url=self.settings.url,
            username=self.settings.username,
            password=password,
            auth_type="basic" if basic else None,
            timeout=TIMEOUT,
            ssl_verify_cert=ca_bundle(self.settings),
            enable_rfc6764=False,
        )

    def _open_calendar(self) -> Any:
        """The calendar of [caldav]; UsageError naming the calendars there
        when there is no such calendar, or the URL is not a calendar."""
        from caldav.lib.error import NotFoundError

        settings = self.settings
        if settings.calendar:
            principal: Any = self.client.principal()
            try:
                return principal.calendar(name=settings.calendar)
            except NotFoundError:
                raise UsageError(
                    f"{settings.url}: no such calendar {settings.calendar!r}"
                    f"{self._listing()}; check [caldav] calendar (or create the calendar in "
                    "your calendar app first)"
                ) from None
        here = self._collections(settings.url)
        if here and here[0].is_calendar:
            return self.client.calendar(url=settings.url)
        raise UsageError(
            f"{settings.url} is not a calendar (a server root, principal or calendar home?)"
            f"{self._listing()}; set [caldav] calendar to the calendar's name, or url to its "
            "own address"
        )

    def _collections(self, url: str) -> list[_Collection]:
        """The collection at `url` (empty when the server says nothing of
        it); UsageError when the server does not know the URL."""
        status, found = self._propfind(url, depth=0)
        if status in (404, 405, 501):
            raise UsageError(
                f"{url}: the server answers HTTP {status} there, so this is no CalDAV "
                f"address{self._listing(root=True)}; check [caldav] url"
            )
        return found

    def _propfind(self, url: str, *, depth: int = 1) -> tuple[int, list[_Collection]]:
        """PROPFIND: the status, and the collection at `url` first, then
        (depth 1) those right under it."""
        response = self.client.propfind(url, PROPFIND_KIND, depth=depth)
        found: list[_Collection] = []
        tree = response.tree if response.status == 207 else None
        for item in tree.iter("{DAV:}response") if tree is not None else []:
            href = item.findtext("{DAV:}href") or ""
            kinds = {element.tag for element in item.iter()}
            name = item.findtext(".//{DAV:}displayname") or href.rstrip("/").rsplit("/", 1)[-1]
            found.append(_Collection(href, name, f"{CALDAV_NS}calendar" in kinds))
        base = urlsplit_path(url)
        found.sort(key=lambda c: urlsplit_path(c.href) != base)
        return int(response.status), found

    def _listing(self, *, root: bool = False) -> str:
        """ "; calendars found there: ..." when any can be found (best effort)."""
        try:
            names = self._calendar_names(root=root)
        except Exception:  # a hint in an error message only
            names = []
        if not names:
            return ""
        return "; calendars found there: " + ", ".join(names)

    def _calendar_names(self, *, root: bool) -> list[str]:
        from urllib.parse import urljoin

        url = urljoin(self.settings.url, "/") if root else self.settings.url
        _, below = self._propfind(url)
        names = [f'"{c.name}" ({urljoin(url, c.href)})' for c in below if c.is_calendar]
        if names:
            return names
        principal: Any = self.client.principal()
        return [
            f'"{cal.get_display_name() or cal.url}" ({cal.url})'
            for cal in principal.get_calendars()
        ]

    def owned(self) -> tuple[dict[str, _Found], int]:
        """The objects with a vaultfollow UID (of any vault), and how many
        others there are."""
        found: dict[str, _Found] = {}
        others = 0
        objects = [
            *self.calendar.search(event=True),
            *self.calendar.search(todo=True, include_completed=True),
        ]
        for obj in objects:
            uid = str(obj.id or "")
            if uid.endswith(OWNED_SUFFIX):
                props = getattr(obj, "props", None) or {}
                etag = str(props.get("{DAV:}getetag", ""))
                found[uid] = _Found(obj, etag, *_summary_and_vault(obj))
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

    def gone(self, exc: BaseException, uid: str) -> bool:
        """Whether the update that raised `exc` failed because the entry is
        no longer on the server: 404 (NotFoundError, or caldav's PutError
        with that status), or 412 (If-Match of a version deleted since, as
        Radicale and Xandikos answer) with no entry of that UID."""
        from caldav.lib.error import NotFoundError

        if isinstance(exc, NotFoundError) or status_of(exc) == 404:
            return True
        if status_of(exc) != 412:
            return False
        try:
            self.calendar.get_object_by_uid(uid)
        except NotFoundError:
            return True
        return False

    def delete(self, obj: Any) -> None:
        from caldav.lib.error import NotFoundError

        with contextlib.suppress(NotFoundError):  # gone already: what we wanted
            obj.delete()

    def close(self) -> None:
        self.client.close()


def urlsplit_path(url: str) -> str:
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path).rstrip("/")


@dataclass(frozen=True, slots=True)
class _Found:
    """An object on the server with a vaultfollow UID."""

    obj: Any
    etag: str
    summary: str
    vault: str  # the vault it names ("" when pushed before entries named one)


def _summary_and_vault(obj: Any) -> tuple[str, str]:
    try:
        component = obj.icalendar_component
    except Exception:  # a broken object: neither is known
        return "", ""
    return str(component.get("SUMMARY", "")), str(component.get(VAULT_PROPERTY, ""))


def summaries(data: bytes) -> dict[str, str]:
    """UID -> SUMMARY of each entry of the calendar `data`."""
    from icalendar import Calendar

    return {
        str(c["UID"]): str(c.get("SUMMARY", ""))
        for c in Calendar.from_ical(data).subcomponents
        if c.name in ("VEVENT", "VTODO") and "UID" in c
    }


Connect = Callable[[CalDAVSettings, str], _Remote]


def trouble_of(exc: BaseException, settings: CalDAVSettings) -> Trouble:
    """Any failure of a whole push, in one line; PushAuthError and
    UsageError are raised (they need a change of config)."""
    from caldav.lib.error import AuthorizationError, DAVError, NotFoundError

    where = _where(settings)
    if isinstance(exc, VaultfollowError):  # said in words already (not a calendar...)
        raise exc
    if isinstance(exc, AuthorizationError) and status_of(exc) != 403:
        raise PushAuthError(
            f"{where}: the server refused user {settings.username!r} (HTTP 401); check [caldav] "
            "username and the password (an app password for iCloud and Fastmail)"
        ) from None
    if isinstance(exc, AuthorizationError):
        raise UsageError(
            f"{where}: the server forbids access here (HTTP 403; the login itself was "
            "accepted); check that [caldav] url points at your own calendars"
        ) from None
    if isinstance(exc, NotFoundError):
        raise UsageError(
            f"{where}: the server has nothing at this address (HTTP 404), so it is no "
            "CalDAV address; check [caldav] url (the server's CalDAV address, or a calendar's)"
        ) from None
    found = network_trouble(exc, settings.url, TIMEOUT)
    if found is not None:
        if not found.outage:
            raise UsageError(found.message)
        return found
    if isinstance(exc, DAVError):
        status = status_of(exc)
        if status is None or status >= 500 or status in (423, 429):
            return Trouble(f"{where}: the server failed (HTTP {status or '?'})", outage=True)
        raise UsageError(
            f"{where}: the server refused the request (HTTP {status}); check [caldav] url"
        ) from None
    raise exc


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
    retry_refused: bool = True,
) -> PushReport:
    """Make the server hold exactly the `@vaultfollow` entries of `data`.

    An entry the server refuses is reported (EntryResult.reason) and the
    rest goes on; with `retry_refused` False (watch --push), an entry
    refused before is not sent again until it changes. Retries outages
    `attempts` times in all, waiting `backoff`, then twice as long, and so
    on. Raises PushAuthError for a refused login, PushError when every
    attempt failed (after recording it for the next push), UsageError when
    the config must change (no such calendar, not a calendar, forbidden,
    an untrusted TLS certificate)."""
    check_settings(settings)
    if password is None:
        password = caldav_password(settings)
    state = load_state(vault, settings)
    wanted = split_calendar(data, state.vault_id)
    titles = summaries(data)
    moved = _clear_calendars_left(connect, settings, password, state)
    delay = backoff
    for attempt in range(1, attempts + 1):
        try:
            report = _connect_and_reconcile(
                connect, settings, password, wanted, titles, state, retry_refused
            )
        except Exception as exc:
            trouble = trouble_of(exc, settings)
            if attempt == attempts:
                record_failure(vault, state, trouble.message, attempt)
                tries = f"after {attempts} tries" if attempts > 1 else "this time"
                raise PushError(
                    f"{trouble.message} (could not push {tries}; the next push, or watch "
                    "--push, tries again: nothing is lost)"
                ) from None
            if attempt == 1:
                log.info("push: the server did not answer; trying again for a while")
            log.debug(
                "push: %s; try %d of %d in %.0f s", trouble.message, attempt + 1, attempts, delay
            )
            sleep(delay)
            delay *= 2
            continue
        report.attempts = attempt
        report.entries[:0] = moved
        state.pending = None
        save_state(vault, state)
        return report
    raise AssertionError("unreachable")


def _clear_calendars_left(
    connect: Connect, settings: CalDAVSettings, password: str, state: PushState
) -> list[EntryResult]:
    """Delete our entries from the calendars pushed to before (`[caldav]`
    url or calendar changed), before the push to the new one (Cyrus wants
    a UID once per account). One out of reach stays listed, to be cleared by
    a later push; the push to the new calendar goes on regardless."""
    done: list[EntryResult] = []
    for item in list(state.leaving):
        url, calendar = str(item.get("url", "")), str(item.get("calendar", ""))
        old = replace(settings, url=url, calendar=calendar)
        try:
            done += _clear_one(connect, old, password, state.vault_id, set(item["uids"]))
        except Exception as exc:
            why = _why_not_cleared(exc, old)
            if why is not None:
                log.warning(
                    "push: our entries in the calendar pushed to before, %s, are not removed "
                    "yet (%s); a later push tries again",
                    _where(old),
                    why,
                )
                continue
        state.leaving.remove(item)
    return done


def _why_not_cleared(exc: Exception, old: CalDAVSettings) -> str | None:
    """Why a calendar left could not be cleared; None when it is gone (and
    our entries with it)."""
    try:
        return trouble_of(exc, old).message
    except UsageError as problem:
        if "no such calendar" in problem.message or "HTTP 404" in problem.message:
            return None
        return problem.message
    except Exception as unexpected:  # no message foresees it: the push goes on regardless
        return f"unexpected error: {type(unexpected).__name__}: {unexpected}"


def _where(settings: CalDAVSettings) -> str:
    return without_userinfo(settings.url) + (
        f" (calendar {settings.calendar!r})" if settings.calendar else ""
    )


def _clear_one(
    connect: Connect, old: CalDAVSettings, password: str, vault_id: str, uids: set[str]
) -> list[EntryResult]:
    where = _where(old)
    remote = connect(old, password)
    done = []
    try:
        present, _ = remote.owned()
        for uid, found in sorted(present.items()):
            if found.vault != vault_id and not (found.vault == "" and uid in uids):
                continue  # another vault's
            try:
                remote.delete(found.obj)
            except Exception as exc:
                if not entry_refused(exc):
                    raise
                log.warning("push: could not delete %s from %s: %s", uid, where, exc)
                continue
            done.append(EntryResult(uid, found.summary, "deleted", f"moved: removed from {where}"))
    finally:
        remote.close()
    return done


def _connect_and_reconcile(
    connect: Connect,
    settings: CalDAVSettings,
    password: str,
    wanted: dict[str, bytes],
    titles: dict[str, str],
    state: PushState,
    retry_refused: bool,
) -> PushReport:
    remote = connect(settings, password)
    try:
        return _Reconcile(remote, wanted, titles, state, retry_refused).run()
    finally:
        remote.close()


@dataclass(slots=True)
class _Reconcile:
    """One pass over the entries: create, update, delete, each on its own,
    so that one refusal stops nothing else. Ours are the entries that name
    this vault, and those of before entries named one that this vault
    wrote (its state knows them) or writes now."""

    remote: _Remote
    wanted: dict[str, bytes]
    titles: dict[str, str]
    state: PushState
    retry_refused: bool
    report: PushReport = field(default_factory=PushReport)

    def run(self) -> PushReport:
        found, self.report.foreign = self.remote.owned()
        present: dict[str, _Found] = {}
        others: set[str] = set()
        for uid, item in found.items():
            if self._ours(uid, item):
                present[uid] = item
            else:
                others.add(uid)
        self.report.foreign += len(others)
        for uid, body in sorted(self.wanted.items()):
            if uid in others:
                self._note(uid, "refused", ANOTHER_VAULT)
            else:
                self._put(uid, body, present.get(uid))
        for uid in sorted(set(present) - set(self.wanted)):
            self._delete(uid, present[uid])
        for uid in list(self.state.events):
            if uid not in self.wanted and uid not in present:
                del self.state.events[uid]
        if self.report.created or self.report.updated:
            # The server's ETags of what we just wrote, so the next push can tell
            # our own versions from edits made on the server.
            after, _ = self.remote.owned()
            for uid, record in self.state.events.items():
                if uid in after and "refused" not in record:
                    record["etag"] = after[uid].etag
        return self.report

    def _ours(self, uid: str, item: _Found) -> bool:
        if item.vault:
            return item.vault == self.state.vault_id
        return uid in self.wanted or uid in self.state.events

    def _note(self, uid: str, action: str, reason: str = "", *, held: bool = False) -> None:
        self.report.entries.append(EntryResult(uid, self.titles.get(uid, ""), action, reason, held))

    def _put(self, uid: str, body: bytes, found: _Found | None) -> None:
        sha = hashlib.sha256(body).hexdigest()
        known = self.state.events.get(uid) or {}
        if found is not None and known == {"sha": sha, "etag": found.etag} and found.etag:
            self._note(uid, "unchanged")
            return
        if known.get("refused") and known.get("sha") == sha and not self.retry_refused:
            self._note(uid, "refused", known["refused"], held=True)
            return
        try:
            action = self._write(uid, body, found)
        except Exception as exc:
            if not entry_refused(exc):
                raise
            reason = refusal_reason(exc, body)
            self.state.events[uid] = {"sha": sha, "etag": "", "refused": reason}
            self._note(uid, "refused", reason)
            return
        self.state.events[uid] = {"sha": sha, "etag": ""}
        self._note(uid, action)

    def _write(self, uid: str, body: bytes, found: _Found | None) -> str:
        """Create or update the entry; "created" or "updated". An entry
        deleted on the server since the listing is created again."""
        if found is None:
            self.remote.create(body)
            return "created"
        try:
            self.remote.update(found.obj, body)
        except Exception as exc:
            if not self.remote.gone(exc, uid):
                raise
            log.debug("push: %s was deleted on the server meanwhile; creating it again", uid)
            self.remote.create(body)
            return "created"
        return "updated"

    def _delete(self, uid: str, found: _Found) -> None:
        self.titles.setdefault(uid, found.summary)
        known = self.state.events.get(uid) or {}
        if known.get("refused") and known.get("etag") == found.etag and not self.retry_refused:
            self._note(uid, "refused", known["refused"], held=True)
            return
        try:
            self.remote.delete(found.obj)
        except Exception as exc:
            if not entry_refused(exc):
                raise
            reason = "could not delete it: " + refusal_reason(exc, None)
            self.state.events[uid] = {"sha": "", "etag": found.etag, "refused": reason}
            self._note(uid, "refused", reason)
            return
        self.state.events.pop(uid, None)
        self._note(uid, "deleted")


ANOTHER_VAULT = (
    "another vault's entry in this calendar has this UID; push each vault into a calendar "
    "of its own, or remove that entry"
)


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
        self._last_error: str | None = None

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
            wait = None if data is None else self._push(data, wait)

    def _push(self, data: bytes, wait: float | None) -> float | None:
        """One push; the wait before the next try, None to wait for a change.
        A failure is logged when it is new, not on every retry."""
        try:
            report = push_calendar(self.vault, data, self.settings, attempts=1, retry_refused=False)
        except UsageError as exc:  # wrong password, not a calendar, TLS: fix the config
            self._say(logging.ERROR, f"push: {exc.message}")
            return None
        except VaultfollowError as exc:
            wait = self.first_wait if wait is None else min(wait * 2, self.max_wait)
            self._say(logging.WARNING, f"push: {exc.message}", detail=f"; retrying in {wait:.0f} s")
            return wait
        except Exception:
            wait = self.first_wait if wait is None else min(wait * 2, self.max_wait)
            log.exception("push failed; retrying in %.0f s", wait)
            return wait
        self.pushes += 1
        if self._last_error is not None:
            log.info("push: the server is reachable again")
            self._last_error = None
        for entry in report.refused:
            if not entry.held:
                log.warning("push: refused %s: %s", entry_name(entry), entry.reason)
        if report.changed:
            log.info("pushed: %s", report.describe())
        return None

    def _say(self, level: int, message: str, *, detail: str = "") -> None:
        if message == self._last_error:
            log.debug("%s%s", message, detail)
            return
        self._last_error = message
        log.log(level, "%s%s", message, detail)


def entry_name(entry: EntryResult) -> str:
    """How messages name an entry: its summary and UID, or the UID alone."""
    return f"{entry.summary!r} ({entry.uid})" if entry.summary else entry.uid
