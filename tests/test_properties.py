"""Property tests: any front matter is survived, schedules respect the
interview, output is deterministic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import berlin_settings
from vaultfollow.core.model import Kind
from vaultfollow.core.notes import parse_note
from vaultfollow.core.schedule import Memory, plan_followups

SETTINGS = berlin_settings()

KEYS = st.sampled_from(
    [
        "company",
        "Company",
        "role",
        "jobTitle",
        "date",
        "Interview-Date",
        "time",
        "duration",
        "end",
        "interviewers",
        "with",
        "contact",
        "status",
        "decision_by",
        "tags",
        "type",
        "responded",
        "tone",
        "address",
        "handwritten",
        "interviews",
        "application",
        "x",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.dates()
    | st.datetimes()
)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, VALUES, max_size=10), st.text(max_size=200))
def test_any_front_matter_mapping_never_crashes(data: dict[str, object], body: str) -> None:
    data.setdefault("type", "interview")
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n" + body
    result = parse_note("Interviews/x.md", text, SETTINGS)
    assert result.note is not None or result.problems or not result.is_interview


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_never_crashes(text: str) -> None:
    parse_note("Interviews/x.md", text, berlin_settings('[notes]\nfolders = ["Interviews"]\n'))
    parse_note("Interviews/x.md", "---\n" + text, SETTINGS)
    parse_note("Interviews/x.md", "---\ntype: interview\n" + text + "\n---\n", SETTINGS)


INTERVIEW = st.builds(
    lambda day, minutes, length, decision, people, status: (
        day,
        minutes,
        length,
        decision,
        people,
        status,
    ),
    st.dates(date(2025, 1, 1), date(2028, 12, 31)),
    st.integers(0, 24 * 60 - 1),
    st.integers(1, 24 * 60),
    st.none() | st.dates(date(2024, 1, 1), date(2029, 12, 31)),
    st.lists(st.sampled_from(["Ann Lee", "Bo Chen", "Cy Diaz"]), max_size=3),
    st.sampled_from([None, "waiting", "heard-back", "rejected", "offer"]),
)


def note_for(case: tuple[object, ...]) -> str:
    day, minutes, length, decision, people, status = case
    assert isinstance(minutes, int)
    lines = [
        "type: interview",
        "company: Acme",
        "role: Dev",
        f"date: {day}T{minutes // 60:02d}:{minutes % 60:02d}",
        f"duration: {length}",
        f"interviewers: {people!r}",
    ]
    if decision:
        lines.append(f"decision_by: {decision}")
    if status:
        lines.append(f"status: {status}")
    return "---\n" + "\n".join(lines) + "\n---\n"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(INTERVIEW, min_size=1, max_size=3),
    st.sampled_from(
        [
            "",
            'check_in_after = "0d"\n',
            'holidays = "DE"\n',
            'thank_you_after = "0m"\n',
            'working_hours = "00:00-23:59"\n',
        ]
    ),
    st.datetimes(datetime(2024, 6, 1), datetime(2029, 6, 1)),
)
def test_no_follow_up_before_its_interview_and_deterministic(
    cases: list[tuple[object, ...]], extra: str, now: datetime
) -> None:
    config = berlin_settings(extra)
    notes = []
    for index, case in enumerate(cases):
        note = parse_note(f"Interviews/{index}.md", note_for(case), config).note
        assert note is not None
        notes.append(note)
    moment = now.replace(tzinfo=UTC)
    first = plan_followups(notes, [], Memory(), config, moment)
    again = plan_followups(list(reversed(notes)), [], Memory(), config, moment)
    assert first.plan.followups == again.plan.followups
    last_end = max(r.end for n in notes for r in n.rounds)
    for followup in first.plan.followups:
        assert followup.do >= followup.round_start
        assert followup.deadline >= followup.round_start
        if followup.kind in (Kind.CHECK_IN, Kind.SECOND_CHECK_IN):
            assert followup.do >= last_end - timedelta(0)
