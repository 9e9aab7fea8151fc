"""The occasion a follow-up refers to, said as a person would say it: when
the interview was (from the day the message is meant to go out), whether
the recipient was in it, who was, and whether it was in person. Pure."""

from __future__ import annotations

import re
from typing import Any

from vaultfollow.core.model import FollowUp, Round

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
# A weekday names a day unambiguously only within the last six days.
_WEEKDAY_DAYS = 6
_IN_PERSON = re.compile(r"\b(?:on-?site|in[- ]person|office|visit|lunch|coffee)\b", re.I)


def occasion(followup: FollowUp) -> dict[str, Any]:
    """Template variables about the interview a follow-up refers to."""
    start = followup.round_start
    round_ = _round_of(followup)
    people = round_.interviewers if round_ else ()
    present = _is_among(followup, round_)
    label = followup.round_label or ""
    return {
        "interview_when": interview_when(followup),
        "recipient_was_there": present,
        "met_with": [p.name for p in people if p.name],
        "in_person": bool(_IN_PERSON.search(label)),
        "interview_day": f"{start.day} {_MONTHS[start.month - 1]}",
    }


def interview_when(followup: FollowUp) -> str:
    """ "this morning", "today", "yesterday", "on Friday" (within the last
    six days) or "on 12 November", counted from the day the follow-up is
    meant to go out."""
    start = followup.round_start
    sent_on = followup.do.astimezone(start.tzinfo).date()
    days = (sent_on - start.date()).days
    if days <= 0:
        return "this morning" if start.hour < 12 else "today"
    if days == 1:
        return "yesterday"
    if days <= _WEEKDAY_DAYS:
        return f"on {_WEEKDAYS[start.weekday()]}"
    return f"on {start.day} {_MONTHS[start.month - 1]}"


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
