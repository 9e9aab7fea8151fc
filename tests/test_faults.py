"""Faults around a pass: crashes, full disks, read-only vaults, clock jumps,
two machines. (kill -9 of a running watcher: test_watch.py::
test_kill_9_mid_pass_leaves_whole_files_and_a_restart_converges; the vault
folder removed and restored: test_watch.py::test_vault_folder_removed_and_restored.)
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import VaultFactory, at, wait_for
from test_watch import Clock, note, settle, watching
from vaultfollow.app import engine as engine_module
from vaultfollow.app.engine import sync
from vaultfollow.cli import main
from vaultfollow.core.draftfile import is_edited
from vaultfollow.store import vault as vault_module

NOW = at("2026-11-12 10:00")


def outputs(root: Path) -> dict[str, bytes]:
    folder = root / "Follow-ups"
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def thank_you(root: Path) -> Path:
    (path,) = (root / "Follow-ups/Acme").glob("*thank-you*.md")
    return path


def test_cut_off_or_empty_drafts_are_rewritten_edited_ones_kept(make_vault: VaultFactory) -> None:
    root = make_vault({f"Interviews/{c}.md": note(c) for c in ("Acme", "Globex", "Hooli", "Umbr")})
    sync(root, NOW)
    good = outputs(root)
    drafts = sorted(p for p in (root / "Follow-ups").rglob("*thank-you*.md"))
    empty, cut, zeros, edited = drafts
    empty.write_bytes(b"")
    cut.write_bytes(good[cut.relative_to(root).as_posix()][:70])  # inside the front matter
    zeros.write_bytes(b"\x00" * 300)  # what some file systems leave after a crash
    edited.write_text(edited.read_text("utf-8") + "P.S. my own words\n", "utf-8")
    assert not is_edited(cut.read_text("utf-8")) and not is_edited("")
    for path in (empty, cut, zeros):  # left so past the grace an editor gets (D3)
        os.utime(path, (time.time() - 60, time.time() - 60))
    report = sync(root, NOW)
    assert sorted(report.updated) == sorted(
        p.relative_to(root).as_posix() for p in (empty, cut, zeros)
    )
    assert report.kept == [edited.relative_to(root).as_posix()]
    for path in (empty, cut, zeros):
        assert path.read_bytes() == good[path.relative_to(root).as_posix()]
    assert edited.read_text("utf-8").endswith("P.S. my own words\n")


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make every write vaultfollow starts fail with ENOSPC until `.off()`:
    half of the bytes land, then the disk is full."""
    real = vault_module._write_all

    class Switch:
        on = True

        def off(self) -> None:
            self.on = False

    switch = Switch()

    def write_all(fd: int, data: bytes) -> None:
        if not switch.on:
            return real(fd, data)
        real(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(vault_module, "_write_all", write_all)
    return switch


def test_disk_full_keeps_old_files_reports_and_retries(
    make_vault: VaultFactory, full_disk: Any
) -> None:
    full_disk.off()
    root = make_vault({"Interviews/acme.md": note(people="[Jane Doe, Raj Patel]")})
    sync(root, NOW)
    before = outputs(root)
    (root / "Interviews/acme.md").write_text(note(people="[Jane Doe, Raj Patel, Li Wei]"), "utf-8")
    full_disk.on = True
    result = CliRunner().invoke(main, ["sync", "--now", NOW.isoformat(), str(root)])
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert "the previous file is unchanged" in result.stderr
    assert outputs(root) == before  # no half-written file, no temp file left
    full_disk.off()
    report = sync(root, NOW)  # the next pass does what the failed one could not
    assert any("Li Wei" in p for p in report.created)
    assert outputs(root) != before


def test_disk_full_in_the_watcher_is_logged_and_retried(
    make_vault: VaultFactory, full_disk: Any, caplog: pytest.LogCaptureFixture
) -> None:
    full_disk.off()
    root = make_vault({"Interviews/acme.md": note()})
    caplog.set_level(logging.INFO, logger="vaultfollow")
    with watching(root) as watcher:
        settle(watcher)
        full_disk.on = True
        (root / "Interviews/globex.md").write_text(note("Globex"), "utf-8")
        # Said plainly in one line (no traceback): what failed, and what to do.
        wait_for(
            lambda: any("No space left" in m and "free some space" in m for m in caplog.messages)
        )
        assert not list((root / "Follow-ups").rglob("*Globex*/*.md"))
        full_disk.off()
        (root / "Interviews/hooli.md").write_text(note("Hooli"), "utf-8")
        wait_for(lambda: list((root / "Follow-ups/Globex").glob("*.md")), what="the retry")
        settle(watcher)


def test_read_only_vault_reports_and_writes_nothing(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chmod -w stops no one running as root (as these tests may), so when it
    does not bite, the PermissionError is injected where the temp file is made."""
    root = make_vault({"Interviews/acme.md": note()})
    sync(root, NOW)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    (root / "Interviews/acme.md").write_text(note(people="[Jane Doe, Li Wei]"), "utf-8")
    before[root / "Interviews/acme.md"] = (root / "Interviews/acme.md").read_bytes()
    folders = [p for p in root.rglob("*") if p.is_dir()] + [root]
    for folder in folders:
        folder.chmod(0o555)
    try:
        if os.access(root / "Follow-ups", os.W_OK):

            def refuse(*args: Any, **kwargs: Any) -> Any:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

            monkeypatch.setattr(vault_module, "_temp_file", refuse)
        report = sync(root, NOW)  # every file is said, none stops the pass (D9)
        assert report.failed
        assert all(
            "write permission" in p.message for p in report.problems if p.path in report.failed
        )
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_clock_jumping_forward_and_back(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    clock = Clock(at("2026-11-12 12:00"))
    dashboard = root / "Follow-ups/Follow-ups.md"

    def as_of(day: str) -> bool:
        return f"as_of: {day}" in dashboard.read_text("utf-8")

    with watching(root, clock=clock) as watcher:
        assert as_of("2026-11-12")
        clock.jump = timedelta(days=1)  # suspend and resume, or a wrong clock fixed by NTP
        wait_for(lambda: as_of("2026-11-13"), what="the jump forward")
        clock.jump = timedelta(days=-1)  # and back past the start
        (root / "Interviews/globex.md").write_text(note("Globex"), "utf-8")
        wait_for(lambda: as_of("2026-11-11"), what="the jump back")
        assert (root / "Follow-ups/Globex").is_dir()
        settle(watcher)


def test_midnight_refresh_after_the_clock_jumped_back(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    clock = Clock(at("2026-11-12 12:00"))
    dashboard = root / "Follow-ups/Follow-ups.md"
    with watching(root, clock=clock):
        clock.jump = timedelta(days=1)
        wait_for(lambda: "as_of: 2026-11-13" in dashboard.read_text("utf-8"))
        clock.jump = timedelta(0)
        clock.jump = at("2026-11-12 23:59:58") - clock()  # back, two seconds before midnight
        (root / "Interviews/globex.md").write_text(note("Globex"), "utf-8")
        wait_for(lambda: "as_of: 2026-11-12" in dashboard.read_text("utf-8"))
        wait_for(lambda: "as_of: 2026-11-13" in dashboard.read_text("utf-8"), timeout=4)


def test_two_machines_syncing_one_vault(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two copies kept in step by a sync service, each with its own
    vaultfollow: every shared output is byte-identical, so the service never
    sees two versions of a file, and a copy that arrives changes nothing."""
    notes = {"Interviews/acme.md": note(), "Interviews/globex.md": note("Globex")}
    laptop = make_vault(notes, name="vault")
    desktop_parent = tmp_path / "desktop"
    desktop_parent.mkdir()
    desktop = Path(shutil.copytree(laptop, desktop_parent / "vault"))  # same folder name

    def run(root: Path, host: str) -> Any:
        monkeypatch.setattr(engine_module, "CACHE_FILE", f".vaultfollow/cache-{host}.json")
        return sync(root, NOW)

    def shared(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and "/cache-" not in p.as_posix()
        }

    run(laptop, "laptop")
    run(desktop, "desktop")
    assert shared(laptop) == shared(desktop)
    # The user edits a note on the laptop; the service copies it over.
    (laptop / "Interviews/hooli.md").write_text(note("Hooli"), "utf-8")
    run(laptop, "laptop")
    for rel, data in shared(laptop).items():
        target = desktop / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    report = run(desktop, "desktop")
    assert report.created == [] and report.updated == [] and report.outputs == []
    assert shared(laptop) == shared(desktop)
    names = [p.name for p in desktop.rglob("*")]
    assert not [n for n in names if "conflict" in n or n.endswith(".vaultfollow-tmp")]


# --- batched writes -------------------------------------------------------------


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".vaultfollow-tmp")]


