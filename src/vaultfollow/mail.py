"""The mailbox, read the way a careful mail app would and no further: IMAP
over TLS, every folder opened with EXAMINE (read-only), and of each message
since `[mail] look_back` only the header fields of `core.mailbox.HEADER_FIELDS`
fetched with BODY.PEEK (no flag changes, no body). Passwords and tokens go
to the server and nowhere else: not into logs, errors or files.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultfollow.core.config import MailSettings, is_loopback
from vaultfollow.core.mailbox import HEADER_FIELDS, Header, parse_header
from vaultfollow.errors import ConfigError, UsageError, VaultfollowError
from vaultfollow.secrets import read_secret, secret_from_command

if TYPE_CHECKING:
    from vaultfollow.app.mailcheck import MailReport

log = logging.getLogger(__name__)

TIMEOUT = 30.0  # seconds for connecting and for each answer
BATCH = 500  # messages per FETCH
FETCH_ITEM = f"BODY.PEEK[HEADER.FIELDS ({' '.join(HEADER_FIELDS)})]"


class MailError(VaultfollowError):
    """The mailbox could not be read this time (server down, TLS, a folder
    missing, the connection lost); the message says what to do. Exit 3, as
    a push that did not reach its server: the notes are not at fault."""

    exit_code = 3


class MailAuthError(UsageError):
    """The server refused the login (exit 2: fix the config or the token)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    secret: str  # a password, or an OAuth2 access token
    oauth2: bool

    def __repr__(self) -> str:  # never shows the secret
        return f"Credentials(username={self.username!r}, oauth2={self.oauth2})"


def check_mail_settings(settings: MailSettings) -> None:
    """ConfigError listing what reading the mailbox needs and the config lacks."""
    errors = []
    if not settings.host:
        errors.append('[mail] host is empty; write your IMAP server, such as "imap.fastmail.com"')
    if not settings.username:
        errors.append("[mail] username is empty; write your IMAP login (often your address)")
    if settings.ca_file and not Path(settings.ca_file).expanduser().is_file():
        errors.append(
            f'[mail] ca_file = "{settings.ca_file}": no such file; write the path of the '
            "PEM file of the CA that signed the server's certificate"
        )
    if errors:
        raise ConfigError(errors)


def mail_credentials(settings: MailSettings) -> Credentials:
    """The login: an OAuth2 token from `oauth2_token_command`, else the
    password from `password_env` or `password_command`."""
    if settings.oauth2_token_command:
        token = secret_from_command(
            "mail", "oauth2_token_command", settings.oauth2_token_command, "token"
        )
        return Credentials(settings.username, token, oauth2=True)
    password = read_secret(
        "mail",
        password_env=settings.password_env,
        password_command=settings.password_command,
    )
    return Credentials(settings.username, password, oauth2=False)


@dataclass(frozen=True, slots=True)
class MailboxRead:
    """What one check read: the folders and their messages' header fields."""

    folders: tuple[str, ...]
    sent_folders: tuple[str, ...]
    headers: tuple[Header, ...]


def read_mailbox(settings: MailSettings, credentials: Credentials, since: date) -> MailboxRead:
    """The header fields of the messages since `since` in the folders to read."""
    with _session(settings, credentials) as client:
        folders, sent = _folders_to_read(client, settings)
        headers: list[Header] = []
        for folder in folders:
            headers.extend(_read_folder(client, folder, folder in sent, since))
        return MailboxRead(tuple(folders), tuple(sent), tuple(headers))


