"""The dashboard note: sections, links, escaping, timeline, chart, problems."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import VaultFactory, make_followup
from vaultfollow.app.engine import sync
from vaultfollow.core.config import ScheduleSettings, Settings
from vaultfollow.core.dashboard import render_dashboard
from vaultfollow.core.model import (
    FollowUp,
    InterviewNote,
    Kind,
    Person,
    Plan,
    Problem,
    Round,
    State,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 13, 10, 0, tzinfo=BERLIN)  # a Friday
SETTINGS = Settings(schedule=ScheduleSettings(timezone="Europe/Berlin"))


# --- factories --------------------------------------------------------------


def at(day: int, hour: int = 9, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


INTERVIEW = at(12, 15, 30)
THANK_YOU_DO = at(12, 18, 30)


def note(
    company: str = "Acme",
    role: str = "Platform Engineer",
    start: datetime = INTERVIEW,
    interviewers: tuple[str, ...] = ("Jane Doe", "Raj Patel"),
    path: str = "Interviews/2026-11-12 Acme.md",
    **extra: object,
) -> InterviewNote:
    people = tuple(Person(name) for name in interviewers)
    return InterviewNote(
        path=path,
        company=company,
        role=role,
        rounds=(Round(start=start, end=start + timedelta(hours=1), interviewers=people),),
        **extra,  # type: ignore[arg-type]
    )


def followup(
    kind: Kind = Kind.THANK_YOU,
    to: str = "Jane Doe",
    do: datetime = THANK_YOU_DO,
    deadline: datetime | None = None,
    state: State = State.PENDING,
    source: InterviewNote | None = None,
    sent: date | None = None,
    reason: str | None = None,
    channel: str = "email",
) -> FollowUp:
    src = source or note()
    event_id = f"{kind.value}-{src.rounds[0].start:%Y%m%d}"
    return make_followup(
        src,
        kind,
        to,
        do,
        event_id=event_id,
        deadline=deadline,
        state=state,
        channel=channel,
        sent=sent,
        reason=reason,
    )


def plan(*followups: FollowUp, problems: tuple[Problem, ...] = (), now: datetime = NOW) -> Plan:
    notes = tuple({f.note.path: f.note for f in followups}.values())
    return Plan(followups=followups, notes=notes, problems=problems, now=now)


def section(text: str, title: str) -> str:
    """The body of `## title`, up to the next `##` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section {title!r}"
    return match.group(1)


def mermaid(text: str) -> str:
    match = re.search(r"^```mermaid\n(.*?)^```$", text, re.M | re.S)
    assert match, "no mermaid block"
    return match.group(1)


# A Friday morning: a thank-you past its deadline, one due today, a check-in
# next Thursday (this week), a check-in in three weeks (later).
def busy_plan(**kwargs: object) -> Plan:
    globex = note("Globex", "SRE", at(5, 10), ("Bo Chen",), "Interviews/globex.md")
    initech = note("Initech", "Dev", at(12, 11), ("Ann Lee",), "Interviews/initech.md")
    return plan(
        followup(Kind.THANK_YOU, "Bo Chen", at(5, 13), at(6, 10), source=globex),
        followup(Kind.THANK_YOU, "Jane Doe", at(13, 9), at(13, 15, 30)),
        followup(Kind.CHECK_IN, "Jane Doe", at(19, 9)),
        followup(Kind.CHECK_IN, "Ann Lee", at(4, 9, month=12), source=initech),
        **kwargs,  # type: ignore[arg-type]
    )


# --- tests --------------------------------------------------------------------


def test_front_matter_and_notice() -> None:
    text = render_dashboard(busy_plan(), SETTINGS)

    lines = text.splitlines()
    assert lines[:4] == ["---", "vaultfollow: dashboard", "as_of: 2026-11-13", "---"]
    assert "do not edit" in lines[4]
    assert "Fri 13 Nov 2026" in lines[4]
    assert "10:00" not in text.split("## ")[0]  # the date of now, never its time


