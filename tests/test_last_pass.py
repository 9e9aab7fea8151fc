"""The record of the last pass: `sync` and `due` answer from it only when a
real pass would read nothing new and say the same, and never otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from conftest import at
from vaultfollow.cli import main
from vaultfollow.engine import open_engine
from vaultfollow.entry import parse_quick
from vaultfollow.ics import render_calendar
from vaultfollow.model import due_rows
from vaultfollow.paths import CACHE_FILE, last_pass_file
from vaultfollow.starter import init_vault

NOW = at("2026-11-12 10:00")
RECORD = last_pass_file(CACHE_FILE)

BROKEN = """---
type: interview
company: Initech
date: next week sometime
---
"""


def make(tmp_path: Path) -> Path:
    """The starter vault, a note with problems, and a draft the user edited."""
    root = tmp_path / "vault"
    init_vault(root, date(2026, 11, 12), "Europe/Berlin")
    (root / "Interviews/initech.md").write_text(BROKEN, encoding="utf-8")
    run(root, "sync")
    draft = next((root / "Follow-ups").rglob("*thank-you*.md"))
    draft.write_text(draft.read_text("utf-8") + "\nP.S. my own words\n", encoding="utf-8")
    settle(root)
    return root


def settle(root: Path) -> None:
    """Age every file past the "racily clean" window, then pass: files
    modified in the last two seconds are never vouched for, since a second
    change in the same tick of the clock would leave the same time."""
    past = time.time() - 10
    for path in root.rglob("*"):
        os.utime(path, (past, past), follow_symlinks=False)
    run(root, "sync")


def run(root: Path, command: str, *args: str, now: datetime = NOW) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, [command, "--now", now.isoformat(), *args, str(root)], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def real(root: Path, command: str, *args: str, now: datetime = NOW) -> tuple[int, str, str]:
    """What a real pass says (the record removed first)."""
    (root / RECORD).unlink(missing_ok=True)
    return run(root, command, *args, now=now)


def answered_from_record(root: Path, command: str, *args: str, now: datetime = NOW) -> bool:
    """Whether `command` answers from the record: the engine is never asked."""
    import vaultfollow.engine as engine_module

    calls: list[str] = []
    real_open = engine_module.open_engine

    def spy(path: Path) -> object:
        calls.append(str(path))
        return real_open(path)

    engine_module.open_engine = spy  # type: ignore[assignment]
    try:
        run(root, command, *args, now=now)
    finally:
        engine_module.open_engine = real_open
    return not calls


def test_sync_and_due_say_what_a_real_pass_says(tmp_path: Path) -> None:
    root = make(tmp_path)
    for command, args in (("sync", ()), ("due", ()), ("due", ("--json",))):
        run(root, "sync")  # the record (a real `due` leaves none)
        assert answered_from_record(root, command, *args)
        quick = run(root, command, *args)
        assert quick == real(root, command, *args)
        code, out, err = quick
        assert code == 1  # the broken note
        assert "Interviews/initech.md" in err
    code, out, err = run(root, "sync")
    assert "kept     Follow-ups/" in err and "1 kept because you edited them" in out
    assert json.loads(run(root, "due", "--json")[1])  # rows, not an empty list


def test_a_later_moment_in_the_window_is_answered_too(tmp_path: Path) -> None:
    root = make(tmp_path)
    later = NOW + timedelta(minutes=30)
    assert answered_from_record(root, "due", now=later)
    assert run(root, "due", now=later) == real(root, "due", now=later)
    # Before the recorded pass, or at the next change (midnight at the
    # latest): a real pass.
    run(root, "sync")
    assert not answered_from_record(root, "due", now=NOW - timedelta(minutes=1))
    assert not answered_from_record(root, "due", now=at("2026-11-13 00:00"))


@pytest.mark.parametrize(
    "change",
    [
        "edit a note",
        "add a note",
        "delete a note",
        "edit a draft",
        "delete a draft",
        "delete the calendar",
        "edit the dashboard",
        "edit the config",
        "add a template",
        "add a word list",
        "edit the state",
        "add an obsidian templates setting",
        "another time zone",
    ],
)
def test_any_change_means_a_real_pass(
    change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make(tmp_path)
    run(root, "sync")
    assert answered_from_record(root, "sync")
    note = root / "Interviews/initech.md"
    draft = next((root / "Follow-ups").rglob("*check-in*.md"))
    match change:
        case "edit a note":
            note.write_text(BROKEN.replace("Initech", "Initrode"), encoding="utf-8")
        case "add a note":
            (root / "Inbox.md").write_text("# an idea\n", encoding="utf-8")
        case "delete a note":
            (root / "People/Priya Raman.md").unlink()
        case "edit a draft":
            draft.write_text(draft.read_text("utf-8") + "\nmore\n", encoding="utf-8")
        case "delete a draft":
            draft.unlink()
        case "delete the calendar":
            (root / "Follow-ups/followups.ics").unlink()
        case "edit the dashboard":
            dashboard = root / "Follow-ups/Follow-ups.md"
            dashboard.write_text("mine now\n", encoding="utf-8")
        case "edit the config":
            config = root / "vaultfollow.toml"
            config.write_text(config.read_text("utf-8") + "\n", encoding="utf-8")
        case "add a template":
            folder = root / "Templates/vaultfollow"  # [drafts] templates, outside any scan
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "check-in-formal.md").write_text("Subject: Hi\n\nHello\n", encoding="utf-8")
        case "add a word list":
            (root / "vaultfollow-words.txt").write_text("Grafnook\n", encoding="utf-8")
        case "edit the state":
            state = root / "Follow-ups/vaultfollow-state.json"
            state.write_text(state.read_text("utf-8") + " ", encoding="utf-8")
        case "add an obsidian templates setting":
            (root / ".obsidian").mkdir(exist_ok=True)
            (root / ".obsidian/templates.json").write_text('{"folder": "People"}')
        case "another time zone":
            monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert not answered_from_record(root, "sync")


def test_a_note_in_an_excluded_or_hidden_folder_changes_nothing(tmp_path: Path) -> None:
    root = make(tmp_path)
    run(root, "sync")
    (root / ".trash").mkdir()
    (root / ".trash/old.md").write_text("# gone\n", encoding="utf-8")
    (root / "Templates/Another.md").write_text("# template\n", encoding="utf-8")
    assert answered_from_record(root, "sync")


def test_a_renamed_vault_folder_means_a_real_pass(tmp_path: Path) -> None:
    root = make(tmp_path)
    run(root, "sync")
    renamed = root.rename(tmp_path / "Career")
    assert not answered_from_record(renamed, "sync")  # a real pass, which...
    calendar = (renamed / "Follow-ups/followups.ics").read_text("utf-8")
    assert "vault=Career&" in calendar  # ...wrote the new name into the links
    settle(renamed)
    assert answered_from_record(renamed, "sync")


def test_a_file_changed_in_the_last_two_seconds_is_not_vouched_for(tmp_path: Path) -> None:
    root = make(tmp_path)
    note = root / "Interviews/initech.md"
    note.write_text(BROKEN.replace("Initech", "Initrode"), encoding="utf-8")
    assert not answered_from_record(root, "sync")  # a real pass, leaving no new record
    assert not answered_from_record(root, "sync")
    past = time.time() - 10
    os.utime(note, (past, past))
    assert not answered_from_record(root, "sync")  # the time changed: a real pass...
    assert answered_from_record(root, "sync")  # ...which left a record


def test_a_damaged_or_foreign_record_means_a_real_pass(tmp_path: Path) -> None:
    root = make(tmp_path)
    run(root, "sync")
    record = root / RECORD
    good = record.read_bytes()
    foreign = good.replace(b'"format":1', b'"format":9')
    assert foreign != good
    for damaged in (b"", b"{", b"[]", good[: len(good) // 2], foreign):
        record.write_bytes(damaged)
        assert not answered_from_record(root, "sync")
        record.write_bytes(good)
    data = json.loads(good)
    data["version"] = "0.0.1"
    record.write_text(json.dumps(data))
    assert not answered_from_record(root, "sync")


def test_dry_run_recreate_and_verbose_always_pass_for_real(tmp_path: Path) -> None:
    root = make(tmp_path)
    run(root, "sync")
    assert not answered_from_record(root, "sync", "--dry-run")
    assert not answered_from_record(root, "sync", "--recreate")
    calls: list[str] = []
    import vaultfollow.engine as engine_module

    real_open = engine_module.open_engine
    engine_module.open_engine = lambda path: calls.append("x") or real_open(path)  # type: ignore[assignment]
    try:
        CliRunner().invoke(main, ["-v", "sync", "--now", NOW.isoformat(), str(root)])
    finally:
        engine_module.open_engine = real_open
    assert calls == ["x"]


def test_the_plan_holds_until_the_next_change(tmp_path: Path) -> None:
    """What the record rests on: until `next_change`, time alone changes
    neither the due list, the calendar nor the dashboard's urgencies."""
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
        for later in (moment + (until - moment) / 2, until - timedelta(microseconds=1)):
            again, _ = engine.plan(later)
            assert due_rows(again) == due_rows(plan)
            calendar = render_calendar(again, engine.settings, "vault")
            assert calendar == render_calendar(plan, engine.settings, "vault")
            checked += 1
        moment = until
    assert checked > 40