@contextmanager
def _session(settings: MailSettings, credentials: Credentials) -> Iterator[Any]:
    """A logged-in IMAPClient; every failure a MailError or MailAuthError."""
    import imapclient
    from imapclient.exceptions import IMAPClientError, LoginError

    where = f"{settings.host}:{settings.effective_port}"
    client = None
    try:
        client = _connect(settings)
        _login(client, credentials)
        yield client
    except LoginError as exc:
        raise MailAuthError(
            f"mail: {where} refused the login of {credentials.username!r} "
            f"({_said(exc)}); check [mail] username and the password "
            "(an app password for Gmail, iCloud, Fastmail) or the token command"
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise MailError(
            f"mail: the certificate of {where} could not be verified ({exc.verify_message}); "
            "set [mail] ca_file to the CA that signed it, or fix the host name"
        ) from None
    except (ssl.SSLError, imapclient.exceptions.CapabilityError) as exc:
        raise MailError(
            f"mail: TLS with {where} failed ({_said(exc)}); check [mail] tls "
            '("implicit" for port 993, "starttls" for port 143) and port'
        ) from None
    except TimeoutError:
        raise MailError(
            f"mail: {where} did not answer within {TIMEOUT:.0f} s; check [mail] host and "
            "port and your connection"
        ) from None
    except (OSError, imaplib.IMAP4.abort, IMAPClientError, EOFError) as exc:
        raise MailError(
            f"mail: the connection to {where} failed ({_said(exc)}); check that the server "
            "is up and [mail] host and port are right"
        ) from None
    finally:
        if client is not None:
            _close(client)


def _said(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return text.splitlines()[0][:200]


def _context(settings: MailSettings) -> ssl.SSLContext:
    cafile = str(Path(settings.ca_file).expanduser()) if settings.ca_file else None
    return ssl.create_default_context(cafile=cafile)  # verifies the certificate and host name


def _connect(settings: MailSettings) -> Any:
    import imapclient

    port = settings.effective_port
    if settings.tls == "implicit":
        return imapclient.IMAPClient(
            settings.host, port=port, ssl=True, ssl_context=_context(settings), timeout=TIMEOUT
        )
    client = imapclient.IMAPClient(settings.host, port=port, ssl=False, timeout=TIMEOUT)
    if settings.tls == "starttls":
        client.starttls(_context(settings))
    elif not is_loopback(settings.host):  # the config refuses it; never by accident
        raise MailError(f"mail: plain text to {settings.host} refused; set [mail] tls")
    return client


def _login(client: Any, credentials: Credentials) -> None:
    if credentials.oauth2:
        client.oauth2_login(credentials.username, credentials.secret)
    else:
        client.login(credentials.username, credentials.secret)


def _close(client: Any) -> None:
    try:
        client.logout()
    except Exception:  # the connection is gone already: nothing to close
        try:
            client.shutdown()
        except Exception:
            log.debug("mail: the connection was gone before logout")


def _folders_to_read(client: Any, settings: MailSettings) -> tuple[list[str], list[str]]:
    """The folders of `[mail] folders`, else INBOX and the folder marked
    \\Sent (SPECIAL-USE), else one named Sent; and which of them hold sent mail."""
    listed = client.list_folders()
    names = [name for _, _, name in listed]
    marked = [name for flags, _, name in listed if b"\\Sent" in flags]
    if not marked:
        marked = [n for n in names if n.casefold() in ("sent", "sent items", "sent messages")][:1]
    if settings.folders:
        by_fold = {n.casefold(): n for n in names}
        missing = [f for f in settings.folders if f.casefold() not in by_fold]
        if missing:
            raise MailError(
                f"mail: {', '.join(repr(m) for m in missing)} is not a folder on "
                f"{settings.host} (it has: {', '.join(sorted(names))}); fix [mail] folders"
            )
        folders = [by_fold[f.casefold()] for f in settings.folders]
    else:
        folders = ["INBOX", *[m for m in marked if m.casefold() != "inbox"]]
    return folders, [f for f in folders if f in marked]


def _read_folder(client: Any, folder: str, in_sent: bool, since: date) -> list[Header]:
    """EXAMINE `folder` and fetch the header fields of its messages since `since`."""
    client.select_folder(folder, readonly=True)  # EXAMINE: nothing here can change
    uids = sorted(client.search(["SINCE", since]))
    headers = []
    for start in range(0, len(uids), BATCH):
        fetched = client.fetch(uids[start : start + BATCH], [FETCH_ITEM, "INTERNALDATE"])
        for uid in sorted(fetched):
            headers.append(_header(folder, in_sent, fetched[uid]))
    log.debug("mail: %s: %d message(s) since %s", folder, len(headers), since)
    return headers


def _header(folder: str, in_sent: bool, item: dict[bytes, Any]) -> Header:
    raw = next((v for k, v in item.items() if k.startswith(b"BODY[HEADER.FIELDS")), b"")
    arrived = item.get(b"INTERNALDATE")
    if not isinstance(arrived, datetime):
        arrived = datetime(1970, 1, 1, tzinfo=UTC)
    elif arrived.tzinfo is None:
        arrived = arrived.astimezone()  # imapclient gives local time when normalising
    return parse_header(folder, in_sent, raw or b"", arrived)


# --- waiting for new mail (IMAP IDLE) -------------------------------------------

IDLE_STEP = 1.0  # seconds between looks at `stop` while idling


class Idle(Enum):
    NEW_MAIL = "new mail"
    QUIET = "quiet"
    UNSUPPORTED = "unsupported"


def wait_for_new_mail(
    settings: MailSettings,
    credentials: Credentials,
    timeout: float,
    stop: threading.Event,
    idling: threading.Event | None = None,
) -> Idle:
    """IDLE on INBOX (read-only) until a message arrives, `timeout` seconds
    pass or `stop` is set; UNSUPPORTED at once when the server offers no
    IDLE. `idling` is set while the server is being listened to."""
    import time

    with _session(settings, credentials) as client:
        if not client.has_capability("IDLE"):
            return Idle.UNSUPPORTED
        client.select_folder("INBOX", readonly=True)
        client.idle()
        if idling is not None:
            idling.set()
        try:
            deadline = time.monotonic() + timeout
            while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
                responses = client.idle_check(timeout=min(IDLE_STEP, left))
                if any(_is_new_mail(r) for r in responses):
                    return Idle.NEW_MAIL
        finally:
            if idling is not None:
                idling.clear()
            client.idle_done()
    return Idle.QUIET


def _is_new_mail(response: object) -> bool:
    return isinstance(response, tuple) and len(response) >= 2 and response[1] in (b"EXISTS",)


# --- trying again ---------------------------------------------------------------


class Backoff:
    """Waits between failed checks: 30 s, doubling to `ceiling`; reset on success."""

    def __init__(self, first: float = 30.0, ceiling: float = 1800.0) -> None:
        self.first = first
        self.ceiling = ceiling
        self.failures = 0

    def failed(self) -> float:
        self.failures += 1
        return float(min(self.ceiling, self.first * 2 ** (self.failures - 1)))

    def succeeded(self) -> None:
        self.failures = 0


def read_with(
    settings: MailSettings,
    since: date,
    credentials: Callable[[], Credentials] | None = None,
) -> MailboxRead:
    """`read_mailbox` with the settings checked and the credentials fetched
    afresh (an OAuth2 token expires; the command gives a fresh one)."""
    check_mail_settings(settings)
    login = (credentials or (lambda: mail_credentials(settings)))()
    return read_mailbox(settings, login, since)


def folders_said(read: MailboxRead) -> Sequence[str]:
    return [f"{f} (sent)" if f in read.sent_folders else f for f in read.folders]


def check_vault(root: Path, now: datetime, *, dry_run: bool = False) -> MailCheck:
    """One check of the vault at `root` against its `[mail]` mailbox."""
    from vaultfollow.app.engine import open_engine
    from vaultfollow.app.mailcheck import check_mail

    engine = open_engine(root)
    settings = engine.settings.mail
    since = (now - settings.look_back).date()
    read = read_with(settings, since)
    report = check_mail(engine, read.headers, now, dry_run=dry_run)
    return MailCheck(read, since, report)


@dataclass(frozen=True, slots=True)
class MailCheck:
    read: MailboxRead
    since: date
    report: MailReport


class MailWorker:
    """`watch --mail`: checks the mailbox at start and then every `[mail]
    poll` in a thread of its own, and at once when IMAP IDLE says a
    message arrived in INBOX (when the server offers IDLE). A failure is one line in the log and a
    later try (30 s, doubling up to 30 min); it never stops the watcher.
    What it finds is kept and the unedited drafts marked; `on_change` asks
    the watcher for a pass."""

    def __init__(
        self,
        root: Path,
        settings: MailSettings,
        now: Callable[[], datetime],
        on_change: Callable[[], None],
        *,
        backoff: Backoff | None = None,
    ) -> None:
        self.root = root
        self.settings = settings
        self.now = now
        self.on_change = on_change
        self.backoff = backoff or Backoff()
        self.checks = 0  # finished checks, failed or not (for tests)
        self.done = threading.Event()  # set after each check (for tests)
        self.idling = threading.Event()  # set while IDLE listens (for tests)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="vaultfollow-mail", daemon=True)

    def check_config(self) -> None:
        """ConfigError when `[mail]` lacks something or gives no password."""
        check_mail_settings(self.settings)
        mail_credentials(self.settings)

    def start(self) -> None:
        """Check at once, then on; call `check_config` first to fail early."""
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=TIMEOUT * 2)

    def _run(self) -> None:
        while not self._stop.is_set():
            wait = self._check()
            self.checks += 1
            self.done.set()
            if self.backoff.failures or not self._idle(wait):
                self._stop.wait(wait)

    def _idle(self, wait: float) -> bool:
        """Listen for new mail (IDLE) for up to `wait` seconds; False when the
        server cannot, so the worker polls instead."""
        try:
            found = wait_for_new_mail(
                self.settings, mail_credentials(self.settings), wait, self._stop, self.idling
            )
        except VaultfollowError as exc:
            log.debug("%s; polling instead of IDLE this time", exc.message)
            return False
        if found is Idle.NEW_MAIL:
            log.debug("mail: new mail in INBOX")
        return found is not Idle.UNSUPPORTED

    def _check(self) -> float:
        """One check; the seconds to wait before the next."""
        from vaultfollow.app.engine import open_engine
        from vaultfollow.app.mailcheck import check_mail

        try:
            now = self.now()
            read = read_with(self.settings, (now - self.settings.look_back).date())
            report = check_mail(open_engine(self.root), read.headers, now, run_pass=False)
        except VaultfollowError as exc:
            wait = self.backoff.failed()
            log.warning("%s; trying again in %s", exc.message, _seconds(wait))
            return wait
        except Exception:  # a bug must not stop the watcher either
            wait = self.backoff.failed()
            log.exception("mail: the check failed; trying again in %s", _seconds(wait))
            return wait
        self.backoff.succeeded()
        if report.matches.sent or report.matches.replied:
            for line in report.lines():
                log.info("mail: %s", line)
            self.on_change()
        return self.settings.poll.total_seconds()


def _seconds(wait: float) -> str:
    return f"{wait / 60:.0f} min" if wait >= 120 else f"{wait:.0f} s"