def test_rows_land_in_the_right_section() -> None:
    text = render_dashboard(busy_plan(), SETTINGS)

    overdue = section(text, "Overdue")
    today = section(text, "Today")
    week = section(text, "This week")
    later = section(text, "Later")
    assert "Bo Chen" in overdue and "Globex – SRE" in overdue
    assert "Jane Doe" in today and "thank-you" in today
    assert "check-in" in week and "Thu 19 Nov 09:00" in week
    assert "Ann Lee" in later and "Fri 4 Dec 09:00" in later
    for body, absent in ((overdue, "Jane"), (today, "Bo Chen"), (week, "Ann Lee"), (later, "Bo")):
        assert absent not in body


def test_row_format_and_links() -> None:
    text = render_dashboard(busy_plan(), SETTINGS)
    today = section(text, "Today")

    row = next(line for line in today.splitlines() if "Jane Doe" in line)
    assert row == (
        "| thank-you | Jane Doe | Acme – Platform Engineer | Fri 13 Nov 09:00 | Fri 13 Nov 15:30 "
        "| [[Follow-ups/Acme/2026-11-12 thank-you - Jane Doe\\|draft]] "
        "| [[Interviews/2026-11-12 Acme\\|note]] |"
    )
    assert today.splitlines()[1].startswith("| Kind | Who | Application | Do | Deadline |")


def test_empty_sections_say_so() -> None:
    text = render_dashboard(plan(), SETTINGS)

    assert section(text, "Overdue").strip() == "Nothing overdue."
    assert section(text, "Today").strip() == "Nothing due today."
    assert section(text, "This week").strip() == "Nothing else due this week."
    assert section(text, "Later").strip() == "Nothing due later."
    assert section(text, "Problems").strip() == "No problems found in notes."
    assert "```mermaid" not in text


def test_recently_finished() -> None:
    text = render_dashboard(
        plan(
            followup(Kind.THANK_YOU, "Jane Doe", state=State.SENT, sent=date(2026, 11, 12)),
            followup(Kind.THANK_YOU, "Raj Patel", state=State.SKIPPED),
            followup(Kind.CHECK_IN, "Jane Doe", at(19), state=State.CANCELLED, reason="offer"),
            followup(Kind.THANK_YOU, "Ann Lee", state=State.DISMISSED),
            followup(Kind.THANK_YOU, "Old Timer", at(1, month=9), state=State.SENT),
        ),
        SETTINGS,
    )
    finished = section(text, "Recently finished")

    assert "| sent | thank-you | Jane Doe |" in finished
    assert "| skipped | thank-you | Raj Patel |" in finished
    cancelled = next(line for line in finished.splitlines() if "cancelled" in line)
    assert "| offer |" in cancelled
    dismissed = next(line for line in finished.splitlines() if "dismissed" in line)
    assert "draft]]" not in dismissed  # its draft is gone: no dead link
    assert "Old Timer" not in finished  # older than ignore_older_than
    for title in ("Overdue", "Today", "This week", "Later"):
        assert "Jane Doe" not in section(text, title)


def test_timeline_per_application() -> None:
    text = render_dashboard(
        plan(
            followup(Kind.THANK_YOU, "Jane Doe", state=State.SENT, sent=date(2026, 11, 12)),
            followup(Kind.THANK_YOU, "Raj Patel"),
            followup(Kind.CHECK_IN, "Jane Doe", at(19)),
        ),
        SETTINGS,
    )
    timeline = section(text, "Timeline")

    assert "### Acme – Platform Engineer" in timeline
    items = [line for line in timeline.splitlines() if line.startswith("- ")]
    assert items[0].startswith("- Thu 12 Nov 15:30 · Interview with Jane Doe, Raj Patel")
    assert "[[Interviews/2026-11-12 Acme|note]]" in items[0]
    assert "thank-you to Jane Doe: sent Thu 12 Nov" in items[1]
    assert "thank-you to Raj Patel: due today" in items[2]
    assert items[3].startswith("- Thu 19 Nov 09:00 · check-in to Jane Doe: pending")


