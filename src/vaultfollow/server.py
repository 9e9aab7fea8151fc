"""The calendar over HTTP for subscription: one fixed route, served from memory.

`vaultfollow serve` (and `watch --serve`) answer exactly one URL,
`/<token>/followups.ics`, with the bytes a `CalendarFeed` holds. Nothing here
maps a URL to a file: there is no path to traverse. The token is random
(256 bits), kept in `.vaultfollow/token` (mode 0600), compared in constant
time and never logged. The Host header must name the address the server is
bound to, so a web page cannot reach the server through DNS rebinding.
Loopback is the default; any other address needs `allow_remote`.

A burst of clients waits in a listen queue of 256 rather than failing; at
most `max_connections` are served at once (the others wait their turn in
that queue), and a request's header must arrive whole within
`header_deadline` seconds, however slowly it trickles: counted from the
connection's start for its first request, from the first byte for a later
one (a kept-alive connection may wait 30 s between requests).
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import hmac
import io
import json
import logging
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from vaultfollow.core.config import is_loopback
from vaultfollow.core.layout import STATE_DIR
from vaultfollow.errors import UsageError
from vaultfollow.store.vault import Vault

log = logging.getLogger(__name__)

FEED_NAME = "followups.ics"
TOKEN_FILE = f"{STATE_DIR}/token"
FEED_STATE_FILE = f"{STATE_DIR}/feed.json"
CONTENT_TYPE = "text/calendar; charset=utf-8"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43,}")
_FEED_PATH = re.compile(r"/[^/\s]+/" + re.escape(FEED_NAME))


# --- the token ----------------------------------------------------------------


def load_token(vault: Vault, *, rotate: bool = False) -> str:
    """The feed's secret token from `.vaultfollow/token`, created (or replaced,
    with `rotate`) as 256 random bits when missing or malformed."""
    if not rotate:
        data = vault.read_bytes(TOKEN_FILE)
        text = data.decode("ascii", "replace").strip() if data is not None else ""
        if _TOKEN_SHAPE.fullmatch(text):
            _restrict(vault, TOKEN_FILE)
            return text
    token = secrets.token_urlsafe(32)
    vault.write(TOKEN_FILE, (token + "\n").encode("ascii"), [STATE_DIR])
    _restrict(vault, TOKEN_FILE)
    return token


def _restrict(vault: Vault, rel: str) -> None:
    # The atomic write creates its temporary file 0600 already; a token file
    # copied in by hand or by a sync tool may not be.
    with contextlib.suppress(OSError):
        os.chmod(vault.path(rel), 0o600)


def redact(text: str, token: str) -> str:
    """`text` with the token, and whatever stands where a token goes in a
    feed path, replaced by `<token>`: safe to log."""
    if token:
        text = text.replace(token, "<token>")
    return _FEED_PATH.sub(f"/<token>/{FEED_NAME}", text)


# --- the feed -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One version of the calendar with its HTTP validators."""

    body: bytes
    etag: str  # strong, quoted: "sha256 prefix"
    last_modified: int  # whole seconds since the epoch (HTTP dates have no more)

    @property
    def last_modified_http(self) -> str:
        return email.utils.formatdate(self.last_modified, usegmt=True)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class CalendarFeed:
    """The calendar bytes being served, safe to update from another thread.

    Last-Modified moves forward by at least one second whenever the bytes
    change, whatever the clock says: a client holding an older date must
    never be told "not modified", not even after an event was removed or
    within the same second. `previous` (etag, last_modified) from an earlier
    run keeps that true across restarts; `on_change` is told every new
    snapshot, to persist it.
    """

    def __init__(
        self,
        *,
        previous: tuple[str, int] | None = None,
        clock: Callable[[], float] = time.time,
        on_change: Callable[[Snapshot], None] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._previous = previous
        self._clock = clock
        self._on_change = on_change

    def update(self, data: bytes) -> bool:
        """Serve `data` from now on; whether it differs from what was served."""
        etag = etag_of(data)
        with self._lock:
            current = self._snapshot
            if current is not None and current.etag == etag:
                return False
            if current is None and self._previous is not None and self._previous[0] == etag:
                snapshot = Snapshot(data, etag, self._previous[1])
            else:
                floor = current.last_modified if current is not None else None
                if floor is None and self._previous is not None:
                    floor = self._previous[1]
                now = int(self._clock())
                snapshot = Snapshot(data, etag, now if floor is None else max(now, floor + 1))
            self._snapshot = snapshot
        if self._on_change is not None:
            try:
                self._on_change(snapshot)
            except Exception:  # persisting is best effort; serving goes on
                log.exception("could not save the feed's state")
        return True

    def snapshot(self) -> Snapshot | None:
        with self._lock:
            return self._snapshot


def open_feed(vault: Vault, clock: Callable[[], float] = time.time) -> CalendarFeed:
    """A feed whose Last-Modified continues from `.vaultfollow/feed.json`."""
    previous: tuple[str, int] | None = None
    data = vault.read_bytes(FEED_STATE_FILE)
    if data is not None:
        try:
            state = json.loads(data)
            if isinstance(state.get("etag"), str) and isinstance(state.get("last_modified"), int):
                previous = (state["etag"], state["last_modified"])
        except (ValueError, AttributeError):
            log.warning("%s is unreadable; Last-Modified starts afresh", FEED_STATE_FILE)

    def save(snapshot: Snapshot) -> None:
        text = json.dumps({"etag": snapshot.etag, "last_modified": snapshot.last_modified})
        vault.write(FEED_STATE_FILE, (text + "\n").encode("utf-8"), [STATE_DIR])

    return CalendarFeed(previous=previous, clock=clock, on_change=save)


class FileRefresher:
    """Feeds the calendar file's bytes to `feed` when the file changed.

    Call it before answering a request (`serve` alone, next to a `watch` or
    `sync` that writes the file) or after each pass of the watcher: a stat
    when nothing changed, one read when something did."""

    def __init__(self, vault: Vault, rel: str, feed: CalendarFeed) -> None:
        self.vault = vault
        self.rel = rel
        self.feed = feed
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None

    def __call__(self) -> None:
        with self._lock:
            try:
                info = self.vault.path(self.rel).stat()
            except OSError:
                return  # not written yet, or being replaced: keep serving the last bytes
            key = (info.st_mtime_ns, info.st_size)
            if key == self._key:
                return
            data = self.vault.read_bytes(self.rel)
            if data is None:
                return
            self._key = key
            self.feed.update(data)


# --- the server -----------------------------------------------------------------


def _url_host(host: str) -> str:
    """`::1` -> `[::1]`: the form a host takes in a URL and a Host header."""
    bare = host.strip("[]")
    return f"[{bare}]" if ":" in bare else bare.lower()


def _is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("", "0.0.0.0", "::")


MAX_CONNECTIONS = 64  # served at once; more wait in the listen queue
HEADER_DEADLINE = 10.0  # seconds from a request's first byte to the end of its header
IDLE_TIMEOUT = 30.0  # seconds a kept-alive connection may wait for its next request


class FeedServer(ThreadingHTTPServer):
    """Serves one `CalendarFeed` at `/<token>/followups.ics` and nothing else."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # the stdlib's 5 dropped bursts of subscribers

    def __init__(
        self,
        host: str,
        port: int,
        feed: CalendarFeed,
        token: str,
        *,
        allowed_hosts: Iterable[str] = (),
        refresh: Callable[[], None] | None = None,
        max_connections: int = MAX_CONNECTIONS,
        header_deadline: float = HEADER_DEADLINE,
    ) -> None:
        self.header_deadline = header_deadline
        self._slots = threading.BoundedSemaphore(max_connections)
        self._closing = threading.Event()
        self._count_lock = threading.Lock()
        self.busy = 0  # connections being served now
        self.peak = 0  # the most ever served at once
        bare = host.strip("[]")
        if ":" in bare:
            self.address_family = socket.AF_INET6
        super().__init__((bare, port), _FeedHandler)
        self.feed = feed
        self.token = token
        self.refresh = refresh
        self.host = host
        self.port = int(self.server_address[1])
        public = sorted(_url_host(h) for h in allowed_hosts)
        names = set(public)
        if not _is_wildcard(host):
            names.add(_url_host(host))
        if is_loopback(host) or _is_wildcard(host):
            names.update(LOOPBACK_NAMES)
        if public:
            self.public_host = public[0]
        elif _is_wildcard(host):
            self.public_host = socket.getfqdn().lower()
            names.add(self.public_host)
        else:
            self.public_host = _url_host(host)
        self.allowed_hosts = frozenset(f"{name}:{self.port}" for name in names) | (
            frozenset(names) if self.port == 80 else frozenset()
        )
        self._thread: threading.Thread | None = None

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6:
            # Bind the IPv6 address only, not IPv4 as well.
            with contextlib.suppress(OSError, AttributeError):
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        """Accept the next connection once a slot is free: until then it waits
        in the listen queue."""
        while not self._slots.acquire(timeout=0.1):
            if self._closing.is_set():
                raise OSError("the server is stopping")
        try:
            accepted = super().get_request()
        except BaseException:
            self._slots.release()
            raise
        with self._count_lock:
            self.busy += 1
            self.peak = max(self.peak, self.busy)
        return accepted

    def shutdown_request(self, request: socket.socket | tuple[bytes, socket.socket]) -> None:
        """Close a connection and free its slot (called once per accepted one)."""
        try:
            super().shutdown_request(request)
        finally:
            with self._count_lock:
                self.busy -= 1
            self._slots.release()

    @property
    def path(self) -> str:
        return f"/{self.token}/{FEED_NAME}"

    @property
    def http_url(self) -> str:
        return f"http://{self.public_host}:{self.port}{self.path}"

    @property
    def webcal_url(self) -> str:
        return f"webcal://{self.public_host}:{self.port}{self.path}"

    def start(self) -> None:
        """Serve in a background thread until `stop`."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="vaultfollow-serve"
        )
        self._thread.start()

    def shutdown(self) -> None:
        """Stop `serve_forever`, also while every slot is taken (the accept
        loop then waits for a slot and must hear of it)."""
        self._closing.set()
        super().shutdown()

    def stop(self) -> None:
        """Stop serving, close the socket and wait for the serving thread."""
        self._closing.set()
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.server_close()


