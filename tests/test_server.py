"""The HTTP feed over real sockets on 127.0.0.1, read with http.client."""

from __future__ import annotations

import email.utils
import http.client
import logging
import os
import select
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vaultfollow import server as server_module
from vaultfollow.errors import UsageError
from vaultfollow.server import (
    CONTENT_TYPE,
    FEED_STATE_FILE,
    TOKEN_FILE,
    CalendarFeed,
    FeedServer,
    FileRefresher,
    is_loopback,
    load_token,
    open_feed,
    redact,
    start_server,
)
from vaultfollow.store.vault import Vault

BODY = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n"
SMALLER = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    root = tmp_path / "vault"
    root.mkdir()
    return Vault(root)


@pytest.fixture
def clock() -> Clock:
    return Clock(1_800_000_000.0)


@pytest.fixture
def feed(vault: Vault, clock: Clock) -> CalendarFeed:
    feed = open_feed(vault, clock=clock)
    feed.update(BODY)
    return feed


@pytest.fixture
def served(vault: Vault, feed: CalendarFeed) -> Iterator[FeedServer]:
    server = start_server(feed, load_token(vault), "127.0.0.1", 0)
    try:
        yield server
    finally:
        server.stop()


def request(
    server: FeedServer,
    path: str | None = None,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    host: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.putrequest(method, server.path if path is None else path, skip_host=True)
        conn.putheader("Host", f"127.0.0.1:{server.port}" if host is None else host)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def raw(server: FeedServer, data: bytes) -> bytes:
    """Send bytes as they are (no client-side checks) and read the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


# --- 200, HEAD, headers ------------------------------------------------------------


def test_get_serves_the_calendar_with_validators(served: FeedServer) -> None:
    status, headers, body = request(served)
    assert status == 200
    assert body == BODY
    assert headers["content-type"] == CONTENT_TYPE
    assert headers["content-length"] == str(len(BODY))
    assert headers["etag"].startswith('"') and not headers["etag"].startswith("W/")
    assert email.utils.parsedate_to_datetime(headers["last-modified"]).timestamp() == 1_800_000_000
    assert "content-disposition" not in headers
    assert headers["x-content-type-options"] == "nosniff"


def test_head_returns_headers_only(served: FeedServer) -> None:
    _, got, _ = request(served)
    status, headers, body = request(served, method="HEAD")
    assert status == 200
    assert body == b""
    assert headers["content-length"] == str(len(BODY))
    assert headers["etag"] == got["etag"]
    assert headers["last-modified"] == got["last-modified"]
    # Nothing follows the headers on the wire either.
    answer = raw(
        served,
        f"HEAD {served.path} HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n"
        "Connection: close\r\n\r\n".encode(),
    )
    assert answer.endswith(b"\r\n\r\n")
    assert BODY not in answer


def test_query_string_is_ignored(served: FeedServer) -> None:
    status, _, body = request(served, served.path + "?refresh=1")
    assert (status, body) == (200, BODY)


# --- 304 ---------------------------------------------------------------------------


def test_if_none_match(served: FeedServer) -> None:
    _, headers, _ = request(served)
    etag = headers["etag"]
    for value in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        status, got, body = request(served, headers={"If-None-Match": value})
        assert (status, body) == (304, b""), value
        assert got["etag"] == etag
    status, _, body = request(served, headers={"If-None-Match": '"stale"'})
    assert (status, body) == (200, BODY)


def test_if_none_match_takes_precedence_over_if_modified_since(served: FeedServer) -> None:
    _, headers, _ = request(served)
    fresh = headers["last-modified"]
    status, _, body = request(
        served, headers={"If-None-Match": '"stale"', "If-Modified-Since": fresh}
    )
    assert (status, body) == (200, BODY)


def test_if_modified_since(served: FeedServer) -> None:
    _, headers, _ = request(served)
    modified = headers["last-modified"]
    later = email.utils.formatdate(1_800_000_100, usegmt=True)
    earlier = email.utils.formatdate(1_799_999_999, usegmt=True)
    assert request(served, headers={"If-Modified-Since": modified})[0] == 304
    assert request(served, headers={"If-Modified-Since": later})[0] == 304
    assert request(served, headers={"If-Modified-Since": earlier})[0] == 200
    assert request(served, headers={"If-Modified-Since": "yesterday"})[0] == 200


def test_304_after_change_is_200(served: FeedServer, feed: CalendarFeed, clock: Clock) -> None:
    _, before, _ = request(served)
    clock.now += 60
    feed.update(BODY + b"X")
    status, after, body = request(served, headers={"If-None-Match": before["etag"]})
    assert (status, body) == (200, BODY + b"X")
    assert after["etag"] != before["etag"]


def test_last_modified_never_moves_backwards_after_an_event_is_removed(
    served: FeedServer, feed: CalendarFeed, clock: Clock
) -> None:
    _, before, _ = request(served)
    clock.now -= 3600  # the clock steps back (NTP, another machine's file)
    feed.update(SMALLER)  # an event left the calendar
    status, after, body = request(served, headers={"If-Modified-Since": before["last-modified"]})
    assert (status, body) == (200, SMALLER)
    old = email.utils.parsedate_to_datetime(before["last-modified"])
    new = email.utils.parsedate_to_datetime(after["last-modified"])
    assert new > old
    # Two changes within one second still get distinct, increasing dates.
    feed.update(BODY)
    newest = email.utils.parsedate_to_datetime(request(served)[1]["last-modified"])
    assert newest > new


def test_last_modified_survives_a_restart(vault: Vault, clock: Clock) -> None:
    first = open_feed(vault, clock=clock)
    first.update(BODY)
    snapshot = first.snapshot()
    assert snapshot is not None
    assert (vault.root / FEED_STATE_FILE).is_file()

    clock.now -= 86400  # restarted with an earlier clock
    same = open_feed(vault, clock=clock)
    same.update(BODY)
    assert same.snapshot() == snapshot  # same bytes: same validators

    changed = open_feed(vault, clock=clock)
    changed.update(SMALLER)
    moved = changed.snapshot()
    assert moved is not None and moved.last_modified > snapshot.last_modified


def test_unchanged_update_keeps_validators(feed: CalendarFeed, clock: Clock) -> None:
    before = feed.snapshot()
    clock.now += 100
    assert feed.update(BODY) is False
    assert feed.snapshot() == before


def test_no_calendar_yet_is_503(vault: Vault) -> None:
    server = start_server(CalendarFeed(), load_token(vault), "127.0.0.1", 0)
    try:
        status, headers, _ = request(server)
        assert status == 503
        assert headers["retry-after"]
    finally:
        server.stop()


# --- paths and tokens ----------------------------------------------------------------


def test_wrong_paths_are_404(served: FeedServer) -> None:
    token = served.token
    wrong = [
        "/",
        "/followups.ics",
        f"/{token}",
        f"/{token}/",
        f"/{token[:-1]}x/followups.ics",
        f"/{token}x/followups.ics",
        "/x/followups.ics",
        f"//{token}/followups.ics",
        f"/{token}/followups.ics/",
        f"/{token}/followups.ics.",
        f"/{token}/followups.ics%20",
        f"/{token}/FOLLOWUPS.ICS",
        f"/{token}/../{token}/followups.ics",
        f"/../{token}/followups.ics",
        f"/{token}/..%2ffollowups.ics",
        f"/{token}/%2e%2e/{token}/followups.ics",
        "/%2e%2e/%2e%2e/etc/passwd",
        f"/{token}%2ffollowups.ics",
        f"/{token}%2Ffollowups.ics",
        f"/%{token[1:]}/followups.ics",
        f"/{token}/..\\followups.ics",
        "/../../../../etc/passwd",
        "/vaultfollow.toml",
        "/.vaultfollow/token",
        f"http://127.0.0.1:{served.port}/x/followups.ics",
    ]
    for path in wrong:
        status, _, body = request(served, path)
        assert status == 404, path
        assert BODY not in body


def test_wrong_token_is_compared_in_constant_time(
    served: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = server_module.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(server_module.hmac, "compare_digest", spy)
    assert request(served, "/nope/followups.ics")[0] == 404
    assert request(served)[0] == 200
    assert [a for a, _ in calls] == [b"nope", served.token.encode()]


def test_token_file(vault: Vault) -> None:
    token = load_token(vault)
    path = vault.root / TOKEN_FILE
    assert len(token) >= 43  # 32 random bytes, base64url
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == token
    assert load_token(vault) == token
    os.chmod(path, 0o644)
    assert load_token(vault) == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rotated = load_token(vault, rotate=True)
    assert rotated != token
    assert load_token(vault) == rotated
    path.write_text("short\n")
    assert load_token(vault) not in ("short", rotated)


def test_rotated_token_invalidates_the_old_url(vault: Vault, feed: CalendarFeed) -> None:
    old = load_token(vault)
    new = load_token(vault, rotate=True)
    server = start_server(feed, new, "127.0.0.1", 0)
    try:
        assert request(server, f"/{old}/followups.ics")[0] == 404
        assert request(server, f"/{new}/followups.ics")[0] == 200
    finally:
        server.stop()


def test_token_never_logged(served: FeedServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="vaultfollow")
    near_miss = served.token[:-2] + "zz"
    request(served)
    request(served, f"/{near_miss}/followups.ics")
    request(served, method="POST")
    request(served, host="evil.example")
    raw(served, b"GARBAGE " + served.token.encode() + b"\r\n\r\n")
    messages = [r.getMessage() for r in caplog.records]
    assert messages
    text = "\n".join(messages)
    assert served.token not in text
    assert near_miss not in text
    assert "/<token>/followups.ics" in text
    assert served.token not in redact(f"GET /{served.token}/followups.ics", served.token)


# --- methods and Host -----------------------------------------------------------------


@pytest.mark.parametrize(
    "method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "TRACE", "MKCALENDAR"]
)
def test_other_methods_are_405(served: FeedServer, method: str) -> None:
    status, headers, body = request(served, method=method)
    assert status == 405
    assert headers["allow"] == "GET, HEAD"
    assert BODY not in body


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost.evil.example:{port}", ""],
)
def test_foreign_host_header_is_400(served: FeedServer, host: str) -> None:
    status, _, body = request(served, host=host.format(port=served.port))
    assert status == 400
    assert BODY not in body


def test_missing_host_header_is_400(served: FeedServer) -> None:
    answer = raw(served, f"GET {served.path} HTTP/1.0\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 400") or answer.startswith(b"HTTP/1.0 400")
    assert BODY not in answer


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LOCALHOST", "[::1]"])
def test_loopback_host_names_are_accepted(served: FeedServer, name: str) -> None:
    assert request(served, host=f"{name}:{served.port}")[0] == 200


def test_dns_rebinding_post_is_rejected_before_anything(served: FeedServer) -> None:
    assert request(served, method="POST", host="evil.example")[0] == 400


# --- binding ---------------------------------------------------------------------------


def test_loopback_by_default_and_urls(served: FeedServer) -> None:
    assert served.server_address[0] == "127.0.0.1"
    assert served.http_url == f"http://127.0.0.1:{served.port}/{served.token}/followups.ics"
    assert served.webcal_url == f"webcal://127.0.0.1:{served.port}/{served.token}/followups.ics"


def test_remote_binding_needs_the_flag(feed: CalendarFeed) -> None:
    for host in ("0.0.0.0", "::", "192.0.2.10", "example.com"):
        with pytest.raises(UsageError, match="--allow-remote"):
            start_server(feed, "t" * 43, host, 0)


def test_is_loopback() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.2", "evil.example"))


def test_ipv6_loopback(vault: Vault, feed: CalendarFeed) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        server = start_server(feed, load_token(vault), "::1", 0)
    except UsageError as exc:
        pytest.skip(f"::1 cannot be bound here ({exc})")
    try:
        conn = http.client.HTTPConnection("::1", server.port, timeout=5)
        try:
            conn.request("GET", server.path)
            response = conn.getresponse()
            assert (response.status, response.read()) == (200, BODY)
        finally:
            conn.close()
        assert server.webcal_url.startswith(f"webcal://[::1]:{server.port}/")
    finally:
        server.stop()


def test_port_in_use_is_a_clear_error(served: FeedServer, feed: CalendarFeed) -> None:
    with pytest.raises(UsageError, match="--port"):
        start_server(feed, "t" * 43, "127.0.0.1", served.port)


# --- serving the file as it changes -------------------------------------------------


def test_file_refresher_serves_the_latest_file(vault: Vault, clock: Clock) -> None:
    rel = "Follow-ups/followups.ics"
    (vault.root / "Follow-ups").mkdir()
    (vault.root / rel).write_bytes(BODY)
    feed = open_feed(vault, clock=clock)
    refresh = FileRefresher(vault, rel, feed)
    refresh()
    server = start_server(feed, load_token(vault), "127.0.0.1", 0, refresh=refresh)
    try:
        status, first, body = request(server)
        assert (status, body) == (200, BODY)
        clock.now += 5
        (vault.root / rel).write_bytes(SMALLER)
        status, second, body = request(server, headers={"If-None-Match": first["etag"]})
        assert (status, body) == (200, SMALLER)
        assert second["etag"] != first["etag"]
        (vault.root / rel).unlink()  # being replaced: the last bytes stay served
        assert request(server)[2] == SMALLER
    finally:
        server.stop()


# --- robustness (issue 18, S1-S5) ---------------------------------------------------


def test_listen_queue_holds_a_burst(served: FeedServer) -> None:
    assert served.request_queue_size >= 128
    assert served.socket.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1


def test_200_concurrent_requests_all_succeed(served: FeedServer) -> None:
    # S1: with the stdlib's listen queue of 5, 16 of 200 failed at 5 s.
    from concurrent.futures import ThreadPoolExecutor

    def fetch(_: int) -> tuple[int, bytes]:
        status, _, body = request(served)
        return status, body

    with ThreadPoolExecutor(max_workers=200) as pool:
        answers = list(pool.map(fetch, range(200)))
    assert answers == [(200, BODY)] * 200


def test_two_host_headers_are_400(served: FeedServer) -> None:
    # S3: RFC 9112 3.2, a request with more than one Host header is a 400.
    host = f"127.0.0.1:{served.port}"
    answer = raw(
        served,
        f"GET {served.path} HTTP/1.1\r\nHost: {host}\r\nHost: evil.example\r\n"
        "Connection: close\r\n\r\n".encode(),
    )
    assert answer.startswith(b"HTTP/1.1 400")
    assert BODY not in answer


def test_the_body_of_a_refused_request_is_never_read_as_a_request(served: FeedServer) -> None:
    # S4: POST with a body holding a GET, on a keep-alive connection: one 405, then closed.
    host = f"127.0.0.1:{served.port}"
    smuggled = f"GET {served.path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    post = (
        f"POST {served.path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(smuggled)}\r\n\r\n"
    ).encode()
    answer = raw(served, post + smuggled)
    assert answer.startswith(b"HTTP/1.1 405")
    assert answer.count(b"HTTP/1.1 ") == 1
    assert b"connection: close" in answer.lower()
    assert BODY not in answer


def test_a_get_with_a_body_closes_the_connection(served: FeedServer) -> None:
    host = f"127.0.0.1:{served.port}"
    smuggled = f"GET {served.path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    get = (
        f"GET /nope HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(smuggled)}\r\n\r\n"
    ).encode()
    answer = raw(served, get + smuggled)
    assert answer.startswith(b"HTTP/1.1 404")
    assert answer.count(b"HTTP/1.1 ") == 1


def test_control_characters_are_escaped_in_the_log(
    served: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    # S2: an OSC sequence in the request line would retitle the terminal.
    caplog.set_level(logging.DEBUG, logger="vaultfollow")
    host = f"127.0.0.1:{served.port}"
    raw(
        served,
        f"GET /\x1b]0;owned\x07 HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode(),
    )
    raw(served, b"GET /\x1b[2J\x7f\x9b HTTP/1.1\x00\r\n\r\n")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "owned" in text
    assert not any(ch in text for ch in "\x1b\x07\x00\x7f\x9b")
    assert "\\x1b]0;owned\\x07" in text


def test_server_header_has_no_trailing_space(served: FeedServer) -> None:
    assert request(served)[1]["server"] == "vaultfollow"


def _wait_for(condition: Callable[[], bool]) -> bool:
    """Poll `condition` for at most 10 s (bounded, never a timed assertion)."""
    for _ in range(200):
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_connections_beyond_the_bound_wait_in_the_queue(vault: Vault, feed: CalendarFeed) -> None:
    # S5: a bounded number of connections; the others wait, they do not fail.
    server = start_server(feed, load_token(vault), "127.0.0.1", 0, max_connections=2)
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(2)]
    try:
        assert _wait_for(lambda: server.busy == 2)
        extra = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(3)]
        waiting = extra[0]
        waiting.sendall(
            f"GET {server.path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        for sock in idle:
            sock.close()
        chunks = []
        while chunk := waiting.recv(65536):
            chunks.append(chunk)
        assert b"".join(chunks).startswith(b"HTTP/1.1 200")
        assert server.peak <= 2
        for sock in extra:
            sock.close()
    finally:
        for sock in idle:
            sock.close()
        server.stop()


def test_shutdown_is_heard_while_every_slot_is_taken(vault: Vault, feed: CalendarFeed) -> None:
    server = start_server(
        feed, load_token(vault), "127.0.0.1", 0, max_connections=1, header_deadline=60.0
    )
    held = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    # A second connection waits in the queue: the accept loop waits for a slot.
    queued = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    try:
        assert _wait_for(lambda: server.busy == 1)
        time.sleep(0.3)  # the loop has seen the queued connection
        stopper = threading.Thread(target=server.shutdown)
        stopper.start()
        stopper.join(timeout=5)
        assert not stopper.is_alive(), "shutdown() waited for a free slot"
    finally:
        held.close()
        queued.close()
        server.stop()


def test_a_client_trickling_its_headers_is_cut_off(vault: Vault, feed: CalendarFeed) -> None:
    # S5: every byte used to renew the 30 s timeout; the header deadline is overall.
    server = start_server(feed, load_token(vault), "127.0.0.1", 0, header_deadline=1.0)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nX-Slow: ")
            closed = False
            for _ in range(100):  # 10 s of trickling at most
                time.sleep(0.1)
                try:
                    sock.sendall(b"a")
                    readable, _, _ = select.select([sock], [], [], 0)
                    if readable and sock.recv(65536) == b"":
                        closed = True
                        break
                except OSError:
                    closed = True
                    break
            assert closed
    finally:
        server.stop()


def test_a_silent_connection_is_closed_at_the_header_deadline(
    vault: Vault, feed: CalendarFeed
) -> None:
    # A connection that never sends a request holds a slot only until the
    # deadline, not for the 30 s a kept-alive connection may wait.
    server = start_server(feed, load_token(vault), "127.0.0.1", 0, header_deadline=1.0)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            assert sock.recv(65536) == b""
    finally:
        server.stop()