def test_timeline_shows_rounds_of_every_note_of_the_application() -> None:
    first = note(start=at(2, 10), path="Interviews/acme-1.md")
    second = note(start=at(12, 15, 30), path="Interviews/acme-2.md")
    item = followup(Kind.CHECK_IN, "Jane Doe", at(19), source=second)
    text = render_dashboard(
        Plan(followups=(item,), notes=(second, first), problems=(), now=NOW), SETTINGS
    )
    timeline = section(text, "Timeline")

    assert timeline.index("Mon 2 Nov 10:00 · Interview") < timeline.index("Thu 12 Nov 15:30")
    assert "[[Interviews/acme-1|note]]" in timeline


def test_problems_listed_with_links() -> None:
    problems = (
        Problem("Interviews/bad.md", "`date` is `next tuesday`; write 2026-11-12", line=3),
        Problem("Interviews/a|b [x].md", "no company"),
    )
    text = render_dashboard(plan(problems=problems), SETTINGS)
    body = section(text, "Problems")

    assert (
        "- Interviews/bad.md:3: `date` is `next tuesday`; write 2026-11-12 · "
        "[[Interviews/bad|open]]" in body
    )
    # a path a wikilink cannot hold gets a Markdown link, percent-encoded
    assert "[open](Interviews/a%7Cb%20%5Bx%5D.md)" in body
    assert "Interviews/a\\|b \\[x\\].md: no company" in body


def test_text_from_notes_cannot_break_tables_or_links() -> None:
    evil = note("Acme | Evil]] [[Hack", "Role\n| injected | row |", path="Interviews/evil.md")
    text = render_dashboard(
        plan(followup(Kind.THANK_YOU, "Jane [[x]] | Doe", at(13, 9), source=evil)), SETTINGS
    )
    today = section(text, "Today")
    rows = [line for line in today.splitlines() if line.startswith("| ") and "Jane" in line]

    assert len(rows) == 1
    row = rows[0]
    # exactly 7 cells: every | that is not a cell border is escaped
    assert len(re.findall(r"(?<!\\)\|", row)) == 8
    assert "Jane \\[\\[x\\]\\] \\| Doe" in row
    assert "Acme \\| Evil\\]\\] \\[\\[Hack – Role \\| injected \\| row \\|" in row
    assert "injected" not in text.replace(row, "").split("## Timeline")[0].split("## Today")[1]


def test_mermaid_chart() -> None:
    weird = note("Ac:me; #1 %% co", "Dev: ops", path="Interviews/weird.md")
    text = render_dashboard(
        plan(
            *busy_plan().followups,
            followup(Kind.CHECK_IN, "Ro:se #2; x", at(20), source=weird),
            followup(Kind.THANK_YOU, "Done Person", state=State.SENT, sent=date(2026, 11, 12)),
        ),
        SETTINGS,
    )
    chart = mermaid(text)
    lines = chart.splitlines()

    assert lines[0] == "gantt"
    assert "    dateFormat YYYY-MM-DD" in lines
    tasks = [
        line for line in lines if re.match(r"^    (?!title|dateFormat|axisFormat|section)", line)
    ]
    assert len(tasks) == 5  # pending only
    for task in tasks:
        name, _, spec = task.strip().partition(" :")
        assert not set(name) & set(":#;%"), name
        assert re.fullmatch(r"((crit|active), )?\d{4}-\d{2}-\d{2}, \d+d", spec), spec
    sections = [line for line in lines if line.startswith("    section ")]
    assert "    section Acme – Platform Engineer" in sections
    for line in sections:
        assert not set(line.removeprefix("    section ")) & set(":#;%")
    assert "    thank-you Bo Chen :crit, 2026-11-05, 2d" in lines
    assert "    thank-you Jane Doe :active, 2026-11-13, 1d" in lines
    assert "    check-in Jane Doe :2026-11-19, 1d" in lines
    assert "Done Person" not in chart


