"""Note text -> InterviewNote. Pure: no file access, no clock.

Real vaults spell things many ways; this module is where that variety is
absorbed: property names are normalised, aliases mapped, wikilinks read in
their quoted and unquoted (nested list) forms, dates in every form PyYAML
leaves behind. Only shareable sections of the body are kept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from vaultfollow.core.body_fields import InlineField, body_tags, inline_fields, readable_lines
from vaultfollow.core.body_rounds import body_rounds
from vaultfollow.core.config import Settings
from vaultfollow.core.decision_words import decision_in_words
from vaultfollow.core.front_matter import (
    FrontMatter,
    load_yaml,
    read_lenient,
    show_value,
    split_front_matter,
)
from vaultfollow.core.layout import in_folders
from vaultfollow.core.markdown import heading_key, markdown_blocks, paragraph_text, strip_comments
from vaultfollow.core.model import InterviewNote, Person, Problem, Round
from vaultfollow.core.properties import (
    APPLICATION,
    FIRST_YEAR,
    YEARS,
    PropertyMap,
    ValueProblem,
    normalise_key,
    normalise_properties,
    optional_text,
    read_bool,
    read_clock,
    read_date,
    read_datetime,
    read_minutes,
    read_people,
    read_person,
    read_status,
    read_tags,
    read_text,
    to_aware,
    within_years,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

# People one note may name (across its rounds), and rounds it may list.
# Each follow-up holds its whole note, and each person and round gets one,
# so a pass grew with the square of a note's people or rounds: 10,000
# interviewers took more memory than the machine had. What lies past these
# is reported once and left out, so a pass stays linear in a note's size;
# no interview panel or application comes near them.
MAX_PEOPLE = 50
MAX_ROUNDS = 50
_FILENAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
# The properties that say when a note was made or an application sent: a
# bare `date` on one of these days is not an interview day.
_APPLICATION_DAYS = (
    "created",
    "date_created",
    "created_at",
    "created_on",
    "applied",
    "date_applied",
    "applied_date",
    "applied_on",
    "application_date",
    "date_found",
)
_DETECTION_LINE = re.compile(r"^\s*(?:type|tags?)\s*:.*interview", re.I | re.M)
_A_YEAR = re.compile(r"\b(?:19|20|21)\d\d\b")
_LATE_FRONT_MATTER = re.compile(r"\ufeff?(?:[ \t]*\r?\n)+---[ \t]*\r?\n[^\n]*\w[^\n]*:", re.A)


@dataclass(slots=True)
class NoteResult:
    """The outcome of reading one file: a note, problems, or nothing."""

    note: InterviewNote | None = None
    problems: list[Problem] = field(default_factory=list)
    is_interview: bool = False
    rule: str | None = None  # why it is an interview note ("it is tagged #interview")
    reason: str | None = None  # why a note that looked like one is not
    sources: dict[str, str] = field(default_factory=dict)  # fact -> where it was read


# --- detection ---------------------------------------------------------------


def _matches_type(value: Any, wanted: str) -> bool:
    values = value if isinstance(value, list) else [value]
    for item in values:
        text = read_text(item)
        if text and text.display.strip().casefold() == wanted.casefold():
            return True
    return False


# --- sections ----------------------------------------------------------------


def shareable_sections(body: str, settings: Settings) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(discussed points, clarification points) from the body's shareable sections.

    Comments are removed before parsing (one left open hides the rest of
    the note, as in Obsidian), so they never reach any output.
    """
    discussed_names = {heading_key(h) for h in settings.notes.discussed_headings}
    clarify_names = {heading_key(h) for h in settings.notes.clarify_headings}
    env: dict[str, Any] = {}
    discussed: list[str] = []
    clarify: list[str] = []
    target: list[str] | None = None
    section_level = 0
    for block in markdown_blocks(strip_comments(body), env):
        if block.level:
            if target is not None and block.level > section_level:
                continue
            heading = heading_key(block.content)
            target = None
            if heading in discussed_names:
                target, section_level = discussed, block.level
            elif heading in clarify_names:
                target, section_level = clarify, block.level
        elif target is not None:
            # Inline markup is parsed only here, in the sections that are
            # read, with the block pass's `env` (link reference definitions).
            point = paragraph_text(block.content, env)
            if point:
                target.append(point)
    return tuple(discussed), tuple(clarify)


# --- notes -------------------------------------------------------------------


