"""Note text -> InterviewNote. Pure: no file access, no clock.

Real vaults spell things many ways; this module is where that variety is
absorbed: property names are normalised, aliases mapped, wikilinks read in
their quoted and unquoted (nested list) forms, dates in every form PyYAML
leaves behind. Only shareable sections of the body are kept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from fnmatch import fnmatchcase
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from vaultfollow.config import Settings
from vaultfollow.front_matter import (
    FrontMatter,
    load_yaml,
    read_lenient,
    show_value,
    split_front_matter,
)
from vaultfollow.model import STATUSES, InterviewNote, Person, Problem, Round

log = logging.getLogger(__name__)

T = TypeVar("T")

ALIASES = {
    "organization": "company",
    "organisation": "company",
    "employer": "company",
    "position": "role",
    "job": "role",
    "job_title": "role",
    "interview_date": "date",
    "datetime": "date",
    "when": "date",
    "interviewer": "interviewers",
    "panel": "interviewers",
    "with": "interviewers",
    "recruiter": "contact",
    "outcome": "status",
    "decision_date": "decision_by",
    "tag": "tags",
}

_WIKILINK = re.compile(r"\[\[([^\[\]|#^]*)(?:[#^][^\[\]|]*)?(?:\|([^\[\]]*))?\]\]")
_EMAIL_FORM = re.compile(r"^\s*(.*?)\s*<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$")
_FILENAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_DETECTION_LINE = re.compile(r"^\s*(?:type|tags?)\s*:.*interview", re.I | re.M)
_COMMENTS = re.compile(r"%%.*?%%|<!--.*?-->", re.DOTALL)


@dataclass(slots=True)
class NoteResult:
    """The outcome of reading one file: a note, problems, or nothing."""

    note: InterviewNote | None = None
    problems: list[Problem] = field(default_factory=list)
    is_interview: bool = False


def normalise_key(name: str) -> str:
    """`Job-Title`, `jobTitle`, `job title` -> `job_title`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[\s\-_]+", "_", spaced).casefold().strip("_")


def normalise_properties(data: Mapping[Any, Any]) -> dict[str, tuple[str, Any]]:
    """Canonical key -> (key as written, value). The first spelling wins."""
    result: dict[str, tuple[str, Any]] = {}
    aliased: dict[str, tuple[str, Any]] = {}
    for raw_key, value in data.items():
        key = normalise_key(str(raw_key))
        if key in ALIASES:
            aliased.setdefault(ALIASES[key], (str(raw_key), value))
        else:
            result.setdefault(key, (str(raw_key), value))
    for key, item in aliased.items():
        result.setdefault(key, item)
    return result


# --- values ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A property value read as text, with the wikilink target if it was one."""

    display: str
    link: str | None = None


def read_text(value: Any) -> Text | None:
    """A scalar or wikilink value as text; None when empty or not text-like."""
    # `key: [[Acme]]` unquoted is YAML for a list holding a list holding "Acme".
    while isinstance(value, list) and len(value) == 1:
        inner = value[0]
        if isinstance(inner, list) and len(inner) == 1 and isinstance(inner[0], str):
            return _link_text(inner[0])
        value = inner
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        return None
    text = str(value).strip()
    if not text:
        return None
    match = _WIKILINK.fullmatch(text)
    if match:
        return _link_text(text[2:-2])
    return Text(_plain(text))


def _link_text(inner: str) -> Text | None:
    target, _, alias = inner.partition("|")
    target = re.split(r"[#^]", target, maxsplit=1)[0].strip()
    if target.lower().endswith(".md"):
        target = target[:-3]
    display = alias.strip() or target.rsplit("/", 1)[-1]
    if not display:
        return None
    return Text(display, target or None)


def _plain(text: str) -> str:
    """Wikilinks inside free text become their display text."""

    def show(match: re.Match[str]) -> str:
        target, alias = match.group(1), match.group(2)
        return (alias or target.rsplit("/", 1)[-1]).strip()

    return _WIKILINK.sub(show, text).strip()


