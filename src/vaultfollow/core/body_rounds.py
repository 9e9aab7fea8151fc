"""Rounds written in the body of an application note (issue 16, point 6).

People who keep one note per application write each interview as a
heading with its date: `### Stage 1 — Recruiter screen (2026-09-22)`,
`## 2026-11-12 Technical interview`, `### Final round (Tue 8 Dec 2026 10:30)`.
`body_rounds(body, base_year=...)` reads them. Pure: text in, data out.

**A round heading** is a `#` to `######` heading at the start of a line
(not in a list, a quote or code) holding a round word and a date:

- round words, case-insensitive, whole words, plurals and -ing forms too:
  interview, round, stage, screen, call, panel, onsite/on-site, technical,
  final, assessment, chat, meeting, conversation, loop, take-home, and
  entretien, entrevista, colloquio, intervju, (Vorstellungs)gespräch;
- dates: `2026-11-12` (also with `/` or `.`, and `2026-11-12T14:00`);
  `12 Nov 2026`, `12th of November, 2026`, `12. Dezember 2026`,
  `3 de diciembre de 2026`, `12 novembre` (English, French, German,
  Spanish, Italian, Portuguese, Dutch, Swedish, Danish, Norwegian and
  Polish month names); `Nov 12, 2026` (English month names); a weekday
  before any of them; `22/09/2026` or `09/22/2026` when only one reading is
  a date, and `12.11.2026` (dots are always day.month.year). A date without
  a year takes `base_year`. The first date in the heading is the round's.
- times after the date is taken out: `14:00`, `14.30`, `2pm`, `2:30 pm`;
  a range (`14:00–15:00`, `2-3pm`, `10am to 11:15am`) gives an end too.

A heading with a round word and a date that is no date (`2026-02-30`), is
outside the years vaultfollow plans with, or reads two ways (`12/11/2026`)
is no round: it is in `unread`, with what to write instead.

**A round's section** runs to the next heading of the same or a higher
level (an underlined heading too), or the next round heading. In it:

- bullets and paragraphs directly under the heading are `discussed` points;
- a sub-heading, or a lead-in line (`**Went well:**`, `**Improve**:`,
  `__Discussed__:`, `**Could answer better**` or `Went well:` alone on its
  line, or starting a bullet or paragraph, the rest of the line its first
  point) starts a section until the next lead-in or heading: named in
  `discussed_headings` or "Went well", "What went well", "Notes", "What we
  discussed" -> `discussed`; in `clarify_headings` or "Improve", "To
  improve", "What to improve", "Could have done better" -> `clarify`; any
  other name -> a private section whose points are dropped, and headings
  deeper inside a private section stay private. A line `Salary: ...` (and
  a few such: prep, private, offer, questions to ask) is dropped wherever
  it is. Quotes and callouts, tables, code and Dataview `Key:: value` lines
  are never points;
- people: `Interviewers:`, `Interviewer:`, `With:`, `Panel:`, `Met:`,
  `Attendees:`, `Participants:`, `People:` lines (plain, as a bullet, with
  a bold label, or as a Dataview field: `With:: ...`, `[Met:: ...]`,
  `(with:: ...)` anywhere in a line) give `people`, each as written
  (`[[Sam Lee]]`, `Ana Ruiz <ana@x.io>`, `Dr. Ingrid Solberg`), separated by
  commas, semicolons, "and" or "&"; a trailing `(title)` or ` – title` is
  left out, and so are placeholders (`TBD`, `?`) and counts ("3 people").
  Such a label alone on its line (or a sub-heading named so) takes the
  names listed under it. People lines are not points; a `[Met:: [[Sam]]]`
  field inside a sentence reads as the name there. A round keeps at most
  MAX_PEOPLE + 1 people, so that the caller can say some were left out;
- `links`: the other wikilink targets of the heading and its section, in
  order, private sections included (a link is a name to look up, not text
  that is shared); embeds (`![[...]]`) are not links.

HTML comments and `%% Obsidian comments %%` are removed first (keeping the
line numbers), and code is never read. At most `max_rounds` rounds are read;
`truncated` says there were more (the caller reports it).

Linear in the size of the body: a body without a round word is not parsed;
otherwise its lines are scanned for headings, and only round sections are
parsed as Markdown. A heading longer than 300 characters is not a round
heading, and past 500 headings with a round word and a digit the body is
not read further (`truncated`). A 1 MB note of rounds reads in about 0.3 s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from vaultfollow.core.markdown import (
    Block,
    markdown_blocks,
    paragraph_text,
    strip_comments,
)
from vaultfollow.core.properties import ValueProblem, within_years

# The rounds one note may hold (notes.MAX_ROUNDS: the same limit, so that a
# pass stays linear in a note's size).
MAX_ROUNDS = 50
# The people one round keeps: notes.MAX_PEOPLE, and one more, so that the
# caller can tell some were left out.
MAX_PEOPLE = 50
_KEPT_PEOPLE = MAX_PEOPLE + 1
DISCUSSED_HEADINGS = ("Discussed", "Topics", "Highlights")
CLARIFY_HEADINGS = ("Could answer better", "Clarify")


@dataclass(frozen=True, slots=True)
class BodyRound:
    """One round written as a dated heading, and what its section says."""

    line: int  # 1-based line of the heading in `body`
    heading: str  # the heading's text as written (comments taken out)
    day: date
    start: time | None  # a time in the heading
    end: time | None  # the end of a time range, if any
    label: str | None  # the heading without its date, time and separators
    people: tuple[str, ...]  # each person as written ("[[Sam Lee]]", "Ana <ana@x.io>")
    people_line: int | None  # the first line the people came from
    links: tuple[str, ...]  # the other wikilink targets in the section
    discussed: tuple[str, ...]
    clarify: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnreadRound:
    """A heading that names a round and a date that cannot be read."""

    line: int
    heading: str
    reason: str  # what is wrong and what to write instead


@dataclass(frozen=True, slots=True)
class BodyRounds:
    rounds: tuple[BodyRound, ...]
    truncated: bool  # the body names more rounds than `max_rounds`: the rest are not read
    unread: tuple[UnreadRound, ...]


def body_rounds(
    body: str,
    *,
    base_year: int,
    discussed_headings: Sequence[str] = DISCUSSED_HEADINGS,
    clarify_headings: Sequence[str] = CLARIFY_HEADINGS,
    max_rounds: int = MAX_ROUNDS,
) -> BodyRounds:
    """The rounds written as dated headings in `body` (a note without its
    front matter), in the order written. Never raises on any text.

    The body is scanned line by line for headings; only the sections of
    round headings are parsed as Markdown, so the cost of the rest of a
    note is one look at each line."""
    text = strip_comments(body.replace("\r\n", "\n").replace("\r", "\n"))
    lowered = text.casefold()
    if not any(stem in lowered for stem in _ROUND_STEMS):  # most notes: no parse at all
        return BodyRounds((), False, ())
    names = _Names.of(discussed_headings, clarify_headings)
    lines = text.split("\n")
    rounds: list[BodyRound] = []
    unread: list[UnreadRound] = []
    truncated = False
    candidates = 0
    current: tuple[_Heading, int, int] | None = None  # the round, its level, its line index
    end = len(lines)
    for index, level, content in _heading_lines(lines):
        found: _Heading | UnreadRound | None = None
        if content is not None and _may_be_round(content):
            candidates += 1
            if candidates > _MAX_CANDIDATES:
                truncated, end = True, index
                break
            found = _read_heading(index, content, base_year)
        if found is None:
            if current is not None and level <= current[1]:
                rounds.append(_read_section(lines, current, index, names))
                current = None
            continue
        if current is not None:
            rounds.append(_read_section(lines, current, index, names))
            current = None
        if isinstance(found, UnreadRound):
            unread.append(found)
        elif len(rounds) >= max_rounds:
            truncated, end = True, index
            break
        else:
            current = (found, level, index)
    if current is not None:
        rounds.append(_read_section(lines, current, end, names))
    return BodyRounds(tuple(rounds), truncated, tuple(unread))


# Headings with a round word and a digit read in one body: past these the
# body is not an application note, and the rest is not read.
_MAX_CANDIDATES = 500
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r" {0,3}(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
_NOT_PARAGRAPH = re.compile(r"\s*(?:[-*+>|]|\d{1,9}[.)](?:\s|$)|$)")


def _heading_lines(lines: Sequence[str]) -> Iterator[tuple[int, int, str | None]]:
    """(line index, level, content) of each heading outside fenced code, as
    CommonMark reads them; a setext heading (text over `===` or `---`)
    comes with content None: it ends sections but is never a round."""
    fence: str | None = None
    after_text = False
    for index, line in enumerate(lines):
        if fence is not None:
            closing = _FENCE.match(line)
            if (
                closing
                and closing.group(1)[0] == fence[0]
                and len(closing.group(1)) >= len(fence)
                and not line[closing.end() :].strip()
            ):
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening and not (opening.group(1)[0] == "`" and "`" in line[opening.end() :]):
            fence, after_text = opening.group(1), False
            continue
        atx = _ATX.match(line)
        if atx:
            yield index, len(atx.group(1)), _atx_content(line[atx.end() :])
            after_text = False
            continue
        if after_text and _SETEXT.match(line):
            yield index - 1, 1 if "=" in line else 2, None
            after_text = False
            continue
        after_text = not _NOT_PARAGRAPH.match(line) and not line.startswith("    ")


def _atx_content(rest: str) -> str:
    """An ATX heading's text without its optional closing `#`s."""
    text = rest.strip(" \t")
    without = text.rstrip("#")
    if not without or without.endswith((" ", "\t")):
        text = without.rstrip(" \t")
    return text


