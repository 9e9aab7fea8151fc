"""Notes + draft states + settings + now -> follow-ups. Pure.

The rules are FOLLOWUP_RULES.md's; each function below names the rule it
implements. Hours are absolute durations (computed on aware datetimes); days
are calendar days in local wall-clock time, so a DST change never moves a
09:00 check-in.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from vaultfollow.core.config import Settings
from vaultfollow.core.model import (
    OUTCOMES,
    DraftRecord,
    FollowUp,
    InterviewNote,
    Kind,
    Person,
    Plan,
    Problem,
    Revision,
    Round,
    State,
)
from vaultfollow.core.names import safe_name
from vaultfollow.core.salutation import plain_name


@dataclass(frozen=True, slots=True)
class Memory:
    """What vaultfollow remembers between passes (kept in `.vaultfollow/`)."""

    first_seen: Mapping[str, date] = field(default_factory=dict)  # observation -> first day
    created: Mapping[str, str] = field(default_factory=dict)  # follow-up id -> draft path
    revisions: Mapping[str, Revision] = field(default_factory=dict)  # calendar UID -> revision


@dataclass(frozen=True, slots=True)
class Planned:
    """A plan and the observations made while planning (to remember)."""

    plan: Plan
    observed: Mapping[str, date]


# A thank-you more than this past its deadline is not drafted (the dashboard
# says why) unless the user asks for it with `sync --recreate`.
LATE_THANK_YOU = timedelta(days=3)
LATE_THANK_YOU_REASON = (
    "not drafted: more than 3 days past its deadline, it would read as an afterthought; "
    "`vaultfollow sync --recreate` drafts it anyway"
)


def stable_id(*parts: str, length: int = 16) -> str:
    """A short hex digest of the parts: the same on every machine."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def business_days(settings: Settings) -> Callable[[date], bool]:
    """A predicate: Monday-Friday and not a public holiday of the configured country."""
    code = settings.schedule.holidays
    if not code:
        return lambda day: day.weekday() < 5
    import holidays

    country, _, subdivision = code.partition("-")
    calendar = holidays.country_holidays(country, subdiv=subdivision or None)
    return lambda day: day.weekday() < 5 and day not in calendar


def next_business_day(day: date, is_business: Callable[[date], bool], *, include: bool) -> date:
    """`day` itself when `include` and it is a business day, else the next one."""
    if not include:
        day += timedelta(days=1)
    while not is_business(day):
        day += timedelta(days=1)
    return day


def at_local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """`clock` on `day` in wall-clock time of `zone`."""
    return datetime.combine(day, clock, tzinfo=zone)


def after_hours(moment: datetime, delta: timedelta) -> datetime:
    """`moment` + `delta` as elapsed time. (Python adds a timedelta to an aware
    datetime in wall-clock time, which is an hour off across a DST change.)"""
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


def thank_you_times(round_: Round, settings: Settings) -> tuple[datetime, datetime]:
    """do: end + thank_you_after, moved to the next send_time when outside working
    hours; deadline: start + thank_you_deadline (absolute hours)."""
    sched = settings.schedule
    zone = sched.zone
    do = after_hours(round_.end, sched.thank_you_after).astimezone(zone)
    opens, closes = sched.working_hours
    if not opens <= do.timetz().replace(tzinfo=None) <= closes:
        day = do.date() if do.time() < opens else do.date() + timedelta(days=1)
        do = at_local(day, sched.send_time, zone)
    deadline = after_hours(round_.start, sched.thank_you_deadline).astimezone(zone)
    return do, deadline


def check_in_day(
    last_round: Round,
    decision_by: date | None,
    settings: Settings,
    is_business: Callable[[date], bool],
) -> date:
    """The later of last interview + check_in_after days and decision_by + 1
    business day, moved off weekends and holidays."""
    zone = settings.schedule.zone
    day = last_round.start.astimezone(zone).date() + timedelta(
        days=settings.schedule.check_in_after.days
    )
    if decision_by is not None:
        day = max(day, next_business_day(decision_by, is_business, include=False))
    return next_business_day(day, is_business, include=True)