def parse_note(path: str, text: str, settings: Settings) -> NoteResult:
    """Read one Markdown file. Returns a note when it is an interview note
    (or an application with no interview yet), problems when it would be one
    but something is wrong, else nothing (with the reason, when the note
    looked like one)."""
    result = NoteResult()
    listed = in_folders(path, settings.notes.folders)
    front = split_front_matter(text)
    warnings: list[Problem] = []
    data: Any = {}
    if front is None:
        first = text.removeprefix("\ufeff").split("\n", 1)[0].strip()
        if first == "---" and _DETECTION_LINE.search(text[:4096]) is not None:
            # An opening `---` with no closing one is a horizontal rule to
            # Obsidian; reported when it looks like properties left open.
            result.is_interview = True
            result.problems.append(
                Problem(
                    path,
                    "the front matter has no closing `---`: add a `---` line after the "
                    "last property",
                    line=1,
                )
            )
            return result
        if listed and _LATE_FRONT_MATTER.match(text):
            result.is_interview = True
            result.problems.append(
                Problem(
                    path,
                    "the properties do not start on the first line, so Obsidian and "
                    "vaultfollow read them as text: remove the blank lines before the first `---`",
                    line=1,
                )
            )
            return result
        front = FrontMatter("", text.removeprefix("\ufeff"), 1)
    else:
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
            warnings = [
                Problem(path, message, line, key) for line, key, message in lenient.warnings
            ]
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
    names = settings.notes.properties
    props = normalise_properties(data, names)
    opt_out = props.get("vaultfollow")
    if opt_out is not None and opt_out[1] is False:
        return result
    front_props = dict(props)
    lines = readable_lines(_rebase(front.body, front.body_line))
    fields = inline_fields(lines)
    inline_lines: dict[str, int] = {}
    if fields:
        spelled: dict[str, Any] = {}
        for found in fields:
            if found.key not in spelled:
                spelled[found.key] = found.value
                inline_lines[found.key] = found.line
        for key, item in normalise_properties(spelled, names).items():
            props.setdefault(key, item)  # the front matter wins
    tags = [*read_tags(props.get("tags", ("", None))[1]), *body_tags(lines)]
    by_type = _matches_type(props.get("type", ("", None))[1], settings.notes.type)
    by_tag = _has_tag(tags, settings.notes.tag)
    if by_type:
        rule = f"its `type` is {settings.notes.type}"
    elif by_tag:
        rule = f"it is tagged #{settings.notes.tag}"
    elif listed:
        rule = f"it is in {_folder_of(path, settings.notes.folders)}"
    else:
        return result
    # A note that calls itself an interview (not one that is only in an
    # applications folder) is one: with no date it is a problem, not an
    # application still waiting for its first interview.
    says_interview = by_type or (by_tag and "interview" in settings.notes.tag.casefold())
    several = _several_applications(fields, front_props, names)
    if several is not None:
        result.is_interview = True
        result.problems.append(Problem(path, several[1], line=several[0]))
        return result
    reader = _NoteReader(path, front, props, settings, inline_lines)
    if not by_type and not reader.has_facts():
        result.reason = (
            f"{rule}, but it holds none of an interview's facts (no company, role, "
            "date or people), so it is not read as an interview note"
        )
        return result
    result.is_interview = True
    result.rule = rule
    result.note = reader.build(front.body, says_interview=says_interview)
    result.sources = reader.sources
    result.problems.extend(warnings)
    result.problems.extend(reader.problems)
    return result


def _several_applications(
    fields: list[InlineField], props: dict[str, tuple[str, Any]], names: PropertyMap
) -> tuple[int, str] | None:
    """(line, message) when the note's inline fields name several companies
    (a "database" note of one list item per application) and its front
    matter none: one note is one application, and mixing the items would
    thank one company's interviewer for another's interview."""
    if "company" in props:
        return None
    companies: dict[str, tuple[str, int]] = {}
    for found in fields:
        key = next(iter(normalise_properties({found.key: None}, names)), "")
        if key == "company" and found.value:
            companies.setdefault(found.value.casefold(), (found.key, found.line))
    if len(companies) < 2:
        return None
    key, line = next(iter(companies.values()))
    return line, (
        f"its inline fields name {len(companies)} companies (`{key}::` on several lines): "
        "vaultfollow reads one application per note, so it reads none of them here; give "
        "each application a note of its own, or leave this note out with `[notes] exclude`"
    )


def _rebase(body: str, body_line: int) -> str:
    """`body` with blank lines before it, so that its line numbers are the file's."""
    return "\n" * (body_line - 1) + body


def _folder_of(path: str, folders: tuple[str, ...]) -> str:
    for folder in folders:
        if in_folders(path, [folder]):
            return folder
    return "a listed folder"


