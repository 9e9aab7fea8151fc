"""`push` against a real Radicale server started on a free loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from vaultfollow.core.config import CalDAVSettings
from vaultfollow.errors import ConfigError, UsageError
from vaultfollow.push import (
    PUSH_STATE_FILE,
    PushAuthError,
    PushError,
    PushWorker,
    caldav_password,
    push_calendar,
    push_pending,
    split_calendar,
)
from vaultfollow.store.vault import Vault

caldav = pytest.importorskip("caldav")
pytest.importorskip("radicale")
pytest.importorskip("xandikos")

USER, PASSWORD = "alice", "correct horse"
STARTUP = 20.0  # seconds a server gets to listen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A CalDAV server process on a free loopback port, its data in tmp,
    stopped by its pid."""

    name = ""
    user = USER
    scheme = "http"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"{self.scheme}://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command(),
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "log", "ab"),  # noqa: SIM115 (closed with the process)
        )
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited: {(self.folder / 'log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"{self.name} did not listen within {STARTUP} s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def client(self, **options: Any) -> Any:
        return caldav.DAVClient(url=self.url, username=self.user, password=PASSWORD, **options)


class Radicale(Server):
    """Radicale with plain htpasswd auth (and TLS when given a certificate)."""

    name = "Radicale"

    def __init__(self, folder: Path, tls: tuple[Path, Path] | None = None) -> None:
        self.scheme = "https" if tls else "http"
        super().__init__(folder)
        (folder / "users").write_text(f"{USER}:{PASSWORD}\nbob:bobs password\n")
        ssl = f"ssl = True\ncertificate = {tls[0]}\nkey = {tls[1]}\n" if tls else ""
        (folder / "config").write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n{ssl}"
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {folder / 'users'}\n"
            "htpasswd_encryption = plain\n"
            "[rights]\ntype = owner_only\n"
            f"[storage]\nfilesystem_folder = {folder / 'collections'}\n"
            "[web]\ntype = none\n[logging]\nlevel = warning\n"
        )

    def command(self) -> list[str]:
        return [sys.executable, "-m", "radicale", "--config", str(self.folder / "config")]


class Xandikos(Server):
    """Xandikos, which has no passwords; its user is the principal /user/."""

    name = "Xandikos"
    user = "user"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "xandikos",
            "serve",
            "--directory",
            str(self.folder / "data"),
            "--defaults",
            "--no-detect-systemd",
            "--listen-address",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]


SERVERS: dict[str, type[Server]] = {"radicale": Radicale, "xandikos": Xandikos}


def running(kind: type[Server], tmp_path: Path, *args: Any) -> Iterator[Server]:
    folder = tmp_path / kind.name.lower()
    folder.mkdir()
    server = kind(folder, *args)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=sorted(SERVERS))
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """Each shared scenario runs against Radicale and against Xandikos."""
    yield from running(SERVERS[request.param], tmp_path)


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Server]:
    yield from running(Radicale, tmp_path)


@pytest.fixture
def xandikos(tmp_path: Path) -> Iterator[Server]:
    yield from running(Xandikos, tmp_path)


OPEN_CLIENTS: list[Any] = []  # closed after each test


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN_CLIENTS:
        OPEN_CLIENTS.pop().close()


def make_calendar(server: Server, name: str, components: list[str] | None = None) -> Any:
    """A new calendar (with only `components` allowed), through a client of
    its own, open until the test ends."""
    client = server.client()
    OPEN_CLIENTS.append(client)
    principal = client.principal()
    if components is None:
        return principal.make_calendar(name=name)
    return principal.make_calendar(name=name, supported_calendar_component_set=components)


@pytest.fixture
def calendar(server: Server) -> Any:
    return make_calendar(server, "Follow-ups")


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    root = tmp_path / "vault"
    root.mkdir()
    return Vault(root)


def settings(server: Server, **changes: str) -> CalDAVSettings:
    values = {
        "url": server.url,
        "username": server.user,
        "password_env": "VF_TEST_PW",
        "calendar": "Follow-ups",
        **changes,
    }
    return CalDAVSettings(**values)


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VF_TEST_PW", PASSWORD)


def event(uid: str, start: datetime, summary: str = "Thank-you") -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261112T143000Z\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{start + timedelta(minutes=15):%Y%m%dT%H%M%SZ}"
        f"\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n"
    )


def calendar_bytes(*components: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//vaultfollow//vaultfollow//EN\r\n"
        "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Follow-ups\r\n"
        + "".join(components)
        + "END:VCALENDAR\r\n"
    ).encode()