def _may_be_round(content: str) -> bool:
    return (
        len(content) <= _MAX_HEADING
        and _DIGIT.search(content) is not None
        and _ROUND_WORD.search(content) is not None
    )


def _read_section(
    lines: Sequence[str], heading: tuple[_Heading, int, int], end: int, names: _Names
) -> BodyRound:
    """The round of `heading`, its section the lines up to `end`."""
    found, level, index = heading
    env: dict[str, Any] = {}
    section = _Section(level, found, names, offset=index + 1)
    section.add_links(found.heading)
    for block in markdown_blocks("\n".join(lines[index + 1 : end]), env):
        if block.level and not block.nested:
            if block.level <= level:  # a heading the line scan did not see as one
                break
            section.sub_heading(block)
        elif block.level or block.nested:  # a heading in a list, a table cell
            section.add_links(block.content)
        else:
            section.paragraph(block, env)
    return section.finish(env)


# --- round headings -----------------------------------------------------------

_MAX_HEADING = 300
# What every round word starts with (casefolded), for a quick look at a
# whole body before it is parsed.
_ROUND_STEMS = (
    "interview", "round", "stage", "screen", "call", "panel", "onsite", "on-site", "on site",
    "technical", "final", "assessment", "chat", "meeting", "conversation", "loop", "take-home",
    "entretien", "entrevista", "colloqui", "intervju", "haastattelu", "gespräch",
)  # fmt: skip

