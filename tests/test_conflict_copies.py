"""Conflict copies (issue 16, point 9): a note is a copy only when a sync
service named it so beside its original, or when it is a numbered copy
(`Name 2.md`, `Name (1).md`, `Name-HOST.md`) of a note with the same company,
role and date. Obsidian's own `Untitled 1.md` / `Research Engineer 2.md`
naming of a different note is a note like any other, and no message ever
tells the user to delete one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import VaultFactory, at
from vaultfollow.app.engine import open_engine, sync
from vaultfollow.cli import main

NOW = at("2026-11-12 10:00")

MERIDIAN = """
---
type: interview
company: Meridian Labs
role: Research Engineer
date: 2026-11-10 14:00
interviewers:
  - Ana Lucía Ortiz <ana.ortiz@meridianlabs.io>
---
## Discussed
- their eval harness – and how they version datasets
"""

# Obsidian names a second note made from the same title `Research Engineer 2`:
# another company, another day, another person.
KOBE = """
---
type: Interview
company: Kōbe Robotics
role: research engineer
date: 2026-11-11T10:30
interviewers: "[[People/Søren Kjær]]"
---
## Discussed
* grasp planning on the cheap arms
"""

# The same interview, saved on the laptop while the phone saved it too:
# the company and role in other case, the same day at another hour, one
# more interviewer written in.
MERIDIAN_EDITED = """
---
type: interview
company: meridian labs
role: Research engineer
date: 2026-11-10 14:30
interviewers:
  - Ana Lucía Ortiz <ana.ortiz@meridianlabs.io>
  - Tomás Ruiz <tomas@meridianlabs.io>
