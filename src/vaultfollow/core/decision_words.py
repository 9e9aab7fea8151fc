"""The decision date as a note states it in words. Pure: text and a day in.

People write when the company will decide in their own words: "they decide
by 12 December", "hear back within two weeks", "decision by 12-11",
"Entscheidung bis 12. Dezember", "Timeline: 2-3 weeks". This module finds
that date in a note's body, counted from the interview day.

How it reads, so that a date that is not a decision date is never taken:

- Only a sentence with a decision cue is read (decide, decision, hear back,
  let me know, get back, feedback, next steps, outcome, timeline, deadline,
  respond, answer..., and their German, French and Spanish words), and only
  a date at most `MAX_GAP` characters from its cue, with no word such as
  "start", "since" or "ago" between them ("feedback was great, start date
  1 March" is no decision date). In a sentence, the date nearest its cue
  counts: first among this module's own readings (weeks, months, periods,
  numeric dates), and only when those hold none, among dateparser's.
- Code blocks, inline code, `%% %%` and `<!-- -->` comments are not read.
  An inline field that holds the decision date itself (`[deadline:: ...]`,
  `decision_by:: ...`, see `DECISION_FIELDS`) is the properties' to read
  and is skipped here; other inline fields are read as their words.
- A date is on or after the interview day, and no later than
  `NEAR_HORIZON` days after it when the year is not written (a year-less
  "12 Nov" after a 20 November interview would be next year, which is too
  far off, so it is not taken), or `FAR_HORIZON` days when it is.
- A numeric date (`12-11`, `12/11/2026`) is read both ways, day first and
  month first (dotted dates, `11.12.`, only day first). When both readings
  can be the date, the later one is taken and marked `ambiguous`, since a
  check-in must never come before a decision date the note states.
- Periods count from the interview day: "in 10 days", "within two weeks",
  "5 business days" (weekends skipped, holidays not), "a couple of weeks"
  (two), "a few days" (three). A range ("2-3 weeks", "a week or two") is
  its later end.
- Weeks run Monday to Friday. "Next week", "end of next week" and "later
  this week" are that week's Friday; "early next week" is its Wednesday.
  "End of the month" is its last day, "early" and "mid" in a month its
  10th and 20th. A month named alone ("by April") is its last day; "may"
  alone is never read as May, nor a name ("hear back from April") as a
  month, nor a two-letter word ("we", "me") as a weekday.
- When several sentences state one, the latest date wins (ties: the first
  line), again because a check-in must not come before any of them.

dateparser reads the month names, weekdays and relative words of the four
languages; it is imported on the first call, and only on sentences with a
cue, so importing this module stays cheap.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from vaultfollow.core.properties import normalise_key

if TYPE_CHECKING:
    from re import Match

# Days after the interview a stated date may lie: without a year written
# (and for periods and weekdays), and with one.
NEAR_HORIZON = 183
FAR_HORIZON = 366
# Characters between a cue and its date, at most.
MAX_GAP = 60
# Cue sentences read per note, and characters read of each, so a pasted log
# cannot make a pass slow (dateparser costs a few milliseconds a sentence).
MAX_SENTENCES = 40
MAX_SENTENCE = 400

# Inline fields that hold the decision date itself: the properties read them.
DECISION_FIELDS = frozenset({"decision_by", "decision_date", "decide_by", "decision", "deadline"})


@dataclass(frozen=True, slots=True)
class DecisionWords:
    """A decision date a note states, with the words that state it."""

    day: date
    words: str  # as written, from the cue to the date: "hear back within two weeks"
    line: int  # 1-based, in the text given
    ambiguous: bool = False  # a numeric date that reads two ways; `day` is the later


def decision_in_words(text: str, base: date) -> DecisionWords | None:
    """The decision date `text` states, counted from `base` (the interview
    day), or None when it states none. The rules are in the module's
    docstring; this never raises on any text."""
    best: DecisionWords | None = None
    sentences = 0
    for number, line in _readable_lines(text):
        for sentence in _SENTENCE_END.split(line):
            cues = _cues(sentence)
            if not cues:
                continue
            sentences += 1
            if sentences > MAX_SENTENCES:
                return best
            found = _in_sentence(sentence, cues, base, number)
            if found is not None and (best is None or found.day > best.day):
                best = found
    return best


# --- what is read --------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMENTS = re.compile(r"%%.*?%%|<!--.*?-->", re.DOTALL)
_CODE_SPAN = re.compile(r"(`+).+?\1")
_FIELD_IN_BRACKETS = re.compile(r"[\[(]([^\[\]()\n:]+?)::([^\[\]()\n]*)[\])]")
_FIELD_LINE = re.compile(r"^(\s*(?:[-*+]\s+)?)([^\[\]()\n:]+?)::(.*)$")
_WIKILINK = re.compile(r"!?\[\[([^\]|\n]*)(?:\|([^\]\n]*))?\]\]")
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_MARKUP = re.compile(r"\*\*|__|==|~~|\*|<[^>\n]*>")
# A sentence ends at ! ? ; or at a full stop after a word (not after a
# number: "12. Dezember"), before the next word (not a number: "Dec. 12").
_SENTENCE_END = re.compile(r"(?<=[!?;])\s+|(?<=[^\W\d_]{2}\.)\s+(?=[^\W\d_])")


def _readable_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, the line's words) for each line outside code
    and comments, with Markdown markup and decision fields taken out."""
    lines = text.split("\n")
    fence = ""
    for index, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            lines[index] = ""
        elif opening:
            fence = opening.group(1)
            lines[index] = ""
    kept = _COMMENTS.sub(lambda m: "\n" * m.group(0).count("\n"), "\n".join(lines))
    for number, line in enumerate(kept.split("\n"), start=1):
        line = _CODE_SPAN.sub(" ", line.rstrip("\r"))
        line = _FIELD_IN_BRACKETS.sub(_field_words, line)
        line = _FIELD_LINE.sub(_field_line_words, line)
        line = _WIKILINK.sub(lambda m: m.group(2) or m.group(1).rsplit("/", 1)[-1], line)
        line = _LINK.sub(r"\1", line)
        line = _MARKUP.sub("", line)
        if line.strip():
            yield number, line