T1 = datetime(2026, 11, 12, 17, 30)
T2 = datetime(2026, 11, 19, 8, 0)


def on_server(cal: Any) -> dict[str, str]:
    """UID -> DTSTART as stored on the server."""
    found = {}
    for obj in cal.search(event=True):
        component = obj.icalendar_component
        found[str(component["UID"])] = component["DTSTART"].to_ical().decode()
    return found


def no_sleep(seconds: float) -> None:
    pass


# --- tests -----------------------------------------------------------------------


def test_split_calendar_drops_method_and_keeps_zones() -> None:
    data = calendar_bytes(event("a@vaultfollow", T1), event("b@vaultfollow", T2))
    parts = split_calendar(data)
    assert sorted(parts) == ["a@vaultfollow", "b@vaultfollow"]
    assert b"METHOD" not in parts["a@vaultfollow"]
    assert b"b@vaultfollow" not in parts["a@vaultfollow"]
    assert b"PRODID:-//vaultfollow//vaultfollow//EN" in parts["a@vaultfollow"]


def test_create_move_delete_and_leave_foreign_events_alone(
    vault: Vault, server: Server, calendar: Any
) -> None:
    foreign = calendar.add_event(
        calendar_bytes(event("dentist-123@example.com", T1, "Dentist")).decode()
    )
    before = foreign.data

    report = push_calendar(
        vault,
        calendar_bytes(event("a@vaultfollow", T1), event("b@vaultfollow", T2)),
        settings(server),
    )
    assert sorted(report.created) == ["a@vaultfollow", "b@vaultfollow"]
    assert report.foreign == 1
    assert on_server(calendar) == {
        "a@vaultfollow": "20261112T173000Z",
        "b@vaultfollow": "20261119T080000Z",
        "dentist-123@example.com": "20261112T173000Z",
    }

    again = push_calendar(
        vault,
        calendar_bytes(event("a@vaultfollow", T1), event("b@vaultfollow", T2)),
        settings(server),
    )
    assert (again.created, again.updated, again.deleted, again.unchanged) == ([], [], [], 2)

    moved = push_calendar(
        vault, calendar_bytes(event("a@vaultfollow", T1 + timedelta(days=1))), settings(server)
    )
    assert moved.updated == ["a@vaultfollow"]
    assert moved.deleted == ["b@vaultfollow"]
    assert on_server(calendar) == {
        "a@vaultfollow": "20261113T173000Z",
        "dentist-123@example.com": "20261112T173000Z",
    }

    emptied = push_calendar(vault, calendar_bytes(), settings(server))
    assert emptied.deleted == ["a@vaultfollow"]
    assert on_server(calendar) == {"dentist-123@example.com": "20261112T173000Z"}
    assert calendar.get_event_by_uid("dentist-123@example.com").data == before


def test_an_edit_on_the_server_is_put_right(vault: Vault, server: Server, calendar: Any) -> None:
    data = calendar_bytes(event("a@vaultfollow", T1))
    push_calendar(vault, data, settings(server))
    obj = calendar.get_event_by_uid("a@vaultfollow")
    obj.icalendar_component["DTSTART"].dt = T2
    obj.save()
    report = push_calendar(vault, data, settings(server))
    assert report.updated == ["a@vaultfollow"]
    assert on_server(calendar)["a@vaultfollow"] == "20261112T173000Z"


def test_todos_and_a_switch_of_kind(vault: Vault, server: Server, calendar: Any) -> None:
    todo = event("t@vaultfollow", T1).replace("VEVENT", "VTODO").replace("DTEND", "DUE")
    push_calendar(vault, calendar_bytes(todo), settings(server))
    assert [str(o.icalendar_component["UID"]) for o in calendar.search(todo=True)] == [
        "t@vaultfollow"
    ]
    push_calendar(vault, calendar_bytes(), settings(server))
    assert calendar.search(todo=True, include_completed=True) == []


def test_calendar_url_without_name(vault: Vault, server: Server, calendar: Any) -> None:
    target = settings(server, url=str(calendar.url), calendar="")
    push_calendar(vault, calendar_bytes(event("a@vaultfollow", T1)), target)
    assert "a@vaultfollow" in on_server(calendar)


