"""What the engine read, kept between runs as JSON and plain text.

Entries are keyed by vault path and hold the file's modification time and
size, so an unchanged file is never read again. The format is JSON, never
pickle: `.vaultfollow/` lives in a folder that sync services and other people
can write, and a cache must not be a way to run code. Anything unexpected in
the file (another version, other settings, a damaged entry) makes the whole
cache be rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from vaultfollow import __version__
from vaultfollow.core.model import DraftRecord, InterviewNote, Person, Problem, Round
from vaultfollow.store.paths import StatKey

FORMAT = 8


@dataclass(slots=True)
class CachedNote:
    key: StatKey
    note: InterviewNote | None
    problems: list[Problem]
    is_interview: bool
    reason: str | None = None  # why a note that mentions a job is not read as one


@dataclass(slots=True)
class CachedDraft:
    key: StatKey
    record: DraftRecord | None
    problems: list[Problem]
    digest: str  # sha256 of the file's bytes


@dataclass(slots=True)
class CachedOutput:
    key: str  # hash of what it was rendered from
    digest: str  # sha256 of the bytes written
    stat: StatKey


@dataclass(slots=True)
class Cache:
    notes: dict[str, CachedNote] = field(default_factory=dict)  # interview notes, problems
    plain: dict[str, StatKey] = field(default_factory=dict)  # every other note: just its stat
    drafts: dict[str, CachedDraft] = field(default_factory=dict)
    people: dict[str, tuple[StatKey, Person | None]] = field(default_factory=dict)
    outputs: dict[str, CachedOutput] = field(default_factory=dict)
    rendered: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (key, digest)
    lint: dict[str, tuple[str, list[Problem]]] = field(default_factory=dict)  # draft -> findings
    # Set whenever an entry changes, cleared once the cache is saved (not saved itself).
    dirty: bool = field(default=False, compare=False)


def fingerprint(config_text: str, zone: str) -> str:
    """Settings and program version the cache is valid for."""
    text = f"{__version__}\x1f{FORMAT}\x1f{zone}\x1f{config_text}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def dump_cache(cache: Cache, settings_key: str) -> bytes:
    data = {
        "format": FORMAT,
        "settings": settings_key,
        "notes": {
            rel: [
                *c.key,
                c.is_interview,
                _note(c.note),
                [_problem(p) for p in c.problems],
                c.reason,
            ]
            for rel, c in sorted(cache.notes.items())
        },
        "drafts": {
            rel: [*d.key, d.digest, _record(d.record), [_problem(p) for p in d.problems]]
            for rel, d in sorted(cache.drafts.items())
        },
        "people": {
            rel: [*key, _person(person)] for rel, (key, person) in sorted(cache.people.items())
        },
        "outputs": {rel: [o.key, o.digest, *o.stat] for rel, o in sorted(cache.outputs.items())},
        "rendered": {k: list(v) for k, v in sorted(cache.rendered.items())},
        "lint": {
            rel: [key, [_problem(p) for p in found]]
            for rel, (key, found) in sorted(cache.lint.items())
        },
    }
    head = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Ordinary notes, one `mtime size path` line each after the JSON line:
    # for 50,000 notes a JSON object of lists costs several times the memory.
    # A path with a line break is left out (it is simply read again).
    # Joined as bytes: one emoji in one path would make a joined str take four
    # bytes per character for the whole file.
    lines = b"".join(
        f"{mtime} {size} {rel}\n".encode()
        for rel, (mtime, size) in cache.plain.items()
        if "\n" not in rel
    )
    return head.encode("utf-8") + b"\n" + lines


def load_cache(raw: bytes | None, settings_key: str, zone: str) -> Cache:
    """The cache in `raw`, or an empty one when it is missing, damaged or stale."""
    if not raw:
        return Cache()
    try:
        head, _, rest = raw.partition(b"\n")
        data = json.loads(head)
        if data.get("format") != FORMAT or data.get("settings") != settings_key:
            return Cache()
        tz = ZoneInfo(zone)
        cache = Cache()
        for rel, (mtime, size, is_interview, note, problems, reason) in data["notes"].items():
            cache.notes[rel] = CachedNote(
                (int(mtime), int(size)),
                _load_note(note, tz),
                [_load_problem(p) for p in problems],
                bool(is_interview),
                _opt(reason),
            )
        for line in rest.decode("utf-8").split("\n"):
            if line:
                mtime, size, rel = line.split(" ", 2)
                cache.plain[rel] = (int(mtime), int(size))
        for rel, (mtime, size, digest, record, problems) in data["drafts"].items():
            cache.drafts[rel] = CachedDraft(
                (int(mtime), int(size)),
                _load_record(record),
                [_load_problem(p) for p in problems],
                str(digest),
            )
        for rel, (mtime, size, person) in data["people"].items():
            cache.people[rel] = ((int(mtime), int(size)), _load_person(person))
        for rel, (key, digest, mtime, size) in data["outputs"].items():
            cache.outputs[rel] = CachedOutput(str(key), str(digest), (int(mtime), int(size)))
        for followup_id, (key, digest) in data["rendered"].items():
            cache.rendered[str(followup_id)] = (str(key), str(digest))
        for rel, (key, found) in data["lint"].items():
            cache.lint[rel] = (str(key), [_load_problem(p) for p in found])
        return cache
    except (ValueError, TypeError, KeyError, AttributeError, LookupError, UnicodeError):
        return Cache()


# --- values <-> JSON ---------------------------------------------------------


def _person(person: Person | None) -> list[Any] | None:
    if person is None:
        return None
    return [
        person.name,
        person.email,
        person.title,
        person.phone,
        person.link,
        person.salutation,
        person.goes_by,
    ]


def _load_person(data: Any) -> Person | None:
    if data is None:
        return None
    name, email, title, phone, link, salutation, goes_by = data
    return Person(
        str(name),
        _opt(email),
        _opt(title),
        _opt(phone),
        _opt(link),
        _opt(salutation),
        _opt(goes_by),
    )


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _load_day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _note(note: InterviewNote | None) -> dict[str, Any] | None:
    if note is None:
        return None
    return {
        "path": note.path,
        "company": note.company,
        "role": note.role,
        "rounds": [
            [
                r.start.isoformat(),
                r.end.isoformat(),
                [_person(p) for p in r.interviewers],
                r.label,
                r.line,
                r.no_people,
                list(r.discussed),
                list(r.clarify),
                list(r.candidates),
            ]
            for r in note.rounds
        ],
        "application_link": note.application_link,
        "contact": _person(note.contact),
        "status": note.status,
        "status_date": _day(note.status_date),
        "status_line": note.status_line,
        "responded": _day(note.responded),
        "decision_by": _day(note.decision_by),
        "tone": note.tone,
        "address": note.address,
        "handwritten": note.handwritten,
        "check_in_channel": note.check_in_channel,
        "phone": note.phone,
        "discussed": list(note.discussed),
        "clarify": list(note.clarify),
        "decision_words": note.decision_words,
        "links": list(note.links),
    }


def _load_note(data: Any, zone: ZoneInfo) -> InterviewNote | None:
    if data is None:
        return None

    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text).astimezone(zone)

    rounds = tuple(
        Round(
            start=moment(start),
            end=moment(end),
            interviewers=tuple(p for p in (_load_person(x) for x in people) if p is not None),
            label=_opt(label),
            line=None if line is None else int(line),
            no_people=_opt(no_people),
            discussed=tuple(str(x) for x in discussed),
            clarify=tuple(str(x) for x in clarify),
            candidates=tuple(str(x) for x in candidates),
        )
        for start, end, people, label, line, no_people, discussed, clarify, candidates in data[
            "rounds"
        ]
    )
    handwritten = data["handwritten"]
    return InterviewNote(
        path=str(data["path"]),
        company=str(data["company"]),
        role=str(data["role"]),
        rounds=rounds,
        application_link=_opt(data["application_link"]),
        contact=_load_person(data["contact"]),
        status=_opt(data["status"]),
        status_date=_load_day(data["status_date"]),
        status_line=None if data["status_line"] is None else int(data["status_line"]),
        responded=_load_day(data["responded"]),
        decision_by=_load_day(data["decision_by"]),
        tone=_opt(data["tone"]),
        address=_opt(data["address"]),
        handwritten=None if handwritten is None else bool(handwritten),
        check_in_channel=_opt(data["check_in_channel"]),
        phone=_opt(data["phone"]),
        discussed=tuple(str(x) for x in data["discussed"]),
        clarify=tuple(str(x) for x in data["clarify"]),
        decision_words=_opt(data["decision_words"]),
        links=tuple(str(x) for x in data["links"]),
    )


def _problem(problem: Problem) -> list[Any]:
    return [problem.path, problem.message, problem.line, problem.key]


def _load_problem(data: Any) -> Problem:
    path, message, line, key = data
    return Problem(str(path), str(message), None if line is None else int(line), _opt(key))


def _record(record: DraftRecord | None) -> list[Any] | None:
    if record is None:
        return None
    return [
        record.path,
        record.followup_id,
        record.status,
        _day(record.sent),
        record.edited,
        record.line_of_status,
    ]


def _load_record(data: Any) -> DraftRecord | None:
    if data is None:
        return None
    path, followup_id, status, sent, edited, line = data
    return DraftRecord(
        str(path),
        _opt(followup_id),
        str(status),
        _load_day(sent),
        bool(edited),
        None if line is None else int(line),
    )