def test_deterministic() -> None:
    base = busy_plan(problems=(Problem("b.md", "two"), Problem("a.md", "one", line=2)))
    first = render_dashboard(base, SETTINGS)
    assert render_dashboard(base, SETTINGS) == first
    for seed in range(5):
        followups = list(base.followups)
        problems = list(base.problems)
        random.Random(seed).shuffle(followups)
        random.Random(seed).shuffle(problems)
        shuffled = Plan(tuple(followups), base.notes[::-1], tuple(problems), base.now)
        assert render_dashboard(shuffled, SETTINGS) == first
    # a minute later the same day: nothing changes
    later = Plan(base.followups, base.notes, base.problems, NOW + timedelta(minutes=1))
    assert render_dashboard(later, SETTINGS) == first


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_dates_are_shown_in_the_configured_zone(zone: str) -> None:
    settings = Settings(schedule=ScheduleSettings(timezone=zone))
    text = render_dashboard(busy_plan(), settings)
    shown = at(19, 9).astimezone(ZoneInfo(zone))
    assert f"Thu 19 Nov {shown:%H:%M}" in text


# --- a clarification with no better answer (issue 17, point 2) -------------------


def test_a_confession_without_the_better_answer_is_listed_with_what_to_add() -> None:
    confessed = note(clarify=("I rambled on the caching question",))
    text = render_dashboard(plan(followup(source=confessed)), SETTINGS)
    listed = section(text, "Clarifications to finish")
    assert "[[Interviews/2026-11-12 Acme|Acme – Platform Engineer]]" in listed
    assert "I rambled" in listed
    assert "I should have said that" in listed


def test_a_clarification_with_its_better_answer_is_not_listed() -> None:
    better = note(
        clarify=("I rambled on the caching question; I should have said we cut p99 by 40 %",)
    )
    text = render_dashboard(plan(followup(source=better)), SETTINGS)
    assert "## Clarifications to finish" not in text


def test_a_sent_thank_you_leaves_nothing_to_finish() -> None:
    confessed = note(clarify=("I rambled on the caching question",))
    sent = followup(source=confessed, state=State.SENT, sent=date(2026, 11, 12))
    assert "## Clarifications to finish" not in render_dashboard(plan(sent), SETTINGS)


ROUNDS_AS_HEADINGS = """
---
type: interview
company: Orrery
role: Data Engineer
---
## 2026-11-05 14:00 Phone screen
Interviewers: Ana Ruiz <ana@orrery.example.com>
#### Discussed
- their Airflow setup, ~300 DAGs
#### Clarify
- I rambled on the SQL question

## 2026-11-12 10:00 Onsite
Interviewers: Sam Lee <sam@orrery.example.com>
#### Discussed
- the move to Dagster
#### Clarify
- {onsite}
"""


@pytest.mark.parametrize(
    ("onsite", "listed"),
    [
        ("On the Dagster question I should have said that I ran Dagster for two years.", False),
        ("way too long on the Dagster question", True),
    ],
)
def test_only_the_round_still_to_thank_is_listed_to_finish(
    make_vault: VaultFactory, onsite: str, listed: bool
) -> None:
    """The phone screen's thank-you is long past: its confession is not
    listed again because the onsite's thank-you is still to send."""
    root = make_vault({"Interviews/orrery.md": ROUNDS_AS_HEADINGS.format(onsite=onsite)})
    sync(root, at(12, 18))
    text = (root / "Follow-ups" / "Follow-ups.md").read_text(encoding="utf-8")
    assert "I rambled on the SQL question" not in text
    assert ("## Clarifications to finish" in text) is listed
    if listed:
        listing = section(text, "Clarifications to finish")
        assert (
            '[[Interviews/orrery|Orrery – Data Engineer, Thu 12 Nov]]: it says "way too long"'
            in listing
        )
