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

USER, PASSWORD = "alice", "correct horse"
STARTUP = 20.0  # seconds Radicale gets to listen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Radicale:
    """A Radicale process with plain htpasswd auth and its storage in tmp."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        (folder / "users").write_text(f"{USER}:{PASSWORD}\n")
        (folder / "config").write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n"
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {folder / 'users'}\n"
            "htpasswd_encryption = plain\n"
            "[rights]\ntype = owner_only\n"
            f"[storage]\nfilesystem_folder = {folder / 'collections'}\n"
            "[web]\ntype = none\n[logging]\nlevel = warning\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(self.folder / "config")],
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "log", "ab"),  # noqa: SIM115 (closed with the process)
        )
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Radicale exited: {(self.folder / 'log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"Radicale did not listen within {STARTUP} s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    folder = tmp_path / "radicale"
    folder.mkdir()
    server = Radicale(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def calendar(radicale: Radicale) -> Iterator[Any]:
    client = caldav.DAVClient(url=radicale.url, username=USER, password=PASSWORD)
    try:
        yield client.principal().make_calendar(name="Follow-ups")
    finally:
        client.close()


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    root = tmp_path / "vault"
    root.mkdir()
    return Vault(root)


def settings(radicale: Radicale, **changes: str) -> CalDAVSettings:
    values = {
        "url": radicale.url,
        "username": USER,
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
    vault: Vault, radicale: Radicale, calendar: Any
) -> None:
    foreign = calendar.add_event(
        calendar_bytes(event("dentist-123@example.com", T1, "Dentist")).decode()
    )
    before = foreign.data

    report = push_calendar(
        vault,
        calendar_bytes(event("a@vaultfollow", T1), event("b@vaultfollow", T2)),
        settings(radicale),
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
        settings(radicale),
    )
    assert (again.created, again.updated, again.deleted, again.unchanged) == ([], [], [], 2)

    moved = push_calendar(
        vault, calendar_bytes(event("a@vaultfollow", T1 + timedelta(days=1))), settings(radicale)
    )
    assert moved.updated == ["a@vaultfollow"]
    assert moved.deleted == ["b@vaultfollow"]
    assert on_server(calendar) == {
        "a@vaultfollow": "20261113T173000Z",
        "dentist-123@example.com": "20261112T173000Z",
    }

    emptied = push_calendar(vault, calendar_bytes(), settings(radicale))
    assert emptied.deleted == ["a@vaultfollow"]
    assert on_server(calendar) == {"dentist-123@example.com": "20261112T173000Z"}
    assert calendar.get_event_by_uid("dentist-123@example.com").data == before


def test_an_edit_on_the_server_is_put_right(
    vault: Vault, radicale: Radicale, calendar: Any
) -> None:
    data = calendar_bytes(event("a@vaultfollow", T1))
    push_calendar(vault, data, settings(radicale))
    obj = calendar.get_event_by_uid("a@vaultfollow")
    obj.icalendar_component["DTSTART"].dt = T2
    obj.save()
    report = push_calendar(vault, data, settings(radicale))
    assert report.updated == ["a@vaultfollow"]
    assert on_server(calendar)["a@vaultfollow"] == "20261112T173000Z"


def test_todos_and_a_switch_of_kind(vault: Vault, radicale: Radicale, calendar: Any) -> None:
    todo = event("t@vaultfollow", T1).replace("VEVENT", "VTODO").replace("DTEND", "DUE")
    push_calendar(vault, calendar_bytes(todo), settings(radicale))
    assert [str(o.icalendar_component["UID"]) for o in calendar.search(todo=True)] == [
        "t@vaultfollow"
    ]
    push_calendar(vault, calendar_bytes(), settings(radicale))
    assert calendar.search(todo=True, include_completed=True) == []


def test_calendar_url_without_name(vault: Vault, radicale: Radicale, calendar: Any) -> None:
    target = settings(radicale, url=str(calendar.url), calendar="")
    push_calendar(vault, calendar_bytes(event("a@vaultfollow", T1)), target)
    assert "a@vaultfollow" in on_server(calendar)


def test_wrong_password_is_a_clear_error(
    vault: Vault, radicale: Radicale, calendar: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VF_TEST_PW", "wrong")
    with pytest.raises(PushAuthError, match="refused user 'alice'") as caught:
        push_calendar(vault, calendar_bytes(event("a@vaultfollow", T1)), settings(radicale))
    assert caught.value.exit_code == 2
    assert "wrong" not in caught.value.message


def test_unknown_calendar_is_a_usage_error(vault: Vault, radicale: Radicale, calendar: Any) -> None:
    with pytest.raises(UsageError, match="no such calendar"):
        push_calendar(vault, calendar_bytes(), settings(radicale, calendar="Nope"))


def test_server_down_then_back(vault: Vault, radicale: Radicale, calendar: Any) -> None:
    data = calendar_bytes(event("a@vaultfollow", T1))
    radicale.stop()
    waits: list[float] = []
    with pytest.raises(PushError, match="after 3 tries") as caught:
        push_calendar(vault, data, settings(radicale), attempts=3, sleep=waits.append)
    assert caught.value.exit_code == 3  # delivery failed, not a note problem
    assert caught.value.message.count("connection refused") == 1
    assert "urllib3" not in caught.value.message and "0x" not in caught.value.message
    assert waits == [1.0, 2.0]  # bounded, doubling backoff
    pending = push_pending(vault)
    assert pending is not None and pending["attempts"] == 3 and pending["error"]

    radicale.start()
    report = push_calendar(vault, data, settings(radicale), sleep=no_sleep)
    assert report.created == ["a@vaultfollow"]
    assert push_pending(vault) is None
    assert "a@vaultfollow" in on_server(calendar)


def test_server_comes_back_during_the_retries(
    vault: Vault, radicale: Radicale, calendar: Any
) -> None:
    radicale.stop()

    def restart(seconds: float) -> None:
        radicale.start()

    report = push_calendar(
        vault, calendar_bytes(event("a@vaultfollow", T1)), settings(radicale), sleep=restart
    )
    assert report.attempts == 2
    assert report.created == ["a@vaultfollow"]


def test_push_worker_retries_until_the_server_is_back(
    vault: Vault, radicale: Radicale, calendar: Any
) -> None:
    rel = "Follow-ups/followups.ics"
    (vault.root / "Follow-ups").mkdir()
    (vault.root / rel).write_bytes(calendar_bytes(event("a@vaultfollow", T1)))
    radicale.stop()
    worker = PushWorker(vault, rel, settings(radicale), first_wait=0.2, max_wait=0.5)
    worker.start()
    try:
        worker.notify()
        deadline = time.monotonic() + 10
        while push_pending(vault) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert push_pending(vault) is not None
        radicale.start()
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


def test_state_file_is_readable_json(vault: Vault, radicale: Radicale, calendar: Any) -> None:
    push_calendar(vault, calendar_bytes(event("a@vaultfollow", T1)), settings(radicale))
    state = json.loads((vault.root / PUSH_STATE_FILE).read_text())
    assert state["pending"] is None
    assert set(state["events"]) == {"a@vaultfollow"}
    assert os.environ["VF_TEST_PW"] not in (vault.root / PUSH_STATE_FILE).read_text()