def _has_tag(tags: list[str], wanted: str) -> bool:
    wanted = wanted.casefold().lstrip("#")
    return any(t == wanted or t.startswith(wanted + "/") for t in tags)


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
    """Turns normalised properties into an InterviewNote, collecting problems
    and where each fact was read (for `vaultfollow explain`)."""

    def __init__(
        self,
        path: str,
        front: FrontMatter,
        props: dict[str, tuple[str, Any]],
        settings: Settings,
        inline_lines: Mapping[str, int],
    ) -> None:
        self.path = path
        self.front = front
        self.props = props
        self.settings = settings
        self.inline_lines = inline_lines  # inline field key as written -> its line
        self.zone = settings.schedule.zone
        self.problems: list[Problem] = []
        self.sources: dict[str, str] = {}
        self.people_left = MAX_PEOPLE  # shared by the note's rounds
        self.said_too_many = False

    def line_of(self, raw_key: str) -> int | None:
        if raw_key in self.inline_lines and not self._in_front(raw_key):
            return self.inline_lines[raw_key]
        pattern = re.compile(r"^\s*['\"]?" + re.escape(raw_key) + r"['\"]?\s*:")
        for offset, line in enumerate(self.front.text.splitlines()):
            if pattern.match(line):
                return offset + 2
        return None

    def _in_front(self, raw_key: str) -> bool:
        pattern = re.compile(r"^\s*['\"]?" + re.escape(raw_key) + r"['\"]?\s*:")
        return any(pattern.match(line) for line in self.front.text.splitlines())

    def where(self, key: str) -> str:
        """Where the fact `key` was read, in words."""
        raw_key = self.props[key][0]
        line = self.line_of(raw_key)
        if raw_key in self.inline_lines and not self._in_front(raw_key):
            return f"inline field `{raw_key}::` (line {line})"
        return f"property `{raw_key}`" + (f" (line {line})" if line else "")

    def source(self, key: str, fact: str | None = None) -> None:
        if key in self.props:
            self.sources.setdefault(fact or key, self.where(key))

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
            value = reader(item[1])
        except ValueProblem as exc:
            self.problem(key, f"`{item[0]}` is `{show_value(item[1])}`; {exc}")
            return None
        self.source(key)
        return value

    def has_facts(self) -> bool:
        """Whether the note holds any of an interview's facts."""
        return any(
            self.get(key) not in (None, "", [], {})
            for key in ("company", "role", "date", "interviewers", "contact", "interviews")
        )

    def links(self) -> tuple[str, ...]:
        """The notes the note links to that may hold the facts it lacks: its
        application, then its role and company links, then its people."""
        found: list[str] = []
        for key in ("application", "role", "company"):
            text = read_text(self.get(key))
            if text is not None and text.link:
                found.append(text.link)
        for key in ("contact", "interviewers"):
            found.extend(p.link for p in read_people(self.get(key)) if p.link)
        return tuple(dict.fromkeys(found))

    def build(self, body: str, *, says_interview: bool) -> InterviewNote | None:
        links = self.links()
        company = read_text(self.get("company"))
        role = read_text(self.get("role"))
        if company is None and not links:
            self.problems.append(
                Problem(self.path, "no `company`: add a line such as `company: Acme`", line=2)
            )
        if role is None and not links:
            self.problems.append(
                Problem(
                    self.path, "no `role`: add a line such as `role: Platform Engineer`", line=2
                )
            )
        status = self.read("status", lambda value: read_status(value, self.settings.notes.status))
        rounds = self.rounds(body, says_interview=says_interview, status=status)
        if rounds is None or ((company is None or role is None) and not links):
            return None
        if company is not None:
            self.source("company")
        if role is not None:
            self.source("role")
        application = read_text(self.get("application"))
        responded_raw = self.get("responded")
        responded: date | None = None
        if responded_raw is True and rounds:
            responded = max(r.start for r in rounds).date()
        elif responded_raw not in (None, False, True, ""):
            responded = self.read("responded", read_date)
        discussed, clarify = shareable_sections(body, self.settings)
        decision, decision_words = self.decision(body, rounds)
        tone = self.read("tone", _choice("formal", "casual"))
        channel = self.read("check_in_channel", _choice("email", "phone"))
        contacts = read_people(self.get("contact"))
        if contacts:
            self.source("contact")
        return InterviewNote(
            path=self.path,
            company=company.display if company else "",
            role=role.display if role else "",
            rounds=tuple(sorted(rounds, key=lambda r: r.start)),
            application_link=application.link or application.display if application else None,
            contact=contacts[0] if contacts else None,
            status=status,
            status_date=self.read("status_date", read_date),
            status_line=self.line_of(self.props["status"][0]) if "status" in self.props else None,
            responded=responded,
            decision_by=decision,
            decision_words=decision_words,
            tone=tone,
            address=_address(self.get("address")),
            handwritten=self.read("handwritten", read_bool),
            check_in_channel=channel,
            phone=optional_text(self.props.get("phone")),
            discussed=discussed,
            clarify=clarify,
            links=links,
        )

    def decision(self, body: str, rounds: list[Round]) -> tuple[date | None, str | None]:
        """The decision date (a property wins, else the body's words counted
        from the last interview) and, when words set it, which."""
        stated = self.read("decision_by", read_date)
        if stated is not None or not rounds:
            return stated, None
        last = max(r.start for r in rounds).date()
        found = decision_in_words(body, last)
        if found is None:
            return None, None
        line = found.line + self.front.body_line - 1
        doubt = ", which could be read two ways: the later is taken" if found.ambiguous else ""
        self.sources["decision_by"] = f"the words “{found.words}” (line {line}){doubt}"
        return found.day, f"“{found.words}” (line {line}){doubt}"

    def rounds(self, body: str, *, says_interview: bool, status: str | None) -> list[Round] | None:
        """The note's rounds; [] for an application with no interview yet;
        None when a round could not be read (the problem says why)."""
        listed = self.get("interviews")
        if isinstance(listed, list) and listed:
            if len(listed) > MAX_ROUNDS:
                self.problem(
                    "interviews",
                    f"`{self.props['interviews'][0]}` lists {len(listed)} rounds; vaultfollow "
                    f"plans the first {MAX_ROUNDS} of a note and leaves out the rest: "
                    "give each application a note of its own",
                )
            rounds = []
            for number, item in enumerate(listed[:MAX_ROUNDS], start=1):
                if not isinstance(item, dict):
                    self.problem(
                        "interviews",
                        f"item {number} of `interviews` is not a `date: ...` mapping; "
                        "write each round as `- date: 2026-11-12` with `time:` and `interviewers:`",
                    )
                    continue
                props = normalise_properties(item, self.settings.notes.properties)
                round_ = self.round_from(props, f"interviews[{number}]")
                if round_ is not None:
                    rounds.append(round_)
            self.source("interviews", "rounds")
            return rounds or None
        explicit = self.get("date") not in (None, "") and not self._bare("date")
        if not explicit:
            written = self.written_rounds(body)
            if written is not None:
                return written
        if status == APPLICATION and not explicit:
            return []  # applied, no interview yet: whatever `date` says is not one
        if not explicit:
            day = self._application_day()
            if day is not None:
                met = self.get("interviewers") or status in ("scheduled", "waiting", "heard-back")
                if says_interview or met:
                    self.problem(
                        "date",
                        f"{day[1]} is also the note's `{day[0]}`, so vaultfollow cannot tell "
                        "it is the interview day: write the interview as "
                        "`interview_date: 2026-11-12T15:30` (or a dated heading such as "
                        "`### 2026-11-12 Technical interview`)",
                    )
                return []  # counted as an application until its interview day is known
            undated = self.get("date") in (None, "") and not self._file_date()
            if undated and not says_interview:
                return []  # an application with no interview date yet
        round_ = self.round_from(self.props, None)
        if round_ is None:
            return None
        if self.get("date") not in (None, ""):
            self.sources["rounds"] = self.where("date")
        else:
            self.sources["rounds"] = "the date the file name starts with"
        return [round_]

    def written_rounds(self, body: str) -> list[Round] | None:
        """The rounds written as dated headings in the body (an application
        note's stages); None when it has none. A heading whose date cannot
        be read is reported, and then no round is guessed from elsewhere."""
        notes = self.settings.notes
        found = body_rounds(
            body,
            base_year=self._base_year(body),
            discussed_headings=notes.discussed_headings,
            clarify_headings=notes.clarify_headings,
            max_rounds=MAX_ROUNDS,
        )
        offset = self.front.body_line - 1
        for unread in found.unread:
            self.problems.append(
                Problem(
                    self.path, f"`{unread.heading}`: {unread.reason}", line=unread.line + offset
                )
            )
        if found.truncated:
            self.problems.append(
                Problem(
                    self.path,
                    f"the body has more than {MAX_ROUNDS} round headings; vaultfollow plans the "
                    f"first {MAX_ROUNDS} of a note and leaves out the rest: give each "
                    "application a note of its own",
                )
            )
        if not found.rounds:
            return [] if found.unread else None
        rounds = []
        for written in found.rounds:
            line = written.line + offset
            start = to_aware(written.day, written.start, self.zone)
            length = self.settings.schedule.interview_duration
            end = (start.astimezone(UTC) + length).astimezone(self.zone)  # elapsed time
            if written.end is not None and written.start is not None:
                until = to_aware(written.day, written.end, self.zone)
                end = until if until > start else end
            people = [p for p in (read_person(raw) for raw in written.people) if p is not None]
            kept = self.first_people(
                people, {"interviewers": ("Interviewers", None)}, self._at_line(line)
            )
            heading = written.heading.strip()
            rounds.append(
                Round(
                    start=start,
                    end=end,
                    interviewers=kept,
                    label=written.label,
                    line=line,
                    no_people=None
                    if kept
                    else f"`{heading}` names no one you met: who did you meet? add a line "
                    "such as `Interviewers: [[Jane Doe]]` under it so thank-you notes can be "
                    "drafted",
                    discussed=written.discussed,
                    clarify=written.clarify,
                    candidates=written.links,
                )
            )
            self.sources.setdefault("rounds", f"dated headings in the body (from line {line})")
        return rounds

    def _at_line(self, line: int) -> Callable[[str, str], None]:
        """A `fail` for a round read from the body: the problem is at `line`."""

        def fail(key: str, message: str) -> None:
            self.problems.append(Problem(self.path, message, line=line, key=key))

        return fail

    def _base_year(self, body: str) -> int:
        """The year a round heading without one is in: the note's own dates
        first, else the first year the body names."""
        for key in ("date", *_APPLICATION_DAYS):
            item = self.props.get(key)
            if item is not None:
                try:
                    return read_datetime(item[1]).year
                except ValueProblem:
                    pass
        named = self._file_date()
        if named:
            return int(named[:4])
        year = _A_YEAR.search(body)
        return int(year.group()) if year else FIRST_YEAR

    def _bare(self, key: str) -> bool:
        """Whether the fact `key` was read from a property of that very name
        (`date`), not from a name that says what it is (`interview_date`,
        or a name in `[notes.properties]`)."""
        raw_key = self.props[key][0]
        mapped = dict(self.settings.notes.properties).get(key, ())
        return normalise_key(raw_key) == key and all(normalise_key(name) != key for name in mapped)

    def _file_date(self) -> str | None:
        match = _FILENAME_DATE.match(self.path.rsplit("/", 1)[-1])
        return match.group(1) if match else None

    def _application_day(self) -> tuple[str, str] | None:
        """(property, day) when the note's bare `date` (or, with none, the
        date its file name starts with) is the day it was created or the
        application was sent, not an interview day."""
        if "date" in self.props:
            try:
                day = read_datetime(self.get("date"))
            except ValueProblem:
                return None
            shown = f"`{self.props['date'][0]}` {show_value(self.get('date'))}"
        else:
            named = self._file_date()
            if named is None:
                return None
            try:
                day = date.fromisoformat(named)
            except ValueError:
                return None
            shown = f"the date the file name starts with ({named})"
        on = day.date() if isinstance(day, datetime) else day
        for key in _APPLICATION_DAYS:
            item = self.props.get(key)
            if item is None:
                continue
            try:
                other = read_datetime(item[1])
            except ValueProblem:
                continue
            if (other.date() if isinstance(other, datetime) else other) == on:
                return item[0], shown
        return None

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
                    moment = within_years(date.fromisoformat(match.group(1)))
                except ValueProblem:
                    fail(
                        "date",
                        f"the file name starts with {match.group(1)}, outside the years "
                        f"vaultfollow plans with; add `date:` with {YEARS}",
                    )
                    return None
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
            interviewers=self.first_people(read_people(value("interviewers")), props, fail),
            label=label_text.display if label_text else None,
        )

    def first_people(
        self,
        people: list[Person],
        props: dict[str, tuple[str, Any]],
        fail: Callable[[str, str], None],
    ) -> tuple[Person, ...]:
        """The interviewers of a round while the note has people left (see
        MAX_PEOPLE); the first round past the limit says so."""
        kept = people[: self.people_left]
        if len(kept) < len(people) and not self.said_too_many:
            self.said_too_many = True
            if self.people_left == MAX_PEOPLE:
                what = f"`{props['interviewers'][0]}` lists {len(people)} people"
            else:
                what = f"the rounds list more than {MAX_PEOPLE} people"
            fail(
                "interviewers",
                f"{what}; vaultfollow drafts for the first {MAX_PEOPLE} of a note and leaves "
                "out the rest: list the people you will write to, or give each round a note",
            )
        self.people_left -= len(kept)
        return tuple(kept)


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
