"""Property names and values as people write them -> canonical names and
Python values.

Names are normalised (`Job-Title`, `jobTitle`, `job title` -> `job_title`)
and aliases mapped; values are read in every form DESIGN.md allows:
wikilinks quoted or not (YAML reads `[[Acme]]` as a nested list), people as
names, links, `Name <email>` or mappings, dates, times and durations. Each
reader raises ValueProblem with what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from vaultfollow.core.model import STATUSES, Person
from vaultfollow.core.salutation import is_title_and_surname

T_date = TypeVar("T_date", bound=date)

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
    "decide_by": "decision_by",
    "deadline": "decision_by",
    "tag": "tags",
}

_WIKILINK = re.compile(r"\[\[([^\[\]|#^]*)(?:[#^][^\[\]|]*)?(?:\|([^\[\]]*))?\]\]")
_EMAIL_FORM = re.compile(r"^\s*(.*?)\s*<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$")


_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_KEY_SEPARATORS = re.compile(r"[\s\-_]+")


def normalise_key(name: str) -> str:
    """`Job-Title`, `jobTitle`, `job title` -> `job_title`."""
    spaced = _CAMEL_HUMP.sub("_", name.strip())
    return _KEY_SEPARATORS.sub("_", spaced).casefold().strip("_")


# The facts `[notes.properties]` may name the vault's own properties for.
FACTS = (
    "company",
    "role",
    "date",
    "time",
    "duration",
    "end",
    "interviewers",
    "contact",
    "status",
    "status_date",
    "responded",
    "decision_by",
    "tone",
    "address",
    "handwritten",
    "check_in_channel",
    "phone",
    "application",
)

# `[notes.properties]`: each fact with the vault's names for it, in order.
PropertyMap = tuple[tuple[str, tuple[str, ...]], ...]


def normalise_properties(
    data: Mapping[Any, Any], names: PropertyMap = ()
) -> dict[str, tuple[str, Any]]:
    """Canonical key -> (key as written, value). The first spelling wins.
    `names` (`[notes.properties]`): for each fact, the vault's own property
    names, tried in order before the fact's own name and its aliases."""
    result: dict[str, tuple[str, Any]] = {}
    if names:
        spelled: dict[str, tuple[str, Any]] = {}
        for raw_key, value in data.items():
            spelled.setdefault(normalise_key(str(raw_key)), (str(raw_key), value))
        for fact, candidates in names:
            for name in candidates:
                found = spelled.get(normalise_key(name))
                if found is not None:
                    result[fact] = found
                    break
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
    return Text(plain_text(text))


def _link_text(inner: str) -> Text | None:
    target, _, alias = inner.partition("|")
    target = re.split(r"[#^]", target, maxsplit=1)[0].strip()
    if target.lower().endswith(".md"):
        target = target[:-3]
    display = alias.strip() or target.rsplit("/", 1)[-1]
    if not display:
        return None
    return Text(display, target or None)


def plain_text(text: str) -> str:
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
            email=optional_text(props.get("email")),
            title=optional_text(props.get("title") or props.get("job_title") or props.get("role")),
            phone=optional_text(props.get("phone")),
            link=name.link,
            salutation=optional_text(props.get("salutation")) or _alias_salutation(name),
        )
    text = read_text(value)
    if text is None:
        return None
    if text.link is None:
        # The written form, not the display text: `[[People/Jane Doe|Ms Doe]] <...>`
        # keeps its link.
        match = _EMAIL_FORM.match(value if isinstance(value, str) else text.display)
        if match:
            email = match.group(2)
            inner = read_text(match.group(1))
            if inner is None:
                return Person(name=email.split("@")[0], email=email)
            if inner.link:
                return replace(_linked_person(inner.display, inner.link), email=email)
            return Person(name=inner.display, email=email)
    if text.link:
        return _linked_person(text.display, text.link)
    return Person(name=text.display)


def _linked_person(display: str, link: str) -> Person:
    """A person note is named after the person; the link's display text is
    a short form ("Jane", "Ms Doe"): the salutation when it is a title and
    surname, else no part of the person."""
    return Person(
        name=link.rsplit("/", 1)[-1], link=link, salutation=_alias_salutation(Text(display, link))
    )


def _alias_salutation(text: Text) -> str | None:
    """A wikilink's alias when it reads as a title and surname (`Ms Whitcombe`)."""
    if text.link is None or text.display == text.link.rsplit("/", 1)[-1]:
        return None
    return text.display if is_title_and_surname(text.display) else None


