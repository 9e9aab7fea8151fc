"""The watcher under real faults (issue 14): a second watcher, a moved or
replaced vault folder, a full or read-only disk, a two-step save, a note
saved without pause, and polling.

Every fault is made for real: real watchdog observers, real processes, real
files, a real tmpfs filled with a big file or remounted read-only.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import VaultFactory, wait_for
from test_watch import (  # noqa: F401 (_kill_leftover_watchers: an autouse fixture)
    _STARTED,
    NOW,
    _kill_leftover_watchers,
    calendar,
    drafts,
    note,
    settle,
    start_watch,
    uids,
    watching,
)
from vaultfollow.watcher import EMPTY_GRACE

CONFIG = '[schedule]\ntimezone = "Europe/Berlin"\n'
ACME_THANKS = "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md"


# --- helpers -----------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(where: Path, size: str = "3m") -> Iterator[Path]:
    """A small tmpfs mounted at `where` for the block (skips when not permitted)."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(where)], capture_output=True)
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder: Path) -> Path:
    """Fill the file system of `folder` with one big file; return its path."""
    path = folder / "fill"
    block = b"\0" * 65536
    with path.open("wb", buffering=0) as handle:
        while True:
            try:
                handle.write(block)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                break
    small = b"\0" * 512
    with path.open("ab", buffering=0) as handle, contextlib.suppress(OSError):
        while True:  # the last bytes too
            handle.write(small)
    return path


def warnings(log_file: Path) -> list[str]:
    """The WARNING lines of a `--log-file`, without their time stamps."""
    lines = log_file.read_text(encoding="utf-8").splitlines()
    return [line.split(" WARNING ", 1)[1] for line in lines if " WARNING " in line]


def remount(where: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(where)], check=True)


def make_vault_at(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "vaultfollow.toml").write_text(CONFIG, encoding="utf-8")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def edit_in_place(path: Path, old: str, new: str) -> None:
    """Rewrite a note in place, same length (no new block needed on a full disk)."""
    assert len(old) == len(new)
    text = path.read_text(encoding="utf-8")
    with path.open("r+", encoding="utf-8") as handle:
        handle.write(text.replace(old, new, 1))