PROBE = textwrap.dedent(
    """
    import json, os, runpy, sys
    from pathlib import Path

    root = Path(sys.argv[1]).resolve()
    opened = []

    def audit(event, args):
        if event == "open" and isinstance(args[0], (str, bytes)):
            path = Path(os.fsdecode(args[0]))
            if path.is_absolute() and root in path.parents:
                opened.append(path.relative_to(root).as_posix())

    def leave(code):  # vaultfollow leaves with os._exit: come back here instead
        raise SystemExit(code)

    sys.addaudithook(audit)
    os._exit = leave
    sys.argv = ["vaultfollow", *sys.argv[2:], str(root)]
    try:
        runpy.run_module("vaultfollow", run_name="__main__")
    except SystemExit as exit:
        code = exit.code
    mine = sorted(m for m in sys.modules if m.startswith(("vaultfollow", "yaml", "click")))
    print(json.dumps({"code": code, "opened": sorted(set(opened)), "modules": mine}))
    """
)


def probe(root: Path, *args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    data: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return data


def test_an_unchanged_vault_costs_a_listing_and_not_even_click(tmp_path: Path) -> None:
    root = make(tmp_path)
    run(root, "sync")
    for args in (["sync", "--now", NOW.isoformat()], ["-q", "due", "--json", f"--now={NOW}"]):
        data = probe(root, *args)
        assert data["code"] == 1
        assert data["opened"] == [RECORD]  # no note, no draft, no config: stats only
        assert data["modules"] == [
            "vaultfollow",
            "vaultfollow.entry",
            "vaultfollow.last_pass",
            "vaultfollow.paths",
        ]
    # Anything else goes to click (and, nothing having changed, still no engine).
    data = probe(root, "due", "--now", NOW.isoformat(), "--no-such-option")
    assert data["code"] == 2
    assert "click" in data["modules"] and "vaultfollow.engine" not in data["modules"]


def command_line(root: Path, *args: str) -> tuple[int, str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "vaultfollow", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "VAULTFOLLOW_VAULT": str(root)},
    )
    return result.returncode, result.stdout, result.stderr