_ROUND_WORD = re.compile(
    r"(?<![^\W_])(?:interview(?:s|ed|ing)?|rounds?|stages?|screen(?:s|ing|ed)?|calls?"
    r"|panels?|on-?sites?|on site|technical|finals?|assessments?|chats?|meetings?"
    r"|conversations?|loops?|take-homes?|entretiens?|entrevistas?|colloqui[oa]?|intervju"
    r"|haastattelu)(?![^\W_])"
    r"|gespräch(?:e)?(?![^\W_])",
    re.IGNORECASE,
)

_EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
# Month names of the languages most vaults are written in, as they appear
# after a day number. Words that are also common names or English words in
# a heading ("Marco", "ago", "set") are left out.
_OTHER_MONTHS = {
    # French
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fév": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "decembre": 12, "déc": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mär": 3, "juni": 6,
    "juli": 7, "oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
    # Spanish
    "enero": 1, "ene": 1, "febrero": 2, "marzo": 3, "abril": 4, "abr": 4, "mayo": 5,
    "junio": 6, "julio": 7, "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10,
    "noviembre": 11, "diciembre": 12, "dic": 12,
    # Italian
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12,
    # Portuguese
    "janeiro": 1, "fevereiro": 2, "março": 3, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
    # Dutch
    "januari": 1, "februari": 2, "maart": 3, "mrt": 3, "mei": 5, "augustus": 8,
    # Swedish, Danish, Norwegian
    "augusti": 8, "maj": 5, "marts": 3, "desember": 12,
    # Polish (the genitive of dates)
    "stycznia": 1, "lutego": 2, "marca": 3, "kwietnia": 4, "maja": 5, "czerwca": 6,
    "lipca": 7, "sierpnia": 8, "września": 9, "października": 10, "listopada": 11,
    "grudnia": 12,
}  # fmt: skip
_MONTHS = {**_OTHER_MONTHS, **_EN_MONTHS}