def read_person(value: Any) -> Person | None:
    """One person in any of the forms DESIGN.md allows."""
    if isinstance(value, dict):
        props = normalise_properties(value)
        name = read_text(props.get("name", ("", None))[1])
        if name is None:
            return None
        return Person(
            name=name.display,
            email=_opt_str(props.get("email")),
            title=_opt_str(props.get("title") or props.get("job_title") or props.get("role")),
            phone=_opt_str(props.get("phone")),
            link=name.link,
        )
    text = read_text(value)
    if text is None:
        return None
    if text.link is None:
        match = _EMAIL_FORM.match(text.display)
        if match:
            email = match.group(2)
            inner = read_text(match.group(1))
            shown = inner.display if inner else email.split("@")[0]
            return Person(name=shown, email=email, link=inner.link if inner else None)
    if text.link:
        # A person note is named after the person; the link's display text is
        # often a short form ("Jane", "Ms Doe") that makes a poor greeting.
        return Person(name=text.link.rsplit("/", 1)[-1], link=text.link)
    return Person(name=text.display)


def read_people(value: Any) -> list[Person]:
    """One person, a list of them, or a comma/semicolon separated string."""
    if value is None:
        return []
    if isinstance(value, str) and not _WIKILINK.search(value) and re.search(r"[;,]", value):
        value = [part for part in re.split(r"[;,]", value) if part.strip()]
    if isinstance(value, list):
        single = read_person(value) if len(value) == 1 and isinstance(value[0], list) else None
        if single is not None:
            return [single]
        people = [read_person(item) for item in value]
        return [p for p in people if p is not None]
    person = read_person(value)
    return [person] if person else []


def _opt_str(item: tuple[str, Any] | None) -> str | None:
    if item is None:
        return None
    text = read_text(item[1])
    return text.display if text else None


class ValueProblem(ValueError):
    """A value could not be read; the message says what to write instead."""


def read_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            pass
    raise ValueProblem("write a date such as 2026-11-12")


def read_datetime(value: Any) -> date | datetime:
    """A date (no time given) or a datetime (naive or aware)."""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return date.fromisoformat(text)
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise ValueProblem("write 2026-11-12, 2026-11-12T15:30 or 2026-11-12 15:30")


def read_clock(value: Any) -> time:
    """`14:00`, `14:00:00`, `2:30 pm`. A bare number (`1400`, `14`) is not
    guessed at: it is a problem that says how to write the time."""
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        match = re.fullmatch(
            r"(\d{1,2})(?:[:.](\d{2}))?(?::\d{2})?\s*([ap]\.?m\.?)?", value.strip(), re.I
        )
        if match:
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            suffix = (match.group(3) or "").lower().replace(".", "")
            if suffix and 1 <= hour <= 12:
                hour = hour % 12 + (12 if suffix == "pm" else 0)
            if (match.group(2) or suffix) and hour < 24 and minute < 60:
                return time(hour, minute)
    raise ValueProblem('write a time such as "14:00"')


def read_minutes(value: Any) -> timedelta:
    """`45`, `45m`, `1h30m`, `1.5h` -> a duration."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 24 * 60:
        return timedelta(minutes=value)
    if isinstance(value, str):
        match = re.fullmatch(
            r"(?:(\d+(?:\.\d+)?)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?)?)?)?",
            value.strip(),
            re.I,
        )
        if match and any(match.groups()):
            hours = float(match.group(1) or 0)
            total = timedelta(hours=hours, minutes=int(match.group(2) or 0))
            if timedelta(0) < total <= timedelta(hours=24):
                return total
        if value.strip().isdigit():
            return read_minutes(int(value.strip()))
    raise ValueProblem('write minutes such as 45, "45m" or "1h30m"')


def read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
        return value.strip().lower() in ("true", "yes")
    raise ValueProblem("write true or false")


def read_status(value: Any) -> str:
    text = read_text(value)
    if text is not None:
        status = re.sub(r"[\s_]+", "-", text.display.strip().lower())
        status = {"heard": "heard-back", "heardback": "heard-back", "offered": "offer"}.get(
            status, status
        )
        if status in STATUSES:
            return status
    raise ValueProblem("write one of " + ", ".join(STATUSES))


def read_tags(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | str | int | float):
        return []
    items = value if isinstance(value, list) else re.split(r"[,\s]+", str(value))
    tags = []
    for item in items:
        if isinstance(item, str | int | float) and not isinstance(item, bool):
            tags.append(str(item).strip().lstrip("#").casefold())
    return [t for t in tags if t]


def to_aware(moment: date | datetime, clock: time | None, zone: ZoneInfo) -> datetime:
    """Naive times are in the vault's zone; a date alone means 09:00."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            return moment.astimezone(zone)
        return moment.replace(tzinfo=zone)
    return datetime.combine(moment, clock or time(9, 0), tzinfo=zone)


# --- detection ---------------------------------------------------------------