class Lines:
    """The stderr of a watcher process, read by a thread, for waiting on lines."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    def has(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def wait(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.has(text):
            if time.monotonic() > deadline:
                pytest.fail(f"no line with {text!r} within {timeout} s: {self.lines}")
            time.sleep(0.02)


def watch_process(
    root: Path, *args: str, verbose: bool = False
) -> tuple[subprocess.Popen[str], Lines]:
    if verbose:  # -v belongs before the command
        command = [sys.executable, "-m", "vaultfollow", "-v", "watch", str(root)]
        process = subprocess.Popen(
            [*command, "--debounce", "50ms", "--now", NOW.isoformat(), *args],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        _STARTED.append(process)
    else:
        process = start_watch(root, *args)
    return process, Lines(process)


def stop(process: subprocess.Popen[str]) -> int:
    if process.poll() is None:
        process.terminate()
    return process.wait(timeout=10)


def hold_lock_in_another_process(folder: Path) -> subprocess.Popen[str]:
    """A second process holding the one-watcher lock of `folder` (as a watcher does)."""
    code = (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "print('locked', flush=True)\n"
        "time.sleep(120)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True
    )
    _STARTED.append(process)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "locked"
    return process


# --- D7: one watcher per vault ------------------------------------------------


def test_deleting_the_state_folder_does_not_let_a_second_watcher_in(
    make_vault: VaultFactory,
) -> None:
    """D7: the lock is held on the vault folder itself, so deleting
    `.vaultfollow/` under a running watcher does not let a second one start."""
    root = make_vault({"Interviews/acme.md": note()})
    first, first_lines = watch_process(root)
    first_lines.wait("watching")
    shutil.rmtree(root / ".vaultfollow")
    second = subprocess.run(
        [sys.executable, "-m", "vaultfollow", "watch", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 2, second.stderr
    assert "another vaultfollow watch is already running for this vault" in second.stderr
    assert first.poll() is None
    if sys.platform.startswith("linux"):  # /proc/locks names it, the holder's file gone
        assert f"pid {first.pid} on this computer" in second.stderr, second.stderr
    assert stop(first) == 0


def test_a_renamed_vault_is_watchable_at_its_new_path_and_the_old_path_is_adopted_afresh(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """D7: a watcher whose vault is renamed away lets go of it (a new watcher
    may watch the new path); a different folder appearing at the old path is
    locked and synced afresh, never written with what the old vault held."""
    root = make_vault({"Interviews/acme.md": note()})
    old, old_lines = watch_process(root)
    old_lines.wait("watching")
    moved = tmp_path / "moved"
    os.rename(root, moved)
    old_lines.wait("the vault folder is gone")
    new, new_lines = watch_process(moved)
    new_lines.wait("watching")
    (moved / "Interviews/globex.md").write_text(note("Globex"), encoding="utf-8")
    wait_for(lambda: len(uids(moved)) == 4, what="the new watcher to see Globex")

    make_vault_at(tmp_path / "staging", {"Interviews/initech.md": note("Initech")})
    os.rename(tmp_path / "staging", root)  # an unrelated vault at the old path
    wait_for(lambda: len(uids(root)) == 2, what="the old watcher to sync the new folder")
    assert drafts(root) == [
        "Initech/2026-11-12 check-in - Jane Doe.md",
        "Initech/2026-11-12 thank-you - Jane Doe.md",
    ]
    assert "Acme" not in calendar(root)
    assert stop(old) == 0 and stop(new) == 0
    assert old_lines.has("back, as a different folder")


def test_a_replaced_vault_folder_locked_by_another_watcher_stops_the_old_one(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """D7: when the folder at the vault's path is a different one, held by
    another watcher, the old watcher says so in one line and exits cleanly,
    having written nothing into it."""
    root = make_vault({"Interviews/acme.md": note()})
    old, old_lines = watch_process(root)
    old_lines.wait("watching")
    shutil.rmtree(root)
    old_lines.wait("the vault folder is gone")
    staging = make_vault_at(tmp_path / "staging", {"Interviews/initech.md": note("Initech")})
    holder = hold_lock_in_another_process(staging)
    os.rename(staging, root)
    assert old.wait(timeout=20) == 0
    assert old_lines.count("another vaultfollow watch is already running") == 1, old_lines.lines
    assert not (root / "Follow-ups").exists()
    holder.kill()
    holder.wait()


def test_a_vault_restored_from_a_copy_keeps_one_watcher(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """D7: delete the vault and restore it from a copy while a watcher waits:
    a second watcher started then, and the first, never both run."""
    root = make_vault({"Interviews/acme.md": note()})
    backup = tmp_path / "backup"
    shutil.copytree(root, backup)
    first, first_lines = watch_process(root)
    first_lines.wait("watching")
    shutil.rmtree(root)
    first_lines.wait("the vault folder is gone")
    shutil.copytree(backup, root)
    second, second_lines = watch_process(root)
    wait_for(
        lambda: first.poll() is not None or second.poll() is not None,
        timeout=30,
        what="one of the two watchers to give way",
    )
    survivor = second if first.poll() is not None else first
    assert (first.poll(), second.poll()) in ((0, None), (None, 2)), (
        first_lines.lines,
        second_lines.lines,
    )
    (root / "Interviews/globex.md").write_text(note("Globex"), encoding="utf-8")
    wait_for(lambda: len(uids(root)) == 4, what="the remaining watcher to see Globex")
    assert stop(survivor) == 0


# --- D8 and D11: a full or read-only disk ------------------------------------


def test_watch_starts_on_a_full_disk_and_catches_up_when_space_is_freed(
    tmp_path: Path,
) -> None:
    """D8, D11: on a full disk `watch` starts without a traceback, says what
    failed in one line, retries by itself (no file event) and writes
    everything once space is freed."""
    with tmpfs(tmp_path / "mnt") as mnt:
        root = make_vault_at(mnt / "vault", {"Interviews/acme.md": note()})
        big = fill(mnt)
        log_file = tmp_path / "watch.log"  # with levels, unlike stderr
        process, lines = watch_process(root, "--log-file", str(log_file), verbose=True)
        lines.wait("watching")
        lines.wait("retrying")  # at least one retry, with no file event
        assert process.poll() is None
        assert not lines.has("Traceback"), lines.lines
        # Each file that could not be written is a problem, said once
        # (not at every retry), the drafts of a batch in one line.
        said = warnings(log_file)
        assert any(
            w.startswith("Follow-ups/Acme/2026-11-12 ")
            and "could not be written (No space left on device)" in w
            and "free some space" in w
            for w in said
        ), said
        assert len(said) == len(set(said)), said
        big.unlink()
        wait_for(lambda: len(uids(root)) == 2, timeout=30, what="the retry to write")
        wait_for(lambda: (root / ACME_THANKS).exists())
        assert stop(process) == 0
        assert " ERROR " not in log_file.read_text(encoding="utf-8"), lines.lines
        assert lines.has("the earlier failure is resolved")


def test_watch_starts_on_a_read_only_vault_and_catches_up_when_writable(
    tmp_path: Path,
) -> None:
    """D8, D11: a read-only vault: `watch` starts (no traceback), says so in
    one line and writes once the file system is writable again."""
    with tmpfs(tmp_path / "mnt") as mnt:
        root = make_vault_at(mnt / "vault", {"Interviews/acme.md": note()})
        remount(mnt, "ro")
        log_file = tmp_path / "watch.log"
        process, lines = watch_process(root, "--log-file", str(log_file), verbose=True)
        lines.wait("watching")
        lines.wait("retrying")
        assert process.poll() is None
        assert not lines.has("Traceback"), lines.lines
        said = warnings(log_file)
        assert any("(Read-only file system)" in w and "make it writable" in w for w in said), said
        assert len(said) == len(set(said)), said
        remount(mnt, "rw")
        wait_for(lambda: len(uids(root)) == 2, timeout=30, what="the retry to write")
        assert stop(process) == 0


def test_a_pass_failed_on_a_full_disk_is_retried_without_a_further_save(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """D11: a note edited while the disk is full: once space is freed the
    outputs follow, with no further save and long before the rescan."""
    caplog.set_level(logging.INFO, logger="vaultfollow")
    with tmpfs(tmp_path / "mnt") as mnt:
        root = make_vault_at(mnt / "vault", {"Interviews/acme.md": note()})
        draft = root / ACME_THANKS
        with watching(root, rescan_interval=600.0) as watcher:
            settle(watcher)
            assert "the roadmap" in draft.read_text(encoding="utf-8")
            big = fill(mnt)
            edit_in_place(root / "Interviews/acme.md", "roadmap", "runways")
            wait_for(
                lambda: any("could not be written" in m for m in caplog.messages),
                what="the failed pass",
            )
            big.unlink()
            wait_for(
                lambda: "the runways" in draft.read_text(encoding="utf-8"),
                timeout=30,
                what="the retry",
            )


# --- D10: the empty-note grace ------------------------------------------------


def truncate_pause_write(path: Path, pause: float, root: Path) -> list[set[str]]:
    """Save `path` as some editors do: truncate, pause, write. Returns the
    calendar's event ids seen during the pause."""
    text = path.read_text(encoding="utf-8")
    seen: list[set[str]] = []
    with path.open("r+", encoding="utf-8") as handle:
        handle.truncate(0)
        handle.flush()
        deadline = time.monotonic() + pause
        while time.monotonic() < deadline:  # the pause is the situation under test
            seen.append(uids(root))
            time.sleep(0.05)
        handle.write(text)
    return seen