def test_a_pass_flushes_its_drafts_to_disk_once(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many new drafts: written to temporary files, one syncfs, then renamed;
    no per-file fsync (the folders' own fsyncs make the renames durable)."""
    flushes: list[str] = []
    fsynced: list[str] = []
    real_syncfs, real_fsync = vault_module._syncfs, os.fsync

    def syncfs(path: str) -> None:
        flushes.append(path)
        real_syncfs(path)

    def fsync(fd: int) -> None:
        fsynced.append("folder" if os.path.isdir(f"/proc/self/fd/{fd}") else "file")
        real_fsync(fd)

    monkeypatch.setattr(vault_module, "_syncfs", syncfs)
    monkeypatch.setattr(vault_module.os, "fsync", fsync)
    root = make_vault({f"Interviews/{c}.md": note(c) for c in ("Acme", "Globex", "Hooli")})
    report = sync(root, NOW)
    assert len(report.created) >= 6
    assert flushes == [str(root)]
    # Single writes: the calendar, the dashboard, the state file and the cache.
    assert fsynced.count("file") == 4
    assert all(p.read_bytes() for p in (root / "Follow-ups").rglob("*.md"))
    assert temp_files(root) == []


def test_a_file_that_fails_in_a_batch_stops_no_other(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file of a batch is written or left whole on its own (D9)."""
    root = make_vault({"Interviews/acme.md": note()})
    vault = vault_module.Vault(root)
    owned = ["Follow-ups"]
    old = {f"Follow-ups/{n}.md": f"old {n}\n".encode() for n in "abcd"}
    for rel, data in old.items():
        vault.write(rel, data, owned)
    new = [(rel, data.replace(b"old", b"new"), vault_module.always) for rel, data in old.items()]
    # Staging fails on the third file (disk full): the others are renamed.
    real_temp_file = vault_module._temp_file
    calls = 0

    def temp_file(target: Path) -> tuple[int, str]:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_temp_file(target)

    monkeypatch.setattr(vault_module, "_temp_file", temp_file)
    done = vault.write_many(new, owned)
    assert [str(e) for e in done.failed] == [
        "Follow-ups/c.md: could not be written (No space left on device); the previous "
        "file is unchanged; free some space, and vaultfollow writes it at the next pass"
    ]
    assert done.written == ["Follow-ups/a.md", "Follow-ups/b.md", "Follow-ups/d.md"]
    assert vault.read_bytes("Follow-ups/c.md") == b"old c\n"
    assert temp_files(root) == []
    monkeypatch.undo()
    for rel, data in old.items():
        vault.write(rel, data, owned)
    # A rename fails on the second file: only that one is old.
    real_replace = os.replace
    renames = 0

    def replace(src: str, dst: Any) -> None:
        nonlocal renames
        renames += 1
        if renames == 2:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)

    monkeypatch.setattr(vault_module.os, "replace", replace)
    done = vault.write_many(new, owned)
    assert [e.rel for e in done.failed] == ["Follow-ups/b.md"]
    assert [vault.read_bytes(rel) for rel in old] == [
        b"new a\n",
        b"old b\n",
        b"new c\n",
        b"new d\n",
    ]
    assert temp_files(root) == []
    monkeypatch.undo()
    # Unchanged files are not rewritten; the rest are.
    assert vault.write_many(new, owned).written == ["Follow-ups/b.md"]


def test_a_new_file_whose_path_became_a_link_is_not_written(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    vault = vault_module.Vault(root)
    owned = ["Follow-ups"]
    outside = tmp_path / "outside.md"
    outside.write_bytes(b"mine\n")
    (root / "Follow-ups/A").mkdir(parents=True)
    (root / "Follow-ups/A/new.md").symlink_to(outside)
    done = vault.write_many(
        [("Follow-ups/A/new.md", b"new\n", None), ("Follow-ups/A/other.md", b"x\n", None)],
        owned,
    )
    assert [str(e) for e in done.failed] == ["Follow-ups/A/new.md: is a symbolic link; not written"]
    assert done.written == ["Follow-ups/A/other.md"]
    assert outside.read_bytes() == b"mine\n"
    assert temp_files(root) == []


def test_the_folders_of_many_drafts_are_made_durable_with_one_flush(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One folder per company: past a few folders, their renames are made
    durable by one syncfs of the file system, not by an fsync of each."""
    flushes: list[str] = []
    folders_fsynced: list[str] = []
    real_syncfs, real_fsync = vault_module._syncfs, os.fsync

    def syncfs(path: str) -> None:
        flushes.append(path)
        real_syncfs(path)

    def fsync(fd: int) -> None:
        path = os.readlink(f"/proc/self/fd/{fd}")
        if os.path.isdir(path):
            folders_fsynced.append(path)
        real_fsync(fd)

    monkeypatch.setattr(vault_module, "_syncfs", syncfs)
    monkeypatch.setattr(vault_module.os, "fsync", fsync)
    companies = [f"Company{n}" for n in range(vault_module._FEW_FOLDERS + 2)]
    root = make_vault({f"Interviews/{c}.md": note(c) for c in companies})
    sync(root, NOW)
    drafts = root / "Follow-ups"
    folders = {p.parent for p in drafts.rglob("*.md")} - {drafts}
    assert len(folders) == len(companies)
    assert flushes[0] == str(root)  # the drafts' contents, before their renames
    assert len(flushes) == 2  # then the renames in all their folders
    assert not any(Path(path) in folders for path in folders_fsynced)