def _field_words(match: Match[str]) -> str:
    key, value = match.group(1), match.group(2)
    return " " if normalise_key(key) in DECISION_FIELDS else f" {key.strip()}: {value.strip()} "


def _field_line_words(match: Match[str]) -> str:
    lead, key, value = match.groups()
    if normalise_key(key) in DECISION_FIELDS:
        return ""
    return f"{lead}{key.strip()}: {value.strip()}"


# --- cues ----------------------------------------------------------------------

_CUE_WORDS = (
    (
        "en",
        r"decid\w*|decision\w*|hear\s+back|hear\s+from|let\s+(?:me|us|you)\s+know"
        r"|get(?:ting)?\s+back|come\s+back\s+to|be\s+in\s+touch|circle\s+back|feedback"
        r"|next\s+steps?|outcome|timeline|update\s+(?:by|on|within|in)|deadline"
        r"|respond\w*|response|answer|reply|verdict|results?",
    ),
    (
        "de",
        r"entscheid\w*|entschieden|rückmeldung|feedback|melde[nt]?\s+sich|bescheid"
        r"|antwort\w*|nächste[nr]?\s+schritte?|zeitplan|frist",
    ),
    (
        "fr",
        r"décid\w*|décision\w*|réponse|répond\w*|retour|recontact\w*|prochaines?\s+étapes?|délai",
    ),
    ("es", r"decidir\w*|decisión|respuesta|responder\w*|avisar\w*|próximos?\s+pasos?|plazo"),
)
_CUES = tuple((lang, re.compile(rf"\b(?:{words})\b", re.I)) for lang, words in _CUE_WORDS)


@dataclass(frozen=True, slots=True)
class _Cue:
    start: int
    end: int
    language: str


def _cues(sentence: str) -> list[_Cue]:
    return [
        _Cue(m.start(), m.end(), language)
        for language, pattern in _CUES
        for m in pattern.finditer(sentence)
    ]


