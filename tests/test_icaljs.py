"""Every calendar vaultfollow writes, read by real clients' parsers: ical.js
(Thunderbird's, from npm, strict and lenient), `ical` (Home Assistant's),
libical (Evolution's, GNOME's and KDE's, with its RFC 5545 restriction
check), Ruby's icalendar gem in strict mode and vobject's `validate`.

ical.js comes from tests/icaljs (exact version pinned, package-lock.json);
`.ci/run` installs it with `npm ci --prefix tests/icaljs`, and libical
(Debian's libical-dev, with gcc and pkg-config), Ruby's icalendar (Debian's
ruby-icalendar) and vobject (the test extra) too. Under CI (CI=true) a
missing tool fails the suite; elsewhere its test is skipped and says how to
install it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ical.calendar_stream import IcsCalendarStream

from vaultfollow.app.engine import sync

TESTS = Path(__file__).parent
ICALJS = TESTS / "icaljs"
VALIDATORS = TESTS / "validators"
CASES = TESTS / "cases"
GOLDEN = sorted(CASES.glob("*/expected/followups.ics"))

# Calendar settings that change the shape of what is written.
VARIANTS = {
    "event": "",
    "todo": '[calendar]\nkind = "todo"\n',
    "all-day": "[calendar]\nall_day = true\n",
    "all-day-todo": '[calendar]\nall_day = true\nkind = "todo"\nalarm = "30m"\n',
    "no-alarm": '[calendar]\nalarm = ""\n',
    "utc": '[calendar]\nalarm = "1h"\n',
    "new-york-long": '[calendar]\nevent_duration = "45m"\nname = "Bewerbungen ✉️ 求职"\n',
}
ZONES = {"utc": "UTC", "new-york-long": "America/New_York"}


def missing(tool: str, problem: str) -> None:
    """Skip the test, saying what to install: a failure under CI, which installs it."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must read the calendars with {tool}, but {problem}")
    pytest.skip(problem)


def node_checker() -> list[str]:
    """The command that runs the checker, or a skip (a failure under CI)."""
    node = shutil.which("node")
    if node is None:
        missing("ical.js", "node is not installed (apt-get install nodejs npm)")
    elif not (ICALJS / "node_modules" / "ical.js" / "package.json").is_file():
        missing("ical.js", "ical.js is not installed: run `npm ci --prefix tests/icaljs`")
    assert node is not None
    return [node, str(ICALJS / "check.mjs")]


