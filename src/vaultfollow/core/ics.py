"""Pending follow-ups -> one iCalendar file (RFC 5545), byte for byte deterministic.

Nothing here reads the clock or invents an identifier: UIDs come from the
follow-ups' `event_id`, and the VTIMEZONE from the tzdata package over the
years the events span.

SEQUENCE, DTSTAMP and LAST-MODIFIED come from each entry's `Revision`, kept
in the decisions file beside the drafts (which a sync service carries to
every machine). An entry whose content (every other byte of it) is what its
revision's digest says keeps that revision; one that changed gets SEQUENCE
one higher and, as DTSTAMP and LAST-MODIFIED, the start (UTC midnight) of
the plan's day, or one second after the previous stamp when that is not
later. So both only ever move forward, and two machines that saw the same
revision and change the same day write the same bytes without talking to
each other.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import (
    Alarm,
    Calendar,
    Component,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    Todo,
)
from icalendar.prop import vDuration

from vaultfollow.core.config import CalendarSettings, Settings
from vaultfollow.core.layout import printable
from vaultfollow.core.model import FollowUp, Kind, Plan, Revision, State
from vaultfollow.core.schedule import after_hours, is_repeated

PRODID = "-//vaultfollow//vaultfollow//EN"
UID_DOMAIN = "vaultfollow"

# Zone names that mean plain UTC: written as `...Z` times with no VTIMEZONE.
_UTC_NAMES = frozenset(
    {"utc", "etc/utc", "uct", "etc/uct", "universal", "etc/universal", "zulu", "etc/zulu"}
)
# RFC 5545 TEXT holds no control character but HTAB; C1 controls and lone
# surrogates (bytes of a name that is not UTF-8) go too.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")
_SPACES = re.compile(r"\s+")

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# SUMMARY and DESCRIPTION wording per kind; `{who}` is the recipients' names.
_TITLE = {
    Kind.THANK_YOU: "Thank-you: {who}",
    Kind.CHECK_IN: "Check-in with {who}",
    Kind.SECOND_CHECK_IN: "Second check-in with {who}",
    Kind.STAY_CONNECTED: "Stay in touch with {who}",
    Kind.HANDWRITTEN_NOTE: "Handwritten card to {who}",
}
_CALL_TITLE = {
    Kind.THANK_YOU: "Thank-you call to {who}",
    Kind.CHECK_IN: "Call {who}",
    Kind.SECOND_CHECK_IN: "Call {who} again",
    Kind.STAY_CONNECTED: "Call {who} to stay in touch",
    Kind.HANDWRITTEN_NOTE: "Handwritten card to {who}",
}
_TASK = {
    Kind.THANK_YOU: "Send the thank-you note to {who}.",
    Kind.CHECK_IN: "Check in with {who} on the status of your application.",
    Kind.SECOND_CHECK_IN: "Check in a second time with {who}.",
    Kind.STAY_CONNECTED: "Thank {who} and ask to stay in touch.",
    Kind.HANDWRITTEN_NOTE: "Write and post a handwritten card to {who}.",
}
_CALL_TASK = {
    Kind.THANK_YOU: "Call {who} to say thank you; the script is in the draft.",
    Kind.CHECK_IN: "Call {who} to ask about the status; the script is in the draft.",
    Kind.SECOND_CHECK_IN: "Call {who} a second time; the script is in the draft.",
    Kind.STAY_CONNECTED: "Call {who} to thank them and stay in touch.",
    Kind.HANDWRITTEN_NOTE: "Write and post a handwritten card to {who}.",
}


@dataclass(frozen=True, slots=True)
class _Entry:
    """One calendar entry: the pending follow-ups sharing one `event_id`."""

    uid: str
    followups: tuple[FollowUp, ...]  # sorted; the first one gives the URL
    start: datetime  # in the calendar's zone
    deadline: datetime  # in the calendar's zone

    @property
    def first(self) -> FollowUp:
        return self.followups[0]


@dataclass(frozen=True, slots=True)
class BuiltCalendar:
    """A calendar's bytes and the revisions to remember: every entry's as
    written, beside the earlier ones of entries no longer in it."""

    data: bytes
    revisions: dict[str, Revision]


def render_calendar(plan: Plan, settings: Settings, vault_name: str) -> bytes:
    """The calendar of every pending follow-up in `plan`, as .ics bytes, its
    entries written for the first time (see `build_calendar`)."""
    return build_calendar(plan, settings, vault_name, {}).data


def build_calendar(
    plan: Plan, settings: Settings, vault_name: str, revisions: Mapping[str, Revision]
) -> BuiltCalendar:
    """The calendar of every pending follow-up in `plan`, and the revisions
    of its entries, from those known before (`revisions`, by UID).

    One VEVENT (or VTODO with `[calendar] kind = "todo"`) per `event_id`,
    sorted by start and UID. With `[calendar] all_day = true` every entry
    lies on its do-day as a DATE value (exclusive DTEND, no VTIMEZONE). The
    same plan, settings, vault name and revisions always give the same
    bytes, whatever the order of `plan.followups` and the time of day.
    """
    zone_name = settings.schedule.timezone or "UTC"
    utc = is_utc(zone_name)
    zone: tzinfo = UTC if utc else calendar_zone(zone_name)
    entries = _entries(plan.followups, zone)
    todo = settings.calendar.kind == "todo"

    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    # No METHOD: a published calendar needs none, and METHOD:PUBLISH would
    # need an ORGANIZER in every entry (RFC 5546 3.2.1).
    name = _CONTROL.sub(" ", settings.calendar.name)
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "UTC" if utc else zone_name)
    cal.add(
        "refresh-interval", vDuration(settings.calendar.refresh), parameters={"VALUE": "DURATION"}
    )
    cal.add("x-published-ttl", vDuration(settings.calendar.refresh))

    if not entries:
        # RFC 5545 3.6: a calendar holds at least one component. A time zone
        # is one that no client shows.
        cal.add_component(_placeholder_zone())
    elif not utc and not settings.calendar.all_day:
        instants = [entry.start for entry in entries]
        instants += [_end(entry, settings, todo=todo) for entry in entries]
        cal.add_component(_vtimezone(zone, zone_name, instants))
    # Each entry is serialised once and remembered: when one note changes, the
    # watcher's next calendar costs one entry, not all of them. Splicing the
    # entries' bytes before END:VCALENDAR gives the same bytes as adding them
    # as subcomponents (every component folds its own lines).
    keys = _entry_keys(entries, zone_name, settings, vault_name)
    today = _day_start(plan.now)
    written = dict(revisions)
    body = []
    for key in keys:
        revision, data = _entry(key, revisions.get(key[0].uid), today)
        written[key[0].uid] = revision
        body.append(data)
    head: bytes = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    return BuiltCalendar(head[: -len(end)] + b"".join(body) + end, written)


# entry, its instants in UTC, zone name, settings, vault name
_EntryKey = tuple[_Entry, tuple[datetime, datetime], str, CalendarSettings, str]
_DIGESTS: dict[_EntryKey, str] = {}  # an entry's content, without its revision
_ENTRY_CACHE: dict[tuple[_EntryKey, Revision], bytes] = {}
_CACHE_SIZE = 4096
_K = TypeVar("_K")
_V = TypeVar("_V")


def _entry_keys(
    entries: list[_Entry], zone_name: str, settings: Settings, vault_name: str
) -> list[_EntryKey]:
    # The zone's name is part of the key: aware datetimes of the same instant
    # compare equal whatever their zone, but are written differently. The
    # entry's instants are too: two times in one zone compare by their wall
    # clock, so the two 02:30 of the night the clocks go back are "equal".
    return [
        (entry, _instants(entry), zone_name, settings.calendar, vault_name) for entry in entries
    ]


def _instants(entry: _Entry) -> tuple[datetime, datetime]:
    return entry.start.astimezone(UTC), entry.deadline.astimezone(UTC)


def _day_start(moment: datetime) -> datetime:
    """UTC midnight of the UTC day of `moment`: what a change is stamped with."""
    day = moment.astimezone(UTC).date()
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def next_revision(previous: Revision | None, digest: str, today: datetime) -> Revision:
    """The revision of an entry whose content hashes to `digest`, seen on the
    day starting at `today`: the previous one when nothing changed, else one
    SEQUENCE higher, stamped `today` or a second after the previous stamp."""
    if previous is None:
        return Revision(0, today, digest)
    if previous.digest == digest:
        return previous
    stamp = max(today, previous.changed + timedelta(seconds=1))
    return Revision(previous.sequence + 1, stamp, digest)


def _entry(key: _EntryKey, previous: Revision | None, today: datetime) -> tuple[Revision, bytes]:
    """The revision and the bytes of one entry, remembered."""
    digest = _DIGESTS.get(key)
    if digest is None:
        # Without the vault's folder name (in URL), which two machines may
        # name differently: their entries would never agree on a revision.
        nameless = (*key[:4], "")
        digest = hashlib.sha256(to_ical(_component(nameless))).hexdigest()[:16]
        _remember(_DIGESTS, key, digest)
    revision = next_revision(previous, digest, today)
    data = _ENTRY_CACHE.get((key, revision))
    if data is None:
        component = _component(key)
        component.add("sequence", revision.sequence)
        component.add("dtstamp", revision.changed)
        component.add("last-modified", revision.changed)
        data = to_ical(component)
        _remember(_ENTRY_CACHE, (key, revision), data)
    return revision, data


def _remember(cache: dict[_K, _V], key: _K, value: _V) -> None:
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value


def _component(key: _EntryKey) -> Event | Todo:
    """The entry as a component, without SEQUENCE, DTSTAMP and LAST-MODIFIED."""
    entry, _, _, calendar, vault_name = key
    settings = Settings(calendar=calendar)
    if calendar.kind == "todo":
        return _todo(entry, settings, vault_name)
    return _event(entry, settings, vault_name)


def to_ical(component: Component) -> bytes:
    """`component.to_ical()`, the same bytes, faster: icalendar folds long
    lines one character at a time, which is most of the cost of a calendar
    of long descriptions; `fold` cuts the encoded line in slices instead."""
    lines = component.content_lines(sorted=True)
    return b"\r\n".join(fold(line) for line in lines if line) + b"\r\n"


_FOLD_AT = 74  # octets of content per physical line (RFC 5545: 75 with the leading space)


def fold(line: str) -> bytes:
    """One content line folded exactly as `Contentline.to_ical` folds it:
    as many whole characters as fit in 74 octets a line, and never a fold
    right after a backslash or caret (the start of an escape), which moves
    to the next line instead."""
    data = line.encode("utf-8")
    if len(data) <= _FOLD_AT:
        return data
    chunks = []
    start = 0
    while len(data) - start > _FOLD_AT:
        end = start + _FOLD_AT
        while data[end] & 0xC0 == 0x80:  # inside a character: cut before it
            end -= 1
        if data[end - 1] in b"\\^":
            end -= 1
        chunks.append(data[start:end])
        start = end
    chunks.append(data[start:])
    return b"\r\n ".join(chunks)


def is_utc(zone_name: str) -> bool:
    """Whether `zone_name` is UTC under another name (then no VTIMEZONE is written)."""
    return zone_name.strip().casefold() in _UTC_NAMES


@lru_cache(maxsize=16)
def calendar_zone(name: str) -> ZoneInfo:
    """The zone `name` from the tzdata package, so every machine with the same
    tzdata version computes the same offsets (the system's zoneinfo may differ);
    the system's data when tzdata lacks the zone."""
    system = ZoneInfo(name)  # rejects names that are not zone keys, such as paths
    try:
        resource = importlib.resources.files("tzdata").joinpath("zoneinfo", *name.split("/"))
        with resource.open("rb") as handle:
            return ZoneInfo.from_file(handle, key=name)
    except (ModuleNotFoundError, OSError, ValueError):
        return system


def format_local(moment: datetime) -> str:
    """`Fri 13 Nov 2026 15:30`, in English whatever the locale."""
    return (
        f"{_WEEKDAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} "
        f"{moment.year} {moment:%H:%M}"
    )


def obsidian_url(vault_name: str, path: str) -> str:
    """`obsidian://open?vault=...&file=...` for a vault-relative note path (the
    `.md` extension dropped, as Obsidian resolves the file without it)."""
    if path.lower().endswith(".md"):
        path = path[:-3]
    return f"obsidian://open?vault={quote(vault_name, safe='')}&file={quote(path, safe='')}"


def _entries(followups: Iterable[FollowUp], zone: tzinfo) -> list[_Entry]:
    groups: dict[str, list[FollowUp]] = {}
    for followup in followups:
        if followup.state is State.PENDING:
            groups.setdefault(followup.event_id, []).append(followup)
    entries = []
    for event_id, members in groups.items():
        # Compared in UTC: in one zone, times compare by their wall clock,
        # which cannot tell the two readings of a repeated hour apart.
        ordered = tuple(
            sorted(
                members,
                key=lambda f: (
                    f.do.astimezone(UTC),
                    f.recipient.name.casefold(),
                    f.recipient.name,
                    f.id,
                ),
            )
        )
        entries.append(
            _Entry(
                uid=f"{event_id}@{UID_DOMAIN}",
                followups=ordered,
                start=ordered[0].do.astimezone(zone),
                deadline=min(f.deadline.astimezone(UTC) for f in ordered).astimezone(zone),
            )
        )
    entries.sort(key=lambda e: (e.start.astimezone(UTC), e.uid))
    return entries


def _end(entry: _Entry, settings: Settings, *, todo: bool) -> datetime:
    """DTEND of an event, or DUE of a task (which is never before its start)."""
    if todo and entry.deadline.astimezone(UTC) > entry.start.astimezone(UTC):
        return entry.deadline
    return after_hours(entry.start, settings.calendar.event_duration)


def _date_time(moment: datetime) -> datetime:
    """`moment` as a DATE-TIME is written: in its zone (with TZID), or in UTC
    when its wall-clock time comes twice. RFC 5545 reads a repeated local
    time as the first of the two, ical.js as the second: only UTC names one
    instant for every reader."""
    return moment.astimezone(UTC) if is_repeated(moment) else moment


def _event(entry: _Entry, settings: Settings, vault_name: str) -> Event:
    event = Event()
    _fill(event, entry, settings, vault_name)
    if settings.calendar.all_day:
        # DTEND of a DATE event is exclusive: the next day ends a one-day event.
        event.add("dtend", entry.start.date() + timedelta(days=1))
    else:
        event.add("dtend", _date_time(_end(entry, settings, todo=False)))
    event.add("status", "CONFIRMED")
    _alarm(event, entry, settings)
    return event


def _todo(entry: _Entry, settings: Settings, vault_name: str) -> Todo:
    todo = Todo()
    _fill(todo, entry, settings, vault_name)
    if settings.calendar.all_day:
        # A DATE task is due on its deadline's day, and DUE must come after
        # DTSTART (strict parsers move DTSTART otherwise): at least the next day.
        todo.add("due", max(entry.deadline.date(), entry.start.date() + timedelta(days=1)))
    else:
        todo.add("due", _date_time(_end(entry, settings, todo=True)))
    todo.add("status", "NEEDS-ACTION")
    _alarm(todo, entry, settings)
    return todo


def _fill(component: Event | Todo, entry: _Entry, settings: Settings, vault_name: str) -> None:
    # Built property by property: Event.new() would add a random UID and the
    # current time as DTSTAMP.
    first = entry.first
    component.add("uid", entry.uid)
    # All-day entries are DATE values throughout (DTSTART, DTEND, DUE): strict
    # parsers reject a component that mixes DATE and DATE-TIME.
    component.add(
        "dtstart", entry.start.date() if settings.calendar.all_day else _date_time(entry.start)
    )
    component.add("summary", _summary(entry))
    component.add("description", _description(entry, settings))
    component.add("url", obsidian_url(vault_name, first.draft_path))
    component.add("categories", [first.kind.value])


def _alarm(component: Event | Todo, entry: _Entry, settings: Settings) -> None:
    before = settings.calendar.alarm
    if before is None:
        return
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _summary(entry))
    if settings.calendar.all_day:
        # Relative to the start of the day, so it rings at the do-time (less
        # the alarm) of the device's own day.
        start = entry.start
        alarm.add("trigger", timedelta(hours=start.hour, minutes=start.minute) - before)
    else:
        alarm.add("trigger", -before)
    component.add_component(alarm)


