"""The trust rules under real faults (issue 14; ../shared/research/faults.md):
nothing vaultfollow did not write is ever replaced, a draft saved while a
pass runs keeps the user's bytes, what the user decided survives deleting
`.vaultfollow/`, and one unwritable path stops no other output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import VaultFactory, at, wait_for
from test_watch import note, settle, watching
from vaultfollow.app.engine import sync
from vaultfollow.cli import main

NOW = at("2026-11-12 10:00")
DECISIONS = "Follow-ups/vaultfollow-state.json"
THANKS = "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md"


def run_sync(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`vaultfollow sync` as its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "vaultfollow", "sync", "--now", NOW.isoformat(), *args, str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- D1: a user's own file at an output path ---------------------------------


def test_a_users_own_dashboard_and_calendar_are_never_overwritten(
    make_vault: VaultFactory,
) -> None:
    """D1: `Follow-ups/Follow-ups.md` and `followups.ics` that the user wrote
    are left alone and reported with what to do; the drafts are written."""
    root = make_vault({"Interviews/acme.md": note()})
    mine = root / "Follow-ups/Follow-ups.md"
    ics = root / "Follow-ups/followups.ics"
    mine.parent.mkdir()
    mine.write_text("# My list\n- call Jane\n", encoding="utf-8")
    ics.write_text("BEGIN:VCALENDAR\nPRODID:-//me//by hand//EN\nEND:VCALENDAR\n", encoding="utf-8")
    before = mine.read_bytes(), ics.read_bytes()
    result = run_sync(root)
    assert (mine.read_bytes(), ics.read_bytes()) == before
    assert result.returncode == 1, result.stderr
    assert "Follow-ups/Follow-ups.md: is not a file vaultfollow wrote" in result.stderr
    assert "[drafts] folder" in result.stderr
    assert "Follow-ups/followups.ics: is not a file vaultfollow wrote" in result.stderr
    assert "[calendar] path" in result.stderr
    assert (root / THANKS).is_file()
    # And again: still left alone, still said.
    assert run_sync(root).returncode == 1
    assert (mine.read_bytes(), ics.read_bytes()) == before


def test_outputs_vaultfollow_wrote_are_still_its_own_without_the_cache(
    make_vault: VaultFactory,
) -> None:
    """D1's other side: with `.vaultfollow/` deleted, the calendar and the
    dashboard are known as vaultfollow's by what they say, and kept true."""
    root = make_vault({"Interviews/acme.md": note()})
    sync(root, NOW)
    for path in (root / ".vaultfollow").iterdir():
        path.unlink()
    (root / "Interviews/globex.md").write_text(note("Globex"), encoding="utf-8")
    report = sync(root, NOW)
    assert not report.problems
    assert "Globex" in (root / "Follow-ups/followups.ics").read_text("utf-8")
    assert "Globex" in (root / "Follow-ups/Follow-ups.md").read_text("utf-8")


def test_a_file_that_appears_at_a_new_drafts_path_is_not_replaced(
    make_vault: VaultFactory,
) -> None:
    """D1 for drafts: a new draft is created only where no file is."""
    root = make_vault({"Interviews/acme.md": note()})
    mine = root / THANKS
    mine.parent.mkdir(parents=True)
    mine.write_text("my own thank-you, written by hand\n", encoding="utf-8")
    sync(root, NOW)
    assert mine.read_text("utf-8") == "my own thank-you, written by hand\n"


# --- D2: a draft saved while a pass runs ------------------------------------

# A thank-you template that takes seconds to render: the window in which the
# user saves the draft while the pass that will write it is running.
SLOW_TEMPLATE = (
    "Subject: Thank you\n\n"
    "{% for a in range(N) %}{% for b in range(N) %}{% endfor %}{% endfor %}"
    "Dear {{ recipient.name }}, thank you for {{ points[0] if points else role }}.\n"
)


def slow_vault(make_vault: VaultFactory, loops: int = 8000, name: str = "vault") -> Path:
    root = make_vault(
        {
            "Interviews/acme.md": note(),
            "Templates/vaultfollow/thank-you-formal.md": SLOW_TEMPLATE.replace("N", str(loops)),
        },
        name=name,
    )
    sync(root, NOW)
    return root


@pytest.mark.parametrize("save", ["an edit", "a sent mark"])
def test_a_draft_saved_while_a_pass_runs_is_kept(make_vault: VaultFactory, save: str) -> None:
    """D2: the note changes, a pass starts rendering the draft anew, and the
    user saves the draft meanwhile: the pass must not replace the user's
    bytes (it checks the file just before the rename). On a loaded machine
    the save may land before the pass reads the draft, and then nothing
    raced: that attempt proves nothing, and the scenario runs again."""
    for attempt in range(4):
        raced, mine, text = _save_while_a_pass_renders(make_vault, save, f"vault-{attempt}")
        if raced:
            assert text == mine
            assert "new roadmap" not in text
            return
    pytest.fail("in four attempts the pass never ran past the save: nothing raced")


