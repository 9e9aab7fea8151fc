"""The occasion a follow-up refers to, said as a person would say it: when
the interview was (from the day the draft is read: today, or the day it is
due if that is later), whether the recipient was in it, who was, and
whether it was in person. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from babel.dates import format_date

from vaultfollow.core.language import DEFAULT, alternation, words
from vaultfollow.core.model import WEEKDAY_DAYS, FollowUp, Round
from vaultfollow.core.salutation import plain_name

_DAYS: Mapping[str, str] = words()["days"]
_IN_PERSON = re.compile(rf"\b(?:{alternation(words()['occasion']['in_person'])})\b", re.I)


def occasion(followup: FollowUp, today: date | None = None) -> dict[str, Any]:
    """Template variables about the interview a follow-up refers to, on the
    day `today` (None: the day the follow-up is due)."""
    start = followup.round_start
    round_ = _round_of(followup)
    people = round_.interviewers if round_ else ()
    present = _is_among(followup, round_)
    label = followup.round_label or ""
    return {
        "interview_when": interview_when(followup, today),
        "recipient_was_there": present,
        "met_with": [plain_name(p.name) for p in people if p.name],
        "in_person": bool(_IN_PERSON.search(label)),
        "interview_day": _date(start.date()),
    }


def interview_when(followup: FollowUp, today: date | None = None) -> str:
    """ "this morning", "today", "yesterday", "on Friday" (within the last
    five days) or "on 12 November", counted from the day the draft is read:
    `today`, or the day the follow-up is due when that is later (or `today`
    is None). A draft that says "yesterday" is rewritten the next day; once
    the interview is a week old its words stop changing."""
    start = followup.round_start
    sent_on = followup.do.astimezone(start.tzinfo).date()
    if today is not None and today > sent_on:
        sent_on = today
    days = (sent_on - start.date()).days
    if days <= 0:
        return _DAYS["this_morning"] if start.hour < 12 else _DAYS["today"]
    if days == 1:
        return _DAYS["yesterday"]
    if days <= WEEKDAY_DAYS:
        weekday = format_date(start.date(), _DAYS["weekday_format"], locale=DEFAULT)
        return _DAYS["weekday"].format(weekday=weekday)
    return _DAYS["date"].format(date=_date(start.date()))


def _date(day: date) -> str:
    """ "26 November", in the words file's pattern."""
    return format_date(day, _DAYS["date_format"], locale=DEFAULT)


def _round_of(followup: FollowUp) -> Round | None:
    for round_ in followup.note.rounds:
        if round_.start == followup.round_start:
            return round_
    return followup.note.rounds[-1] if followup.note.rounds else None


def _is_among(followup: FollowUp, round_: Round | None) -> bool:
    """Whether the recipient was one of the round's interviewers."""
    if round_ is None:
        return False
    person = followup.recipient
    for other in round_.interviewers:
        if person.link and other.link and person.link.casefold() == other.link.casefold():
            return True
        if person.name.casefold() == other.name.casefold():
            return True
    return False
