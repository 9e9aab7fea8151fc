"""The data that flows through vaultfollow: notes in, follow-ups out.

Every type here is a frozen dataclass so that the pure core (notes, schedule,
drafts, ics, dashboard) can pass values around without copying or guarding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from vaultfollow.core.salutation import given_name


class Kind(StrEnum):
    """The `followup` value of a draft and the CATEGORIES of its event."""

    THANK_YOU = "thank-you"
    CHECK_IN = "check-in"
    SECOND_CHECK_IN = "second-check-in"
    STAY_CONNECTED = "stay-connected"
    HANDWRITTEN_NOTE = "handwritten-note"


class State(StrEnum):
    """Where a follow-up stands."""

    PENDING = "pending"  # due now or later; has a draft and a calendar entry
    SENT = "sent"  # the user marked the draft sent
    SKIPPED = "skipped"  # the user marked the draft skipped
    CANCELLED = "cancelled"  # an outcome, a response or a later round made it moot
    DISMISSED = "dismissed"  # the user deleted its draft


class Urgency(StrEnum):
    """How a pending follow-up relates to `now` (the dashboard's sections)."""

    OVERDUE = "overdue"
    TODAY = "today"
    UPCOMING = "upcoming"


OUTCOMES = frozenset({"offer", "accepted", "withdrawn", "rejected"})
# "on Friday" names a day unambiguously only within the last five days: six
# days back has the weekday of tomorrow ("on Saturday", read on a Friday,
# sounds like the day after). A draft says the date beyond.
WEEKDAY_DAYS = 5
STATUSES = ("scheduled", "waiting", "heard-back", "offer", "accepted", "rejected", "withdrawn")


@dataclass(frozen=True, slots=True, order=True)
class Revision:
    """One calendar entry as last changed: its SEQUENCE, the moment it changed
    (its DTSTAMP and LAST-MODIFIED: UTC, whole seconds) and a digest of the
    rest of its content. Kept in the decisions file, which both machines of a
    synced vault read, so both write the same entry. Ordered by sequence, then
    moment, then digest: of two machines' revisions the greater wins."""

    sequence: int
    changed: datetime
    digest: str


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one file, said so the user can fix it."""

    path: str  # vault-relative, POSIX separators
    message: str
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone a follow-up is addressed to."""

    name: str
    email: str | None = None
    title: str | None = None
    phone: str | None = None
    link: str | None = None  # wikilink target (`People/Jane Doe`) for person-note lookups
    # How to greet them, when their name does not say it: `Ms Whitcombe`, `Lan`.
    salutation: str | None = None
    # The name they go by when it is not their first word: "Seun" (their
    # person note says "Goes by Seun."), "Fatima Zahra" (the note calls her so).
    goes_by: str | None = None

    @property
    def first_name(self) -> str:
        """Their first name, honorifics and suffixes skipped (see salutation.py)."""
        return given_name(self.name)


@dataclass(frozen=True, slots=True)
class Round:
    """One interview: when, and with whom."""

    start: datetime  # aware
    end: datetime  # aware
    interviewers: tuple[Person, ...]
    label: str | None = None  # "2", "onsite", ...
    line: int | None = None  # the line it was read from, when a heading in the body
    no_people: str | None = None  # with no interviewers: what to add, and where
    # A round written in the body: its own points, and the notes its
    # section links to (those that are person notes are its interviewers
    # when it names no one on a labelled line).
    discussed: tuple[str, ...] = ()
    clarify: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InterviewNote:
    """What vaultfollow understood of one interview note.

    Only shareable sections reach `discussed` and `clarify`; nothing else of
    the body is kept.
    """

    path: str  # vault-relative, POSIX separators
    company: str
    role: str
    rounds: tuple[Round, ...]
    application_link: str | None = None
    contact: Person | None = None
    status: str | None = None
    status_date: date | None = None
    status_line: int | None = None
    responded: date | None = None
    responded_by: str | None = None  # the address the mailbox saw reply (`vaultfollow mail`)
    decision_by: date | None = None
    tone: str | None = None
    address: str | None = None
    handwritten: bool | None = None
    check_in_channel: str | None = None
    phone: str | None = None
    discussed: tuple[str, ...] = ()
    clarify: tuple[str, ...] = ()
    decision_words: str | None = None  # the body's words that set `decision_by`
    # Notes this one links to that may hold the facts it does not (an
    # application, position, company or person note), in the order tried.
    links: tuple[str, ...] = ()

    @property
    def is_application(self) -> bool:
        """An application with no interview yet: counted, never planned."""
        return not self.rounds

    @property
    def application_key(self) -> str:
        """Notes with the same key are rounds of one application."""
        if self.application_link:
            return "link:" + self.application_link.casefold()
        return "job:" + self.company.casefold().strip() + "\x1f" + self.role.casefold().strip()

    @property
    def link(self) -> str:
        """The wikilink target of this note (its path without `.md`)."""
        return self.path[:-3] if self.path.lower().endswith(".md") else self.path


@dataclass(frozen=True, slots=True)
class DraftRecord:
    """What a draft file in the vault says about its follow-up."""

    path: str
    followup_id: str | None
    status: str  # draft, sent or skipped
    sent: date | None
    edited: bool  # differs from what vaultfollow wrote
    line_of_status: int | None = None
    seen_sent: bool = False  # the mailbox showed it sent (`vaultfollow mail`)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One message to one person, due at one time."""

    id: str  # stable: application, round date, kind and recipient
    event_id: str  # stable: application, round date and kind (one calendar entry)
    kind: Kind
    state: State
    application: str
    company: str
    role: str
    round_start: datetime
    round_label: str | None
    recipient: Person
    channel: str  # email, phone or post
    tone: str  # formal or casual
    do: datetime  # aware, in the vault's time zone
    deadline: datetime  # aware, in the vault's time zone
    source: str  # the interview note, vault-relative
    draft_path: str  # vault-relative
    note: InterviewNote
    sent: date | None = None
    reason: str | None = None  # why it was cancelled, for the dashboard
    seen_sent: bool = False  # marked sent from the mailbox, not by the user
    # A check-in's recipient was thanked for the round already: their
    # thank-you (or card) was marked sent. A check-in then says "thanks
    # again"; else it thanks them once, plainly.
    thanked: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything the outputs are rendered from."""

    followups: tuple[FollowUp, ...]
    notes: tuple[InterviewNote, ...]
    problems: tuple[Problem, ...]
    now: datetime


def days_on(followup: FollowUp, today: date) -> int:
    """What of `today` a draft's words depend on: the days from the interview
    to the day the draft is read (today, or the day it is due when later),
    as "today" (0), "yesterday" (1), a weekday (up to `WEEKDAY_DAYS`) or a
    date (one more: the same words from then on)."""
    start = followup.round_start
    read_on = max(today, followup.do.astimezone(start.tzinfo).date())
    return min(max((read_on - start.date()).days, 0), WEEKDAY_DAYS + 1)


def urgency(followup: FollowUp, now: datetime) -> Urgency:
    """Overdue once its deadline has passed (a day-based follow-up: once its day
    has passed); today when its do-time falls on today or earlier; else upcoming."""
    local_now = now.astimezone(followup.do.tzinfo)
    today = local_now.date()
    if followup.kind is Kind.THANK_YOU:
        if now > followup.deadline:
            return Urgency.OVERDUE
    elif followup.deadline.date() < today:
        return Urgency.OVERDUE
    if followup.do.date() <= today:
        return Urgency.TODAY
    return Urgency.UPCOMING


def due_rows(plan: Plan) -> list[dict[str, str]]:
    """Pending follow-ups as plain records, overdue first, then by do-time."""
    order = {Urgency.OVERDUE: 0, Urgency.TODAY: 1, Urgency.UPCOMING: 2}
    pending = [f for f in plan.followups if f.state is State.PENDING]
    pending.sort(key=lambda f: (order[urgency(f, plan.now)], f.do, f.company, f.recipient.name))
    return [
        {
            "kind": f.kind.value,
            "company": f.company,
            "role": f.role,
            "to": f.recipient.name,
            "do": f.do.isoformat(),
            "deadline": f.deadline.isoformat(),
            "state": urgency(f, plan.now).value,
            "draft": f.draft_path,
            "source": f.source,
        }
        for f in pending
    ]