def _zone_label(moment: datetime) -> str:
    """`Europe/Berlin`; with the offset (`Europe/Berlin, UTC+01:00`) when the
    time comes twice that night, to say which of the two it is."""
    label = str(getattr(moment.tzinfo, "key", None) or moment.tzname() or "UTC")
    if is_repeated(moment):
        offset = moment.isoformat()[-6:]  # +01:00
        label += f", UTC{offset}"
    return label


def _one_line(text: str) -> str:
    """Text from a note as one tidy line: no line breaks or control characters."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def _names(followups: Sequence[FollowUp]) -> list[str]:
    """The recipients' names, each once, in the follow-ups' order."""
    names = (_one_line(f.recipient.name) or "your contact" for f in followups)
    return list(dict.fromkeys(names))


def _job(followup: FollowUp) -> str:
    """`Acme, Platform Engineer` (or whichever of the two is known)."""
    parts = (_one_line(followup.company), _one_line(followup.role))
    return ", ".join(part for part in parts if part)


def _summary(entry: _Entry) -> str:
    first = entry.first
    titles = _CALL_TITLE if first.channel == "phone" else _TITLE
    summary = titles[first.kind].format(who=", ".join(_names(entry.followups)))
    job = _job(first)
    return f"{summary} ({job})" if job else summary


def _description(entry: _Entry, settings: Settings) -> str:
    first = entry.first
    tasks = _CALL_TASK if first.channel == "phone" else _TASK
    names = _names(entry.followups)
    if first.kind is Kind.THANK_YOU and first.channel != "phone" and len(names) > 1:
        task = "Send a thank-you note to each of {who}."
    else:
        task = tasks[first.kind]
    lines = [task.format(who=", ".join(names))]
    lines.append(f"Deadline: {format_local(entry.deadline)} ({_zone_label(entry.deadline)})")
    job = " – ".join(p for p in (_one_line(first.company), _one_line(first.role)) if p)
    if job:
        lines.append(f"Application: {job}")
    # Paths are written as the log writes them: a control character in a
    # file name is escaped (`\n`), not dropped, so the file can be found.
    drafts = [printable(f.draft_path) for f in entry.followups]
    if len(drafts) == 1:
        lines.append(f"Draft: {drafts[0]}")
    else:
        lines.append("Drafts:")
        lines.extend(f"- {path}" for path in drafts)
    sources = list(dict.fromkeys(printable(f.source) for f in entry.followups))
    lines.append(f"Interview note: {', '.join(sources)}")
    return "\n".join(lines)


def _vtimezone(zone: tzinfo, zone_name: str, instants: Sequence[datetime]) -> Timezone:
    """VTIMEZONE for `zone` from Jan 1 of the first year any of `instants` falls
    in to Jan 1 after the last: derived from the data, never from today."""
    years = [moment.astimezone(zone).year for moment in instants]
    first = date(min(years), 1, 1)
    last = date(max(years) + 1, 1, 1)
    timezone = Timezone.from_tzinfo(zone, zone_name, first, last)
    # icalendar says the years it covers in a COMMENT, which RFC 5545 3.6.5
    # allows only in STANDARD and DAYLIGHT (strict parsers refuse it here).
    timezone.pop("COMMENT", None)
    for rule in timezone.subcomponents:
        if isinstance(rule, TimezoneStandard | TimezoneDaylight):
            _onset_before_the_change(rule, zone)
    return timezone


def _onset_before_the_change(rule: TimezoneStandard | TimezoneDaylight, zone: tzinfo) -> None:
    """Write a STANDARD or DAYLIGHT rule's onsets (DTSTART and every RDATE)
    as the local time before the change, in TZOFFSETFROM (RFC 5545 3.8.2.4
    and its examples: summer time in Berlin begins at 02:00). icalendar
    writes the wall time after a spring change (03:00), which libical reads
    as an hour that never was."""
    start, before, after = rule.DTSTART, rule.TZOFFSETFROM, rule.TZOFFSETTO
    if start is None or before is None or after is None or before == after:
        return  # the rule in force at the start of the years written
    rule.DTSTART = _local_before(start, before, after, zone)
    rdates = rule.pop("RDATE", [])
    onsets = [
        _local_before(one.dt, before, after, zone)
        for listed in (rdates if isinstance(rdates, list) else [rdates])
        for one in listed.dts
    ]
    if onsets:
        rule.add("rdate", onsets)


def _local_before(onset: datetime, before: timedelta, after: timedelta, zone: tzinfo) -> datetime:
    """The local time, in the offset `before`, of the change of offset that
    `onset` (a local time in either offset) names."""
    for offset in (after, before):
        moment = (onset - offset).replace(tzinfo=UTC)
        if (
            moment.astimezone(zone).utcoffset() == after
            and (moment - timedelta(seconds=1)).astimezone(zone).utcoffset() == before
        ):
            return (moment + before).replace(tzinfo=None)
    return onset


def _placeholder_zone() -> Timezone:
    """UTC as a VTIMEZONE: the one component of a calendar with no entry."""
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(0))
    standard.add("tzoffsetto", timedelta(0))
    standard.add("tzname", "UTC")
    timezone = Timezone()
    timezone.add("tzid", "UTC")
    timezone.add_component(standard)
    return timezone