_LETTER_BEFORE = r"(?<![^\W\d_])"
_LETTER_AFTER = r"(?![^\W\d_])"
# A weekday before a date is part of its span (so the label leaves it out);
# looked for only in the few characters before a date found, so that no
# pattern tries a weekday at every position of a heading.
_WEEKDAY_BEFORE = re.compile(
    _LETTER_BEFORE
    + r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?"
    r"|fri|sat|sun|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|montag|dienstag"
    r"|mittwoch|donnerstag|freitag|samstag|sonntag|lunes|martes|miércoles|jueves|viernes"
    r"|sábado|domingo)" + _LETTER_AFTER + r"\.?,?\s*\Z",
    re.IGNORECASE,
)
_WEEKDAY_REACH = 16
_NOT_AFTER_NUMBER = r"(?<![\d/.\-:])"
# Any word where a month name may stand, looked up after the match: one
# word class is much cheaper than an alternation of a hundred names.
_MONTH_WORD = r"[^\W\d_]{3,11}"
_ISO_DATE = re.compile(
    rf"{_NOT_AFTER_NUMBER}(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)"
    r"(?P<d>\d{1,2})(?!\d)(?:T(?=\d))?"
)
_NUMERIC_DATE = re.compile(
    rf"{_NOT_AFTER_NUMBER}(?P<a>\d{{1,2}})(?P<sep>[-/.])(?P<b>\d{{1,2}})(?P=sep)"
    r"(?P<y>\d{4}|\d{2})(?![\d/.\-])"
)
_DAY_MONTH = re.compile(
    rf"{_NOT_AFTER_NUMBER}(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|º)?\.?\s*"
    rf"(?:-|of\s+|de\s+)?{_LETTER_BEFORE}(?P<mon>{_MONTH_WORD}){_LETTER_AFTER}\.?"
    r"(?:\s*(?:,|-|del?\s+)?\s*(?P<y>\d{4})(?!\d))?",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"{_LETTER_BEFORE}(?P<mon>{_MONTH_WORD}){_LETTER_AFTER}\.?\s*"
    r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?![\d])(?:,?\s*(?P<y>\d{4})(?!\d))?",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_TIME = re.compile(
    r"(?<![\d:.])(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?:\s?(?P<ap>[ap])\.?\s?m\b\.?)?(?![\d:])",
    re.IGNORECASE,
)
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|to|until|till|bis)\s*", re.IGNORECASE)
_BARE_DASH = re.compile(r"[-–—]")


@dataclass(frozen=True, slots=True)
class _Heading:
    line: int
    heading: str
    day: date
    start: time | None
    end: time | None
    label: str | None


def _read_heading(index: int, heading: str, base_year: int) -> _Heading | UnreadRound | None:
    """A round heading's date, times and label; an UnreadRound when it names
    a round and a date that cannot be read; None for any other heading."""
    shown = paragraph_text(heading, {})
    if not _ROUND_WORD.search(shown):
        return None
    found = _find_date(shown)
    if found is None:
        return None
    span, reading = found
    line = index + 1
    try:
        day = reading(base_year)
    except ValueProblem as exc:
        return UnreadRound(line, heading, str(exc))
    rest = shown[: span[0]] + "\x00" + shown[span[1] :]
    start, end, time_spans = _find_times(rest)
    for low, high in sorted(time_spans, reverse=True):
        rest = rest[:low] + "\x00" + rest[high:]
    return _Heading(line, heading, day, start, end, _label(rest))


_Reading = Callable[[int], date]  # base year -> the day; raises ValueProblem
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def _find_date(text: str) -> tuple[tuple[int, int], _Reading] | None:
    """The span and the reading of a heading's date: the first date with a
    year, else the first date."""
    candidates: list[re.Match[str]] = []
    for pattern in (_ISO_DATE, _NUMERIC_DATE, _DAY_MONTH, _MONTH_DAY):
        first = True
        for match in pattern.finditer(text):
            if "mon" in pattern.groupindex:
                months = _EN_MONTHS if pattern is _MONTH_DAY else _MONTHS
                if match.group("mon").casefold() not in months:
                    continue
            if first or match.group("y") is not None:
                candidates.append(match)
                first = False
            if match.group("y") is not None:
                break
    if not candidates:
        return None
    with_year = [m for m in candidates if m.group("y") is not None]
    match = min(with_year or candidates, key=lambda m: (m.start(), -m.end()))
    start = match.start()
    weekday = _WEEKDAY_BEFORE.search(text, max(0, start - _WEEKDAY_REACH), start)
    if weekday is not None:
        start = weekday.start()
    return (start, match.end()), _reader(match)