---
## Discussed
- their eval harness – and how they version datasets
- Tomás's question on data contracts
"""


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, [*args, "--now", NOW.isoformat(), str(root)], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def drafts(root: Path) -> list[str]:
    folder = root / "Follow-ups"
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*.md") if p.name != "Follow-ups.md"
    )


def dashboard(root: Path) -> str:
    return (root / "Follow-ups/Follow-ups.md").read_text(encoding="utf-8")


def test_obsidians_numbered_name_for_another_interview_is_read_as_a_note(
    make_vault: VaultFactory,
) -> None:
    root = make_vault(
        {
            "Interviews/Research Engineer.md": MERIDIAN,
            "Interviews/Research Engineer 2.md": KOBE,
        }
    )
    code, _, err = run(root, "sync")
    assert code == 0, err
    assert "copy" not in err and "copy" not in dashboard(root)
    assert [d for d in drafts(root) if "thank-you" in d] == [
        "Kōbe Robotics/2026-11-11 thank-you - Søren Kjær.md",
        "Meridian Labs/2026-11-10 thank-you - Ana Lucía Ortiz.md",
    ]


@pytest.mark.parametrize("copy", ["Research Engineer 2.md", "Research Engineer (1).md"])
def test_a_numbered_copy_of_the_same_interview_is_said_and_not_read(
    make_vault: VaultFactory, copy: str
) -> None:
    root = make_vault(
        {"Interviews/Research Engineer.md": MERIDIAN, f"Interviews/{copy}": MERIDIAN_EDITED}
    )
    report = sync(root, NOW)
    [problem] = report.problems
    assert problem.path == f"Interviews/{copy}"
    assert "copy of Interviews/Research Engineer.md" in problem.message
    assert "the same company, role and date" in problem.message
    assert "merge" in problem.message and "delete" not in problem.message.casefold()
    # Nothing of the copy is read: no draft for the person only it names.
    assert not [d for d in drafts(root) if "Tomás" in d]
    assert str(problem) in dashboard(root).replace("\\", "")
    # What to do when it is another interview the same day works as said.
    suggested = "Research Engineer - afternoon.md"
    assert f"give it a name of its own, such as `{suggested}`" in problem.message
    (root / "Interviews" / copy).rename(root / "Interviews" / suggested)
    assert sync(root, NOW).problems == []
    assert "meridian labs/2026-11-10 thank-you - Tomás Ruiz.md" in drafts(root)


def test_a_numbered_note_on_another_day_is_not_a_copy(make_vault: VaultFactory) -> None:
    """The second round of the same application, named `... 2` by Obsidian."""
    second_round = MERIDIAN_EDITED.replace("2026-11-10 14:30", "2026-11-17 09:00").replace(
        "meridian labs", "Meridian Labs"
    )
    root = make_vault(
        {
            "Interviews/Research Engineer.md": MERIDIAN,
            "Interviews/Research Engineer 2.md": second_round,
        }
    )
    report = sync(root, NOW)
    assert report.problems == []
    assert "Meridian Labs/2026-11-17 thank-you - Tomás Ruiz.md" in drafts(root)


def test_copies_of_notes_that_are_not_interviews_are_none_of_its_business(
    make_vault: VaultFactory,
) -> None:
    root = make_vault(
        {
            "Untitled.md": "",
            "Untitled 1.md": "# grocery list\n- oat milk\n",
            "Daily/2026-11-10.md": "Called Meridian back.\n",
            "Daily/2026-11-10 2.md": "Called Meridian back.\n",
            "Daily/2026-11-10 (conflicted copy 2026-11-11).md": "Called Meridian.\n",
            "Interviews/Research Engineer.md": MERIDIAN,
        }
    )
    code, _, err = run(root, "sync")
    assert code == 0, err
    assert "copy" not in dashboard(root)


SERVICE_COPIES = [
    # Dropbox: with the name of the account or machine, or without it
    "Research Engineer (Ana's conflicted copy 2026-11-11).md",
    "Research Engineer (conflicted copy 2026-11-11).md",
    "Research Engineer (MacBook-Pro's conflicted copy 2026-11-11 (1)).md",
    # Nextcloud and ownCloud desktop clients: today's pattern (with the user
    # since 3.x) and the one before
    "Research Engineer (conflicted copy 2026-11-11 101010).md",
    "Research Engineer (conflicted copy ana 2026-11-11 101010).md",
    "Research Engineer_conflict-20261111-101010.md",
    # Obsidian Sync, when set to keep conflicts as files
    "Research Engineer (Conflicted copy Pixel 8 202611111010).md",
    # Syncthing
    "Research Engineer.sync-conflict-20261111-101010-ABCDEFG.md",
    # OneDrive on Windows (default machine names) and the Linux client
    "Research Engineer-DESKTOP-7Q2K9LM.md",
    "Research Engineer-LAPTOP-H3J8P0Q-1.md",
    "Research Engineer-thinkpad-safeBackup-0001.md",
    # Seafile
    "Research Engineer (SFConflict ana@example.com 2026-11-11-10-10-10).md",
    # rclone bisync
    "Research Engineer.conflict1.md",
]


@pytest.mark.parametrize("copy", SERVICE_COPIES)
def test_a_copy_a_sync_service_named_is_said_whatever_it_holds(
    make_vault: VaultFactory, copy: str
) -> None:
    # The copy a sync service keeps may hold any older or newer edit: here
    # even the date differs, and it is still the same note.
    moved = MERIDIAN_EDITED.replace("2026-11-10 14:30", "2026-11-09 11:00")
    root = make_vault({"Interviews/Research Engineer.md": MERIDIAN, f"Interviews/{copy}": moved})
    code, _, err = run(root, "sync")
    assert code == 1
    said = f"Interviews/{copy}: looks like a conflict copy of Interviews/Research Engineer.md"
    assert said in err
    assert "delete" not in err.casefold()
    assert drafts(root) == [
        "Meridian Labs/2026-11-10 check-in - Ana Lucía Ortiz.md",
        "Meridian Labs/2026-11-10 thank-you - Ana Lucía Ortiz.md",
    ]


def test_a_conflict_name_without_its_original_is_the_note(make_vault: VaultFactory) -> None:
    """The original was renamed or merged away: the copy is all there is."""
    root = make_vault({"Interviews/Research Engineer (conflicted copy 2026-11-11).md": MERIDIAN})
    code, _, err = run(root, "sync")
    assert code == 0, err
    assert "Meridian Labs/2026-11-10 thank-you - Ana Lucía Ortiz.md" in drafts(root)


def test_a_machine_suffix_copy_is_a_copy_only_with_the_same_interview(
    make_vault: VaultFactory,
) -> None:
    """OneDrive names a copy after any machine (`-thinkpad`), which reads like
    a name a person could choose: only the same company, role and date make
    it a copy."""
    other = KOBE
    root = make_vault(
        {
            "Interviews/Research Engineer.md": MERIDIAN,
            "Interviews/Research Engineer-thinkpad.md": MERIDIAN_EDITED,
            "Interviews/Research Engineer-onsite.md": other,
        }
    )
    report = sync(root, NOW)
    assert [p.path for p in report.problems] == ["Interviews/Research Engineer-thinkpad.md"]
    assert "Kōbe Robotics/2026-11-11 thank-you - Søren Kjær.md" in drafts(root)


def test_a_copy_edited_into_another_interview_is_read_at_once(make_vault: VaultFactory) -> None:
    """The watcher's pass re-reads one file: a copy that no longer matches
    its original (or starts to) is decided again from what it now says."""
    root = make_vault(
        {
            "Interviews/Research Engineer.md": MERIDIAN,
            "Interviews/Research Engineer 2.md": MERIDIAN_EDITED,
        }
    )
    engine = open_engine(root)
    assert [p.path for p in engine.full_pass(NOW).problems] == ["Interviews/Research Engineer 2.md"]
    copy = root / "Interviews/Research Engineer 2.md"
    second_round = MERIDIAN_EDITED.replace("2026-11-10 14:30", "2026-11-17 09:00")
    copy.write_text(second_round.replace("meridian labs", "Meridian Labs").lstrip())
    report = engine.changed_pass(["Interviews/Research Engineer 2.md"], NOW)
    assert report.problems == []
    assert "Meridian Labs/2026-11-17 thank-you - Tomás Ruiz.md" in drafts(root)
    copy.write_text(MERIDIAN_EDITED.lstrip())
    report = engine.changed_pass(["Interviews/Research Engineer 2.md"], NOW)
    assert [p.path for p in report.problems] == ["Interviews/Research Engineer 2.md"]
    original = root / "Interviews/Research Engineer.md"
    original.write_text(MERIDIAN.replace("Meridian Labs", "Meridian Robotics").lstrip())
    report = engine.changed_pass(["Interviews/Research Engineer.md"], NOW)
    assert report.problems == []
