"""Every calendar vaultfollow writes, read by real clients' parsers: ical.js
(Thunderbird's, from npm, strict and lenient) and `ical` (Home Assistant's).

ical.js comes from tests/icaljs (exact version pinned, package-lock.json);
`.ci/run` installs it with `npm ci --prefix tests/icaljs`. Under CI (CI=true)
a missing node or ical.js fails the suite; elsewhere the test is skipped and
says how to install it.
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


def node_checker() -> list[str]:
    """The command that runs the checker, or a skip (a failure under CI)."""
    node = shutil.which("node")
    problem = ""
    if node is None:
        problem = "node is not installed (apt-get install nodejs npm)"
    elif not (ICALJS / "node_modules" / "ical.js" / "package.json").is_file():
        problem = "ical.js is not installed: run `npm ci --prefix tests/icaljs`"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must read the calendars with ical.js, but {problem}")
        pytest.skip(problem)
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


def test_golden_and_generated_calendars_load_in_icaljs_and_ical(tmp_path: Path) -> None:
    files = [*GOLDEN, *generated_calendars(tmp_path)]
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