def _reader(match: re.Match[str]) -> _Reading:
    """How to read a date match, given the base year."""
    groups = match.groupdict()
    written = match.group().strip()

    def make(year: int, month: int, day: int) -> date:
        try:
            moment = date(year, month, day)
        except ValueError:
            raise ValueProblem(
                f"`{written}` is not a date; write a date such as 2026-11-12 or 12 Nov 2026"
            ) from None
        try:
            return within_years(moment)
        except ValueProblem as exc:
            raise ValueProblem(f"`{written}`: {exc}") from None

    if "a" in groups:  # numeric: day and month, in either order
        first, second, year_text = int(groups["a"]), int(groups["b"]), groups["y"]
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)

        def numeric(_base: int) -> date:
            if groups["sep"] == "." or first > 12 or first == second:
                return make(year, second, first)  # dots: day.month.year, as in Europe
            if second > 12:
                return make(year, first, second)
            one, other = make(year, second, first), make(year, first, second)
            raise ValueProblem(
                f"`{written}` could be {one.day} {_MONTH_NAMES[one.month - 1]} or "
                f"{other.day} {_MONTH_NAMES[other.month - 1]}; write {one.isoformat()} "
                f"or {other.isoformat()}"
            )

        return numeric
    day = int(groups["d"])
    if "mon" in groups:
        month = _MONTHS[groups["mon"].casefold()]
        given = groups["y"]
        return lambda base: make(int(given) if given else base, month, day)
    year, month = int(groups["y"]), int(groups["m"])
    return lambda _base: make(year, month, day)


def _find_times(text: str) -> tuple[time | None, time | None, list[tuple[int, int]]]:
    """The first time in `text` (a heading without its date) and the end of
    its range, with the spans they take."""
    for match in _TIME.finditer(text):
        start = _clock(match)
        if start is None:
            # `2-3pm`: a bare hour, a dash, a time with am/pm.
            after = text[match.end() : match.end() + 1]
            if not _BARE_DASH.fullmatch(after):
                continue
            end_match = _TIME.match(text, match.end() + 1)
            if end_match is None or not end_match.group("ap"):
                continue
            end = _clock(end_match)
            start = _clock(match, end_match.group("ap"))
            if start is None or end is None or end <= start:
                continue
            return start, end, [(match.start(), end_match.end())]
        join = _RANGE_JOIN.match(text, match.end())
        if join is not None:
            end_match = _TIME.match(text, join.end())
            end = _clock(end_match) if end_match else None
            if end_match is not None and end is not None:
                if not match.group("ap") and end_match.group("ap"):
                    same = _clock(match, end_match.group("ap"))
                    if same is not None and same < end:
                        start = same
                if end > start:
                    return start, end, [(match.start(), end_match.end())]
        return start, None, [(match.start(), match.end())]
    return None, None, []


def _clock(match: re.Match[str], meridiem: str | None = None) -> time | None:
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    suffix = (match.group("ap") or meridiem or "").lower()
    if not (match.group("m") or suffix):
        return None
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


_SEPARATORS = r",;:\-–—|/·•"
_CONNECTOR = re.compile(r"(?:(?<![^\W_])(?:on|at|am|um|le|à|el|il|op|om|den)\s+|@\s*)\x00", re.I)
_EMPTY_BRACKETS = re.compile(rf"[(\[]\s*(?:[\x00{_SEPARATORS}]\s*)*[)\]]")
_MARKER_RUN = re.compile(rf"\x00(?:\s*[{_SEPARATORS}]?\s*\x00)+")
_ENDS = re.compile(rf"^[\s\x00{_SEPARATORS}]+|[\s\x00{_SEPARATORS}]+$")
_INNER_MARKER = re.compile(rf"\s*([{_SEPARATORS}])?\s*\x00\s*([{_SEPARATORS}])?\s*")


