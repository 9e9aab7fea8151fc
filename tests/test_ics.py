"""The calendar, read back with an independent parser (`ical`, not icalendar)."""

from __future__ import annotations

import dataclasses
import logging
import random
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ical.calendar import Calendar as IcalCalendar
from ical.calendar_stream import IcsCalendarStream
from ical.timezone import Timezone as IcalTimezone
from icalendar import Calendar as IcalendarCalendar
from icalendar import Event
from icalendar.parser import Contentline

from conftest import make_followup
from vaultfollow.app.engine import sync
from vaultfollow.core.config import CalendarSettings, ScheduleSettings, Settings
from vaultfollow.core.ics import build_calendar, fold, obsidian_url, render_calendar, to_ical
from vaultfollow.core.model import (
    FollowUp,
    InterviewNote,
    Kind,
    Person,
    Plan,
    Revision,
    Round,
    State,
)
from vaultfollow.core.schedule import Memory
from vaultfollow.store.decisions import dump_memory, merge_memory, parse_memory

BERLIN = ZoneInfo("Europe/Berlin")
VAULT = "Job Hunt"


@pytest.fixture(autouse=True)
def _no_parser_warnings(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """`ical` logs what it had to guess or skip: a clean calendar logs nothing."""
    caplog.set_level(logging.DEBUG, logger="ical")
    yield
    warnings = [
        r for r in caplog.records if r.name.startswith("ical") and r.levelno >= logging.WARNING
    ]
    assert not warnings, [r.getMessage() for r in warnings]


# --- factories --------------------------------------------------------------


def settings(timezone: str = "Europe/Berlin", **calendar: object) -> Settings:
    return Settings(
        schedule=ScheduleSettings(timezone=timezone),
        calendar=dataclasses.replace(CalendarSettings(), **calendar),  # type: ignore[arg-type]
    )


def note(
    company: str = "Acme",
    role: str = "Platform Engineer",
    start: datetime = datetime(2026, 11, 12, 15, 30, tzinfo=BERLIN),
    interviewers: tuple[str, ...] = ("Jane Doe", "Raj Patel"),
    path: str = "Interviews/2026-11-12 Acme.md",
) -> InterviewNote:
    people = tuple(
        Person(name, email=f"{name.split()[0].lower()}@acme.test") for name in interviewers
    )
    return InterviewNote(
        path=path,
        company=company,
        role=role,
        rounds=(Round(start=start, end=start + timedelta(hours=1), interviewers=people),),
    )


def followup(
    kind: Kind = Kind.THANK_YOU,
    to: str = "Jane Doe",
    do: datetime = datetime(2026, 11, 12, 18, 30, tzinfo=BERLIN),
    deadline: datetime | None = None,
    state: State = State.PENDING,
    event_id: str | None = None,
    channel: str = "email",
    source: InterviewNote | None = None,
) -> FollowUp:
    src = source or note()
    event_id = event_id or f"{kind.value}-{src.rounds[0].start:%Y%m%d}-acme"
    return make_followup(
        src, kind, to, do, event_id=event_id, deadline=deadline, state=state, channel=channel
    )


def plan(*followups: FollowUp) -> Plan:
    notes = tuple({f.note.path: f.note for f in followups}.values())
    return Plan(
        followups=followups,
        notes=notes,
        problems=(),
        now=datetime(2026, 11, 12, 12, 0, tzinfo=BERLIN),
    )


def read(data: bytes) -> IcalCalendar:
    return IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))


def offset_at(timezone: IcalTimezone, local: datetime) -> timedelta:
    """The UTC offset a VTIMEZONE gives a local time: the offset of the latest
    onset (DTSTART or RDATE of any observance) at or before it. (`ical`'s own
    IcsTimezoneInfo only follows observances that have an RRULE or RDATE.)"""
    onsets: list[tuple[datetime, timedelta]] = []
    for observance in [*timezone.standard, *timezone.daylight]:
        assert observance.dtstart is not None
        for onset in [observance.dtstart, *observance.rdate]:
            assert isinstance(onset, datetime)
            onsets.append((onset, observance.tz_offset_to.offset))
    return max(o for o in onsets if o[0] <= local)[1]


def standard_plan() -> Plan:
    return plan(
        followup(Kind.THANK_YOU, "Jane Doe"),
        followup(Kind.THANK_YOU, "Raj Patel"),
        followup(Kind.CHECK_IN, "Jane Doe", do=datetime(2026, 11, 19, 9, 0, tzinfo=BERLIN)),
    )