def test_the_quick_answer_is_what_click_and_a_real_pass_print(tmp_path: Path) -> None:
    root = make(tmp_path)
    now = f"--now={NOW.isoformat()}"
    for args in (["sync", now], ["-q", "sync", now], ["due", now], ["due", "--json", now]):
        run(root, "sync")
        quick = command_line(root, *args)
        (root / RECORD).unlink()
        assert quick == command_line(root, *args), args


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["sync"], ("sync", "CWD", None, False, False)),
        (["-q", "sync", "v"], ("sync", "v", None, False, True)),
        (["--quiet", "--vault", "w", "due", "--json"], ("due", "w", None, True, True)),
        (
            ["--vault=w", "due", "v", "--now", "2026-11-12"],
            ("due", "v", "2026-11-12", False, False),
        ),
        (["due", "--now=2026-11-12T09:00", "v"], ("due", "v", "2026-11-12T09:00", False, False)),
        (["sync", "--json"], None),  # not an option of sync: click says so
        (["-v", "sync"], None),
        (["sync", "--dry-run"], None),
        (["sync", "--recreate"], None),
        (["due", "--help"], None),
        (["--help"], None),
        (["watch"], None),
        (["sync", "a", "b"], None),
        (["sync", "--now"], None),
        (["sync", ""], None),
        (["--vault"], None),
        ([], None),
    ],
)
def test_only_the_plain_command_lines_are_answered_before_click(
    argv: list[str], expected: tuple[object, ...] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VAULTFOLLOW_VAULT", raising=False)
    monkeypatch.chdir(tmp := Path(os.getcwd()))
    quick = parse_quick(argv)
    if expected is None:
        assert quick is None
        return
    assert quick is not None
    got = (quick.command, quick.root, quick.now_text, quick.as_json, quick.quiet)
    assert got == tuple(str(tmp) if part == "CWD" else part for part in expected)


def test_the_vault_comes_from_the_environment_as_click_takes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VAULTFOLLOW_VAULT", "env-vault")
    quick = parse_quick(["sync"])
    assert quick is not None and quick.root == "env-vault"
    quick = parse_quick(["--vault", "option", "sync"])
    assert quick is not None and quick.root == "option"


def age(path: Path) -> None:
    past = time.time() - 10
    os.utime(path, (past, past))


def test_a_watcher_on_a_broken_config_leaves_no_record(tmp_path: Path) -> None:
    """The watcher keeps its previous settings when the config breaks; a
    real `sync` would stop at the config, so no record may answer for it."""
    root = make(tmp_path)
    engine = open_engine(root)
    engine.full_pass(NOW)
    config = root / "vaultfollow.toml"
    config.write_text(config.read_text("utf-8") + "\n[bogus]\n", encoding="utf-8")
    age(config)
    engine.changed_pass(["vaultfollow.toml"], NOW)
    engine.save_cache()
    assert not answered_from_record(root, "sync")
    assert run(root, "sync")[0] == 2


def test_a_cache_that_cannot_be_saved_leaves_no_record(tmp_path: Path) -> None:
    root = make(tmp_path)
    cache = root / CACHE_FILE
    cache.unlink()
    cache.mkdir()  # neither readable nor writable as a file
    assert not answered_from_record(root, "sync")
    code, _, err = run(root, "sync")
    assert code == 1 and "could not be written" in err
    assert not (root / RECORD).exists()


def test_a_record_that_cannot_be_written_does_not_fail_the_pass(tmp_path: Path) -> None:
    root = make(tmp_path)
    (root / RECORD).unlink()
    (root / RECORD).mkdir()
    _, out, err = real_pass_keeping(root)  # -v: a real pass, and its debug lines
    assert "17 follow-ups pending" in out  # the pass went through to its summary
    assert "last-pass.json not written" in err


def real_pass_keeping(root: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["-v", "sync", "--now", NOW.isoformat(), str(root)], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def test_the_time_zone_is_the_one_the_settings_were_read_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make(tmp_path)
    monkeypatch.setenv("TZ", "Europe/Berlin")
    engine = open_engine(root)  # a watcher started here...
    monkeypatch.setenv("TZ", "America/Los_Angeles")  # ...on a laptop that travelled
    age(root / "Interviews/initech.md")
    engine.changed_pass(["Interviews/initech.md"], NOW)
    engine.save_cache()
    assert not answered_from_record(root, "due")


def test_a_file_where_click_wants_a_folder_goes_to_click(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make(tmp_path)
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    assert parse_quick(["--vault", str(afile), "due", str(root)]) is None
    monkeypatch.setenv("VAULTFOLLOW_VAULT", str(afile))
    assert parse_quick(["due", str(root)]) is None
    code, _, err = command_line_plain(["due", str(root)], {"VAULTFOLLOW_VAULT": str(afile)})
    assert code == 2 and "--vault" in err, err


def command_line_plain(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "vaultfollow", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **env},
    )
    return result.returncode, result.stdout, result.stderr


def test_a_reader_that_goes_away_ends_the_answer_quietly(tmp_path: Path) -> None:
    root = make(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "vaultfollow", "due", str(root), "--now", NOW.isoformat()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # `vaultfollow due | head -0`
    errors = process.stderr.read().decode()
    assert process.wait(timeout=30) == 1
    assert "Traceback" not in errors


def test_a_malformed_report_in_a_matching_record_means_a_real_pass(tmp_path: Path) -> None:
    root = make(tmp_path)
    record = root / RECORD
    data = json.loads(record.read_bytes())
    data["report"]["due"][0]["do"] = "not a time"
    record.write_text(json.dumps(data), encoding="utf-8")
    assert not answered_from_record(root, "due")
    data["report"]["unchanged"] = "many"
    record.write_text(json.dumps(data), encoding="utf-8")
    assert not answered_from_record(root, "sync")


def test_a_change_at_a_time_the_clocks_skip_or_repeat_is_expected_early() -> None:
    from vaultfollow.schedule import earliest

    berlin = ZoneInfo("Europe/Berlin")
    # 02:30 does not exist on 2027-03-28: wall-clock comparisons pass it at
    # 03:00 CEST (01:00 UTC), so the window must end no later than that.
    skipped = datetime(2027, 3, 28, 2, 30, tzinfo=berlin)
    assert earliest(skipped) <= datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    # 02:30 happens twice on 2026-10-25: the first time counts.
    repeated = datetime(2026, 10, 25, 2, 30, tzinfo=berlin)
    assert earliest(repeated) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    ordinary = datetime(2026, 11, 12, 9, 0, tzinfo=berlin)
    assert earliest(ordinary) == ordinary


def sync_in(folder: Path, *args: str, through_click: bool) -> tuple[int, str, str]:
    """`vaultfollow sync vault ...` in `folder`, from the console entry point
    (a plain command line: no click) or from the click application."""
    start = ["-c", "from vaultfollow.cli import main; main()"] if through_click else ["-m"]
    result = subprocess.run(
        [sys.executable, *start, *([] if through_click else ["vaultfollow"]), *args],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("case", "code"),
    [("clean", 0), ("problems", 1), ("broken config", 2), ("bad time", 2), ("quiet", 1)],
)
def test_a_real_sync_without_click_says_and_writes_what_click_does(
    tmp_path: Path, case: str, code: int
) -> None:
    args = ["sync", "vault", f"--now={NOW.isoformat()}"]
    if case == "bad time":
        args[-1] = "--now=next tuesday"
    if case == "quiet":
        args.insert(0, "-q")
    results = []
    for through_click in (False, True):
        folder = tmp_path / str(through_click)
        init_vault(folder / "vault", date(2026, 11, 12), "Europe/Berlin")
        if case in ("problems", "quiet"):
            (folder / "vault/Interviews/initech.md").write_text(BROKEN, encoding="utf-8")
        if case == "broken config":
            (folder / "vault/vaultfollow.toml").write_text("[schedule\n", encoding="utf-8")
        said = sync_in(folder, *args, through_click=through_click)
        written = {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted((folder / "vault/Follow-ups").rglob("*"))
            if p.is_file()
        }
        results.append((said, written))
    (plain, plain_files), (clicked, clicked_files) = results
    assert plain == clicked
    assert plain[0] == code, plain
    assert plain_files == clicked_files
    assert bool(plain_files) == (case not in ("broken config", "bad time"))


def test_a_plain_sync_runs_its_real_pass_without_click(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    init_vault(root, date(2026, 11, 12), "Europe/Berlin")
    data = probe(root, "sync", "--now", NOW.isoformat())
    assert data["code"] == 0
    modules = data["modules"]
    assert isinstance(modules, list)
    assert "vaultfollow.engine" in modules and "click" not in modules