def _label(text: str) -> str | None:
    """A heading's text with its date and times (each marked \\x00) taken
    out, and the words and separators that only joined them."""
    text = _CONNECTOR.sub("\x00", text)
    text = _EMPTY_BRACKETS.sub(" ", text)
    text = _ENDS.sub("", _MARKER_RUN.sub("\x00", text))

    def join(match: re.Match[str]) -> str:
        separator = match.group(2) or match.group(1)
        if not separator:
            return " "
        return f"{separator} " if separator in ",;:" else f" {separator} "

    text = _ENDS.sub("", _SPACE_RUN.sub(" ", _INNER_MARKER.sub(join, text)))
    return text or None


# --- sections -------------------------------------------------------------------

DISCUSSED = "discussed"
CLARIFY = "clarify"
PEOPLE = "people"
PRIVATE = "private"

_BUILT_IN_DISCUSSED = ("Went well", "What went well", "Notes", "What we discussed")
_BUILT_IN_CLARIFY = ("Improve", "To improve", "What to improve", "Could have done better")
_PEOPLE_KEYS = (
    "interviewers",
    "interviewer",
    "with",
    "panel",
    "panelists",
    "met",
    "attendees",
    "participants",
    "people",
)
# Plain `Key: value` lines that are never a point, wherever they are.
_PRIVATE_LABELS = frozenset(
    {
        "salary",
        "salary expectations",
        "compensation",
        "pay",
        "rate",
        "offer",
        "bonus",
        "equity",
        "benefits",
        "private",
        "personal",
        "prep",
        "preparation",
        "todo",
        "to do",
        "note to self",
        "notes to self",
        "questions to ask",
        "my questions",
    }
)

_NON_WORD_ENDS = re.compile(r"^[\W_]+|[\W_]+$")
_SPACE_RUN = re.compile(r"\s+")


def _section_key(text: str) -> str:
    """`**Went well:**`, `✅ Went well`, `went  well` -> `went well`."""
    shown = paragraph_text(text, {}) if any(c in text for c in "*_[`<&\\") else text
    return _SPACE_RUN.sub(" ", _NON_WORD_ENDS.sub("", shown)).casefold()


@dataclass(frozen=True, slots=True)
class _Names:
    discussed: frozenset[str]
    clarify: frozenset[str]

    @classmethod
    def of(cls, discussed: Sequence[str], clarify: Sequence[str]) -> _Names:
        return cls(
            frozenset(_section_key(n) for n in (*discussed, *_BUILT_IN_DISCUSSED)),
            frozenset(_section_key(n) for n in (*clarify, *_BUILT_IN_CLARIFY)),
        )

    def kind(self, name: str) -> str:
        key = _section_key(name)
        if key in _PEOPLE_KEYS:
            return PEOPLE
        if key in self.discussed:
            return DISCUSSED
        if key in self.clarify:
            return CLARIFY
        return PRIVATE

    def shareable(self, name: str) -> bool:
        key = _section_key(name)
        return key in self.discussed or key in self.clarify