# Words that, between a cue and a date, say the date is about something else.
_OTHER_EVENT = re.compile(
    r"\b(?:start\w*|join\w*|onboard\w*|ago|since|last|vacation|holidays?|leave|ooo"
    r"|urlaub|beginn\w*|commenc\w*|congé|vacances|vacaciones|empez\w*)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class _Date:
    start: int
    end: int
    day: date
    ambiguous: bool = False


def _in_sentence(sentence: str, cues: list[_Cue], base: date, line: int) -> DecisionWords | None:
    if len(sentence) > MAX_SENTENCE:
        start = max(0, cues[0].start - MAX_SENTENCE // 3)
        sentence = sentence[start : start + MAX_SENTENCE]
        cues = _cues(sentence)
        if not cues:
            return None
    text = _Text(sentence)
    dates = _own_dates(text, base)
    chosen = _nearest(sentence, cues, dates)
    # dateparser takes a second to start and milliseconds a call: it reads
    # only what this module's own rules left, one cue language at a time,
    # until a date is found.
    for language in dict.fromkeys(cue.language for cue in cues):
        if chosen is not None:
            break
        dates += _dateparser_dates(text, language, base)
        chosen = _nearest(sentence, cues, dates)
    if chosen is None:
        return None
    found, cue = chosen
    words = " ".join(sentence[min(cue.start, found.start) : max(cue.end, found.end)].split())
    return DecisionWords(found.day, words.strip(" .,;:-"), line, found.ambiguous)


def _nearest(sentence: str, cues: list[_Cue], dates: list[_Date]) -> tuple[_Date, _Cue] | None:
    """The date nearest a cue (at the same distance, the later), if any is
    near enough and about the same thing."""
    best: tuple[int, int, _Date, _Cue] | None = None
    for found in dates:
        for cue in cues:
            gap = max(0, found.start - cue.end, cue.start - found.end)
            between = sentence[min(cue.end, found.end) : max(cue.start, found.start)]
            if gap > MAX_GAP or _OTHER_EVENT.search(between):
                continue
            key = (gap, -found.day.toordinal())
            if best is None or key < best[:2]:
                best = (*key, found, cue)
    return None if best is None else (best[2], best[3])


# --- dates ---------------------------------------------------------------------


_ABBREVIATION_DOT = re.compile(r"\b([^\W\d_]{3,4})\.(?=\s*\d)")
_PART_HYPHEN = re.compile(r"\b(mid|early|late|mitte|anfang|ende)-(?=[^\W\d_])", re.I)


class _Text:
    """A sentence whose found dates are blanked out, so that each part of it
    is read once: this module's own rules first, then dateparser."""

    def __init__(self, sentence: str) -> None:
        # Spellings dateparser misses, each kept to its length so that
        # positions stay those of the sentence: "Nov. 30", "mid-December".
        sentence = _ABBREVIATION_DOT.sub(r"\1 ", sentence)
        sentence = _PART_HYPHEN.sub(r"\1 ", sentence)
        self.chars = list(sentence)

    def __str__(self) -> str:
        return "".join(self.chars)

    def blank(self, start: int, end: int) -> None:
        self.chars[start:end] = " " * (end - start)


def _own_dates(text: _Text, base: date) -> list[_Date]:
    """The dates this module's own rules read (weeks, months, periods,
    numeric dates), blanked in `text`, as are times of day."""
    found: list[_Date] = []
    for finder in (_week_or_month, _period, _time_of_day, _numeric):
        for match in list(finder.pattern.finditer(str(text))):
            day, ambiguous = finder.read(match, base)
            text.blank(match.start(), match.end())
            if day is not None:
                found.append(_Date(match.start(), match.end(), day, ambiguous))
    return found


@dataclass(frozen=True, slots=True)
class _Finder:
    """A pattern and how to read a match of it: (the day or None, ambiguous).
    What it matches is blanked even when it is no date."""

    pattern: re.Pattern[str]
    read: Callable[[Match[str], date], tuple[date | None, bool]]


def _within(day: date, base: date, days: int) -> date | None:
    return day if 0 <= (day - base).days <= days else None


# Weeks and months: "early next week", "Ende der Woche", "fin du mois".
_EARLY = r"early|beginning\s+of|start\s+of|anfang|début\s+de|principios\s+de"
_MID = r"mid|middle\s+of|mitte|mediados\s+de"
_END = r"end\s+of|late|later|ende|fin\s+de|finales\s+de"
_AFTER_NEXT_WEEK = r"the\s+week\s+after\s+next|übernächste[nr]?\s+woche"
_NEXT_WEEK = (
    r"(?:the\s+)?next\s+week|the\s+following\s+week|(?:der\s+)?(?:nächste[nr]?|kommende[nr]?)"
    r"\s+woche|(?:la\s+)?semaine\s+prochaine|(?:la\s+)?(?:próxima\s+semana|semana\s+que\s+viene)"
)
_THIS_WEEK = r"this\s+week|diese[rn]?\s+woche|cette\s+semaine|esta\s+semana"
_THE_WEEK = r"(?:the\s+)?week|der\s+woche|(?:la\s+)?semaine|(?:la\s+)?semana"
_NEXT_MONTH = (
    r"(?:the\s+)?next\s+month|(?:des\s+)?(?:nächsten|kommenden)\s+monats|nächste[nr]?\s+monat"
    r"|(?:du\s+)?mois\s+prochain|(?:del\s+)?(?:próximo\s+mes|mes\s+que\s+viene)"
)
_THIS_MONTH = (
    r"(?:the\s+|this\s+)?month|(?:des|dieses)\s+monats|(?:du|ce)\s+mois|(?:del|este)\s+mes"
)
_WEEK_OR_MONTH = re.compile(
    rf"\b(?P<part>(?P<early>{_EARLY})|(?P<mid>{_MID})|(?P<end>{_END}))?[\s-]*(?:(?:the|la|a)\s+)?"
    rf"(?:(?P<after_next_week>{_AFTER_NEXT_WEEK})|(?P<next_week>{_NEXT_WEEK})"
    rf"|(?P<next_month>{_NEXT_MONTH})|(?P<this_week>{_THIS_WEEK})"
    # "the week", "the month" say a day only with a part: "end of the week".
    rf"|(?(part)(?P<the_week>{_THE_WEEK})|(?!))|(?(part)(?P<this_month>{_THIS_MONTH})|(?!)))\b",
    re.I,
)


def _read_week_or_month(match: Match[str], base: date) -> tuple[date | None, bool]:
    part = "early" if match["early"] else "mid" if match["mid"] else "end" if match["end"] else ""
    if match["next_month"] or match["this_month"]:
        year, month = base.year, base.month + (1 if match["next_month"] else 0)
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        last = calendar.monthrange(year, month)[1]
        day = {"early": 10, "mid": 20}.get(part, last)
        return max(base, date(year, month, day)), False
    weeks = 2 if match["after_next_week"] else 1 if match["next_week"] else 0
    monday = base - timedelta(days=base.weekday()) + timedelta(weeks=weeks)
    return max(base, monday + timedelta(days=2 if part == "early" else 4)), False


_week_or_month = _Finder(_WEEK_OR_MONTH, _read_week_or_month)

# Periods: "in 10 days", "within two weeks", "2–3 weeks", "a week or two".
_NUMBER_WORDS = {
    **dict.fromkeys(("a", "an", "one", "ein", "eine", "einen", "un", "une", "uno", "una"), 1),
    **dict.fromkeys(("two", "zwei", "deux", "dos", "couple", "a couple", "a couple of"), 2),
    **dict.fromkeys(("three", "drei", "trois", "tres", "few", "a few", "ein paar"), 3),
    **dict.fromkeys(("four", "vier", "quatre", "cuatro"), 4),
    **dict.fromkeys(("five", "fünf", "cinq", "cinco"), 5),
    **dict.fromkeys(("six", "sechs", "seis"), 6),
    **dict.fromkeys(("seven", "sieben", "sept", "siete"), 7),
    **dict.fromkeys(("eight", "acht", "huit", "ocho"), 8),
    **dict.fromkeys(("nine", "neun", "neuf", "nueve"), 9),
    **dict.fromkeys(("ten", "zehn", "dix", "diez"), 10),
}
_NUMBER = (
    r"\d{1,3}(?:[.,]\d+)?|a\s+couple(?:\s+of)?|couple(?:\s+of)?|a\s+few|few|ein\s+paar|"
    + "|".join(sorted((w for w in _NUMBER_WORDS if " " not in w), key=len, reverse=True))
)
_UNIT = (
    r"(?P<business>business\s+|working\s+|work\s+)?"
    r"(?P<unit>days?|weeks?|wks?|months?|werktage?n?|arbeitstage?n?|tage?n?|wochen|woche"
    r"|monate?n?|jours?|semaines?|mois|d[ií]as?|semanas?|meses|mes"
    r"|hours?|hrs?|h|stunden|heures?|horas?)"
    r"(?P<business_after>\s+(?:ouvrés|ouvrables|hábiles|habiles|laborables))?"
)
_PERIOD = re.compile(
    rf"(?<![\w.,-])(?P<past>(?:vor|il\s+y\s+a|hace|last|past)\s+)?(?P<n1>{_NUMBER})"
    rf"(?:\s*(?:-|–|—|to|or|bis|à|a|ou|o|oder)\s*(?P<n2>{_NUMBER}))?[\s-]*{_UNIT}"
    rf"(?:\s+(?:or|oder|ou|o)\s+(?P<n3>{_NUMBER}))?\b(?P<ago>\s+ago\b)?",
    re.I,
)


def _count(word: str | None) -> int:
    if word is None:
        return 0
    word = " ".join(word.casefold().split())
    if word[0].isdigit():  # 1.5 weeks: two, the end of the range it says
        return math.ceil(float(word.replace(",", ".")))
    return _NUMBER_WORDS.get(word, 0)


def _read_period(match: Match[str], base: date) -> tuple[date | None, bool]:
    if match["past"] or match["ago"]:
        return None, False
    n = max(_count(match["n1"]), _count(match["n2"]), _count(match["n3"]))
    unit = match["unit"].casefold()
    if n > FAR_HORIZON:
        return None, False
    if unit.startswith("h"):  # "within 48 hours", "24h"; but "10h" is ten o'clock
        if unit == "h" and n < 24:
            return None, False
        day = base + timedelta(days=math.ceil(n / 24))
    elif unit.startswith("m"):  # months, Monate, mois, meses
        month = base.month - 1 + min(n, 12)
        year, month = base.year + month // 12, month % 12 + 1
        day = date(year, month, min(base.day, calendar.monthrange(year, month)[1]))
    elif unit.startswith(("w", "semain", "semana")) and not unit.startswith("werk"):
        day = base + timedelta(weeks=n)
    elif match["business"] or match["business_after"] or unit.startswith(("werk", "arbeit")):
        day = base
        for _ in range(n):
            day += timedelta(days=3 if day.weekday() == 4 else 2 if day.weekday() == 5 else 1)
    else:
        day = base + timedelta(days=n)
    return _within(day, base, NEAR_HORIZON), False


_period = _Finder(_PERIOD, _read_period)

# Times of day are no dates: blanked so no reader takes "10.30" or "3pm".
_TIME_OF_DAY = re.compile(
    r"\b\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?|uhr|h)(?!\w)|\b\d{1,2}:\d{2}\b|\b\d{1,2}h\d{2}\b",
    re.I,
)
_time_of_day = _Finder(_TIME_OF_DAY, lambda match, base: (None, False))

# Numeric dates: 2026-12-12, 12-11, 12/11/2026, 11.12., Fri 27/11.
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+"
_NUMERIC = re.compile(
    rf"(?<![\w/.-])(?:{_WEEKDAY})?(?:(?P<iso_y>\d{{4}})[-/.](?P<iso_m>\d{{1,2}})[-/.](?P<iso_d>\d{{1,2}})"
    r"|(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?)"
    r"(?:\.(?!\d))?(?![\w/-]|\.\d)",
    re.I,
)


def _read_numeric(match: Match[str], base: date) -> tuple[date | None, bool]:
    if match["iso_y"]:
        readings = [(int(match["iso_y"]), int(match["iso_m"]), int(match["iso_d"]))]
    else:
        a, b = int(match["a"]), int(match["b"])
        year = int(match["y"]) if match["y"] else 0
        year += 2000 if 0 < year < 100 else 0
        orders = [(a, b)] if match["sep"] == "." else [(a, b), (b, a)]  # (day, month)
        readings = [(year, month, day) for day, month in orders]
    days: set[date] = set()
    for year, month, day in readings:
        found = _on_or_after(base, year, month, day)
        if found is not None:
            days.add(found)
    if not days:
        return None, False
    return max(days), len(days) > 1


def _on_or_after(base: date, year: int, month: int, day: int) -> date | None:
    """The date, if it is one and lies in the horizon; year 0 means none
    written: this year's, else next year's."""
    try:
        if year:
            return _within(date(year, month, day), base, FAR_HORIZON)
        this_year = date(base.year, month, day)
        if this_year < base:
            this_year = date(base.year + 1, month, day)
    except ValueError:
        return None
    return _within(this_year, base, NEAR_HORIZON)


_numeric = _Finder(_NUMERIC, _read_numeric)

# --- dateparser ------------------------------------------------------------------

# Words before a date (or at its start) that dateparser keeps with it.
_LEAD = re.compile(
    r"^(?:(?:by|on|in|until|till|before|at|the|am|um|bis|zum|im|le|la|el|de|d'ici|avant|vers"
    r"|por|para|antes\s+de)\s+)+",
    re.I,
)
# What may stand before a month named alone: "by April", "Mitte Dezember".
_BEFORE_MONTH = re.compile(
    rf"\b(?:by|in|until|till|before|{_EARLY}|{_MID}|{_END}|bis|im|en|fin|avant|d'ici|para"
    r"|antes\s+de|a\s+finales\s+de)[\s-]*(?:the\s+)?$",
    re.I,
)
_TRAILING = re.compile(r"(?:\s+(?:at|the|on|in|of|and|or|to|a|an|um|am|le|la|el|de))+\s*$", re.I)
_LAST_WORD = re.compile(r"[^\W\d_]+\.?$")
_DAY_ONLY = re.compile(r"\d{1,2}(?:st|nd|rd|th|\.|er|º)?", re.I)
# Words dateparser reads as dates that, alone, are mostly something else.
_NOT_ALONE = frozenset(
    {"may", "second", "seconds", "minute", "minutes", "now", "sat", "sun", "mar"}
)


def _dateparser_settings(base: date, **more: str) -> dict[str, Any]:
    return {
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        # A decision date lies ahead: "Friday" is the next one, "12 Nov" after
        # a 20 November interview next year's (which then is too far off).
        "PREFER_DATES_FROM": "future",
        "PREFER_DAY_OF_MONTH": "first",
        # Numeric dates are read (both ways) and blanked by this module.
        "DATE_ORDER": "DMY",
        # No Unix timestamps ("1734000000") and no "no-spaces" runs of digits.
        "PARSERS": ["relative-time", "absolute-time"],
        # A fixed zone: the machine's own must not change what a note says.
        "TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": False,
        **more,
    }


# What dateparser could read as a date in what this module's own rules
# left: a digit, or the stem of a month, weekday or relative word in one of
# the cue languages. Without any, a sentence is not handed to dateparser
# (milliseconds a call, and most sentences with a cue hold no date).
_MAY_HOLD_A_DATE = re.compile(
    r"\d|\b(?:jan|feb|f[ée]v|m[aä]r|apr|avr|abr|may|mai|jun|juin|jui|jul|aug|ao[uû]|ago|"
    r"sep|oct|okt|nov|d[eé]c|dez|dic|ene|mon|tue|wed|thu|fri|sat|sun|lun|mar|mer|jeu|ven|"
    r"sam|dim|mi[eé]|jue|vie|s[aá]b|dom|montag|dienstag|mittwoch|donnerstag|freitag|"
    r"samstag|sonntag|tomorrow|today|tonight|next|this|week|month|year|day|fortnight|"
    r"morgen|heute|n[aä]chst|woche|monat|jahr|tag|demain|aujourd|prochain|semaine|mois|"
    r"ann[ée]e|jour|mañana|manana|hoy|pr[oó]xim|semana|mes|año|d[ií]a|end|ende|fin|"
    r"early|mid|late|soon|couple|few|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"ein|zwei|drei|vier|un|deux|trois|quatre|uno|dos|tres|cuatro)",
    re.IGNORECASE,
)


def _dateparser_dates(text: _Text, language: str, base: date) -> list[_Date]:
    """The dates dateparser reads in what is left of `text`, in one language,
    that pass the guards; they are blanked in `text`."""
    sentence = str(text)
    if not _MAY_HOLD_A_DATE.search(sentence):
        return []  # most cue sentences ("Could answer better"): no call at all
    from dateparser import parse
    from dateparser.search import search_dates

    found: list[_Date] = []
    try:
        settings = _dateparser_settings(base)
        results = search_dates(sentence, languages=[language], settings=settings) or []
        cursor = 0
        for said, when in results:
            # dateparser gives the words with their spaces collapsed, and
            # sometimes the small words after them ("12 December at the").
            said = _TRAILING.sub("", said)
            spaced = r"\s+".join(map(re.escape, said.split()))
            where = re.compile(spaced).search(sentence, cursor) if spaced else None
            if where is None:
                continue
            start, end = where.span()
            cursor = end
            day = _check(sentence, start, where.group(0), when, base, language, parse)
            if day is not None:
                found.append(_Date(start, end, day))
                text.blank(start, end)
    except (ValueError, TypeError, OverflowError, LookupError):
        pass  # dateparser failing on some text must not stop a pass
    return found


def _check(
    sentence: str, start: int, words: str, when: datetime, base: date, language: str, parse: Any
) -> date | None:
    """The day dateparser read in `words`, once it has passed the guards
    against what it is known to read as dates."""
    core = _LEAD.sub("", words.strip())
    day = when.date()
    if day == base and when.time() != datetime.min.time():
        return None  # "at 10am", "in a second": a time of the interview day
    if re.fullmatch(r"\d{4}", core):
        return None  # "2027 timeline": a year alone is what the work is about, not a day
    if not any(c.isdigit() for c in core):
        letters = re.findall(r"[^\W\d_]+", core)
        if not letters or max(map(len, letters)) < 3 or core.casefold() in _NOT_ALONE:
            return None  # "we", "me", "Th": weekday abbreviations in other languages
        first = parse(core, languages=[language], settings=_dateparser_settings(base))
        last = parse(
            core,
            languages=[language],
            settings=_dateparser_settings(base, PREFER_DAY_OF_MONTH="last"),
        )
        if first is not None and last is not None and first != last:  # a month alone
            # The words before the month: "by", "Mitte", "early".
            before = _LAST_WORD.sub("", (sentence[:start] + words).rstrip())
            lead = _BEFORE_MONTH.search(before)
            if lead is None or max(map(len, letters)) < 4:
                return None  # "hear back from April", "Jun" (a name), "in may"
            part = lead.group(0).casefold()
            early = re.search(_EARLY, part, re.I)
            mid = re.search(_MID, part, re.I)
            day = day.replace(day=10 if early else 20 if mid else last.day)
    if day < base and _DAY_ONLY.fullmatch(core):  # "on the 4th": the next 4th
        month = day.month % 12 + 1
        try:
            day = day.replace(year=day.year + (day.month == 12), month=month)
        except ValueError:
            return None
    if re.search(r"\d{4}", words):
        return _within(day, base, FAR_HORIZON)
    if day.year > base.year:  # "by 17 November" on 17 November is this year's
        try:
            earlier = day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            earlier = day
        day = earlier if earlier >= base else day
    return _within(day, base, NEAR_HORIZON)