def run_checker(files: list[Path]) -> dict[str, object]:
    done = subprocess.run(
        [*node_checker(), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def generated_calendars(tmp_path: Path) -> list[Path]:
    """The calendar of two golden vaults under every variant of the settings."""
    files = []
    for case in ("application-rounds", "phone-check-in"):
        now = datetime.fromisoformat((CASES / case / "now.txt").read_text().strip())
        for name, extra in VARIANTS.items():
            root = tmp_path / f"{case}-{name}"
            shutil.copytree(CASES / case / "vault", root)
            config = root / "vaultfollow.toml"
            text = config.read_text(encoding="utf-8")
            zone = ZONES.get(name)
            if zone:
                text = text.replace('timezone = "Europe/Berlin"', f'timezone = "{zone}"')
            config.write_text(text + "\n" + extra, encoding="utf-8")
            sync(root, now.replace(tzinfo=ZoneInfo("Europe/Berlin")))
            out = tmp_path / f"{case}-{name}.ics"
            shutil.copyfile(root / "Follow-ups" / "followups.ics", out)
            files.append(out)
    return files


def empty_calendar(tmp_path: Path) -> Path:
    """The calendar of a vault with no interview yet."""
    root = tmp_path / "empty"
    root.mkdir()
    (root / "vaultfollow.toml").write_text(
        '[schedule]\ntimezone = "Europe/Berlin"\n', encoding="utf-8"
    )
    sync(root, datetime(2026, 11, 12, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    out = tmp_path / "empty.ics"
    shutil.copyfile(root / "Follow-ups" / "followups.ics", out)
    return out


def changed_calendar(tmp_path: Path) -> Path:
    """A calendar whose entries changed since first written (SEQUENCE 1)."""
    root = tmp_path / "changed"
    shutil.copytree(CASES / "application-rounds" / "vault", root)
    now = datetime(2026, 11, 12, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    sync(root, now)
    note = root / "Applications" / "Tidewater - Operations Manager.md"
    note.write_text(
        note.read_text(encoding="utf-8").replace("time: 10:00", "time: 11:30"), encoding="utf-8"
    )
    sync(root, now.replace(day=13))
    out = tmp_path / "changed.ics"
    shutil.copyfile(root / "Follow-ups" / "followups.ics", out)
    assert b"SEQUENCE:1\r\n" in out.read_bytes()
    return out


def every_calendar(tmp_path: Path) -> list[Path]:
    return [
        *GOLDEN,
        *generated_calendars(tmp_path),
        empty_calendar(tmp_path),
        changed_calendar(tmp_path),
    ]


def test_golden_and_generated_calendars_load_in_icaljs_and_ical(tmp_path: Path) -> None:
    files = [*GOLDEN, *generated_calendars(tmp_path), changed_calendar(tmp_path)]
    assert len(GOLDEN) >= 10
    result = run_checker(files)
    assert (
        result["version"]
        == json.loads((ICALJS / "package.json").read_text())["dependencies"]["ical.js"]
    )
    results = result["results"]
    assert isinstance(results, list)
    assert len(results) == 2 * len(files)
    problems = {f"{r['file']} ({r['mode']})": r["problems"] for r in results if r["problems"]}
    assert not problems, problems
    assert all(r["components"] > 0 for r in results), "a calendar came out empty"
    for path in files:
        calendar = IcsCalendarStream.calendar_from_ics(path.read_text(encoding="utf-8"))
        assert calendar.events or calendar.todos, path


def test_all_day_calendars_use_dates_only(tmp_path: Path) -> None:
    for path in generated_calendars(tmp_path):
        if "all-day" not in path.name:
            continue
        data = path.read_bytes()
        assert b"VTIMEZONE" not in data
        assert b"TZID" not in data
        calendar = IcsCalendarStream.calendar_from_ics(data.decode())
        for item in [*calendar.events, *calendar.todos]:
            end = getattr(item, "dtend", None) or getattr(item, "due", None)
            assert type(item.dtstart).__name__ == "date", path
            assert type(end).__name__ == "date" and end > item.dtstart, path


BROKEN = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
    "BEGIN:VEVENT\r\nUID:a@vaultfollow\r\nDTSTAMP:20261112T143000Z\r\nSUMMARY:x\r\n"
    "DTSTART;VALUE=DATE:20261112\r\nDTEND:20261113T100000Z\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:b@vaultfollow\r\nDTSTAMP:20261112T143000Z\r\nSUMMARY:y\r\n"
    "DTSTART;TZID=Europe/Berlin:20261112T100000\r\nDTEND;TZID=Europe/Berlin:20261112T101500"
    "\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:c@vaultfollow\r\nDTSTAMP:20261112T143000Z\r\nSUMMARY:z\r\n"
    "DTSTART:20261112T100000\r\nDTEND:20261112T101500\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_the_checker_catches_what_clients_trip_on(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ics"
    broken.write_text(BROKEN, newline="")
    garbage = tmp_path / "garbage.ics"
    garbage.write_text('BEGIN:VCALENDAR\r\nDTSTART;X="a:b\r\n', newline="")
    results = run_checker([broken, garbage])["results"]
    assert isinstance(results, list)
    for mode in ("strict", "lenient"):
        (found,) = [
            r["problems"] for r in results if r["file"] == str(broken) and r["mode"] == mode
        ]
        text = "\n".join(found)
        assert "mix DATE and DATE-TIME" in text
        assert "TZID Europe/Berlin has no VTIMEZONE" in text
        assert "floating time" in text
    assert all(r["problems"] for r in results if r["file"] == str(garbage))


def test_the_empty_calendar_loads_in_icaljs_and_ical(tmp_path: Path) -> None:
    path = empty_calendar(tmp_path)
    results = run_checker([path])["results"]
    assert isinstance(results, list)
    assert [r["problems"] for r in results] == [[], []]
    calendar = IcsCalendarStream.calendar_from_ics(path.read_text(encoding="utf-8"))
    assert not calendar.events and not calendar.todos


# --- libical, strict Ruby icalendar, vobject ----------------------------------------


def libical_checker(tmp_path: Path) -> Path:
    """tests/validators/libical_check.c compiled against libical (or a skip)."""
    gcc, pkg_config = shutil.which("gcc"), shutil.which("pkg-config")
    if gcc is None or pkg_config is None:
        missing("libical", "gcc or pkg-config is not installed (apt-get install gcc pkg-config)")
    assert gcc is not None and pkg_config is not None
    flags = subprocess.run(
        [pkg_config, "--cflags", "--libs", "libical"], capture_output=True, text=True, check=False
    )
    if flags.returncode != 0:
        missing("libical", "libical is not installed (apt-get install libical-dev)")
    binary = tmp_path / "libical_check"
    compiled = subprocess.run(
        [
            gcc,
            "-Wall",
            "-o",
            str(binary),
            str(VALIDATORS / "libical_check.c"),
            *flags.stdout.split(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stderr
    return binary


def problems_of(command: list[str], files: list[Path]) -> str:
    """What a checker printed of the files (one problem a line); '' when clean."""
    done = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, timeout=300, check=False
    )
    assert (done.returncode == 0) == (done.stdout == ""), done.stdout + done.stderr
    return done.stdout


def test_every_calendar_passes_libicals_checks(tmp_path: Path) -> None:
    # libical's restriction check: RFC 5545's rules, and RFC 5546's for a METHOD
    # (METHOD:PUBLISH without ORGANIZER failed every entry, issue 18 C2).
    checker = libical_checker(tmp_path)
    assert problems_of([str(checker)], every_calendar(tmp_path)) == ""


def test_the_libical_checker_catches_what_it_should(tmp_path: Path) -> None:
    checker = libical_checker(tmp_path)
    publish = tmp_path / "publish.ics"
    publish.write_text(
        BROKEN.replace("PRODID:-//t//t//EN\r\n", "PRODID:-//t//t//EN\r\nMETHOD:PUBLISH\r\n"),
        newline="",
    )
    empty = tmp_path / "empty.ics"
    empty.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n", newline=""
    )
    found = problems_of([str(checker)], [publish, empty])
    assert "ORGANIZER" in found
    assert "no component" in found


def ruby_checker() -> list[str]:
    ruby = shutil.which("ruby")
    if ruby is None:
        missing("Ruby icalendar", "ruby is not installed (apt-get install ruby ruby-icalendar)")
    assert ruby is not None
    found = subprocess.run(
        [ruby, "-e", 'require "icalendar"'], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        missing(
            "Ruby icalendar", "Ruby's icalendar is not installed (apt-get install ruby-icalendar)"
        )
    return [ruby, str(VALIDATORS / "ruby_strict.rb")]


def test_every_calendar_passes_strict_ruby_icalendar(tmp_path: Path) -> None:
    # Strict parsing refused every calendar with a COMMENT directly in VTIMEZONE
    # (issue 18 C1).
    assert problems_of(ruby_checker(), every_calendar(tmp_path)) == ""


def test_the_ruby_checker_catches_what_it_should(tmp_path: Path) -> None:
    commented = tmp_path / "commented.ics"
    commented.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:X\r\nCOMMENT:only here\r\nBEGIN:STANDARD\r\n"
        "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\n"
        "END:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n",
        newline="",
    )
    assert "comment" in problems_of(ruby_checker(), [commented])


def vobject_problems(path: Path) -> str:
    try:
        import vobject
    except ImportError:
        missing("vobject", "vobject is not installed (pip install -e '.[test]')")
    try:
        calendar = vobject.readOne(path.read_text(encoding="utf-8"))
        calendar.validate(raiseException=True)
    except Exception as exc:  # vobject raises its own ValidateError, ParseError...
        return f"{path}: {type(exc).__name__}: {exc}"
    if calendar.name != "VCALENDAR" or not list(calendar.getChildren()):
        return f"{path}: not a calendar"
    return ""


def test_every_calendar_passes_vobject_validate(tmp_path: Path) -> None:
    problems = [vobject_problems(path) for path in every_calendar(tmp_path)]
    assert [p for p in problems if p] == []