# --- tests --------------------------------------------------------------------


def test_one_event_per_round_and_kind() -> None:
    cal = read(render_calendar(standard_plan(), settings(), VAULT))

    assert [e.uid for e in cal.events] == [
        "thank-you-20261112-acme@vaultfollow",
        "check-in-20261112-acme@vaultfollow",
    ]
    thanks, check_in = cal.events
    assert thanks.summary == "Thank-you: Jane Doe, Raj Patel (Acme, Platform Engineer)"
    assert check_in.summary == "Check-in with Jane Doe (Acme, Platform Engineer)"
    assert thanks.categories == ["thank-you"]
    assert check_in.categories == ["check-in"]
    assert thanks.status is not None and thanks.status.value == "CONFIRMED"


def test_times_zone_and_duration() -> None:
    data = render_calendar(standard_plan(), settings(event_duration=timedelta(minutes=30)), VAULT)
    cal = read(data)

    thanks = cal.events[0]
    assert isinstance(thanks.dtstart, datetime)
    assert thanks.dtstart == datetime(2026, 11, 12, 18, 30, tzinfo=BERLIN)
    assert thanks.dtend == thanks.dtstart + timedelta(minutes=30)
    assert b"DTSTART;TZID=Europe/Berlin:20261112T183000\r\n" in data
    assert [tz.tz_id for tz in cal.timezones] == ["Europe/Berlin"]
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")
    # DTSTAMP is the day the entry was first written (the plan's), never the clock
    assert thanks.dtstamp == datetime(2026, 11, 12, 0, 0, tzinfo=UTC)


def test_description_and_url() -> None:
    cal = read(render_calendar(standard_plan(), settings(), VAULT))

    thanks = cal.events[0]
    assert thanks.url == (
        "obsidian://open?vault=Job%20Hunt"
        "&file=Follow-ups%2FAcme%2F2026-11-12%20thank-you%20-%20Jane%20Doe"
    )
    assert thanks.description is not None
    assert "Deadline: Fri 13 Nov 2026 15:30 (Europe/Berlin)" in thanks.description
    assert "Acme – Platform Engineer" in thanks.description
    assert "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md" in thanks.description
    assert "Follow-ups/Acme/2026-11-12 thank-you - Raj Patel.md" in thanks.description
    assert "Interviews/2026-11-12 Acme.md" in thanks.description


def test_obsidian_url_encodes_everything() -> None:
    url = obsidian_url("My Vault & co?", "A/B #1&x=y.md")
    assert url == "obsidian://open?vault=My%20Vault%20%26%20co%3F&file=A%2FB%20%231%26x%3Dy"


@pytest.mark.parametrize(
    ("kind", "channel", "summary"),
    [
        (Kind.CHECK_IN, "phone", "Call Jane Doe (Acme, Platform Engineer)"),
        (Kind.HANDWRITTEN_NOTE, "post", "Handwritten card to Jane Doe (Acme, Platform Engineer)"),
        (Kind.STAY_CONNECTED, "email", "Stay in touch with Jane Doe (Acme, Platform Engineer)"),
        (Kind.SECOND_CHECK_IN, "email", "Second check-in with Jane Doe (Acme, Platform Engineer)"),
    ],
)
def test_summaries(kind: Kind, channel: str, summary: str) -> None:
    day = datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN)
    cal = read(render_calendar(plan(followup(kind, do=day, channel=channel)), settings(), VAULT))
    assert cal.events[0].summary == summary


def test_alarm() -> None:
    cal = read(render_calendar(standard_plan(), settings(alarm=timedelta(minutes=15)), VAULT))
    alarm = cal.events[0].alarm
    assert len(alarm) == 1
    assert alarm[0].action == "DISPLAY"
    assert alarm[0].trigger == -timedelta(minutes=15)
    assert alarm[0].description

    cal = read(render_calendar(standard_plan(), settings(alarm=timedelta(0)), VAULT))
    assert cal.events[0].alarm[0].trigger == timedelta(0)


def test_no_alarm() -> None:
    data = render_calendar(standard_plan(), settings(alarm=None), VAULT)
    assert b"VALARM" not in data
    assert all(not e.alarm for e in read(data).events)