_BOLD = r"(?:\*\*|__)"
_PEOPLE_LINE = re.compile(
    rf"^\s*{_BOLD}?\s*(?:{'|'.join(_PEOPLE_KEYS)})\s*{_BOLD}?\s*::?\s*{_BOLD}?(?P<value>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_FIELD_LINE = re.compile(rf"^\s*{_BOLD}?[^\W\d_][\w \-/]{{0,40}}{_BOLD}?::")
_INLINE_FIELD = re.compile(
    r"[\[(]\s*(?P<key>[^\W\d_][\w \-/]{0,40}?)\s*::\s*"
    r"(?P<value>(?:\[\[[^\[\]\n]*\]\]|[^\[\]()\n])*)[\])]"
)
_BOLD_LEAD = re.compile(
    r"^\s*(?:\[[ xX]\]\s+)?(?P<mark>\*\*|__)(?P<name>[^*_:\n]{1,60}?)\s*(?P<c1>:?)\s*(?P=mark)"
    r"\s*(?P<c2>:?)\s*(?P<rest>.*)$",
    re.DOTALL,
)
_PLAIN_LABEL = re.compile(r"^\s*(?P<name>[^\W\d_][^:\n]{0,40}?)\s*:\s*(?P<rest>.*)$", re.DOTALL)
_LINK = re.compile(r"(!?)\[\[([^\[\]|#^\n]*)(?:[#^][^\[\]|\n]*)?(?:\|[^\[\]\n]*)?\]\]")


def _link_targets(text: str) -> list[str]:
    targets = []
    for match in _LINK.finditer(text):
        if match.group(1):  # an embed
            continue
        target = match.group(2).strip()
        if target.lower().endswith(".md"):
            target = target[:-3]
        if target:
            targets.append(target)
    return targets


@dataclass(slots=True)
class _Section:
    """What a round heading's section holds, gathered block by block."""

    level: int
    found: _Heading
    names: _Names
    offset: int  # the 0-based line of the section's first line in the body
    stack: list[tuple[int, str]] = field(default_factory=list)  # sub-headings
    lead: str | None = None  # the kind a lead-in line set
    label_line: int | None = None  # the line of a people label standing alone
    people: list[str] = field(default_factory=list)
    people_line: int | None = None
    links: list[str] = field(default_factory=list)
    discussed: list[str] = field(default_factory=list)
    clarify: list[str] = field(default_factory=list)
    buffer: list[str] = field(default_factory=list)
    buffer_kind: str = DISCUSSED

    @property
    def heading_kind(self) -> str:
        return self.stack[-1][1] if self.stack else DISCUSSED

    @property
    def kind(self) -> str:
        return self.lead or self.heading_kind

    def add_links(self, text: str) -> None:
        if "[[" in text:
            self.links.extend(_link_targets(text))

    def sub_heading(self, block: Block) -> None:
        self.flush_into()
        self.lead = None
        while self.stack and self.stack[-1][0] >= block.level:
            self.stack.pop()
        kind = self.names.kind(block.content)
        if self.heading_kind == PRIVATE and kind != PEOPLE:
            kind = PRIVATE
        self.stack.append((block.level, kind))
        self.add_links(block.content)

    def set_lead(self, name: str) -> None:
        kind = self.names.kind(name)
        if self.heading_kind == PRIVATE and kind != PEOPLE:
            kind = PRIVATE
        self.lead = kind

    def add_people(self, value: str, line: int) -> bool:
        found = _split_people(value, _KEPT_PEOPLE - len(self.people))
        if found and self.people_line is None:
            self.people_line = line
        self.people.extend(found)
        return bool(found)

    def paragraph(self, block: Block, env: dict[str, Any]) -> None:
        first = self.offset + block.line + 1
        for offset, raw in enumerate(block.content.split("\n")):
            self.line(raw, first + offset, block.in_quote, env)
        self.flush_into(env)

    def line(self, raw: str, number: int, in_quote: bool, env: dict[str, Any]) -> None:
        raw = self.take_fields(raw, number)
        people = _PEOPLE_LINE.match(raw)
        if people:
            self.flush_into(env)
            value = people.group("value").strip()
            if value:
                self.add_people(value, number)
            elif not in_quote:
                self.lead = PEOPLE
                self.label_line = number
            return
        if _FIELD_LINE.match(raw):
            self.add_links(raw)
            return
        if in_quote:
            self.add_links(raw)
            return
        lead = _BOLD_LEAD.match(raw)
        if (
            lead
            and _has_letter(lead.group("name"))
            and (lead.group("c1") or lead.group("c2") or not lead.group("rest").strip())
        ):
            self.flush_into(env)
            self.set_lead(lead.group("name"))
            raw = lead.group("rest")
        else:
            label = _PLAIN_LABEL.match(raw)
            if label:
                name, rest = label.group("name"), label.group("rest").strip()
                if not rest or self.names.shareable(name):
                    self.flush_into(env)
                    self.set_lead(name)
                    raw = rest
                elif _section_key(name) in _PRIVATE_LABELS:
                    self.flush_into(env)
                    self.add_links(raw)
                    return
        if not raw.strip():
            return
        if self.kind == PEOPLE:
            if _person_like(raw) and self.add_people(raw, self.label_line or number):
                return
            self.flush_into(env)
            self.lead = None
        self.add_links(raw)
        if self.buffer and self.buffer_kind != self.kind:
            self.flush_into(env)
        self.buffer.append(raw)
        self.buffer_kind = self.kind

    def take_fields(self, raw: str, number: int) -> str:
        """`raw` without its `[key:: value]` fields: a people field gives
        the round its people and reads as its value in a sentence; any
        other field goes. A line of nothing but fields is no point."""
        if "::" not in raw:
            return raw
        bare: list[str] = []

        def replace(match: re.Match[str]) -> str:
            if _section_key(match.group("key")) in _PEOPLE_KEYS:
                value = match.group("value").strip()
                self.add_people(value, number)
                bare.append("")
                return value
            self.add_links(match.group("value"))
            return ""

        text = _INLINE_FIELD.sub(replace, raw)
        if bare and not _has_letter(_INLINE_FIELD.sub("", raw)):
            return ""
        return text

    def flush_into(self, env: dict[str, Any] | None = None) -> None:
        if not self.buffer:
            return
        text = paragraph_text("\n".join(self.buffer), env if env is not None else {})
        self.buffer.clear()
        if not text:
            return
        if self.buffer_kind == DISCUSSED:
            self.discussed.append(text)
        elif self.buffer_kind == CLARIFY:
            self.clarify.append(text)

    def finish(self, env: dict[str, Any]) -> BodyRound:
        found = self.found
        self.flush_into(env)
        people_targets = {t for person in self.people for t in _link_targets(person)}
        links = tuple(dict.fromkeys(t for t in self.links if t not in people_targets))
        return BodyRound(
            line=found.line,
            heading=found.heading,
            day=found.day,
            start=found.start,
            end=found.end,
            label=found.label,
            people=tuple(self.people),
            people_line=self.people_line,
            links=links,
            discussed=tuple(self.discussed),
            clarify=tuple(self.clarify),
        )


# --- people ---------------------------------------------------------------------

_PERSON_PARTS = re.compile(
    r"(?P<link>\[\[[^\[\]\n]*\]\])|(?P<angle><[^<>\n]*>)"
    r"|(?P<sep>\s*[,;]\s*|\s+(?:and|und|et)\s+|\s*&\s*)",
    re.IGNORECASE,
)
_TRAILING_TITLE = re.compile(r"\s*\([^()]*\)\s*$|\s+[–—-]\s+[^\[\]<>]*$")
_PLACEHOLDERS = frozenset({"tbd", "tbc", "tba", "na", "n/a", "none", "unknown", "todo", "?"})
_DETERMINERS = frozenset(
    {"the", "a", "an", "my", "our", "their", "his", "her", "some", "several", "all", "two"}
)
_PARTICLES = frozenset(
    {"de", "da", "das", "dos", "do", "du", "van", "von", "der", "den", "del", "della", "la",
     "le", "di", "bin", "binti", "ibn", "al", "el", "ter", "ten", "zu", "y", "e", "of"}
)  # fmt: skip


def _has_letter(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _split_people(value: str, room: int) -> list[str]:
    """Each person in a people line's value, as written: the first `room`
    (of the first few times `room` parts: the rest are placeholders)."""
    people: list[str] = []
    position = parts = 0
    for match in _PERSON_PARTS.finditer(value):
        if len(people) >= room or parts > 4 * room:
            return people
        if match.group("sep") is not None:
            parts += 1
            person = _clean_person(value[position : match.start()])
            if person:
                people.append(person)
            position = match.end()
    person = _clean_person(value[position:]) if len(people) < room else None
    if person:
        people.append(person)
    return people


def _clean_person(part: str) -> str | None:
    text = part.strip().strip("*_ ").strip()
    links_end = max(text.rfind("]]"), text.rfind(">"))
    title = _TRAILING_TITLE.search(text, links_end + 1 if links_end >= 0 else 0)
    if title is not None:
        text = text[: title.start()].strip()
    text = text.rstrip(".,;:").strip() if not text.endswith("]]") else text
    key = text.casefold()
    if not text or not _has_letter(text) or key in _PLACEHOLDERS or key.strip("?.") == "":
        return None
    if text[0].isdigit() or key.split()[0] in _DETERMINERS:
        return None
    return text


def _person_like(text: str) -> bool:
    """A list item under a people label that reads as a name, not a sentence."""
    shown = text.strip()
    if "[[" in shown or re.search(r"<[^<>\s]+@[^<>\s]+>", shown):
        return True
    cleaned = _clean_person(shown)
    if cleaned is None or cleaned[-1] in "?!":
        return False
    words = cleaned.split()
    if len(words) > 5:
        return False
    return all(not w[0].islower() or w.casefold() in _PARTICLES for w in words)