def test_wrong_password_is_a_credentials_error(
    vault: Vault, radicale: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_calendar(radicale, "Follow-ups")
    monkeypatch.setenv("VF_TEST_PW", "wrong")
    with pytest.raises(PushAuthError, match="refused user 'alice' \\(HTTP 401\\)") as caught:
        push_calendar(vault, calendar_bytes(event("a@vaultfollow", T1)), settings(radicale))
    assert caught.value.exit_code == 2
    assert "wrong" not in caught.value.message


def test_unknown_calendar_is_a_usage_error_naming_the_calendars(
    vault: Vault, server: Server, calendar: Any
) -> None:
    with pytest.raises(UsageError, match="no such calendar 'Nope'") as caught:
        push_calendar(vault, calendar_bytes(), settings(server, calendar="Nope"))
    assert '"Follow-ups"' in caught.value.message
    assert "\n" not in caught.value.message


def test_server_down_then_back(vault: Vault, server: Server, calendar: Any) -> None:
    data = calendar_bytes(event("a@vaultfollow", T1))
    server.stop()
    waits: list[float] = []
    with pytest.raises(PushError, match="after 3 tries") as caught:
        push_calendar(vault, data, settings(server), attempts=3, sleep=waits.append)
    assert caught.value.exit_code == 3  # delivery failed, not a note problem
    assert caught.value.message.count("connection refused") == 1
    assert "urllib3" not in caught.value.message and "0x" not in caught.value.message
    assert waits == [1.0, 2.0]  # bounded, doubling backoff
    pending = push_pending(vault)
    assert pending is not None and pending["attempts"] == 3 and pending["error"]

    server.start()
    report = push_calendar(vault, data, settings(server), sleep=no_sleep)
    assert report.created == ["a@vaultfollow"]
    assert push_pending(vault) is None
    assert "a@vaultfollow" in on_server(calendar)


def test_server_comes_back_during_the_retries(vault: Vault, server: Server, calendar: Any) -> None:
    server.stop()

    def restart(seconds: float) -> None:
        server.start()

    report = push_calendar(
        vault, calendar_bytes(event("a@vaultfollow", T1)), settings(server), sleep=restart
    )
    assert report.attempts == 2
    assert report.created == ["a@vaultfollow"]


def test_push_worker_retries_until_the_server_is_back(
    vault: Vault, server: Server, calendar: Any
) -> None:
    rel = "Follow-ups/followups.ics"
    (vault.root / "Follow-ups").mkdir()
    (vault.root / rel).write_bytes(calendar_bytes(event("a@vaultfollow", T1)))
    server.stop()
    worker = PushWorker(vault, rel, settings(server), first_wait=0.2, max_wait=0.5)
    worker.start()
    try:
        worker.notify()
        deadline = time.monotonic() + 10
        while push_pending(vault) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert push_pending(vault) is not None
        server.start()
        while worker.pushes == 0 and time.monotonic() < deadline + 10:
            time.sleep(0.05)
        assert worker.pushes >= 1
    finally:
        worker.stop()
    assert push_pending(vault) is None
    assert "a@vaultfollow" in on_server(calendar)


# --- passwords and settings ----------------------------------------------------------


def test_password_sources(tmp_path: Path) -> None:
    assert caldav_password(CalDAVSettings(password_env="PW"), {"PW": "s3"}) == "s3"
    with pytest.raises(ConfigError, match="PW"):
        caldav_password(CalDAVSettings(password_env="PW"), {})
    script = tmp_path / "pw.py"
    script.write_text("print('from-command')\nprint('second line ignored')\n")
    command = f"{sys.executable} {script}"
    assert caldav_password(CalDAVSettings(password_command=command), {}) == "from-command"
    failing = f"{sys.executable} -c \"import sys; sys.exit('locked')\""
    with pytest.raises(ConfigError, match="locked"):
        caldav_password(CalDAVSettings(password_command=failing), {})
    with pytest.raises(ConfigError, match="password_env"):
        caldav_password(CalDAVSettings(), {})


def test_missing_url_is_a_config_error(vault: Vault) -> None:
    with pytest.raises(ConfigError, match="url"):
        push_calendar(vault, calendar_bytes(), CalDAVSettings(username="a", password_env="X"))


def test_state_file_is_readable_json(vault: Vault, server: Server, calendar: Any) -> None:
    push_calendar(vault, calendar_bytes(event("a@vaultfollow", T1)), settings(server))
    state = json.loads((vault.root / PUSH_STATE_FILE).read_text())
    assert state["pending"] is None
    assert set(state["events"]) == {"a@vaultfollow"}
    assert os.environ["VF_TEST_PW"] not in (vault.root / PUSH_STATE_FILE).read_text()