def test_a_second_short_truncate_save_keeps_the_notes_follow_ups(
    make_vault: VaultFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """D10: the empty-note grace starts afresh at each save: a short
    truncate-pause-write save a while after another never drops the note."""
    root = make_vault({"Interviews/acme.md": note()})
    caplog.set_level(logging.WARNING, logger="vaultfollow")
    target = root / "Interviews/acme.md"
    with watching(root, debounce=0.05) as watcher:
        settle(watcher)
        expected = uids(root)
        first = truncate_pause_write(target, 0.6, root)
        settle(watcher)
        time.sleep(EMPTY_GRACE + 0.5)  # longer than the grace since the first save
        second = truncate_pause_write(target, 1.0, root)
        settle(watcher)
        assert uids(root) == expected
    assert all(s == expected for s in first + second), "the note's events vanished"
    assert not [m for m in caplog.messages if "acme" in m.lower()], caplog.messages


# --- D12: a note saved without pause -----------------------------------------


def test_a_note_saved_again_and_again_does_not_hold_up_other_notes(
    make_vault: VaultFactory,
) -> None:
    """D12: a file saved every 100 ms (a logger, a plugin, a long download)
    never starves the passes for other notes: the debounce has a maximum wait."""
    root = make_vault({"Interviews/acme.md": note()})
    draft = root / ACME_THANKS
    done = threading.Event()

    def tick() -> None:
        count = 0
        while not done.wait(0.1):
            count += 1
            (root / "ticker.md").write_text(f"tick {count}\n", encoding="utf-8")

    with watching(root, debounce=0.3) as watcher:
        settle(watcher)
        ticker = threading.Thread(target=tick, name="ticker")
        ticker.start()
        try:
            time.sleep(0.5)  # the ticker is going
            edit_in_place(root / "Interviews/acme.md", "roadmap", "runways")
            wait_for(
                lambda: "the runways" in draft.read_text(encoding="utf-8"),
                timeout=10,
                what="the edit to reach the draft while the ticker runs",
            )
        finally:
            done.set()
            ticker.join()


# --- D16: polling --------------------------------------------------------------


def test_polling_uses_the_poll_interval_given(make_vault: VaultFactory) -> None:
    """D16: `--poll-interval` sets how often polling looks; the default when
    polling is longer than a second; `--help` documents it."""
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root, polling=True, poll_interval=0.3) as watcher:
        assert watcher.observer is not None and watcher.observer.timeout == 0.3
        (root / "Interviews/globex.md").write_text(note("Globex"), encoding="utf-8")
        wait_for(lambda: len(uids(root)) == 4, what="polling to see Globex")
    process, lines = watch_process(root, "--polling", "--poll-interval", "2s")
    lines.wait("watching")
    assert lines.has("polling every 2 s"), lines.lines
    assert stop(process) == 0
    process, lines = watch_process(root, "--polling")
    lines.wait("watching")
    assert lines.has("polling every 10 s"), lines.lines
    assert stop(process) == 0
    help_text = subprocess.run(
        [sys.executable, "-m", "vaultfollow", "watch", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--poll-interval" in help_text
    bad = subprocess.run(
        [sys.executable, "-m", "vaultfollow", "watch", str(root), "--poll-interval", "0s"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--poll-interval" in bad.stderr, bad.stderr


def test_polling_skips_hidden_folders(make_vault: VaultFactory) -> None:
    """D16: polling does not look into hidden folders (`.git`, `.trash`, our
    own `.vaultfollow`), whose files never count; `.obsidian` settings do."""
    root = make_vault({"Interviews/acme.md": note()})
    with watching(root, polling=True, poll_interval=0.2) as watcher:
        settle(watcher)
        emitter = next(iter(watcher.observer.emitters)) if watcher.observer else None
        assert emitter is not None
        (root / ".git/objects").mkdir(parents=True)
        (root / ".git/objects/ab.md").write_text(note("Hidden"), encoding="utf-8")
        (root / "Interviews/globex.md").write_text(note("Globex"), encoding="utf-8")
        wait_for(lambda: len(uids(root)) == 4, what="polling to see Globex")
        looked_at = emitter._known  # what the poller stats at each look
        assert f"{root}/Interviews/globex.md" in looked_at
        assert f"{root}/vaultfollow.toml" in looked_at
        assert not [p for p in looked_at if "/.git" in p or "/.vaultfollow" in p], looked_at
