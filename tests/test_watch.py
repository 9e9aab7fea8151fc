"""The watcher with a real watchdog observer on temporary folders.

Every wait is on a condition with a timeout, never a bare sleep; the
autouse fixture in conftest fails a test that leaks a thread.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ical.calendar_stream import IcsCalendarStream
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from conftest import BERLIN, VaultFactory, at, wait_for
from vaultfollow.app.engine import open_engine
from vaultfollow.app.starter import init_vault
from vaultfollow.core.draftfile import is_edited
from vaultfollow.core.ics import build_calendar
from vaultfollow.core.model import due_rows
from vaultfollow.watcher import Watcher, WatchOptions, _make_observer

NOW = datetime(2026, 11, 12, 10, 0, tzinfo=BERLIN)


def note(company: str = "Acme", when: str = "2026-11-12T15:30", people: str = "[Jane Doe]") -> str:
    return (
        f"---\ntype: interview\ncompany: {company}\nrole: Engineer\ndate: {when}\n"
        f"interviewers: {people}\n---\n## Discussed\n- the roadmap\n"
    )


def calendar(root: Path) -> str:
    path = root / "Follow-ups" / "followups.ics"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def uids(root: Path) -> set[str]:
    text = calendar(root)
    if not text:
        return set()
    parsed = IcsCalendarStream.calendar_from_ics(text)
    return {event.uid for event in parsed.events if event.uid}


def drafts(root: Path) -> list[str]:
    folder = root / "Follow-ups"
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*.md") if p.name != "Follow-ups.md"
    )


class Clock:
    """`now` for the watcher: NOW, then running on with real time (or jumped)."""

    def __init__(self, start: datetime = NOW) -> None:
        self.start = start
        self.started = time.monotonic()
        self.jump = timedelta(0)

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.started) + self.jump


@contextmanager
def watching(
    root: Path,
    *,
    debounce: float = 0.1,
    clock: Callable[[], datetime] | None = None,
    observer_factory: Callable[[bool, float], BaseObserver] | None = None,
    **options: Any,
) -> Iterator[Watcher]:
    """A watcher running in a thread until the block ends."""
    engine = open_engine(root)
    watcher = Watcher(
        engine,
        WatchOptions(debounce=debounce, supervise_interval=0.1, **options),
        clock or Clock(),
        observer_factory=observer_factory,
    )
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            watcher.run(stop)
        except BaseException as exc:  # surfaced in the test below
            errors.append(exc)

    thread = threading.Thread(target=run, name="test-watcher")
    thread.start()
    try:
        wait_for(lambda: watcher.passes >= 1 or errors, what="the initial sync")
        yield watcher
    finally:
        stop.set()
        watcher.wake.set()
        thread.join(timeout=5)
        assert not thread.is_alive(), "the watcher did not stop"
    assert not errors, errors


def settle(watcher: Watcher, quiet: float = 0.5) -> int:
    """Wait until no pass has run for `quiet` seconds; return the pass count."""
    last = watcher.passes
    stable_since = time.monotonic()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.02)
        if watcher.passes != last:
            last, stable_since = watcher.passes, time.monotonic()
        elif time.monotonic() - stable_since >= quiet:
            return last
    pytest.fail("the watcher never went quiet")


def test_a_saved_note_reaches_drafts_calendar_and_log(
    make_vault: VaultFactory, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    caplog.set_level(logging.INFO, logger="vaultfollow")
    with watching(root) as watcher:
        assert len(uids(root)) == 2
        (root / "Interviews/globex.md").write_text(
            note("Globex", people="[Ann Lee, Bo Chen]"), encoding="utf-8"
        )
        wait_for(lambda: len(uids(root)) == 4, what="Globex on the calendar")
        settle(watcher)
    assert "Globex/2026-11-12 thank-you - Ann Lee.md" in drafts(root)
    assert "Interviews/globex.md: 3 drafts created, calendar updated, dashboard updated" in (
        caplog.messages
    )


def test_changed_note_updates_its_drafts_only(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note(), "Interviews/globex.md": note("Globex")})
    with watching(root) as watcher:
        settle(watcher)
        globex = root / "Follow-ups/Globex/2026-11-12 thank-you - Jane Doe.md"
        before = globex.stat().st_mtime_ns
        acme_path = root / "Interviews/acme.md"
        acme_path.write_text(note().replace("the roadmap", "the pager rota"), encoding="utf-8")
        acme = root / "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md"
        wait_for(lambda: "pager rota" in acme.read_text(encoding="utf-8"))
        settle(watcher)
        assert globex.stat().st_mtime_ns == before


def test_renamed_note_keeps_its_follow_ups(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root) as watcher:
        settle(watcher)
        before_uids, before_drafts = uids(root), drafts(root)
        os.rename(root / "Interviews/acme.md", root / "Interviews/2026-11-12 Acme onsite.md")
        draft = root / "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md"
        wait_for(lambda: "Acme onsite" in draft.read_text(encoding="utf-8"))
        settle(watcher)
        assert uids(root) == before_uids and drafts(root) == before_drafts


def test_deleted_note_leaves_the_calendar_its_drafts_stay(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note(), "Interviews/globex.md": note("Globex")})
    with watching(root) as watcher:
        settle(watcher)
        assert len(uids(root)) == 4
        (root / "Interviews/acme.md").unlink()
        wait_for(lambda: len(uids(root)) == 2, what="Acme off the calendar")
        settle(watcher)
        dashboard = (root / "Follow-ups/Follow-ups.md").read_text(encoding="utf-8")
    assert "Acme" not in dashboard
    assert "Acme/2026-11-12 thank-you - Jane Doe.md" in drafts(root)


def test_marking_a_draft_sent_moves_the_schedule_on(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root, clock=Clock(datetime(2026, 11, 19, 12, 0, tzinfo=BERLIN))) as watcher:
        settle(watcher)
        check_in = root / "Follow-ups/Acme/2026-11-12 check-in - Jane Doe.md"
        text = check_in.read_text(encoding="utf-8")
        check_in.write_text(text.replace("sent:\n", "sent: 2026-11-19\n"), encoding="utf-8")
        second = root / "Follow-ups/Acme/2026-11-12 second-check-in - Jane Doe.md"
        wait_for(second.exists, what="the second check-in")
        wait_for(lambda: "CATEGORIES:check-in\r\n" not in calendar(root))
        settle(watcher)


def test_temp_file_and_rename_save_is_one_change(make_vault: VaultFactory) -> None:
    """gedit/JetBrains/Obsidian style: write a temp file, rename it over the note."""
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root) as watcher:
        settle(watcher)
        passes = watcher.passes
        draft = root / "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md"
        for temp_name in (".goutputstream-ABC123", "acme.md.tmp", ".acme.md.swp"):
            temp = root / "Interviews" / temp_name
            temp.write_text(note(when="2026-11-12T16:30").replace("roadmap", temp_name))
            os.replace(temp, root / "Interviews/acme.md")
            wait_for(lambda name=temp_name: name in draft.read_text(encoding="utf-8"))
        settle(watcher)
        assert watcher.passes - passes <= 3
        assert drafts(root) == [
            "Acme/2026-11-12 check-in - Jane Doe.md",
            "Acme/2026-11-12 thank-you - Jane Doe.md",
        ]


def test_vim_style_save_backup_then_new_file(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root) as watcher:
        settle(watcher)
        target = root / "Interviews/acme.md"
        os.rename(target, root / "Interviews/acme.md~")
        target.write_text(note().replace("roadmap", "vim edit"), encoding="utf-8")
        (root / "Interviews/acme.md~").unlink()
        draft = root / "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md"
        wait_for(lambda: "vim edit" in draft.read_text(encoding="utf-8"))
        settle(watcher)
        assert len(uids(root)) == 2


def test_quick_double_save_is_one_pass(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root, debounce=0.3) as watcher:
        settle(watcher)
        passes = watcher.passes
        target = root / "Interviews/acme.md"
        target.write_text(note().replace("roadmap", "first"), encoding="utf-8")
        time.sleep(0.05)  # two saves 50 ms apart: the situation under test
        target.write_text(note().replace("roadmap", "second"), encoding="utf-8")
        settle(watcher)
        assert watcher.passes == passes + 1
        draft = root / "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md"
        assert "second" in draft.read_text(encoding="utf-8")


def test_truncate_then_write_never_drops_the_note(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root, debounce=0.05) as watcher:
        settle(watcher)
        expected = uids(root)
        target = root / "Interviews/acme.md"
        seen: list[set[str]] = []
        with target.open("w", encoding="utf-8"):
            pass  # truncated: the file is empty for a while
        deadline = time.monotonic() + 0.6
        while time.monotonic() < deadline:
            seen.append(uids(root))
            time.sleep(0.02)
        target.write_text(note().replace("roadmap", "rewritten"), encoding="utf-8")
        draft = root / "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md"
        wait_for(lambda: "rewritten" in draft.read_text(encoding="utf-8"))
        settle(watcher)
    assert all(s == expected for s in seen), "the note's events vanished while it was empty"


def test_an_emptied_note_counts_as_empty_in_the_end(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note(), "Interviews/globex.md": note("Globex")})
    with watching(root, debounce=0.05) as watcher:
        settle(watcher)
        (root / "Interviews/acme.md").write_text("", encoding="utf-8")
        wait_for(lambda: len(uids(root)) == 2, timeout=15, what="the empty note to count")
        settle(watcher)


def test_partial_writes_are_read_only_when_stable(
    make_vault: VaultFactory, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    caplog.set_level(logging.WARNING, logger="vaultfollow")
    with watching(root, debounce=0.15) as watcher:
        settle(watcher)
        text = note("Initech", people="[Ann Lee]")
        with (root / "Interviews/initech.md").open("w", encoding="utf-8") as handle:
            for start in range(0, len(text), 12):  # Windows-style partial writes
                handle.write(text[start : start + 12])
                handle.flush()
                time.sleep(0.03)
        wait_for(lambda: len(uids(root)) == 4, what="Initech on the calendar")
        settle(watcher)
    assert not [m for m in caplog.messages if "initech" in m.lower()], caplog.messages


def test_idle_watcher_and_reading_notes_cause_nothing(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root) as watcher:
        passes = settle(watcher)
        stamps = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
        for path in root.rglob("*.md"):  # open/close events on Linux
            path.read_bytes()
        time.sleep(0.6)  # idle on purpose: nothing may happen in this time
        assert watcher.passes == passes
        assert {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()} == stamps


def test_sync_service_files_are_ignored_and_conflicts_reported(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root) as watcher:
        settle(watcher)
        folder = root / "Interviews"
        (folder / ".syncthing.acme.md.tmp").write_text(note("Temp1"), encoding="utf-8")
        (folder / ".acme.md.icloud").write_bytes(b"\x00bplist")
        (folder / "acme.sync-conflict-20261112-101010-ABCDEFG.md").write_text(
            note(), encoding="utf-8"
        )
        (folder / "acme (Jane's conflicted copy 2026-11-12).md").write_text(note())
        (folder / "acme 2.md").write_text(note(), encoding="utf-8")
        (folder / "Round 2.md").write_text(note("RoundCo"), encoding="utf-8")  # not a copy
        dashboard = root / "Follow-ups/Follow-ups.md"
        wait_for(lambda: "acme 2.md" in dashboard.read_text(encoding="utf-8"))
        wait_for(lambda: len(uids(root)) == 4, what="RoundCo only")
        settle(watcher)
        text = dashboard.read_text(encoding="utf-8")
    assert "conflict copy" in text and "sync-conflict" in text and "conflicted copy" in text
    assert "Temp1" not in calendar(root)
    assert sorted(d.split("/")[0] for d in drafts(root)) == ["Acme", "Acme", "RoundCo", "RoundCo"]


class LossyObserver(Observer):  # type: ignore[misc,valid-type]
    """A real observer that loses every event, as an overflowing queue does."""

    def dispatch_events(self, event_queue: Any) -> None:
        event_queue.get(block=True, timeout=self.timeout)
        event_queue.task_done()


def test_reconciliation_rescan_recovers_lost_events(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})

    def lossy(polling: bool, interval: float) -> BaseObserver:
        return LossyObserver()

    with watching(root, observer_factory=lossy, rescan_interval=1.0) as watcher:
        settle(watcher, quiet=0.2)
        (root / "Interviews/globex.md").write_text(note("Globex"), encoding="utf-8")
        wait_for(lambda: len(uids(root)) == 4, timeout=10, what="the rescan")


def test_dead_observer_is_restarted_with_a_rescan(
    make_vault: VaultFactory, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    caplog.set_level(logging.WARNING, logger="vaultfollow")
    with watching(root) as watcher:
        settle(watcher)
        assert watcher.observer is not None
        for emitter in list(watcher.observer.emitters):
            emitter.stop()  # the emitter thread ends, as after an unhandled error
            emitter.join(2)
        wait_for(lambda: any("file watcher stopped" in m for m in caplog.messages))
        (root / "Interviews/globex.md").write_text(note("Globex"), encoding="utf-8")
        wait_for(lambda: len(uids(root)) == 4, what="events after the restart")


def test_inotify_limit_falls_back_to_polling_with_advice(
    make_vault: VaultFactory, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    caplog.set_level(logging.WARNING, logger="vaultfollow")

    class ExhaustedObserver(Observer):  # type: ignore[misc,valid-type]
        def schedule(self, *args: Any, **kwargs: Any) -> Any:
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    def factory(polling: bool, interval: float) -> BaseObserver:
        return _make_observer(True, 0.2) if polling else ExhaustedObserver()

    with watching(root, observer_factory=factory) as watcher:
        assert watcher.polling
        (root / "Interviews/globex.md").write_text(note("Globex"), encoding="utf-8")
        wait_for(lambda: len(uids(root)) == 4, what="polling to see Globex")
    advice = " ".join(caplog.messages)
    assert "fs.inotify.max_user_watches" in advice and "sudo sysctl" in advice


def test_polling_mode(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root, polling=True, poll_interval=0.2) as watcher:
        assert watcher.polling
        (root / "Interviews/globex.md").write_text(note("Globex"), encoding="utf-8")
        wait_for(lambda: len(uids(root)) == 4)


def test_burst_of_a_thousand_files(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root, debounce=0.2) as watcher:
        settle(watcher)
        passes = watcher.passes
        for index in range(1000):  # a `git checkout` of many notes
            folder = root / ("Interviews" if index % 10 == 0 else f"Notes/{index % 7}")
            folder.mkdir(parents=True, exist_ok=True)
            text = note(f"Co{index:04d}") if index % 10 == 0 else f"# Note {index}\n\ntext\n"
            (folder / f"n{index:04d}.md").write_text(text, encoding="utf-8")
        wait_for(lambda: len(uids(root)) == 2 + 200, timeout=30, what="all 100 new interviews")
        settle(watcher)
        assert watcher.passes - passes < 50  # coalesced, not one pass per file


def test_vault_folder_removed_and_restored(
    make_vault: VaultFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    caplog.set_level(logging.INFO, logger="vaultfollow")
    backup = tmp_path / "backup"
    shutil.copytree(root, backup)
    with watching(root) as watcher:
        settle(watcher)
        shutil.rmtree(root)
        wait_for(lambda: any("folder is gone" in m for m in caplog.messages))
        assert not root.exists()  # nothing recreated it
        shutil.copytree(backup, root)
        (root / "Interviews/globex.md").write_text(note("Globex"), encoding="utf-8")
        wait_for(lambda: any("folder is back" in m for m in caplog.messages))
        wait_for(lambda: len(uids(root)) == 4, what="outputs after the restore")
        settle(watcher)


def test_vault_reached_through_a_symlink(make_vault: VaultFactory, tmp_path: Path) -> None:
    real = make_vault({"Interviews/acme.md": note()})
    link = tmp_path / "link-to-vault"
    link.symlink_to(real, target_is_directory=True)
    with watching(link) as watcher:
        assert watcher.root == real.resolve()
        (real / "Interviews/globex.md").write_text(note("Globex"), encoding="utf-8")
        wait_for(lambda: len(uids(real)) == 4)


def test_outputs_refresh_when_the_day_changes(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    clock = Clock(datetime(2026, 11, 12, 23, 59, 59, tzinfo=BERLIN))
    dashboard = root / "Follow-ups/Follow-ups.md"
    with watching(root, clock=clock):
        assert "as_of: 2026-11-12" in dashboard.read_text(encoding="utf-8")
        wait_for(
            lambda: "as_of: 2026-11-13" in dashboard.read_text(encoding="utf-8"),
            timeout=10,
            what="the new day",
        )


def test_config_change_is_picked_up(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root) as watcher:
        settle(watcher)
        config = root / "vaultfollow.toml"
        config.write_text(config.read_text() + '[calendar]\nname = "Job hunt"\n')
        wait_for(lambda: "X-WR-CALNAME:Job hunt" in calendar(root))


# --- the command, as a process ----------------------------------------------


_STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _kill_leftover_watchers() -> Iterator[None]:
    """A test that fails half-way must not leave a watcher process behind."""
    yield
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        if process.stderr is not None:
            process.stderr.close()


def start_watch(root: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        # At NOW, as the notes are dated (the clock runs on from there).
        [
            sys.executable,
            "-m",
            "vaultfollow",
            "watch",
            str(root),
            "--debounce",
            "50ms",
            "--now",
            NOW.isoformat(),
            *args,
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    _STARTED.append(process)
    return process


def wait_for_line(process: subprocess.Popen[str], text: str, timeout: float = 30) -> list[str]:
    assert process.stderr is not None
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if text in line:
                done.set()
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not done.wait(timeout):
        process.kill()
        process.wait()
        pytest.fail(f"no line with {text!r}: {lines}")
    reader.join(1)
    return lines


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_cleanly_within_two_seconds(make_vault: VaultFactory, sig: int) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    process = start_watch(root)
    wait_for_line(process, "watching")
    started = time.monotonic()
    process.send_signal(sig)
    assert process.wait(timeout=5) == 0
    assert time.monotonic() - started < 2.0
    assert not list(root.rglob("*.vaultfollow-tmp"))


def test_one_watcher_per_vault_and_a_stale_lock_is_taken_over(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    first = start_watch(root)
    try:
        wait_for_line(first, "watching")
        second = subprocess.run(
            [sys.executable, "-m", "vaultfollow", "watch", str(root)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == 2
        assert f"pid {first.pid} on " in second.stderr
    finally:
        first.kill()  # kill -9: the lock file stays behind, stale
        first.wait()
    assert (root / ".vaultfollow/watch.lock").read_text().startswith(f"pid {first.pid}")
    third = start_watch(root)
    wait_for_line(third, "watching")
    third.terminate()
    assert third.wait(timeout=5) == 0


def test_kill_9_mid_pass_leaves_whole_files_and_a_restart_converges(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    files = {f"Interviews/n{i:03d}.md": note(f"Company {i:03d}") for i in range(150)}
    root = make_vault(files)
    reference = make_vault(files, name="reference")
    for delay in (0.3, 0.6, 0.9):
        process = start_watch(root)
        time.sleep(delay)  # kill at some moment during the initial pass
        process.kill()
        process.wait()
        for draft in (root / "Follow-ups").rglob("*.md") if (root / "Follow-ups").exists() else []:
            if draft.name != "Follow-ups.md":
                assert not is_edited(draft.read_text(encoding="utf-8")), draft
        ics = calendar(root)
        if ics:
            IcsCalendarStream.calendar_from_ics(ics)  # whole, parseable
    restarted = start_watch(root)
    wait_for_line(restarted, "watching")
    restarted.terminate()
    assert restarted.wait(timeout=5) == 0
    assert not list(root.rglob("*.vaultfollow-tmp"))
    open_engine(reference).full_pass(NOW)  # the watcher runs at NOW too
    ours = {
        p.relative_to(root / "Follow-ups"): p.read_bytes()
        for p in (root / "Follow-ups").rglob("*.md")
    }
    theirs = {
        p.relative_to(reference / "Follow-ups"): p.read_bytes()
        for p in (reference / "Follow-ups").rglob("*.md")
    }
    assert ours.keys() == theirs.keys()
    for rel in ours:
        if rel.name != "Follow-ups.md":
            assert ours[rel] == theirs[rel], rel


def test_log_file_option(make_vault: VaultFactory, tmp_path: Path) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    log_file = tmp_path / "watch.log"
    process = start_watch(root, "--log-file", str(log_file))
    wait_for_line(process, "watching")
    (root / "Interviews/globex.md").write_text(note("Globex"), encoding="utf-8")
    wait_for(lambda: log_file.exists() and "Interviews/globex.md:" in log_file.read_text())
    process.terminate()
    assert process.wait(timeout=5) == 0
    text = log_file.read_text(encoding="utf-8")
    assert "INFO initial sync: 2 drafts created" in text


def test_a_pass_reads_only_what_changed(make_vault: VaultFactory) -> None:
    files = {f"Notes/n{i}.md": f"# plain note {i}\n" for i in range(200)}
    files.update({f"Interviews/i{i}.md": note(f"Co{i}") for i in range(20)})
    root = make_vault(files)
    engine = open_engine(root)
    engine.full_pass(NOW)
    reads: list[str] = []
    real_read = engine.vault.read

    def counting_read(rel: str) -> Any:
        reads.append(rel)
        return real_read(rel)

    engine.vault.read = counting_read  # type: ignore[method-assign]
    target = root / "Interviews/i3.md"
    target.write_text(note("Co3").replace("roadmap", "budget"), encoding="utf-8")
    report = engine.changed_pass(["Interviews/i3.md"], NOW)
    assert reads == ["Interviews/i3.md"]
    # Only the draft that quotes the changed section is rewritten.
    assert report.updated == ["Follow-ups/Co3/2026-11-12 thank-you - Jane Doe.md"]


def test_the_plan_holds_until_the_next_change(tmp_path: Path) -> None:
    """What the watcher's timer rests on: until `next_change`, time alone
    changes neither the due list, the calendar nor the dashboard's urgencies."""
    root = tmp_path / "vault"
    init_vault(root, date(2026, 11, 12), "Europe/Berlin")
    engine = open_engine(root)
    engine.read_all()
    moment = at("2026-11-09 07:00")
    end = at("2026-12-20 00:00")
    checked = 0
    while moment < end:
        plan, _ = engine.plan(moment)
        until = engine.next_change(moment, plan)
        assert until > moment
        # The calendar as written then, and the revisions of its entries a pass keeps.
        first = build_calendar(plan, engine.settings, "vault", {})
        for later in (moment + (until - moment) / 2, until - timedelta(microseconds=1)):
            again, _ = engine.plan(later)
            assert due_rows(again) == due_rows(plan)
            calendar = build_calendar(again, engine.settings, "vault", first.revisions)
            assert calendar == first
            checked += 1
        moment = until
    assert checked > 40