def test_todo_mode() -> None:
    data = render_calendar(standard_plan(), settings(kind="todo"), VAULT)
    cal = read(data)

    assert not cal.events
    assert b"DTEND" not in data
    thanks, check_in = cal.todos
    assert thanks.dtstart == datetime(2026, 11, 12, 18, 30, tzinfo=BERLIN)
    assert thanks.due == datetime(2026, 11, 13, 15, 30, tzinfo=BERLIN)
    assert thanks.status is not None and thanks.status.value == "NEEDS-ACTION"
    # deadline == do: due after the event duration, never before the start
    assert check_in.due == datetime(2026, 11, 19, 9, 15, tzinfo=BERLIN)
    assert thanks.categories == ["thank-you"]
    assert thanks.alarms and thanks.alarms[0].trigger == timedelta(0)


def test_deterministic_across_renders_and_input_order() -> None:
    followups = [
        followup(Kind.THANK_YOU, "Jane Doe"),
        followup(Kind.THANK_YOU, "Raj Patel"),
        followup(Kind.THANK_YOU, "Ann Lee"),
        followup(Kind.CHECK_IN, "Jane Doe", do=datetime(2026, 11, 19, 9, 0, tzinfo=BERLIN)),
        followup(
            Kind.CHECK_IN,
            "Bo Chen",
            do=datetime(2026, 11, 19, 9, 0, tzinfo=BERLIN),
            event_id="check-in-other",
            source=note("Globex", "SRE"),
        ),
    ]
    first = render_calendar(plan(*followups), settings(), VAULT)
    assert render_calendar(plan(*followups), settings(), VAULT) == first
    for seed in range(5):
        shuffled = followups[:]
        random.Random(seed).shuffle(shuffled)
        assert render_calendar(plan(*shuffled), settings(), VAULT) == first
    # same start: ordered by UID
    assert [e.uid for e in read(first).events][1:] == [
        "check-in-20261112-acme@vaultfollow",
        "check-in-other@vaultfollow",
    ]


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (datetime(2026, 10, 26, 9, 0), 8),  # the day after summer time ends
        (datetime(2026, 3, 30, 9, 0), 7),  # the day after summer time starts
    ],
)
def test_dst(day: datetime, utc_hour: int) -> None:
    local = day.replace(tzinfo=BERLIN)
    data = render_calendar(plan(followup(Kind.CHECK_IN, do=local)), settings(), VAULT)
    cal = read(data)

    start = cal.events[0].dtstart
    assert isinstance(start, datetime)
    assert start.astimezone(UTC) == day.replace(hour=utc_hour, tzinfo=UTC)
    assert start.astimezone(BERLIN).hour == 9
    # the VTIMEZONE we wrote, on its own, says the same
    assert day - offset_at(cal.timezones[0], day) == day.replace(hour=utc_hour)
    stamp = f"DTSTART;TZID=Europe/Berlin:{day:%Y%m%dT%H%M%S}\r\n".encode()
    assert stamp in data


def test_vtimezone_spans_the_events_years_not_today() -> None:
    late = followup(Kind.CHECK_IN, do=datetime(2027, 12, 31, 23, 55, tzinfo=BERLIN))
    data = render_calendar(plan(followup(), late), settings(), VAULT)
    assert data.count(b"BEGIN:VTIMEZONE") == 1
    (zone,) = [c for c in IcalendarCalendar.from_ical(data).subcomponents if c.name == "VTIMEZONE"]
    # From Jan 1 of the first event's year to the end of the last one's (its
    # end is in 2028), never from today.
    onsets = [c["DTSTART"].dt for c in zone.subcomponents]
    for observance in zone.subcomponents:
        rdates = observance.get("RDATE", [])
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            onsets += [one.dt for one in rdate.dts]
    assert min(onsets) == datetime(2026, 1, 1)
    assert max(onsets) == datetime(2028, 10, 29, 3, 0)


def test_utc_mode() -> None:
    data = render_calendar(standard_plan(), settings(timezone="UTC"), VAULT)
    cal = read(data)

    assert b"VTIMEZONE" not in data
    assert b"TZID" not in data
    assert b"DTSTART:20261112T173000Z\r\n" in data
    assert cal.events[0].dtstart == datetime(2026, 11, 12, 17, 30, tzinfo=UTC)
    assert b"X-WR-TIMEZONE:UTC\r\n" in data