def start_server(
    feed: CalendarFeed,
    token: str,
    host: str,
    port: int,
    *,
    allow_remote: bool = False,
    public_hosts: Iterable[str] = (),
    refresh: Callable[[], None] | None = None,
    max_connections: int = MAX_CONNECTIONS,
    header_deadline: float = HEADER_DEADLINE,
) -> FeedServer:
    """Bind and start serving; UsageError for a non-loopback host without
    `allow_remote`, or an address that cannot be bound."""
    if not is_loopback(host) and not allow_remote:
        raise UsageError(
            f"--host {host} would let other machines reach your calendar; serve on "
            "127.0.0.1 (the default), or add --allow-remote if you really mean it"
        )
    try:
        server = FeedServer(
            host,
            port,
            feed,
            token,
            allowed_hosts=public_hosts,
            refresh=refresh,
            max_connections=max_connections,
            header_deadline=header_deadline,
        )
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another "
            "--port, or stop what is using it"
        ) from None
    if not is_loopback(host):
        log.warning(
            "serving on %s:%s, reachable from other machines: anyone who learns the "
            "URL can read your follow-ups; the connection is not encrypted",
            host,
            server.port,
        )
    server.start()
    return server


class _HeaderClock(io.RawIOBase):
    """The connection's bytes, read against a deadline while a request's
    header arrives: each read may wait only what is left of the time from
    the connection's start (its first request) or the header's first byte
    (a later one): a socket's own timeout restarts on every byte. Between
    requests a read may wait `idle` seconds."""

    def __init__(self, sock: socket.socket, idle: float, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._idle = idle
        self._allowed = deadline
        self._reading_header = False
        self._ends: float | None = None

    def readable(self) -> bool:
        return True

    def start_header(self, *, now: bool) -> None:
        """A request's header is next: due `deadline` seconds from now, or
        (`now` false) from its first byte."""
        self._reading_header = True
        self._ends = time.monotonic() + self._allowed if now else None

    def end_header(self) -> None:
        self._reading_header = False
        self._ends = None
        self._sock.settimeout(self._idle)  # the answer is written with the usual timeout

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        timeout = self._idle
        if self._ends is not None:
            timeout = self._ends - time.monotonic()
            if timeout <= 0:
                raise TimeoutError("the request header took too long")
        self._sock.settimeout(timeout)
        count = self._sock.recv_into(buffer)
        if count and self._reading_header and self._ends is None:
            self._ends = time.monotonic() + self._allowed
        return count


# Control characters as the log writes them: `\x1b`, so that a request line
# cannot move the cursor or retitle the terminal the log is read in.
_LOG_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
_LOG_ESCAPES[ord("\\")] = "\\\\"


class _FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer
    server_version = "vaultfollow"
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT  # a slow or silent client cannot hold a thread for long

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the stdlib's reader: replaced by one that keeps the deadline
        self._clock = _HeaderClock(self.connection, self.timeout, self.server.header_deadline)
        self.rfile = io.BufferedReader(self._clock)
        self._requests = 0

    def handle_one_request(self) -> None:
        # A new connection must send its request at once; a kept-alive one
        # may wait (the idle timeout) before the next.
        self._clock.start_header(now=self._requests == 0)
        self._requests += 1
        super().handle_one_request()

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self._clock.end_header()
        return parsed

    def version_string(self) -> str:
        return self.server_version

    def end_headers(self) -> None:
        # A body is never read: after the answer it would be taken for the
        # next request, so the connection ends instead.
        if self._has_body() and not self.close_connection:
            self.send_header("Connection", "close")
        super().end_headers()

    def _has_body(self) -> bool:
        headers = getattr(self, "headers", None)
        if headers is None:
            return False
        length = (headers.get("Content-Length") or "0").strip()
        return "Transfer-Encoding" in headers or length != "0"

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Every other method (POST, PUT, DELETE, PROPFIND, ...) gets a 405.
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        if self._host_ok():
            self._plain(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, HEAD"})

    def _host_ok(self) -> bool:
        hosts = self.headers.get_all("Host") or []
        host = hosts[0].strip().lower() if len(hosts) == 1 else ""
        if host in self.server.allowed_hosts:
            return True
        self._plain(HTTPStatus.BAD_REQUEST, text="Bad Host header\n")
        return False

    def _is_feed_path(self) -> bool:
        # The request line as sent: the stdlib has already folded a leading `//`.
        words = self.requestline.split()
        target = words[1] if len(words) == 3 else self.path
        path = target.split("?", 1)[0]
        parts = path.split("/")
        if len(parts) != 3 or parts[0] or parts[2] != FEED_NAME:
            return False
        # Bytes, so that any character compares in constant time; the raw path
        # is never percent-decoded, so encoded dots or slashes never match.
        given = parts[1].encode("latin-1", "replace")
        return hmac.compare_digest(given, self.server.token.encode("ascii"))

    def _answer(self, *, head: bool) -> None:
        if not self._host_ok():
            return
        if not self._is_feed_path():
            self._plain(HTTPStatus.NOT_FOUND, head=head)
            return
        if self.server.refresh is not None:
            try:
                self.server.refresh()
            except Exception:
                log.exception("could not refresh the calendar; serving the previous one")
        snapshot = self.server.feed.snapshot()
        if snapshot is None:
            self._plain(HTTPStatus.SERVICE_UNAVAILABLE, {"Retry-After": "5"}, head=head)
            return
        validators = {
            "ETag": snapshot.etag,
            "Last-Modified": snapshot.last_modified_http,
            "Cache-Control": "private, no-cache",
        }
        if _not_modified(
            self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), snapshot
        ):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in validators.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(snapshot.body)))
        for name, value in validators.items():
            self.send_header(name, value)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        if not head:
            self.wfile.write(snapshot.body)

    def _plain(
        self,
        status: HTTPStatus,
        headers: dict[str, str] | None = None,
        *,
        text: str | None = None,
        head: bool = False,
    ) -> None:
        body = (text or f"{status.value} {status.phrase}\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status == HTTPStatus.BAD_REQUEST:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        message = redact(format % args, self.server.token).translate(_LOG_ESCAPES)
        log.info("%s %s", self.address_string(), message)


def _not_modified(
    if_none_match: str | None, if_modified_since: str | None, snapshot: Snapshot
) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present (weak comparison);
    If-Modified-Since only counts without it, and only when it parses."""
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return any(tag == "*" or tag.removeprefix("W/") == snapshot.etag for tag in tags if tag)
    if if_modified_since is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        return False  # not an HTTP date (those are GMT): ignore it
    return snapshot.last_modified <= int(since.timestamp())