def in_folders(path: str, folders: Iterable[str]) -> bool:
    lowered = path.casefold()
    return any(lowered.startswith(folder.casefold().rstrip("/") + "/") for folder in folders)


def is_excluded(path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatchcase(path, pattern) or in_folders(path, [pattern]) for pattern in patterns)


def _matches_type(value: Any, wanted: str) -> bool:
    values = value if isinstance(value, list) else [value]
    for item in values:
        text = read_text(item)
        if text and text.display.strip().casefold() == wanted.casefold():
            return True
    return False


def _matches_tag(value: Any, wanted: str) -> bool:
    wanted = wanted.casefold().lstrip("#")
    return any(t == wanted or t.startswith(wanted + "/") for t in read_tags(value))


# --- sections ----------------------------------------------------------------


def shareable_sections(body: str, settings: Settings) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(discussed points, clarification points) from the body's shareable sections.

    Comments are removed before parsing, so they never reach any output.
    """
    from markdown_it import MarkdownIt

    discussed_names = {_heading_key(h) for h in settings.notes.discussed_headings}
    clarify_names = {_heading_key(h) for h in settings.notes.clarify_headings}
    tokens = MarkdownIt("commonmark").parse(_COMMENTS.sub("", body))
    discussed: list[str] = []
    clarify: list[str] = []
    target: list[str] | None = None
    section_level = 0
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            level = int(token.tag[1:])
            if target is not None and level > section_level:
                continue
            heading = _heading_key(tokens[index + 1].content)
            target = None
            if heading in discussed_names:
                target, section_level = discussed, level
            elif heading in clarify_names:
                target, section_level = clarify, level
        elif (
            target is not None
            and token.type == "inline"
            and tokens[index - 1].type in ("paragraph_open",)
        ):
            text = _inline_text(token)
            if text:
                target.append(text)
    return tuple(discussed), tuple(clarify)


def _heading_key(text: str) -> str:
    return re.sub(r"[\s:.!?]+$", "", text.strip()).casefold()


def _inline_text(token: Any) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    text = re.sub(r"\s+", " ", "".join(parts)).strip()
    text = re.sub(r"^\[[ xX]\]\s+", "", text)  # task list boxes
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)  # left behind by a removed comment
    return _plain(text)


# --- notes -------------------------------------------------------------------


def parse_note(path: str, text: str, settings: Settings) -> NoteResult:
    """Read one Markdown file. Returns a note when it is an interview note,
    problems when it would be one but something is wrong, else nothing."""
    result = NoteResult()
    listed = in_folders(path, settings.notes.folders)
    front = split_front_matter(text)
    if front is None:
        first = text.removeprefix("\ufeff").split("\n", 1)[0].strip()
        unterminated = first == "---" and _DETECTION_LINE.search(text[:4096]) is not None
        if listed or unterminated:
            # An opening `---` with no closing one is a horizontal rule to
            # Obsidian; reported when it looks like properties left open.
            message = (
                "the front matter has no closing `---`: add a `---` line after the last property"
                if first == "---"
                else "no front matter: start the note with `---`, then `company:`, "
                "`role:` and `date:` lines, then `---`"
            )
            result.is_interview = True
            result.problems.append(Problem(path, message, line=1))
        return result
    warnings: list[Problem] = []
    try:
        data = load_yaml(front.text)
    except Exception as exc:  # a YAMLError, or RecursionError on absurd nesting
        lenient = read_lenient(front.text)
        if lenient is None:
            if listed or "interview" in front.text.casefold():
                result.is_interview = True
                result.problems.append(_yaml_problem(path, exc, front.text))
            else:
                log.debug("%s: front matter is not valid YAML; skipped (%s)", path, exc)
            return result
        data = lenient.data
        warnings = [Problem(path, message, line, key) for line, key, message in lenient.warnings]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        if listed or "interview" in front.text.casefold():
            result.is_interview = True
            result.problems.append(
                Problem(
                    path,
                    "front matter is not a list of `key: value` lines (it reads as "
                    f"{'a list' if isinstance(data, list) else 'a single value'}); "
                    "write one `key: value` per line, such as `company: Acme`",
                    line=2,
                )
            )
        return result
    props = normalise_properties(data)
    opt_out = props.get("vaultfollow")
    if opt_out is not None and opt_out[1] is False:
        return result
    detected = (
        listed
        or _matches_type(props.get("type", ("", None))[1], settings.notes.type)
        or _matches_tag(props.get("tags", ("", None))[1], settings.notes.tag)
    )
    if not detected:
        return result
    result.is_interview = True
    reader = _NoteReader(path, front, props, settings)
    result.note = reader.build(front.body)
    result.problems.extend(warnings)
    result.problems.extend(reader.problems)
    return result


def _yaml_problem(path: str, exc: Exception, text: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 2 if mark is not None else None  # +1 for 1-based, +1 for `---`
    reason = show_value(getattr(exc, "problem", None) or str(exc) or type(exc).__name__)
    hint = "put quotes around values that contain `: ` or start with `[`, `{`, `@` or `%`"
    if "<%" in text:
        hint = (
            "it holds a Templater `<% %>` block: run the template in Obsidian, "
            "or keep the file in your templates folder"
        )
    elif "{{" in text:
        hint = "it holds a `{{...}}` template placeholder: fill it in, or put it in quotes"
    elif "\t" in text and "tab" in reason:
        hint = "indent with spaces, not tabs"
    elif "!!" in text and "constructor" in reason:
        hint = "YAML tags (`!!...`) are not allowed in properties; remove the tag"
    return Problem(path, f"front matter is not valid YAML ({reason}); {hint}", line=line)


class _NoteReader:
    """Turns normalised properties into an InterviewNote, collecting problems."""

    def __init__(
        self, path: str, front: FrontMatter, props: dict[str, tuple[str, Any]], settings: Settings
    ) -> None:
        self.path = path
        self.front = front
        self.props = props
        self.settings = settings
        self.zone = settings.schedule.zone
        self.problems: list[Problem] = []

    def line_of(self, raw_key: str) -> int | None:
        pattern = re.compile(r"^\s*['\"]?" + re.escape(raw_key) + r"['\"]?\s*:")
        for offset, line in enumerate(self.front.text.splitlines()):
            if pattern.match(line):
                return offset + 2
        return None

    def problem(self, key: str, message: str) -> None:
        raw_key = self.props[key][0] if key in self.props else key
        self.problems.append(Problem(self.path, message, line=self.line_of(raw_key), key=key))

    def get(self, key: str) -> Any:
        item = self.props.get(key)
        return None if item is None else item[1]

    def read(self, key: str, reader: Callable[[Any], T]) -> T | None:
        item = self.props.get(key)
        if item is None or item[1] is None or item[1] == "":
            return None
        try:
            return reader(item[1])
        except ValueProblem as exc:
            self.problem(key, f"`{item[0]}` is `{show_value(item[1])}`; {exc}")
            return None

    def build(self, body: str) -> InterviewNote | None:
        company = read_text(self.get("company"))
        role = read_text(self.get("role"))
        if company is None:
            self.problems.append(
                Problem(self.path, "no `company`: add a line such as `company: Acme`", line=2)
            )
        if role is None:
            self.problems.append(
                Problem(
                    self.path, "no `role`: add a line such as `role: Platform Engineer`", line=2
                )
            )
        rounds = self.rounds()
        if company is None or role is None or not rounds:
            return None
        status = self.read("status", read_status)
        application = read_text(self.get("application"))
        responded_raw = self.get("responded")
        responded: date | None = None
        if responded_raw is True:
            responded = max(r.start for r in rounds).date()
        elif responded_raw not in (None, False, ""):
            responded = self.read("responded", read_date)
        discussed, clarify = shareable_sections(body, self.settings)
        tone = self.read("tone", _choice("formal", "casual"))
        channel = self.read("check_in_channel", _choice("email", "phone"))
        contacts = read_people(self.get("contact"))
        return InterviewNote(
            path=self.path,
            company=company.display,
            role=role.display,
            rounds=tuple(sorted(rounds, key=lambda r: r.start)),
            application_link=application.link or application.display if application else None,
            contact=contacts[0] if contacts else None,
            status=status,
            status_date=self.read("status_date", read_date),
            status_line=self.line_of(self.props["status"][0]) if "status" in self.props else None,
            responded=responded,
            decision_by=self.read("decision_by", read_date),
            tone=tone,
            address=_address(self.get("address")),
            handwritten=self.read("handwritten", read_bool),
            check_in_channel=channel,
            phone=_opt_str(self.props.get("phone")),
            discussed=discussed,
            clarify=clarify,
        )

    def rounds(self) -> list[Round]:
        listed = self.get("interviews")
        if isinstance(listed, list) and listed:
            rounds = []
            for number, item in enumerate(listed, start=1):
                if not isinstance(item, dict):
                    self.problem(
                        "interviews",
                        f"item {number} of `interviews` is not a `date: ...` mapping; "
                        "write each round as `- date: 2026-11-12` with `time:` and `interviewers:`",
                    )
                    continue
                round_ = self.round_from(normalise_properties(item), f"interviews[{number}]")
                if round_ is not None:
                    rounds.append(round_)
            return rounds
        round_ = self.round_from(self.props, None)
        return [round_] if round_ is not None else []

    def round_from(self, props: dict[str, tuple[str, Any]], where: str | None) -> Round | None:
        def value(key: str) -> Any:
            item = props.get(key)
            return None if item is None else item[1]

        def fail(key: str, message: str) -> None:
            if where is None:
                self.problem(key, message)
            else:
                self.problem("interviews", f"{where}: {message}")

        def read(key: str, reader: Callable[[Any], T]) -> T | None:
            raw = value(key)
            if raw is None or raw == "":
                return None
            try:
                return reader(raw)
            except ValueProblem as exc:
                fail(key, f"`{props[key][0]}` is `{show_value(raw)}`; {exc}")
                return None

        moment = read("date", read_datetime)
        if moment is None and where is None and value("date") in (None, ""):
            name = self.path.rsplit("/", 1)[-1]
            match = _FILENAME_DATE.match(name)
            if match:
                try:
                    moment = date.fromisoformat(match.group(1))
                except ValueError:
                    moment = None
        if moment is None:
            if value("date") in (None, ""):
                fail(
                    "date",
                    "no interview date: add `date: 2026-11-12T15:30`, or start the file "
                    "name with the date (`2026-11-12 Acme.md`)",
                )
            return None
        clock = read("time", read_clock) if not isinstance(moment, datetime) else None
        start = to_aware(moment, clock, self.zone)
        end: datetime | None = None
        length = read("duration", read_minutes)
        if length is not None:
            end = (start.astimezone(UTC) + length).astimezone(self.zone)  # elapsed, not wall-clock
        else:
            end_clock = read("end", read_clock)
            if end_clock is not None:
                end = to_aware(start.date(), end_clock, self.zone)
                if end <= start:
                    fail("end", f"`end` {end_clock:%H:%M} is not after the start {start:%H:%M}")
                    end = None
        if end is None:
            end = (start.astimezone(UTC) + self.settings.schedule.interview_duration).astimezone(
                self.zone
            )
        label_text = read_text(value("round"))
        return Round(
            start=start,
            end=end,
            interviewers=tuple(read_people(value("interviewers"))),
            label=label_text.display if label_text else None,
        )


def _choice(*allowed: str) -> Callable[[Any], str]:
    def reader(value: Any) -> str:
        text = read_text(value)
        if text and text.display.strip().lower() in allowed:
            return text.display.strip().lower()
        raise ValueProblem("write " + " or ".join(allowed))

    return reader


def _address(value: Any) -> str | None:
    if isinstance(value, list):
        lines = [str(v).strip() for v in value if isinstance(v, str | int | float)]
        return "\n".join(line for line in lines if line) or None
    if value is None or isinstance(value, bool | dict):
        return None
    text = str(value).strip()
    return text or None


def parse_person_note(text: str) -> Person | None:
    """The email, title and phone a person note offers (name left empty)."""
    front = split_front_matter(text)
    if front is None:
        return None
    try:
        data = load_yaml(front.text)
    except Exception:
        return None
    if not isinstance(data, dict):
        return None
    props = normalise_properties(data)
    return Person(
        name="",
        email=_opt_str(props.get("email")),
        title=_opt_str(props.get("title") or props.get("role")),
        phone=_opt_str(props.get("phone")),
    )


def person_links(note: InterviewNote) -> set[str]:
    """Every wikilink target of a person in the note."""
    people = [p for r in note.rounds for p in r.interviewers]
    if note.contact:
        people.append(note.contact)
    return {p.link for p in people if p.link}


def enrich_people(note: InterviewNote, lookup: Mapping[str, Person]) -> InterviewNote:
    """Fill each linked person's missing email, title and phone from their note."""

    def enrich(person: Person) -> Person:
        found = lookup.get(person.link) if person.link else None
        if found is None:
            return person
        return replace(
            person,
            email=person.email or found.email,
            title=person.title or found.title,
            phone=person.phone or found.phone,
        )

    rounds = tuple(
        replace(r, interviewers=tuple(enrich(p) for p in r.interviewers)) for r in note.rounds
    )
    contact = enrich(note.contact) if note.contact else None
    return replace(note, rounds=rounds, contact=contact)