def test_no_spurious_utc_timezone() -> None:
    data = render_calendar(standard_plan(), settings(), VAULT)
    assert data.count(b"BEGIN:VTIMEZONE") == 1
    assert b"TZID:UTC" not in data


def test_calendar_properties() -> None:
    data = render_calendar(
        standard_plan(), settings(name="My follow-ups", refresh=timedelta(hours=2)), VAULT
    )
    for line in (
        b"VERSION:2.0",
        b"PRODID:-//vaultfollow//vaultfollow//EN",
        b"CALSCALE:GREGORIAN",
        b"NAME:My follow-ups",
        b"X-WR-CALNAME:My follow-ups",
        b"X-WR-TIMEZONE:Europe/Berlin",
        b"REFRESH-INTERVAL;VALUE=DURATION:PT2H",
        b"X-PUBLISHED-TTL:PT2H",
    ):
        assert b"\r\n" + line + b"\r\n" in data
    cal = read(data)
    assert cal.prodid == "-//vaultfollow//vaultfollow//EN"
    # METHOD:PUBLISH would need an ORGANIZER (RFC 5546 3.2.1): a feed needs no METHOD.
    assert b"METHOD" not in data
    assert cal.method is None


def test_only_pending_followups() -> None:
    finished = [
        followup(Kind.CHECK_IN, "A", state=state, event_id=f"ev-{state.value}")
        for state in (State.SENT, State.SKIPPED, State.CANCELLED, State.DISMISSED)
    ]
    # a sent thank-you of a round whose other thank-you is still pending
    sent_thanks = followup(Kind.THANK_YOU, "Raj Patel", state=State.SENT)
    data = render_calendar(plan(followup(), sent_thanks, *finished), settings(), VAULT)
    cal = read(data)

    assert [e.uid for e in cal.events] == ["thank-you-20261112-acme@vaultfollow"]
    assert cal.events[0].summary == "Thank-you: Jane Doe (Acme, Platform Engineer)"
    assert b"ev-" not in data


def test_empty_plan() -> None:
    data = render_calendar(plan(), settings(), VAULT)
    cal = read(data)

    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert not cal.events
    assert not cal.todos
    # RFC 5545 3.6: a calendar holds at least one component; a time zone shows nowhere.
    parsed = IcalendarCalendar.from_ical(data)
    assert [c.name for c in parsed.subcomponents] == ["VTIMEZONE"]
    assert b"TZID:UTC\r\n" in data


@pytest.mark.parametrize(
    "evil",
    [
        "Acme\r\nBEGIN:VEVENT",
        "Acme\nEND:VEVENT\nEND:VCALENDAR",
        "Acme;TZID=X:1,2\\n",
    ],
)
def test_injection_stays_in_its_property(evil: str) -> None:
    source = note(company=evil)
    item = followup(Kind.THANK_YOU, f"Eve {evil}", source=source)
    data = render_calendar(plan(item), settings(), f"Vault{evil}")
    cal = read(data)

    assert len(cal.events) == 1
    lines = data.split(b"\r\n")
    assert lines.count(b"BEGIN:VEVENT") == 1
    assert lines.count(b"END:VEVENT") == 1
    assert lines.count(b"END:VCALENDAR") == 1
    event = cal.events[0]
    assert event.summary is not None and "Acme" in event.summary
    assert event.description is not None and "Acme" in event.description
    assert event.url is not None and "\n" not in event.url and "\r" not in event.url
    for line in lines:
        assert b"\n" not in line and b"\r" not in line


def test_long_unicode_lines_fold_without_splitting_characters() -> None:
    long_name = "Zoë Ångström 山田太郎 🎉" * 8
    item = followup(Kind.THANK_YOU, long_name, source=note(company="Ünïcødé GmbH 株式会社"))
    data = render_calendar(plan(item), settings(), VAULT)

    assert data.endswith(b"\r\n")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # every folded line is valid UTF-8 on its own
    event = read(data).events[0]
    assert event.summary is not None and long_name in event.summary


def test_other_zone_without_dst() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    item = followup(Kind.CHECK_IN, do=datetime(2026, 11, 19, 9, 0, tzinfo=BERLIN))
    data = render_calendar(plan(item), settings(timezone="Asia/Tokyo"), VAULT)
    cal = read(data)

    assert b"DTSTART;TZID=Asia/Tokyo:20261119T170000\r\n" in data
    assert cal.events[0].dtstart == datetime(2026, 11, 19, 17, 0, tzinfo=tokyo)
    assert [tz.tz_id for tz in cal.timezones] == ["Asia/Tokyo"]