def _save_while_a_pass_renders(
    make_vault: VaultFactory, save: str, name: str
) -> tuple[bool, str, str]:
    """(whether the pass went on past the save, the user's bytes, the draft's
    bytes after the pass)."""
    root = slow_vault(make_vault, loops=11000, name=name)
    draft = root / THANKS
    (root / "Interviews/acme.md").write_text(
        note().replace("the roadmap", "the new roadmap"), encoding="utf-8"
    )
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "vaultfollow", "sync", "--now", NOW.isoformat(), str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.5)  # the pass has read the draft and is rendering it
        text = draft.read_text("utf-8")
        if save == "an edit":
            mine = text + "P.S. my own words\n"
        else:
            mine = text.replace("status: draft", "status: sent", 1)
        draft.write_text(mine, encoding="utf-8")
        saved_at = time.monotonic() - started
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    took = time.monotonic() - started
    assert process.returncode in (0, 1), err
    return took > saved_at + 0.5, mine, draft.read_text("utf-8")


def test_a_draft_saved_while_the_watcher_renders_is_kept(make_vault: VaultFactory) -> None:
    """D2 under `watch`: the save is kept, and the follow-up counts as edited."""
    root = slow_vault(make_vault, loops=6000)
    draft = root / THANKS
    with watching(root) as watcher:
        settle(watcher)
        passes = watcher.passes
        (root / "Interviews/acme.md").write_text(
            note().replace("the roadmap", "the new roadmap"), encoding="utf-8"
        )
        time.sleep(0.6)  # debounce, then the pass renders for a few seconds
        mine = draft.read_text("utf-8") + "P.S. my own words\n"
        draft.write_text(mine, encoding="utf-8")
        wait_for(lambda: watcher.passes > passes, timeout=60, what="the pass")
        settle(watcher, quiet=1.0)
        assert draft.read_text("utf-8") == mine


# --- D3: truncate, pause, write ----------------------------------------------


def test_a_draft_saved_as_truncate_pause_write_keeps_the_edit(make_vault: VaultFactory) -> None:
    """D3: an editor that empties the file, waits, then writes: the empty
    draft is the user's during the grace period, not a crash to repair."""
    root = make_vault({"Interviews/acme.md": note()})
    draft = root / THANKS
    with watching(root) as watcher:
        settle(watcher)
        mine = draft.read_text("utf-8") + "P.S. mine\n"
        with draft.open("r+", encoding="utf-8") as handle:
            handle.truncate(0)
            handle.flush()
            time.sleep(1.0)
            handle.write(mine)
        settle(watcher, quiet=1.0)
        assert draft.read_text("utf-8") == mine


def test_a_draft_left_empty_is_written_again_after_the_grace(make_vault: VaultFactory) -> None:
    """D3's other side: a draft that stays empty (a crash cut it) is repaired."""
    root = make_vault({"Interviews/acme.md": note()})
    draft = root / THANKS
    with watching(root) as watcher:
        settle(watcher)
        good = draft.read_bytes()
        draft.write_bytes(b"")
        wait_for(lambda: draft.read_bytes() == good, timeout=15, what="the repair")


def test_sync_leaves_a_draft_emptied_just_now(make_vault: VaultFactory) -> None:
    """D3 for `sync`: an empty draft younger than the grace is left as it is."""
    root = make_vault({"Interviews/acme.md": note()})
    sync(root, NOW)
    draft = root / THANKS
    good = draft.read_bytes()
    draft.write_bytes(b"")
    sync(root, NOW)
    assert draft.read_bytes() == b""
    old = time.time() - 60
    os.utime(draft, (old, old))
    sync(root, NOW)
    assert draft.read_bytes() == good


# --- D4: what the user decided survives deleting .vaultfollow/ --------------