def draft_path(settings: Settings, company: str, day: date, kind: Kind, recipient: str) -> str:
    """`<drafts>/<Company>/<YYYY-MM-DD> <kind> - <recipient>.md`, every part made safe."""
    folder = settings.drafts.folder
    name = safe_name(f"{day.isoformat()} {kind.value} - {safe_name(recipient)}")
    return f"{folder}/{safe_name(company)}/{name}.md"


class _Planner:
    """Plans one vault. Holds the inputs so the rule functions stay short."""

    def __init__(
        self,
        drafts: Iterable[DraftRecord],
        memory: Memory,
        settings: Settings,
        now: datetime,
        recreate: bool,
    ) -> None:
        self.settings = settings
        self.zone = settings.schedule.zone
        self.now = now.astimezone(self.zone)
        self.today = self.now.date()
        self.memory = memory
        self.recreate = recreate
        self.by_id: dict[str, DraftRecord] = {}
        self.by_path: dict[str, DraftRecord] = {}
        for record in drafts:
            if record.followup_id:
                self.by_id.setdefault(record.followup_id, record)
            self.by_path.setdefault(record.path.casefold(), record)
        self.is_business = business_days(settings)
        self.observed: dict[str, date] = {}
        self.problems: list[Problem] = []
        self.followups: list[FollowUp] = []
        self.ids: set[str] = set()
        # (application, round day, a key of the person) thanked in a sent
        # thank-you or card: their check-in may say "thanks again". An
        # application's thank-yous and cards are planned before its check-ins.
        self.thanked: set[tuple[str, date, str]] = set()

    def seen(self, key: str) -> date:
        """The day this observation was first made (today if it is new)."""
        if key in self.memory.first_seen:
            return self.memory.first_seen[key]
        self.observed[key] = self.today
        return self.today

    def record_for(self, followup_id: str, path: str) -> DraftRecord | None:
        """The draft of this follow-up: by its id, else a draft without an id
        at its path (one the user wrote by hand, say). Never another
        follow-up's draft that happens to have the same name."""
        found = self.by_id.get(followup_id)
        if found is None:
            found = self.by_path.get(path.casefold())
            if found is not None and found.followup_id not in (None, followup_id):
                return None
        return found

    def sent_date(self, followup_id: str, record: DraftRecord) -> date:
        return record.sent or self.seen(f"sent:{followup_id}")

    def add(
        self,
        *,
        kind: Kind,
        app: _Application,
        round_: Round,
        note: InterviewNote,
        recipient: Person,
        channel: str,
        do: datetime,
        deadline: datetime,
        cancelled: str | None,
    ) -> FollowUp:
        """Decide the state of one follow-up and keep it if there is anything to show."""
        round_day = round_.start.astimezone(self.zone).date()
        thanked = kind in (Kind.CHECK_IN, Kind.SECOND_CHECK_IN) and any(
            (app.key, round_day, key) in self.thanked for key in _person_keys(recipient)
        )
        followup_id = stable_id(
            app.key, round_day.isoformat(), kind.value, recipient.name.casefold()
        )
        event_id = stable_id(app.key, round_day.isoformat(), kind.value)
        path = draft_path(self.settings, app.company, round_day, kind, recipient.name)
        record = self.record_for(followup_id, path)
        if record is not None:
            path = record.path
        sent: date | None = None
        reason: str | None = None
        if record is not None and record.status == "sent":
            state, sent = State.SENT, self.sent_date(followup_id, record)
        elif record is not None and record.status == "skipped":
            state = State.SKIPPED
        elif cancelled:
            state, reason = State.CANCELLED, cancelled
        elif record is None and followup_id in self.memory.created and not self.recreate:
            state = State.DISMISSED
        elif kind is Kind.THANK_YOU and record is None and self.too_late(deadline):
            state, reason = State.CANCELLED, LATE_THANK_YOU_REASON
        else:
            state = State.PENDING
        followup = FollowUp(
            id=followup_id,
            event_id=event_id,
            kind=kind,
            state=state,
            application=app.key,
            company=app.company,
            role=app.role,
            round_start=round_.start.astimezone(self.zone),
            round_label=round_.label,
            recipient=recipient,
            channel=channel,
            tone=app.tone(self.settings),
            do=do,
            deadline=max(deadline, do) if kind is not Kind.THANK_YOU else deadline,
            source=note.path,
            draft_path=path,
            note=note,
            sent=sent,
            reason=reason,
            seen_sent=state is State.SENT and record is not None and record.seen_sent,
            thanked=thanked,
        )
        if state is State.SENT and kind in (Kind.THANK_YOU, Kind.HANDWRITTEN_NOTE):
            self.thanked.update((app.key, round_day, key) for key in _person_keys(recipient))
        too_old = do < self.now - self.settings.schedule.ignore_older_than
        if state is State.PENDING and too_old:
            return followup
        if (
            state is State.CANCELLED
            and record is None
            and (reason != LATE_THANK_YOU_REASON or too_old)
        ):
            return followup  # nothing was ever drafted: nothing to show (but why, when late)
        if state is State.DISMISSED and too_old:
            return followup
        if followup_id in self.ids:
            return followup  # two notes of one interview: one message is enough
        self.ids.add(followup_id)
        self.followups.append(followup)
        return followup

    def too_late(self, deadline: datetime) -> bool:
        """A thank-you this far past its deadline reads as an afterthought:
        it is not drafted unless the user asks (`sync --recreate`)."""
        return not self.recreate and self.now > deadline + LATE_THANK_YOU

    def plan_application(self, app: _Application) -> None:
        sched = self.settings.schedule
        outcome = app.outcome
        cancel_all = f"outcome: {outcome}" if outcome else None
        contact = app.main_contact
        # Thank-you notes: one per interviewer of every round.
        for round_, note in app.rounds:
            recipients = _unique(round_.interviewers)
            if not recipients:
                # Never to a contact who may not have been in the room.
                self.problems.append(
                    Problem(
                        note.path,
                        round_.no_people
                        or "no `interviewers`: who did you meet? add `interviewers: [Jane Doe]` "
                        "so thank-you notes can be drafted",
                        line=round_.line or 2,
                        key="interviewers",
                    )
                )
                continue
            do, deadline = thank_you_times(round_, self.settings)
            said = note  # a round written in the body says its own points
            if round_.discussed or round_.clarify:
                said = replace(note, discussed=round_.discussed, clarify=round_.clarify)
            for person in recipients:
                self.add(
                    kind=Kind.THANK_YOU,
                    app=app,
                    round_=round_,
                    note=said,
                    recipient=person,
                    channel="email",
                    do=do,
                    deadline=deadline,
                    cancelled=cancel_all,
                )
            if note.address and (
                note.handwritten or (note.handwritten is None and sched.handwritten)
            ):
                person = contact or recipients[0]
                day = next_business_day(
                    round_.start.astimezone(self.zone).date(), self.is_business, include=False
                )
                do = at_local(day, sched.send_time, self.zone)
                self.add(
                    kind=Kind.HANDWRITTEN_NOTE,
                    app=app,
                    round_=round_,
                    note=note,
                    recipient=person,
                    channel="post",
                    do=do,
                    deadline=do,
                    cancelled=cancel_all,
                )
        if contact is None:
            self.problems.append(
                Problem(
                    app.latest_note.path,
                    "no `contact` and no interviewer: add `contact: Jane Doe` so check-ins "
                    "can be drafted",
                    line=2,
                    key="contact",
                )
            )
            return
        self.plan_check_ins(app, contact, cancel_all)
        if outcome == "rejected":
            self.plan_stay_connected(app, contact)

    def plan_check_ins(self, app: _Application, contact: Person, cancel_all: str | None) -> None:
        sched = self.settings.schedule
        if sched.max_check_ins < 1:
            return
        channel = app.channel(self.settings)
        last_round, last_note = app.rounds[-1]
        # Earlier rounds: check-ins still pending were replaced by the later round.
        for round_, note in app.rounds[:-1]:
            for kind in (Kind.CHECK_IN, Kind.SECOND_CHECK_IN):
                when = at_local(
                    round_.start.astimezone(self.zone).date(), sched.send_time, self.zone
                )
                self.add(
                    kind=kind,
                    app=app,
                    round_=round_,
                    note=note,
                    recipient=contact,
                    channel=channel,
                    do=when,
                    deadline=when,
                    cancelled=cancel_all or "a later interview round replaced it",
                )
        responded = app.responded_since(last_round)
        cancelled = cancel_all or ("they responded" if responded else None)
        day = check_in_day(last_round, app.decision_by, self.settings, self.is_business)
        do = at_local(day, sched.send_time, self.zone)
        last_end = max(r.end for r, _ in app.rounds)
        if do < last_end:  # never before an interview has ended, whatever the settings
            day = next_business_day(
                last_end.astimezone(self.zone).date(), self.is_business, include=False
            )
            do = at_local(day, sched.send_time, self.zone)
        first = self.add(
            kind=Kind.CHECK_IN,
            app=app,
            round_=last_round,
            note=last_note,
            recipient=contact,
            channel=channel,
            do=do,
            deadline=do,
            cancelled=cancelled,
        )
        if sched.max_check_ins < 2 or first.state is not State.SENT or first.sent is None:
            return
        day = next_business_day(
            first.sent + timedelta(days=sched.second_check_in_after.days),
            self.is_business,
            include=True,
        )
        do = at_local(day, sched.send_time, self.zone)
        self.add(
            kind=Kind.SECOND_CHECK_IN,
            app=app,
            round_=last_round,
            note=last_note,
            recipient=contact,
            channel=channel,
            do=do,
            deadline=do,
            cancelled=cancelled,
        )

    def plan_stay_connected(self, app: _Application, contact: Person) -> None:
        sched = self.settings.schedule
        note = app.status_note
        assert note is not None and note.status is not None
        since = note.status_date or self.seen(f"outcome:{app.key}:{note.status}")
        last_round = app.rounds[-1][0]
        # A rejection recorded ahead of a scheduled interview counts from the interview.
        since = max(since, last_round.start.astimezone(self.zone).date())
        day = next_business_day(since, self.is_business, include=False)
        do = at_local(day, sched.send_time, self.zone)
        self.add(
            kind=Kind.STAY_CONNECTED,
            app=app,
            round_=last_round,
            note=note,
            recipient=contact,
            channel="email",
            do=do,
            deadline=do,
            cancelled=None,
        )