def test_all_day_events() -> None:
    data = render_calendar(
        standard_plan(), settings(all_day=True, alarm=timedelta(minutes=15)), VAULT
    )
    assert b"VTIMEZONE" not in data and b"TZID" not in data
    assert b"DTSTART;VALUE=DATE:20261112\r\n" in data
    assert b"DTEND;VALUE=DATE:20261113\r\n" in data
    thanks, check_in = read(data).events
    assert (thanks.dtstart, thanks.dtend) == (date(2026, 11, 12), date(2026, 11, 13))
    assert (check_in.dtstart, check_in.dtend) == (date(2026, 11, 19), date(2026, 11, 20))
    # Alarms count from the start of the day: the do-time less the alarm.
    assert thanks.alarm[0].trigger == timedelta(hours=18, minutes=15)
    assert check_in.alarm[0].trigger == timedelta(hours=8, minutes=45)


def test_all_day_todos() -> None:
    data = render_calendar(standard_plan(), settings(all_day=True, kind="todo"), VAULT)
    assert b"VTIMEZONE" not in data and b"DTEND" not in data
    thanks, check_in = read(data).todos
    assert (thanks.dtstart, thanks.due) == (date(2026, 11, 12), date(2026, 11, 13))
    # DUE on the start's day would not be after DTSTART: the next day.
    assert (check_in.dtstart, check_in.due) == (date(2026, 11, 19), date(2026, 11, 20))
    assert check_in.alarms[0].trigger == timedelta(hours=9)


def test_all_day_is_off_by_default() -> None:
    assert settings().calendar.all_day is False
    assert b"VALUE=DATE" not in render_calendar(standard_plan(), settings(), VAULT)


@given(
    st.text(alphabet=st.sampled_from("ab c\\^,;:é€😀"), max_size=400)
    | st.text(alphabet=st.sampled_from("ab\\^ "), max_size=400)
)
def test_fast_folding_gives_icalendars_bytes(text: str) -> None:
    line = Contentline(text)
    assert fold(line) == line.to_ical()


def test_to_ical_gives_icalendars_bytes() -> None:
    long = "A point about " + "escaped\\, text^ " * 40
    event = Event()
    event.add("uid", "x@vaultfollow")
    event.add("summary", long)
    event.add("description", long + "\n" + long)
    assert to_ical(event) == event.to_ical()


# --- VTIMEZONE (issue 18, C1) -------------------------------------------------


def test_no_comment_directly_in_vtimezone() -> None:
    # RFC 5545 3.6.5 allows COMMENT in STANDARD and DAYLIGHT only; strict Ruby
    # icalendar refuses the whole calendar otherwise.
    data = render_calendar(standard_plan(), settings(), VAULT)
    (zone,) = [c for c in IcalendarCalendar.from_ical(data).subcomponents if c.name == "VTIMEZONE"]
    assert "COMMENT" not in zone
    assert zone.subcomponents


@pytest.mark.parametrize(
    ("zone_name", "spring"),
    [
        ("Europe/Berlin", datetime(2026, 3, 29, 2, 0)),
        ("America/New_York", datetime(2026, 3, 8, 2, 0)),
        ("Australia/Sydney", datetime(2026, 10, 4, 2, 0)),
        ("Europe/London", datetime(2026, 3, 29, 1, 0)),
    ],
)
def test_each_change_of_offset_starts_at_the_local_time_before_it(
    zone_name: str, spring: datetime
) -> None:
    """RFC 5545 3.8.2.4: a STANDARD or DAYLIGHT onset is local time in
    TZOFFSETFROM. Written in the new offset (03:00 in Berlin), libical reads
    the hour before the change as an hour that does not exist (issue 18, C3)."""
    zone = ZoneInfo(zone_name)
    # Two years apart: the later changes are RDATEs of the first year's rules.
    first = followup(Kind.CHECK_IN, do=datetime(2026, 6, 1, 9, 0, tzinfo=zone))
    later = followup(Kind.THANK_YOU, do=datetime(2028, 1, 5, 9, 0, tzinfo=zone))
    data = render_calendar(plan(first, later), settings(timezone=zone_name), VAULT)
    (vtimezone,) = IcalendarCalendar.from_ical(data).walk("VTIMEZONE")
    onsets = []
    for rule in vtimezone.subcomponents:
        before, after = rule.TZOFFSETFROM, rule.TZOFFSETTO
        if before == after:
            continue
        rdates = rule.get("RDATE", [])
        starts = [rule.DTSTART] + [
            one.dt
            for listed in (rdates if isinstance(rdates, list) else [rdates])
            for one in listed.dts
        ]
        for start in starts:
            change = (start - before).replace(tzinfo=UTC)
            assert change.astimezone(zone).utcoffset() == after, (rule.name, start)
            assert (change - timedelta(seconds=1)).astimezone(zone).utcoffset() == before
        onsets += starts
    assert spring in onsets
    assert len(onsets) == 6  # two changes a year, 2026 to 2028