def read_people(value: Any) -> list[Person]:
    """One person, a list of them, or a comma/semicolon separated string."""
    if value is None:
        return []
    if isinstance(value, str) and re.search(r"[;,]", value):
        # `Jane Doe, Sam Lee` or, as inline fields write them, `[[Jane]], [[Sam]]`:
        # split outside links only (an alias may hold a comma).
        parts = re.split(r"[;,](?![^\[]*\]\])", value)
        value = [part for part in parts if part.strip()]
    if isinstance(value, list):
        single = read_person(value) if len(value) == 1 and isinstance(value[0], list) else None
        if single is not None:
            return [single]
        people = [read_person(item) for item in value]
        return [p for p in people if p is not None]
    person = read_person(value)
    return [person] if person else []


def optional_text(item: tuple[str, Any] | None) -> str | None:
    if item is None:
        return None
    text = read_text(item[1])
    return text.display if text else None


class ValueProblem(ValueError):
    """A value could not be read; the message says what to write instead."""


# The years a date may name. Python's dates stop at 0001 and 9999, and the
# planner adds hours, days and time zone offsets to every date it reads: a
# "no date" sentinel such as 9999-12-31 would overflow in the middle of a
# pass. Checked as each date is read, so no later arithmetic can overflow
# (the config keeps durations to MAX_DURATION_DAYS, well inside the margin).
FIRST_YEAR = 1900
LAST_YEAR = 2200
YEARS = f"a date between {FIRST_YEAR} and {LAST_YEAR}"


def within_years(moment: T_date) -> T_date:
    """`moment` itself when its year is one vaultfollow plans with."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueProblem(
            f"the year {moment.year} is outside the years vaultfollow plans with; "
            f"write {YEARS}, or leave it out"
        )
    return moment


def read_date(value: Any) -> date:
    if isinstance(value, datetime):
        return within_years(value.date())
    if isinstance(value, date):
        return within_years(value)
    if isinstance(value, str):
        try:
            day = datetime.fromisoformat(value.strip()).date()
        except ValueError:
            pass
        else:
            return within_years(day)
    raise ValueProblem("write a date such as 2026-11-12")


def read_datetime(value: Any) -> date | datetime:
    """A date (no time given) or a datetime (naive or aware)."""
    if isinstance(value, datetime | date):
        return within_years(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                moment: date | datetime = date.fromisoformat(text)
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return within_years(moment)
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


# `[notes.status]`: the vault's status words (as `status_word` spells them)
# -> one of STATUSES, or APPLICATION.
StatusMap = tuple[tuple[str, str], ...]
APPLICATION = "application"  # a status word for "applied, no interview yet"
STATUS_TARGETS = (*STATUSES, APPLICATION)

# The words job trackers and the vaults people publish use, and what each
# means here. `scheduled` and `waiting` both mean nothing was heard yet;
# words for being in the middle of interviews mean waiting.
_WORDS_BY_MEANING = {
    APPLICATION: "applied not-applied to-apply wishlist saved bookmarked found interested "
    "researching prospect lead application application-sent submitted draft planned considering",
    "scheduled": "scheduled interview-scheduled upcoming booked invited",
    "waiting": "waiting screening screen phone-screen interview interviewing interviewed active "
    "in-progress in-process ongoing open next-round assessment onsite final-round pending "
    "ghosted no-response awaiting awaiting-response",
    "heard-back": "heard-back heard heardback responded replied feedback",
    "offer": "offer offered offer-received offer-extended",
    "accepted": "accepted hired accepted-offer signed joined",
    "rejected": "rejected rejection not-selected unsuccessful turned-down denied",
    "withdrawn": "withdrawn withdrew declined no-go not-interested passed dropped",
}
TRACKER_WORDS = {
    word: meaning for meaning, words in _WORDS_BY_MEANING.items() for word in words.split()
}


def status_word(text: str) -> str:
    """A status as compared: `In Progress`, `in_progress` and
    `#application/in-progress` (a tag used as a status) -> `in-progress`."""
    word = text.strip().lstrip("#").rsplit("/", 1)[-1]
    return re.sub(r"[\s_\-]+", "-", word.casefold()).strip("-")


def read_status(value: Any, words: StatusMap = ()) -> str:
    """One of STATUSES, or APPLICATION: the vault's own words (`words`,
    `[notes.status]`) first, then the words trackers use."""
    text = read_text(value)
    if text is None:
        raise ValueProblem("write one of " + ", ".join(STATUSES))
    word = status_word(text.display)
    for known, meaning in words:
        if known == word:
            return meaning
    if word in TRACKER_WORDS:
        return TRACKER_WORDS[word]
    shown = text.display.strip().replace('"', "'")
    raise ValueProblem(
        "vaultfollow does not know this word, so it reads no status: say what it means "
        f'with a line such as `"{shown}" = "waiting"` under `[notes.status]` in '
        f'vaultfollow.toml (one of {", ".join(STATUSES)}, or "application" for no '
        "interview yet)"
    )


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