def test_dismissals_and_first_seen_dates_survive_deleting_the_state_folder(
    make_vault: VaultFactory,
) -> None:
    """D4: a deleted draft stays dismissed, and a `status: sent` without a
    date keeps the day it was first seen, after `rm -rf .vaultfollow`."""
    root = make_vault({"Interviews/acme.md": note(people="[Jane Doe, Raj Patel]")})
    sync(root, NOW)
    dismissed = root / THANKS
    dismissed.unlink()
    sent = root / "Follow-ups/Acme/2026-11-12 thank-you - Raj Patel.md"
    sent.write_text(
        sent.read_text("utf-8").replace("status: draft", "status: sent", 1), encoding="utf-8"
    )
    first = sync(root, NOW)
    (raj,) = [f for f in first.plan.followups if f.recipient.name == "Raj Patel" and f.sent]
    assert raj.sent == NOW.date()
    for path in sorted((root / ".vaultfollow").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (root / ".vaultfollow").rmdir()
    later = at("2026-11-14 10:00")
    report = sync(root, later)
    assert not dismissed.exists()
    assert not report.created
    (raj,) = [f for f in report.plan.followups if f.recipient.name == "Raj Patel" and f.sent]
    assert raj.sent == NOW.date()  # not the day the state was lost
    assert "Thank-you: Jane Doe" not in (root / "Follow-ups/followups.ics").read_text("utf-8")


def test_the_state_of_vaultfollow_0_1_is_taken_over(make_vault: VaultFactory) -> None:
    """D4: a vault synced by 0.1 kept its decisions in `.vaultfollow/state.json`:
    they are read when the decisions file is not there yet, then kept there."""
    root = make_vault({"Interviews/acme.md": note()})
    report = sync(root, NOW)
    dismissed = root / THANKS
    decisions = root / DECISIONS
    drafted = json.loads(decisions.read_text("utf-8"))["drafted"]
    legacy = {"version": 1, "first_seen": {}, "created": drafted}
    (root / ".vaultfollow/state.json").write_text(json.dumps(legacy), encoding="utf-8")
    decisions.unlink()
    dismissed.unlink()
    report = sync(root, NOW)
    assert not dismissed.exists() and not report.created
    assert json.loads(decisions.read_text("utf-8"))["drafted"] == drafted


def test_the_decisions_file_is_merged_never_clobbered(make_vault: VaultFactory) -> None:
    """D4: two machines write the decisions file in turn (and a sync service
    leaves a conflict copy): what each one decided is kept."""
    root = make_vault({"Interviews/acme.md": note()})
    decisions = root / DECISIONS
    other = {
        "format": 1,
        "drafted": {"other-machine-id": "Follow-ups/Else/x.md"},
        "first_seen": {"sent:other-machine-id": "2026-10-01"},
    }
    decisions.parent.mkdir(parents=True, exist_ok=True)
    decisions.write_text(json.dumps(other), encoding="utf-8")
    copy = decisions.with_name(decisions.stem + ".sync-conflict-20261111-101010-ABCDEFG.json")
    copy.write_text(
        json.dumps({"format": 1, "drafted": {}, "first_seen": {"outcome:x:offer": "2026-09-09"}}),
        encoding="utf-8",
    )
    sync(root, NOW)
    data = json.loads(decisions.read_text("utf-8"))
    assert data["drafted"]["other-machine-id"] == "Follow-ups/Else/x.md"
    assert data["first_seen"]["sent:other-machine-id"] == "2026-10-01"
    assert data["first_seen"]["outcome:x:offer"] == "2026-09-09"
    assert any(path.startswith("Follow-ups/Acme/") for path in data["drafted"].values())
    assert copy.exists()  # not ours to delete


def test_a_users_file_at_the_decisions_path_is_left_alone(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": note()})
    mine = root / DECISIONS
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_text('{"my": "own file"}\n', encoding="utf-8")
    report = sync(root, NOW)
    assert mine.read_text("utf-8") == '{"my": "own file"}\n'
    assert any(p.path == DECISIONS for p in report.problems)


# --- D9: one unwritable path ------------------------------------------------


def test_one_unwritable_draft_path_stops_no_other_output(make_vault: VaultFactory) -> None:
    """D9: a file where a company's folder should be: that company's drafts
    are reported, every other draft, the calendar and the dashboard written."""
    root = make_vault({"Interviews/acme.md": note(), "Interviews/globex.md": note("Globex")})
    (root / "Follow-ups").mkdir()
    (root / "Follow-ups/Acme").write_text("a file, not a folder\n", encoding="utf-8")
    result = run_sync(root)
    assert result.returncode == 1
    assert "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md: could not be written" in (
        result.stderr
    )
    assert list((root / "Follow-ups/Globex").glob("*.md"))
    assert "Globex" in (root / "Follow-ups/followups.ics").read_text("utf-8")
    dashboard = (root / "Follow-ups/Follow-ups.md").read_text("utf-8")
    assert "could not be written" in dashboard
    assert (root / "Follow-ups/Acme").read_text("utf-8") == "a file, not a folder\n"
    # Fixed by the user: the next pass writes what could not be written.
    (root / "Follow-ups/Acme").unlink()
    assert run_sync(root).returncode == 0
    assert (root / THANKS).is_file()


# --- D13: temp files of a killed sync ----------------------------------------

KILL_AT_THIRD_RENAME = textwrap.dedent(
    """
    import os, signal, sys
    real = os.replace
    count = [0]
    def replace(a, b):
        count[0] += 1
        if count[0] == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(a, b)
    os.replace = replace
    from vaultfollow.cli import main
    sys.argv = ["vaultfollow", "sync", "--now", sys.argv[2], sys.argv[1]]
    main()
    """
)


def test_sync_removes_the_temp_files_a_killed_sync_left(make_vault: VaultFactory) -> None:
    """D13: kill -9 in the middle of a pass's renames, then `sync` again: no
    `*.vaultfollow-tmp` file is left (a young one may be another pass's)."""
    root = make_vault({f"Interviews/{c}.md": note(c) for c in ("Acme", "Globex", "Hooli")})
    run_sync(root)
    config = root / "vaultfollow.toml"
    config.write_text(config.read_text("utf-8") + '[you]\nname = "Alex Sample"\n', "utf-8")
    killed = subprocess.run(
        [sys.executable, "-c", KILL_AT_THIRD_RENAME, str(root), NOW.isoformat()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    left = list(root.rglob("*.vaultfollow-tmp"))
    assert left, "the kill came too late to leave temp files"
    old = time.time() - 120
    for path in left:
        os.utime(path, (old, old))
    young = root / "Follow-ups/.another-pass.md.x.vaultfollow-tmp"
    young.write_bytes(b"being written right now")
    result = run_sync(root)
    assert result.returncode == 0, result.stderr
    assert list(root.rglob("*.vaultfollow-tmp")) == [young]


def test_check_and_due_answer_without_writing(make_vault: VaultFactory) -> None:
    """The guards change nothing for commands that only read."""
    root = make_vault({"Interviews/acme.md": note()})
    sync(root, NOW)
    result = CliRunner().invoke(main, ["due", "--now", NOW.isoformat(), str(root)])
    assert result.exit_code == 0, result.output
    assert "Jane Doe" in result.output


def test_a_drafts_folder_over_obsidians_templates_folder_is_refused(
    make_vault: VaultFactory,
) -> None:
    """D14 for the templates folder Obsidian's own settings name: exit 2
    naming the key and the setting, nothing written."""
    root = make_vault(
        {
            "Interviews/acme.md": note(),
            ".obsidian/templates.json": '{"folder": "Follow-ups/Templates"}',
        }
    )
    result = run_sync(root)
    assert result.returncode == 2, result.stderr
    assert "[drafts] folder" in result.stderr and "Follow-ups/Templates" in result.stderr
    assert not (root / "Follow-ups").exists()


def test_a_draft_replaced_by_a_link_to_outside_is_not_read(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """D15 for drafts, under `watch`: a draft that becomes a link to a file
    outside the vault is not read (it counts as gone), and never written."""
    root = make_vault({"Interviews/acme.md": note()})
    outside = tmp_path / "outside.md"
    draft = root / THANKS
    with watching(root) as watcher:
        settle(watcher)
        outside.write_text(draft.read_text("utf-8").replace("status: draft", "status: sent"))
        draft.unlink()
        draft.symlink_to(outside)
        settle(watcher, quiet=1.0)
        (thanks,) = [f for f in watcher.engine.plan(NOW)[0].followups if f.draft_path == THANKS]
        assert thanks.state.value == "dismissed"
    assert "status: sent" in outside.read_text("utf-8")


def test_a_full_disk_is_said_in_one_line_and_nothing_is_half_written(tmp_path: Path) -> None:
    """D8/D9 for `sync` on a real full tmpfs: every file fails alike, so
    one line says it (the first file, and how many more); no file is left
    half written, no temp file stays; with space freed, everything is written."""
    from test_watch_faults import fill, make_vault_at, tmpfs

    with tmpfs(tmp_path / "mnt") as mnt:
        root = make_vault_at(
            mnt / "vault", {f"Interviews/{c}.md": note(c) for c in ("Acme", "Globex")}
        )
        big = fill(mnt)
        result = run_sync(root)
        assert result.returncode == 1, result.stderr
        said = [line for line in result.stderr.splitlines() if "No space left" in line]
        assert len(said) == 1, result.stderr
        assert "free some space" in said[0] and "more files)" in said[0]
        assert not list(root.rglob("*.vaultfollow-tmp"))
        assert all(p.stat().st_size for p in root.rglob("*.md"))
        big.unlink()
        assert run_sync(root).returncode == 0
        assert (root / THANKS).is_file()
