"""Whole passes over real folders: the trust rules of DESIGN.md."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from ical.calendar_stream import IcsCalendarStream

from conftest import VaultFactory, at
from vaultfollow.app.engine import sync
from vaultfollow.app.starter import init_vault
from vaultfollow.cli import main
from vaultfollow.store.paths import CACHE_FILE

NOW = at("2026-11-12 10:00")

ACME = """
---
type: interview
company: Acme
role: Platform Engineer
date: 2026-11-12T15:30
interviewers:
  - Jane Doe <jane@acme.com>
  - "[[People/Raj Patel]]"
---
## Discussed
- the migration to event sourcing
- SECRET-NOT-HERE? no: this one is shareable

## Private thoughts
- SECRET-PRIVATE salary 95k
%% SECRET-COMMENT %%
<!-- SECRET-HTML -->
"""

RAJ = """
---
email: raj@acme.com
title: Staff Engineer
---
"""


def snapshot(root: Path) -> dict[str, str]:
    """Every file's content hash, by vault-relative path."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, str(root)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def draft(root: Path, name: str) -> Path:
    return root / "Follow-ups" / "Acme" / name


def test_first_sync_writes_drafts_calendar_dashboard(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": ACME, "People/Raj Patel.md": RAJ})
    report = sync(root, NOW)
    assert sorted(report.created) == [
        "Follow-ups/Acme/2026-11-12 check-in - Jane Doe.md",
        "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md",
        "Follow-ups/Acme/2026-11-12 thank-you - Raj Patel.md",
    ]
    raj = draft(root, "2026-11-12 thank-you - Raj Patel.md").read_text(encoding="utf-8")
    assert 'to: "Raj Patel <raj@acme.com>"' in raj  # email from the person note
    # The two points are dealt, one each: no two thank-yous read alike.
    jane = draft(root, "2026-11-12 thank-you - Jane Doe.md").read_text(encoding="utf-8")
    assert "event sourcing" in jane and "event sourcing" not in raj
    calendar = IcsCalendarStream.calendar_from_ics(
        (root / "Follow-ups/followups.ics").read_text(encoding="utf-8")
    )
    assert sorted(e.categories[0] for e in calendar.events) == ["check-in", "thank-you"]
    assert (root / "Follow-ups/Follow-ups.md").is_file()
    assert not report.problems


def test_second_sync_changes_no_byte_and_touches_no_user_file(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    init_vault(root, date(2026, 11, 12), "Europe/Berlin")
    user_files = snapshot(root)
    now = at("2026-11-12 10:00")
    first = sync(root, now)
    assert first.created
    after_first = snapshot(root)
    for rel, digest in user_files.items():
        assert after_first[rel] == digest, f"{rel} was changed"
    written = set(after_first) - set(user_files)
    assert all(rel.startswith(("Follow-ups/", ".vaultfollow/")) for rel in written)
    mtimes = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
    second = sync(root, now)
    assert (second.created, second.updated, second.kept, second.outputs) == ([], [], [], [])
    assert snapshot(root) == after_first
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()} == mtimes


def test_private_sections_and_comments_never_reach_any_output(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": ACME, "People/Raj Patel.md": RAJ})
    sync(root, NOW)
    for path in (root / "Follow-ups").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for secret in ("SECRET-PRIVATE", "SECRET-COMMENT", "SECRET-HTML", "95k"):
                assert secret not in text, f"{secret} leaked into {path.name}"


def test_edited_draft_is_kept_unedited_follows_the_note(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": ACME})
    sync(root, NOW)
    jane = draft(root, "2026-11-12 thank-you - Jane Doe.md")
    raj = draft(root, "2026-11-12 thank-you - Raj Patel.md")
    edited = jane.read_text(encoding="utf-8").replace("Dear Jane", "Dear Dr Jane", 1)
    jane.write_text(edited, encoding="utf-8")
    note = root / "Interviews/acme.md"
    note.write_text(
        note.read_text(encoding="utf-8").replace(
            "this one is shareable", "cell-based architecture"
        ),
        encoding="utf-8",
    )
    report = sync(root, NOW)
    assert report.kept == ["Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md"]
    assert "Follow-ups/Acme/2026-11-12 thank-you - Raj Patel.md" in report.updated
    assert jane.read_text(encoding="utf-8") == edited
    assert "cell-based architecture" in raj.read_text(encoding="utf-8")


def test_deleted_draft_is_dismissed_and_recreate_restores_it(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": ACME})
    sync(root, NOW)
    check_in = draft(root, "2026-11-12 check-in - Jane Doe.md")
    check_in.unlink()
    report = sync(root, NOW)
    assert not check_in.exists() and not report.created
    ics = (root / "Follow-ups/followups.ics").read_text(encoding="utf-8")
    assert "CATEGORIES:check-in" not in ics
    assert "dismissed" in (root / "Follow-ups/Follow-ups.md").read_text(encoding="utf-8").lower()
    code, _out, _ = run(root, "sync", "--now", "2026-11-12T10:00", "--recreate")
    assert code == 0 and check_in.exists()
    assert "CATEGORIES:check-in" in (root / "Follow-ups/followups.ics").read_text(encoding="utf-8")


def test_marking_sent_moves_the_schedule_on(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": ACME})
    sync(root, NOW)
    check_in = draft(root, "2026-11-12 check-in - Jane Doe.md")
    text = check_in.read_text(encoding="utf-8").replace("sent:\n", "sent: 2026-11-19\n", 1)
    check_in.write_text(text, encoding="utf-8")
    report = sync(root, at("2026-11-19 12:00"))
    assert "Follow-ups/Acme/2026-11-12 second-check-in - Jane Doe.md" in report.created
    ics = (root / "Follow-ups/followups.ics").read_text(encoding="utf-8")
    assert "CATEGORIES:check-in\r\n" not in ics
    assert "CATEGORIES:second-check-in" in ics
    second = draft(root, "2026-11-12 second-check-in - Jane Doe.md").read_text(encoding="utf-8")
    assert "do: 2026-12-03T09:00:00" in second


def test_dry_run_writes_nothing(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": ACME})
    before = snapshot(root)
    code, out, _ = run(root, "sync", "--dry-run", "--now", "2026-11-12T10:00")
    assert code == 0
    assert "3 drafts would be created" in out and "dry run" in out
    assert snapshot(root) == before


def test_outputs_are_identical_on_two_machines(make_vault: VaultFactory) -> None:
    one = make_vault({"Interviews/acme.md": ACME}, name="one")
    two = make_vault({"Interviews/acme.md": ACME}, name="one-copy")
    sync(one, NOW)
    sync(two, NOW)
    first, second = snapshot(one / "Follow-ups"), snapshot(two / "Follow-ups")
    # The calendar's URLs name the vault folder; everything else is identical.
    first.pop("followups.ics")
    second.pop("followups.ics")
    assert first == second


def test_templates_trash_and_hidden_folders_are_not_notes(make_vault: VaultFactory) -> None:
    files = {
        "Templates/Interview.md": ACME,
        "My Templates/Other.md": ACME,
        ".trash/old.md": ACME,
        ".obsidian/templates.json": '{"folder": "My Templates"}',
    }
    root = make_vault(files)
    report = sync(root, NOW)
    assert report.plan.notes == ()


def test_problems_exit_1_and_are_listed_on_the_dashboard(make_vault: VaultFactory) -> None:
    root = make_vault(
        {
            "Interviews/acme.md": ACME,
            "Interviews/broken.md": "---\ntype: interview\ncompany: B\nrole: C\ndate: soon\n---\n",
        }
    )
    code, out, err = run(root, "sync", "--now", "2026-11-12T10:00")
    assert code == 1
    assert "Interviews/broken.md:5: `date` is `soon`; write 2026-11-12" in err
    assert "; 1 problem" in out and "1 problems" not in out
    dashboard = (root / "Follow-ups/Follow-ups.md").read_text(encoding="utf-8")
    assert "broken" in dashboard and "`date` is `soon`" in dashboard
    assert draft(root, "2026-11-12 check-in - Jane Doe.md").exists()  # the rest went on


def test_bad_config_exits_2_with_every_error(make_vault: VaultFactory) -> None:
    root = make_vault({}, config='[drafts]\ntone = "loud"\n[schedule]\nmax_check_ins = 9\n')
    code, _, err = run(root, "sync")
    assert code == 2
    assert 'tone = "loud" is not allowed' in err and "max_check_ins = 9" in err


def test_template_override_and_bad_template(make_vault: VaultFactory) -> None:
    root = make_vault(
        {
            "Interviews/acme.md": ACME,
            "Templates/vaultfollow/check-in-formal.md": (
                "Subject: Hello\n\nHi {{ recipient.name }}!\n"
            ),
            "Templates/vaultfollow/thank-you-formal.md": "Subject: x\n\n{{ no_such_thing }}\n",
        }
    )
    report = sync(root, NOW)
    body = draft(root, "2026-11-12 check-in - Jane Doe.md").read_text(encoding="utf-8")
    assert body.endswith("---\nHi Jane Doe!\n")
    messages = [str(p) for p in report.problems]
    assert any(
        "Templates/vaultfollow/thank-you-formal.md, line 3" in m and "no_such_thing" in m
        for m in messages
    ), messages


def test_due_json_lists_pending_follow_ups_overdue_first(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": ACME})
    code, out, _ = run(root, "due", "--json", "--now", "2026-11-13T16:00")
    assert code == 0
    rows = json.loads(out)
    assert [r["state"] for r in rows] == ["overdue", "overdue", "upcoming"]
    assert set(rows[0]) == {
        "kind",
        "company",
        "role",
        "to",
        "do",
        "deadline",
        "state",
        "draft",
        "source",
    }
    assert rows[0]["source"] == "Interviews/acme.md"
    assert rows[2]["kind"] == "check-in" and rows[2]["do"] == "2026-11-19T09:00:00+01:00"
    code, table, _ = run(root, "due", "--now", "2026-11-13T16:00")
    assert table.splitlines()[0].split() == ["STATE", "DO", "KIND", "TO", "COMPANY", "ROLE"]


def test_vault_from_environment_and_option(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": ACME})
    runner = CliRunner()
    result = runner.invoke(
        main, ["due", "--json", "--now", "2026-11-12T10:00"], env={"VAULTFOLLOW_VAULT": str(root)}
    )
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 3
    result = runner.invoke(main, ["--vault", str(root), "due", "--json"])
    assert result.exit_code == 0


def test_missing_vault_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run(tmp_path / "nope", "sync")
    assert code == 2 and "no such folder" in err


def test_init_never_overwrites_and_dates_examples_from_today(tmp_path: Path) -> None:
    root = tmp_path / "v"
    root.mkdir()
    (root / "vaultfollow.toml").write_text("# mine\n", encoding="utf-8")
    report = init_vault(root, date(2026, 11, 12), "Asia/Tokyo")
    assert "vaultfollow.toml" in report.kept
    assert (root / "vaultfollow.toml").read_text(encoding="utf-8") == "# mine\n"
    names = [p.name for p in (root / "Interviews").iterdir()]
    assert any(name.startswith("2026-11-11 ") for name in names)
    assert not any("@@" in p.read_text(encoding="utf-8") for p in root.rglob("*.md"))
    again = init_vault(root, date(2026, 11, 12), "Asia/Tokyo")
    assert again.created == []


def test_init_writes_the_time_zone(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "v"), "--timezone", "Asia/Tokyo"])
    assert result.exit_code == 0, result.output
    config = (tmp_path / "v" / "vaultfollow.toml").read_text(encoding="utf-8")
    assert 'timezone = "Asia/Tokyo"' in config


def test_demo_creates_and_syncs_a_vault(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", str(target), "--once"])
    assert result.exit_code == 0, result.output
    assert "drafts created" in result.output
    drafts = list((target / "Follow-ups").rglob("*.md"))
    assert len(drafts) > 10
    # No example note may produce a problem: the starter vault is the user's model.
    assert " 0 problems" in result.output


@pytest.mark.parametrize("command", ["sync", "due", "init", "demo", "watch", "service"])
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_two_applications_whose_drafts_share_a_name_are_stable(make_vault: VaultFactory) -> None:
    """Same company, same day, same interviewer, two roles: the draft names
    collide. One application was rejected before any draft was made; its
    cancelled thank-you must not adopt the other one's draft (found by the
    sync benchmark: the second pass moved the draft to ` (2)`)."""
    base = (
        "---\ntype: interview\ncompany: Umbrella\nrole: {role}\ndate: 2026-11-13T{time}\n"
        "interviewers: [Chloé Doe]\n{extra}---\n"
    )
    root = make_vault(
        {
            "Interviews/a.md": base.format(role="Designer", time="14:45", extra=""),
            "Interviews/b.md": base.format(
                role="Engineer", time="12:00", extra="status: rejected\nstatus_date: 2026-11-14\n"
            ),
        }
    )
    first = sync(root, at("2026-11-15 10:00"))
    assert "Follow-ups/Umbrella/2026-11-13 thank-you - Chloé Doe.md" in first.created
    before = snapshot(root)
    second = sync(root, at("2026-11-15 10:00"))
    assert (second.created, second.updated, second.outputs) == ([], [], [])
    assert snapshot(root) == before


BROKEN = """---
type: interview
company: Initech
date: next week sometime
---
"""


def starter(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    init_vault(root, date(2026, 11, 12), "Europe/Berlin")
    return root


def command_line(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "vaultfollow", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )
    return result.returncode, result.stdout, result.stderr


def test_sync_and_due_say_what_was_kept_and_exit_1_on_problems(tmp_path: Path) -> None:
    root = starter(tmp_path)
    (root / "Interviews/initech.md").write_text(BROKEN, encoding="utf-8")
    run(root, "sync", "--now", NOW.isoformat())
    edited = next((root / "Follow-ups").rglob("*thank-you*.md"))
    edited.write_text(edited.read_text("utf-8") + "\nP.S. my own words\n", encoding="utf-8")
    for _ in range(2):  # the second pass reads nothing new, and says the same
        code, out, err = run(root, "sync", "--now", NOW.isoformat())
        assert code == 1 and "Interviews/initech.md" in err
        assert "kept     Follow-ups/" in err and "1 kept because you edited them" in out
    for args in ((), ("--json",)):
        code, out, err = run(root, "due", "--now", NOW.isoformat(), *args)
        assert code == 1 and "Interviews/initech.md" in err
    assert json.loads(out)  # rows, not an empty list


@pytest.mark.parametrize(
    ("case", "code"),
    [("clean", 0), ("problems", 1), ("broken config", 2), ("bad time", 2), ("quiet", 1)],
)
def test_the_command_line_says_and_writes_what_it_should(
    tmp_path: Path, case: str, code: int
) -> None:
    root = starter(tmp_path)
    args = ["sync", "vault", f"--now={NOW.isoformat()}"]
    if case == "bad time":
        args[-1] = "--now=next tuesday"
    if case == "quiet":
        args.insert(0, "-q")
    if case in ("problems", "quiet"):
        (root / "Interviews/initech.md").write_text(BROKEN, encoding="utf-8")
    if case == "broken config":
        (root / "vaultfollow.toml").write_text("[schedule\n", encoding="utf-8")
    returncode, out, err = command_line(*args, cwd=tmp_path)
    assert returncode == code, err
    written = [p for p in (root / "Follow-ups").rglob("*") if p.is_file()]
    if code == 2:
        assert not written and not out and err.startswith("vaultfollow: ")
        return
    assert written and "follow-ups pending" in out
    assert ("created  Follow-ups/" in err) == (case != "quiet")
    assert ("Interviews/initech.md" in err) == (case != "clean")


def test_a_file_given_as_the_vault_is_a_usage_error(tmp_path: Path) -> None:
    root = starter(tmp_path)
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    result = CliRunner().invoke(main, ["due", str(root)], env={"VAULTFOLLOW_VAULT": str(afile)})
    assert result.exit_code == 2 and "--vault" in result.stderr, result.stderr
    code, _, err = run(root, "--vault", str(afile), "due")
    assert code == 2 and "--vault" in err, err


def test_a_renamed_vault_folder_is_named_in_the_calendar(tmp_path: Path) -> None:
    root = starter(tmp_path)
    run(root, "sync", "--now", NOW.isoformat())
    renamed = root.rename(tmp_path / "Career")
    run(renamed, "sync", "--now", NOW.isoformat())
    calendar = (renamed / "Follow-ups/followups.ics").read_text("utf-8")
    assert "vault=Career&" in calendar and "vault=vault&" not in calendar


def test_a_cache_that_cannot_be_saved_is_a_problem(tmp_path: Path) -> None:
    root = starter(tmp_path)
    run(root, "sync", "--now", NOW.isoformat())
    cache = root / CACHE_FILE
    cache.unlink()
    cache.mkdir()  # neither readable nor writable as a file
    code, out, err = run(root, "sync", "--now", NOW.isoformat())
    assert code == 1 and "could not be written" in err and "; 1 problem" in out


def test_a_reader_that_goes_away_ends_due_quietly(tmp_path: Path) -> None:
    root = starter(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "vaultfollow", "due", str(root), "--now", NOW.isoformat()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # `vaultfollow due | head -0`
    errors = process.stderr.read().decode()
    assert process.wait(timeout=30) == 1  # as click ends on a broken pipe
    assert "Traceback" not in errors


# --- a big vault -----------------------------------------------------------------

BIG_NOW = at("2026-11-20 10:00")


def write_big_vault(root: Path, notes: int, interviews: int) -> None:
    """`notes` ordinary notes and `interviews` interview notes (two
    interviewers each, so two thank-yous and a check-in per note; every
    fourth note's first point talks pay, which `check` flags in its drafts)."""
    root.mkdir(parents=True)
    (root / "vaultfollow.toml").write_text(
        '[you]\nname = "Alex Example"\nemail = "alex@example.com"\n\n'
        '[schedule]\ntimezone = "Europe/Berlin"\n',
        encoding="utf-8",
    )
    for index in range(notes):
        folder = root / f"Notes/{index % 17}"
        folder.mkdir(parents=True, exist_ok=True)
        front = (
            f"---\ntags: [daily]\ncreated: 2026-10-{index % 28 + 1:02d}\n---\n" if index % 3 else ""
        )
        (folder / f"note {index}.md").write_text(
            f"{front}# Note {index}\n\nNothing about jobs here, line {index}.\n", encoding="utf-8"
        )
    folder = root / "Interviews"
    folder.mkdir()
    for index in range(interviews):
        day = 17 + index % 3  # every thank-you still within three days of its deadline
        (folder / f"2026-11-{day} Company{index}.md").write_text(
            "---\n"
            "type: interview\n"
            f"company: Company{index}\n"
            "role: Platform Engineer\n"
            f"date: 2026-11-{day}T{9 + index % 8:02d}:30\n"
            "decision_by: 2026-11-24\n"
            "interviewers:\n"
            f"  - Jane Doe{index} <jane{index}@company{index}.example>\n"
            f"  - Raj Patel{index} <raj{index}@company{index}.example>\n"
            "---\n"
            "## Discussed\n"
            + ("- The salary band and the equity grant\n" if index % 4 == 0 else "")
            + f"- Their migration of service {index} to event sourcing\n"
            "- How on-call is shared between the teams\n"
            "\n## Could answer better\n"
            "- I gave a thin answer on capacity planning.\n",
            encoding="utf-8",
        )


def test_a_cold_pass_over_a_big_vault_writes_every_output(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    write_big_vault(root, notes=1000, interviews=40)
    report = sync(root, BIG_NOW)
    assert len(report.created) == 120 and not report.problems
    written = {
        rel: digest
        for rel, digest in snapshot(root).items()
        if rel.startswith("Follow-ups/") and not rel.startswith("Follow-ups/.")
    }
    assert len(written) == 123  # 120 drafts, the calendar, the dashboard, the decisions
    # Each draft checked for the dashboard: the ones that talk pay are flagged.
    assert "salary" in (root / "Follow-ups/Follow-ups.md").read_text(encoding="utf-8")
    calendar = (root / "Follow-ups/followups.ics").read_text(encoding="utf-8")
    # One entry for the thank-yous of each interview, one for its check-in.
    assert len(IcsCalendarStream.calendar_from_ics(calendar).events) == 80
    again = sync(root, BIG_NOW)
    assert (again.created, again.updated, again.outputs) == ([], [], [])
    assert {rel: snapshot(root)[rel] for rel in written} == written


def test_problems_of_a_big_vault_reach_the_report_and_the_dashboard(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    write_big_vault(root, notes=1000, interviews=0)
    broken = root / "Interviews/2026-11-12 Broken.md"
    broken.write_text("---\ntype: interview\ncompany: [unclosed\n---\n", encoding="utf-8")
    late = root / "Notes/zz/late.md"  # last in the walk
    late.parent.mkdir()
    late.write_text("---\ntype: interview\ndate: next week\n---\n", encoding="utf-8")
    report = sync(root, BIG_NOW)
    paths = sorted({p.path for p in report.problems})
    assert paths == ["Interviews/2026-11-12 Broken.md", "Notes/zz/late.md"]
    dashboard = (root / "Follow-ups/Follow-ups.md").read_text(encoding="utf-8")
    assert "Broken" in dashboard and "late" in dashboard