# --- SEQUENCE, DTSTAMP and LAST-MODIFIED (issue 18, C4) -------------------------

MOVED = datetime(2026, 11, 12, 19, 45, tzinfo=BERLIN)
THANKS = "thank-you-20261112-acme@vaultfollow"


def entry_props(data: bytes, uid: str = THANKS) -> tuple[int, datetime, datetime]:
    """(SEQUENCE, DTSTAMP, LAST-MODIFIED) of the entry `uid`."""
    for component in IcalendarCalendar.from_ical(data).walk("VEVENT"):
        if str(component["UID"]) == uid:
            return (
                int(component["SEQUENCE"]),
                component["DTSTAMP"].dt,
                component["LAST-MODIFIED"].dt,
            )
    raise AssertionError(f"no {uid}")


def at(moment: datetime, *followups: FollowUp) -> Plan:
    return dataclasses.replace(plan(*followups), now=moment)


def test_a_new_entry_has_sequence_0_and_the_days_stamp() -> None:
    made = build_calendar(
        at(datetime(2026, 11, 12, 23, 30, tzinfo=UTC), followup()), settings(), VAULT, {}
    )
    day = datetime(2026, 11, 12, tzinfo=UTC)
    assert entry_props(made.data) == (0, day, day)
    assert made.revisions[THANKS].sequence == 0


def test_an_unchanged_entry_keeps_its_revision_whatever_the_day() -> None:
    first = build_calendar(
        at(datetime(2026, 11, 12, 9, 0, tzinfo=BERLIN), followup()), settings(), VAULT, {}
    )
    later = at(datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN), followup())
    again = build_calendar(later, settings(), VAULT, first.revisions)
    assert again.data == first.data
    assert again.revisions == first.revisions


def test_a_changed_entry_gets_a_higher_sequence_and_a_later_stamp() -> None:
    first = build_calendar(
        at(datetime(2026, 11, 12, 9, 0, tzinfo=BERLIN), followup()), settings(), VAULT, {}
    )
    moved = at(datetime(2026, 11, 14, 9, 0, tzinfo=BERLIN), followup(do=MOVED))
    second = build_calendar(moved, settings(), VAULT, first.revisions)
    sequence, stamp, modified = entry_props(second.data)
    assert sequence == 1
    assert stamp == modified == datetime(2026, 11, 14, tzinfo=UTC)
    # Moved back to where it was: still a change, so still forward.
    back = at(datetime(2026, 11, 15, 9, 0, tzinfo=BERLIN), followup())
    third = build_calendar(back, settings(), VAULT, second.revisions)
    assert entry_props(third.data)[:2] == (2, datetime(2026, 11, 15, tzinfo=UTC))


def test_the_stamp_never_moves_backwards_even_when_the_clock_does() -> None:
    first = build_calendar(
        at(datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN), followup()), settings(), VAULT, {}
    )
    # `--now` in the past, or a machine whose clock is behind: a change the same
    # day or earlier moves DTSTAMP one second on, never back.
    earlier = at(datetime(2026, 11, 10, 9, 0, tzinfo=BERLIN), followup(do=MOVED))
    second = build_calendar(earlier, settings(), VAULT, first.revisions)
    assert entry_props(second.data)[:2] == (1, datetime(2026, 11, 20, 0, 0, 1, tzinfo=UTC))
    twice = at(
        datetime(2026, 11, 20, 15, 0, tzinfo=BERLIN),
        followup(kind=Kind.THANK_YOU, to="Raj Patel", do=MOVED),
    )
    third = build_calendar(twice, settings(), VAULT, second.revisions)
    assert entry_props(third.data)[:2] == (2, datetime(2026, 11, 20, 0, 0, 2, tzinfo=UTC))


