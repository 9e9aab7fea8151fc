"""`serve` and `watch --serve` as the user runs them: real processes, real sockets."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import VaultFactory, wait_for

NOTE = (
    "---\ntype: interview\ncompany: {company}\nrole: Engineer\ndate: 2026-11-12T15:30\n"
    "interviewers: [Jane Doe]\n---\n"
)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def start(processes: list[subprocess.Popen[str]], *args: str) -> tuple[subprocess.Popen[str], str]:
    """Start `vaultfollow ARGS`; return the process and the http:// URL it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "vaultfollow", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    processes.append(process)
    found: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if "http://" in line and "followups.ics" in line:
                found.append(line.split()[-1])
                done.set()
                return

    threading.Thread(target=read, daemon=True).start()
    assert done.wait(30), "no URL printed"
    return process, found[0]


def get(url: str) -> tuple[int, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_serve_serves_the_calendar_and_stops_on_sigterm(
    make_vault: VaultFactory, processes: list[subprocess.Popen[str]]
) -> None:
    root = make_vault({"Interviews/acme.md": NOTE.format(company="Acme")})
    process, url = start(processes, "serve", str(root), "--port", "0", "--now", "2026-11-12T10:00")
    assert url.startswith("http://127.0.0.1:")
    status, body = get(url)
    assert status == 200 and b"BEGIN:VCALENDAR" in body and b"Acme" in body
    token = url.split("/")[3]
    assert (root / ".vaultfollow" / "token").read_text().strip() == token
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=5) == 0
    assert time.monotonic() - began < 2.0
    assert process.stderr is not None
    assert token not in process.stderr.read()


def test_watch_serve_hands_every_change_to_the_feed(
    make_vault: VaultFactory, processes: list[subprocess.Popen[str]]
) -> None:
    root = make_vault({"Interviews/acme.md": NOTE.format(company="Acme")})
    process, url = start(
        processes, "watch", str(root), "--serve", "--port", "0", "--debounce", "50ms"
    )
    # Until the initial sync has written the calendar, the feed answers 503.
    wait_for(lambda: b"Acme" in get(url)[1], what="the initial sync in the feed")
    (root / "Interviews/globex.md").write_text(NOTE.format(company="Globex"), encoding="utf-8")
    wait_for(lambda: b"Globex" in get(url)[1], what="Globex in the feed")
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=5) == 0


def test_server_options_need_serve(make_vault: VaultFactory) -> None:
    root = make_vault({})
    result = subprocess.run(
        [sys.executable, "-m", "vaultfollow", "watch", str(root), "--port", "9999"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "need --serve" in result.stderr


def test_push_without_caldav_settings_is_a_usage_error(tmp_path: Path) -> None:
    root = tmp_path / "v"
    root.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "vaultfollow", "push", str(root)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "[caldav]" in result.stderr