@dataclass(slots=True)
class _Application:
    """All interview notes of one application, rounds in time order."""

    key: str
    notes: list[InterviewNote]
    rounds: list[tuple[Round, InterviewNote]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rounds = sorted(
            ((r, n) for n in self.notes for r in n.rounds), key=lambda rn: (rn[0].start, rn[1].path)
        )
        # Notes in the order of their latest round: the last one speaks last.
        self.notes.sort(key=lambda n: (max(r.start for r in n.rounds), n.path))

    @property
    def latest_note(self) -> InterviewNote:
        return self.rounds[-1][1]

    @property
    def company(self) -> str:
        return self.latest_note.company

    @property
    def role(self) -> str:
        return next((n.role for n in reversed(self.notes) if n.role), "")

    @property
    def status_note(self) -> InterviewNote | None:
        return next((n for n in reversed(self.notes) if n.status), None)

    @property
    def outcome(self) -> str | None:
        note = self.status_note
        return note.status if note and note.status in OUTCOMES else None

    @property
    def decision_by(self) -> date | None:
        return next((n.decision_by for n in reversed(self.notes) if n.decision_by), None)

    @property
    def main_contact(self) -> Person | None:
        """The `contact` property if any note has one, else the first interviewer
        of the latest round."""
        for note in reversed(self.notes):
            if note.contact:
                return note.contact
        last_round = self.rounds[-1][0]
        return last_round.interviewers[0] if last_round.interviewers else None

    def responded_since(self, round_: Round) -> bool:
        """A response recorded on or after the day of this round stops its check-ins."""
        day = round_.start.date()
        for note in self.notes:
            if note.responded is not None and note.responded >= day:
                return True
            if note.status == "heard-back":
                heard = note.status_date or max(r.start for r in note.rounds).date()
                if heard >= day:
                    return True
        return False

    def tone(self, settings: Settings) -> str:
        return next((n.tone for n in reversed(self.notes) if n.tone), settings.drafts.tone)

    def channel(self, settings: Settings) -> str:
        return next(
            (n.check_in_channel for n in reversed(self.notes) if n.check_in_channel),
            settings.schedule.check_in_channel,
        )


def _person_keys(person: Person) -> list[str]:
    """What tells one person from another across a note's lists: their
    address, their name as running text says it (a contact who was on the
    panel is one person)."""
    keys = ["name:" + plain_name(person.name).casefold()]
    if person.email:
        keys.append("email:" + person.email.casefold())
    return keys


def _unique(people: Sequence[Person]) -> list[Person]:
    seen: set[str] = set()
    result = []
    for person in people:
        key = person.name.casefold()
        if key not in seen:
            seen.add(key)
            result.append(person)
    return result


def plan_followups(
    notes: Iterable[InterviewNote],
    drafts: Iterable[DraftRecord],
    memory: Memory,
    settings: Settings,
    now: datetime,
    *,
    problems: Iterable[Problem] = (),
    recreate: bool = False,
) -> Planned:
    """Every follow-up the vault's interview notes call for, in a stable order."""
    planner = _Planner(drafts, memory, settings, now, recreate)
    groups: dict[str, list[InterviewNote]] = defaultdict(list)
    note_list = sorted(notes, key=lambda n: n.path)
    for note in note_list:
        if note.rounds:
            groups[note.application_key].append(note)
    for key in sorted(groups):
        planner.plan_application(_Application(key, groups[key]))
    followups = _disambiguate_paths(planner.followups)
    followups.sort(key=lambda f: (f.do, f.kind.value, f.company.casefold(), f.recipient.name, f.id))
    all_problems = sorted(
        {*problems, *planner.problems}, key=lambda p: (p.path, p.line or 0, p.message)
    )
    plan = Plan(
        followups=tuple(followups),
        notes=tuple(note_list),
        problems=tuple(all_problems),
        now=planner.now,
    )
    return Planned(plan=plan, observed=planner.observed)


def _disambiguate_paths(followups: list[FollowUp]) -> list[FollowUp]:
    """Two follow-ups never share a draft path (two companies whose names are
    made safe to the same text, say): later ones get ` (2)`, ` (3)`."""
    taken: dict[str, str] = {}
    result = []
    for followup in sorted(followups, key=lambda f: f.id):
        path = followup.draft_path
        key = path.casefold()
        number = 1
        while key in taken and taken[key] != followup.id:
            number += 1
            path = f"{followup.draft_path[:-3]} ({number}).md"
            key = path.casefold()
        taken[key] = followup.id
        result.append(replace(followup, draft_path=path) if number > 1 else followup)
    return result


def next_change(plan: Plan, settings: Settings, now: datetime) -> datetime:
    """The first moment after `now` at which time alone may change what the
    plan made at `now` says: local midnight (dates, "today"), the instant a
    pending thank-you becomes overdue (just past its deadline) or too late
    to draft (`LATE_THANK_YOU` after it), or the
    instant a follow-up becomes too old to show (just past its do-time plus
    `ignore_older_than`), whichever comes first. Until then the plan (and
    every output made from it) stays the same."""
    zone = settings.schedule.zone
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
    moment = earliest(midnight)
    tick = timedelta(microseconds=1)  # "overdue" and "too old" start just past the instant
    too_old = settings.schedule.ignore_older_than
    for followup in plan.followups:
        changes = []
        if followup.state in (State.PENDING, State.DISMISSED):
            changes.append(followup.do + too_old + tick)
        if followup.state is State.PENDING and followup.kind is Kind.THANK_YOU:
            changes.append(followup.deadline + tick)
            changes.append(followup.deadline + LATE_THANK_YOU + tick)  # too late to draft
        for change in changes:
            instant = earliest(change)
            if now < instant < moment:
                moment = instant
    return moment


def earliest(moment: datetime) -> datetime:
    """The earliest instant a wall-clock time can stand for (in UTC): the
    first of a time repeated when the clocks go back, and for a time skipped
    when they go forward an instant before the gap, so that a change computed
    in wall-clock time is never expected too late."""
    readings = (moment.replace(fold=0), moment.replace(fold=1))
    return min(reading.astimezone(UTC) for reading in readings)


def is_repeated(moment: datetime) -> bool:
    """Whether `moment`'s wall-clock time comes twice in its zone (the hour
    repeated when the clocks go back), so that only an offset says which of
    the two instants it is. (For a repeated time the first reading, fold 0,
    has the larger offset; for a skipped time it is the other way round.)"""
    first, second = moment.replace(fold=0).utcoffset(), moment.replace(fold=1).utcoffset()
    return first is not None and second is not None and first > second