def test_a_change_of_settings_is_a_change_of_the_entry() -> None:
    now = datetime(2026, 11, 12, 9, 0, tzinfo=BERLIN)
    first = build_calendar(at(now, followup()), settings(), VAULT, {})
    second = build_calendar(at(now, followup()), settings(alarm=None), VAULT, first.revisions)
    assert entry_props(second.data)[0] == 1


def test_revisions_merge_the_same_whichever_way_round() -> None:
    day = datetime(2026, 11, 12, tzinfo=UTC)
    one = Memory(revisions={"a": Revision(1, day, "x"), "b": Revision(0, day, "y")})
    other = Memory(revisions={"a": Revision(2, day, "z"), "c": Revision(0, day, "w")})
    merged = merge_memory(one, other)
    assert merged == merge_memory(other, one)
    assert merged.revisions == {
        "a": Revision(2, day, "z"),
        "b": Revision(0, day, "y"),
        "c": Revision(0, day, "w"),
    }
    assert parse_memory(dump_memory(merged)) == merged


def test_a_revision_written_without_a_zone_is_read_as_utc_on_every_machine() -> None:
    """A hand-edited or older decisions file: `changed` with no offset is
    UTC, never the reading machine's zone (two machines would disagree)."""
    text = (
        '{"format": 1, "drafted": {}, "first_seen": {}, "calendar_entries": '
        '{"a": {"sequence": 3, "changed": "2026-11-12T00:00:00", "digest": "x"}}}'
    )
    memory = parse_memory(text.encode())
    assert memory.revisions["a"] == Revision(3, datetime(2026, 11, 12, tzinfo=UTC), "x")
    for bad in ('"sequence": true', '"digest": 7'):
        broken = (
            text.replace('"sequence": 3', bad)
            if "sequence" in bad
            else text.replace('"digest": "x"', bad)
        )
        with pytest.raises(ValueError):
            parse_memory(broken.encode())


CASES = Path(__file__).parent / "cases"


def _move_the_second_round(root: Path) -> None:
    note = root / "Applications" / "Tidewater - Operations Manager.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("time: 10:00", "time: 11:30"), encoding="utf-8")


def test_two_machines_syncing_one_vault_write_the_same_calendar(tmp_path: Path) -> None:
    # Machine A syncs and the sync service carries the vault (not `.vaultfollow/`,
    # which is each machine's own) to machine B; the note changes on A and reaches
    # B; each then syncs: the same SEQUENCE, DTSTAMP and bytes on both.
    a = tmp_path / "a" / "Job Hunt"  # the same folder name: the vault's name is in URL
    shutil.copytree(CASES / "application-rounds" / "vault", a)
    first = datetime(2026, 11, 12, 10, 0, tzinfo=BERLIN)
    sync(a, first)
    b = tmp_path / "b" / "Job Hunt"
    shutil.copytree(a, b, ignore=shutil.ignore_patterns(".vaultfollow"))
    for root in (a, b):
        _move_the_second_round(root)
    sync(a, first + timedelta(hours=2))
    sync(b, first + timedelta(hours=5))
    ics = Path("Follow-ups") / "followups.ics"
    assert (a / ics).read_bytes() == (b / ics).read_bytes()
    props = [entry_props((a / ics).read_bytes(), uid) for uid in _uids((a / ics).read_bytes())]
    assert (1, datetime(2026, 11, 12, tzinfo=UTC) + timedelta(seconds=1)) in [p[:2] for p in props]
    # Nothing changed since: a later pass on either machine keeps every byte.
    sync(b, first + timedelta(days=3))
    assert (a / ics).read_bytes() == (b / ics).read_bytes()


def _uids(data: bytes) -> list[str]:
    return [str(c["UID"]) for c in IcalendarCalendar.from_ical(data).walk("VEVENT")]


def test_the_vault_folder_name_is_not_a_change() -> None:
    # Two machines may name the vault's folder differently (it is in URL):
    # reading each other's revisions must not bump SEQUENCE back and forth.
    now = datetime(2026, 11, 12, 9, 0, tzinfo=BERLIN)
    one = build_calendar(at(now, followup()), settings(), "Job Hunt", {})
    other = build_calendar(
        at(now + timedelta(days=1), followup()), settings(), "Jobs", one.revisions
    )
    assert other.revisions == one.revisions
    assert entry_props(other.data)[0] == 0
