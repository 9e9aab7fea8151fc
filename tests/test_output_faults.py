"""Faults of what vaultfollow writes and says: calendar times in the hour the
clocks repeat (D17) and control characters in file names (D18).

Each test drives the real command as a process on a real vault and reads
what it wrote with independent parsers: icalendar, `ical` (Home
Assistant's) and ical.js (Thunderbird's, through tests/icaljs).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream

from conftest import VaultFactory, wait_for
from test_icaljs import run_checker
from vaultfollow.app.engine import sync

BERLIN_NIGHT = (
    '[schedule]\ntimezone = "Europe/Berlin"\nworking_hours = "00:00-23:59"\n'
    'thank_you_after = "2h"\nthank_you_deadline = "24h"\n'
    '[calendar]\nevent_duration = "15m"\n'
)


def interview(company: str, when: str, people: str = "[Ana]") -> str:
    return (
        f"---\ntype: interview\ncompany: {company}\nrole: R\ndate: {when}\nduration: 60m\n"
        f"interviewers: {people}\n---\n## Discussed\n- the roadmap\n"
    )


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """`vaultfollow ARGS` as a process; its output as bytes."""
    return subprocess.run(
        [sys.executable, "-m", "vaultfollow", *map(str, args)],
        capture_output=True,
        timeout=120,
        check=False,
    )


def calendar_bytes(root: Path) -> bytes:
    return (root / "Follow-ups" / "followups.ics").read_bytes()


def instants_read_by_python_parsers(data: bytes) -> dict[str, dict[str, datetime]]:
    """{"UID PROPERTY": instant in UTC} as icalendar and as `ical` read the calendar."""
    by_icalendar: dict[str, datetime] = {}
    for component in icalendar.Calendar.from_ical(data).walk():
        if component.name not in ("VEVENT", "VTODO"):
            continue
        for name in ("DTSTART", "DTEND", "DUE"):
            if name in component:
                moment = component[name].dt
                by_icalendar[f"{component['UID']} {name}"] = moment.astimezone(UTC)
    by_ical: dict[str, datetime] = {}
    parsed = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    for item in [*parsed.events, *parsed.todos]:
        for name in ("dtstart", "dtend", "due"):
            moment = getattr(item, name, None)
            if isinstance(moment, datetime):
                by_ical[f"{item.uid} {name.upper()}"] = moment.astimezone(UTC)
    return {"icalendar": by_icalendar, "ical": by_ical}


def instants_read_by_icaljs(path: Path) -> dict[str, dict[str, datetime]]:
    results = run_checker([path])["results"]
    assert isinstance(results, list)
    read = {}
    for result in results:
        assert not result["problems"], result["problems"]
        read[f"ical.js {result['mode']}"] = {
            key: datetime.fromisoformat(value).astimezone(UTC)
            for key, value in result["instants"].items()
        }
    return read


def front_matter_value(path: Path, key: str) -> str:
    match = re.search(rf"^{key}: (.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"no {key} in {path}"
    return match[1]


def uid_of(data: bytes, summary_start: str) -> str:
    for component in icalendar.Calendar.from_ical(data).walk():
        if str(component.get("SUMMARY", "")).startswith(summary_start):
            return str(component["UID"])
    pytest.fail(f"no entry whose summary starts with {summary_start!r}")


# --- D17: the hour the clocks repeat ---------------------------------------------


def test_a_do_time_in_the_repeated_hour_is_one_instant_in_every_parser(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """D17: an interview ending at 01:30 CEST on the night the clocks go back
    has its thank-you at 02:30 CET (01:30 UTC), the second 02:30 of the
    night. Written as a local 02:30 with a TZID, RFC 5545 and icalendar read
    the first 02:30, an hour early; it must be written so that icalendar,
    `ical` and ical.js all read 01:30 UTC, and DTEND 15 minutes later. An
    unambiguous time (the check-in) keeps its local form."""
    root = make_vault({"Interviews/z.md": interview("Z", "2026-10-25T00:30")}, config=BERLIN_NIGHT)
    done = run_cli("sync", root, "--now", "2026-10-24T20:00")
    assert done.returncode == 0, done.stderr.decode()
    data = calendar_bytes(root)
    thanks = uid_of(data, "Thank-you")
    check_in = uid_of(data, "Check-in")
    start = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    expected = {f"{thanks} DTSTART": start, f"{thanks} DTEND": start + timedelta(minutes=15)}
    copy = tmp_path / "followups.ics"
    copy.write_bytes(data)
    readers = {**instants_read_by_python_parsers(data), **instants_read_by_icaljs(copy)}
    for reader, read in readers.items():
        assert {key: read[key] for key in expected} == expected, reader
    # The check-in at 09:00 on 2 Nov is unambiguous: still written as local time.
    assert b"DTSTART;TZID=Europe/Berlin:20261102T090000\r\n" in data
    assert {read[f"{check_in} DTSTART"] for read in readers.values()} == {
        datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    }
    # The draft's `do` names the same instant; its `deadline` is unambiguous.
    draft = root / "Follow-ups/Z/2026-10-25 thank-you - Ana.md"
    assert datetime.fromisoformat(front_matter_value(draft, "do")) == start
    assert front_matter_value(draft, "deadline") == "2026-10-25T23:30:00"


def test_a_due_time_at_the_first_of_two_equal_wall_times_is_that_instant(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """D17: a thank-you deadline 24 hours after an interview at 02:30 CEST
    falls on the first 02:30 of the night the clocks go back (fold 0).
    Written as a local 02:30, ical.js reads the second 02:30, an hour late:
    as a task's DUE every parser must read 00:30 UTC, and the draft's
    `deadline` must say which 02:30 it is."""
    root = make_vault(
        {"Interviews/z.md": interview("Z", "2026-10-24T02:30")},
        config=BERLIN_NIGHT + 'kind = "todo"\n',
    )
    done = run_cli("sync", root, "--now", "2026-10-23T20:00")
    assert done.returncode == 0, done.stderr.decode()
    data = calendar_bytes(root)
    thanks = uid_of(data, "Thank-you")
    due = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    copy = tmp_path / "followups.ics"
    copy.write_bytes(data)
    readers = {**instants_read_by_python_parsers(data), **instants_read_by_icaljs(copy)}
    for reader, read in readers.items():
        assert read[f"{thanks} DUE"] == due, reader
        # The do-time, 05:30 CEST on the 24th, is unambiguous.
        assert read[f"{thanks} DTSTART"] == datetime(2026, 10, 24, 3, 30, tzinfo=UTC), reader
    assert b"DTSTART;TZID=Europe/Berlin:20261024T053000\r\n" in data
    draft = root / "Follow-ups/Z/2026-10-24 thank-you - Ana.md"
    assert front_matter_value(draft, "do") == "2026-10-24T05:30:00"
    assert datetime.fromisoformat(front_matter_value(draft, "deadline")) == due


def test_a_do_time_moved_to_the_other_reading_of_a_repeated_hour_is_rewritten(
    make_vault: VaultFactory,
) -> None:
    """D17: with `thank_you_after` 2h, then 3h, an interview ending at 00:30
    CEST has its thank-you at the first 02:30 of the night, then at the
    second: the same follow-up, the same wall-clock time, an hour apart. The
    calendar of the second pass (in the same process, as under `watch`) must
    say the new instant, not the one it remembered from the first."""
    root = make_vault(
        {"Interviews/z.md": interview("Z", "2026-10-25T00:00").replace("60m", "30m")},
        config=BERLIN_NIGHT,
    )
    now = datetime(2026, 10, 24, 18, 0, tzinfo=UTC)
    sync(root, now)
    data = calendar_bytes(root)
    thanks = uid_of(data, "Thank-you")
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    for reader, read in instants_read_by_python_parsers(data).items():
        assert read[f"{thanks} DTSTART"] == first, reader
    config = root / "vaultfollow.toml"
    config.write_text(config.read_text().replace('"2h"', '"3h"'))
    sync(root, now)
    data = calendar_bytes(root)
    assert uid_of(data, "Thank-you") == thanks
    for reader, read in instants_read_by_python_parsers(data).items():
        assert read[f"{thanks} DTSTART"] == first + timedelta(hours=1), reader
    draft = root / "Follow-ups/Z/2026-10-25 thank-you - Ana.md"
    assert front_matter_value(draft, "do") == "2026-10-25T02:30:00+01:00"


# --- D18: control characters in file names --------------------------------------

# A name that forges a log line, clears the screen, rings, and holds DEL and
# C1 controls (NEL, which Python's splitlines breaks at, and CSI).
BAD_NAME = "a\nfixed: all good\x1b[2J\x07\x7f\u0085\u009b.md"
GOOD_NAME = "b\x1b]0;pwned\x07\r\x7f\u0085\u009bc.md"
ESCAPED_BAD = "a\\nfixed: all good\\x1b[2J\\x07\\x7f\\x85\\x9b.md"
ESCAPED_GOOD = "b\\x1b]0;pwned\\x07\\r\\x7f\\x85\\x9bc.md"
# Bytes no log line and no calendar TEXT may hold (CR only as part of CRLF).
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\r(?!\n)")


def control_vault(make_vault: VaultFactory) -> Path:
    root = make_vault(
        {
            f"Interviews/{BAD_NAME}": "---\ntype: interview\ncompany: X\n---\n",
            f"Interviews/{GOOD_NAME}": interview("Acme", "2026-11-12T15:30", "[Jane Doe]"),
        }
    )
    assert {p.name for p in (root / "Interviews").iterdir()} == {BAD_NAME, GOOD_NAME}
    return root


def assert_clean_log(data: bytes) -> None:
    """Every line of `data` is plain text: no control bytes, and no line the
    file name forged."""
    assert not RAW_CONTROL.search(data.replace(b"\r\n", b"\n").replace(b"\n", b"")), data
    for line in data.split(b"\n"):
        assert b"fixed: all good" not in line or ESCAPED_BAD.encode() in line, data


def test_control_characters_in_file_names_are_escaped_on_stderr(
    make_vault: VaultFactory,
) -> None:
    """D18: a note named with a newline, ESC, BEL, DEL and C1 controls reaches
    stderr escaped (`\\n`, `\\x1b`), never raw: no forged `fixed: ...` line,
    no terminal control. Both with -v (every line) and on a second pass,
    which reads nothing new."""
    root = control_vault(make_vault)
    first = run_cli("-v", "sync", root, "--now", "2026-11-12T10:00")
    assert first.returncode == 1, first.stderr.decode()
    assert ESCAPED_BAD.encode() in first.stderr
    assert_clean_log(first.stderr)
    again = run_cli("sync", root, "--now", "2026-11-12T10:00")
    assert again.returncode == 1
    assert ESCAPED_BAD.encode() in again.stderr
    assert_clean_log(again.stderr)
    due = run_cli("due", root, "--now", "2026-11-12T10:00")
    assert ESCAPED_BAD.encode() in due.stderr
    assert_clean_log(due.stderr)


def test_control_characters_in_file_names_are_escaped_in_the_log_file(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """D18: `watch --log-file` writes the same escaped lines as stderr."""
    root = control_vault(make_vault)
    log_file = tmp_path / "watch.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vaultfollow",
            "-v",
            "watch",
            str(root),
            "--log-file",
            str(log_file),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        wait_for(
            lambda: (
                (log_file.exists() and b"Ctrl-C to stop" in log_file.read_bytes())
                or process.poll() is not None
            ),
            timeout=60,
            what="the first pass in the log file",
        )
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr.decode()
    logged = log_file.read_bytes()
    assert ESCAPED_BAD.encode() in logged
    assert_clean_log(logged)
    assert ESCAPED_BAD.encode() in stderr
    assert_clean_log(stderr)


def test_control_characters_never_reach_calendar_text_or_dashboard(
    make_vault: VaultFactory,
) -> None:
    """D18: RFC 5545 TEXT holds no control characters but HTAB: the note's
    name in DESCRIPTION is written escaped, as in the log, and the
    description's own line breaks stay `\\n` escapes; the dashboard still
    shows no raw control character either."""
    root = control_vault(make_vault)
    run_cli("sync", root, "--now", "2026-11-12T10:00")
    data = calendar_bytes(root)
    assert not RAW_CONTROL.search(data.replace(b"\r\n", b"")), data
    events = [c for c in icalendar.Calendar.from_ical(data).walk() if c.name == "VEVENT"]
    assert events
    for event in events:
        description = str(event["DESCRIPTION"])
        assert f"Interview note: Interviews/{ESCAPED_GOOD}" in description
        assert "\nDeadline: " in description  # the description's own line breaks
    parsed = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    assert len(parsed.events) == len(events)
    dashboard = (root / "Follow-ups" / "Follow-ups.md").read_bytes()
    assert not RAW_CONTROL.search(dashboard.replace(b"\n", b"")), dashboard


def test_a_file_name_that_is_not_utf8_is_reported_and_stops_nothing(
    make_vault: VaultFactory,
) -> None:
    """D18: a note whose name is not UTF-8 (the byte 0xFF) cannot be kept
    track of (the cache, the calendar and the dashboard are UTF-8 text): it
    is reported by its escaped name, `bad\\xffname.md`, with what to do, and
    every other note is drafted."""
    root = make_vault({"Interviews/good.md": interview("Globex", "2026-11-12T15:30", "[Raj]")})
    name = os.fsdecode(b"Interviews/bad\xffname.md")
    (root / name).write_text(interview("Acme", "2026-11-12T15:30", "[Jane Doe]"))
    done = run_cli("-v", "sync", root, "--now", "2026-11-12T10:00")
    assert done.returncode == 1, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr
    assert_clean_log(done.stderr)
    assert b"Interviews/bad\\xffname.md: its name is not UTF-8 text" in done.stderr
    assert b"rename the file" in done.stderr
    assert b"Globex" in calendar_bytes(root)
    dashboard = (root / "Follow-ups" / "Follow-ups.md").read_bytes()
    assert b"its name is not UTF-8 text" in dashboard.decode("utf-8").encode()
    again = run_cli("sync", root, "--now", "2026-11-12T10:00")  # from the cache: the same
    assert again.returncode == 1 and b"Traceback" not in again.stderr
