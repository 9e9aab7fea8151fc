"""The rules of FOLLOWUP_RULES.md, each worked example a test. No disk."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import at, berlin_settings
from vaultfollow.core.model import DraftRecord, FollowUp, Kind, Plan, State
from vaultfollow.core.notes import parse_note
from vaultfollow.core.schedule import Memory, earliest, plan_followups

ACME = """
---
type: interview
company: Acme
role: Platform Engineer
date: 2026-11-12T15:30
interviewers: [Jane Doe, Raj Patel]
{extra}
---
## Discussed
- the migration to event sourcing
"""


def note_text(extra: str = "", template: str = ACME) -> str:
    return textwrap.dedent(template).lstrip("\n").replace("{extra}", extra)


def plan(
    notes: dict[str, str],
    now: datetime,
    *,
    config: str = "",
    drafts: list[DraftRecord] | None = None,
    memory: Memory | None = None,
    recreate: bool = False,
) -> Plan:
    settings = berlin_settings(config)
    parsed = []
    for path, text in notes.items():
        result = parse_note(path, text, settings)
        assert result.note is not None, result.problems
        parsed.append(result.note)
    return plan_followups(
        parsed, drafts or [], memory or Memory(), settings, now, recreate=recreate
    ).plan


def only(plan: Plan, kind: Kind, state: State | None = State.PENDING) -> list[FollowUp]:
    return [f for f in plan.followups if f.kind is kind and (state is None or f.state is state)]


NOW = at("2026-11-12 10:00")


def test_worked_example_thank_you_per_interviewer() -> None:
    result = plan({"Interviews/acme.md": note_text()}, NOW)
    thanks = only(result, Kind.THANK_YOU)
    assert sorted(f.recipient.name for f in thanks) == ["Jane Doe", "Raj Patel"]
    for followup in thanks:
        assert followup.do == at("2026-11-12 18:30")
        assert followup.deadline == at("2026-11-13 15:30")
    assert len({f.event_id for f in thanks}) == 1  # one calendar event per round and kind
    assert len({f.id for f in thanks}) == 2


def test_worked_example_check_in_a_week_later() -> None:
    result = plan({"Interviews/acme.md": note_text()}, NOW)
    (check_in,) = only(result, Kind.CHECK_IN)
    assert check_in.do == at("2026-11-19 09:00")
    assert check_in.recipient.name == "Jane Doe"  # first interviewer of the latest round


def test_worked_example_thank_you_outside_working_hours_moves_to_next_morning() -> None:
    text = note_text().replace("15:30", "18:30")
    (first, _) = only(plan({"a.md": text}, NOW), Kind.THANK_YOU)
    assert first.do == at("2026-11-13 09:00")
    assert first.deadline == at("2026-11-13 18:30")


def test_thank_you_before_working_hours_moves_to_same_morning() -> None:
    text = note_text().replace("15:30", "04:00").replace("[Jane Doe, Raj Patel]", "Jane Doe")
    (thanks,) = only(plan({"a.md": text}, at("2026-11-11 10:00")), Kind.THANK_YOU)
    assert thanks.do == at("2026-11-12 07:00").replace(hour=9)


def test_window_edges_are_inside() -> None:
    # end 18:00 + 2 h = 20:00 exactly: inside the window, not moved.
    text = note_text("duration: 30m").replace("15:30", "17:30")
    (first, _) = only(plan({"a.md": text}, NOW), Kind.THANK_YOU)
    assert first.do == at("2026-11-12 20:00")


def test_worked_example_decision_by_friday_moves_check_in_to_monday() -> None:
    result = plan({"a.md": note_text("decision_by: 2026-11-27")}, NOW)
    (check_in,) = only(result, Kind.CHECK_IN)
    assert check_in.do == at("2026-11-30 09:00")


def test_decision_by_earlier_than_a_week_keeps_the_week() -> None:
    result = plan({"a.md": note_text("decision_by: 2026-11-13")}, NOW)
    assert only(result, Kind.CHECK_IN)[0].do == at("2026-11-19 09:00")


def test_worked_example_second_check_in_two_weeks_after_sent_check_in() -> None:
    first = plan({"a.md": note_text()}, NOW)
    (check_in,) = only(first, Kind.CHECK_IN)
    sent = DraftRecord(check_in.draft_path, check_in.id, "sent", date(2026, 11, 19), True)
    result = plan({"a.md": note_text()}, at("2026-11-20 10:00"), drafts=[sent])
    (second,) = only(result, Kind.SECOND_CHECK_IN)
    assert second.do == at("2026-12-03 09:00")
    assert only(result, Kind.CHECK_IN, State.SENT)[0].sent == date(2026, 11, 19)


def test_no_second_check_in_until_the_first_is_sent() -> None:
    assert not only(plan({"a.md": note_text()}, at("2026-12-20 10:00")), Kind.SECOND_CHECK_IN)


def test_max_check_ins_caps_the_second() -> None:
    first = plan({"a.md": note_text()}, NOW)
    (check_in,) = only(first, Kind.CHECK_IN)
    sent = DraftRecord(check_in.draft_path, check_in.id, "sent", date(2026, 11, 19), True)
    capped = plan(
        {"a.md": note_text()},
        at("2026-11-20 10:00"),
        drafts=[sent],
        config="max_check_ins = 1\n",
    )
    assert not only(capped, Kind.SECOND_CHECK_IN, None)
    none = plan({"a.md": note_text()}, NOW, config="max_check_ins = 0\n")
    assert not only(none, Kind.CHECK_IN, None)


def test_sent_without_date_counts_from_first_seen() -> None:
    first = plan({"a.md": note_text()}, NOW)
    (check_in,) = only(first, Kind.CHECK_IN)
    sent = DraftRecord(check_in.draft_path, check_in.id, "sent", None, True)
    settings = berlin_settings()
    note = parse_note("a.md", note_text(), settings).note
    assert note is not None
    planned = plan_followups([note], [sent], Memory(), settings, at("2026-11-20 10:00"))
    assert planned.observed == {f"sent:{check_in.id}": date(2026, 11, 20)}
    (second,) = only(planned.plan, Kind.SECOND_CHECK_IN)
    assert second.do == at("2026-12-04 09:00")
    # A later pass remembers the first day, not its own.
    later = plan_followups(
        [note], [sent], Memory(first_seen=planned.observed), settings, at("2026-11-25 10:00")
    )
    assert only(later.plan, Kind.SECOND_CHECK_IN)[0].do == at("2026-12-04 09:00")


def test_weekend_check_in_moves_to_monday() -> None:
    # Friday 2026-11-13 + 7 days = Friday; Saturday 2026-11-14 + 7 = Saturday -> Monday.
    text = note_text().replace("2026-11-12T15:30", "2026-11-14T10:00")
    (check_in,) = only(plan({"a.md": text}, NOW), Kind.CHECK_IN)
    assert check_in.do == at("2026-11-23 09:00")


def test_thank_you_times_do_not_move_on_weekends() -> None:
    text = note_text().replace("2026-11-12T15:30", "2026-11-14T10:00")
    (first, _) = only(plan({"a.md": text}, NOW), Kind.THANK_YOU)
    assert first.do == at("2026-11-14 13:00")


def test_public_holidays_move_check_ins() -> None:
    # 2026-12-17 + 7 = Thursday 2026-12-24; Germany: 25 and 26 Dec are holidays,
    # 24 Dec is not; 2026-12-18 + 7 = Friday 25 -> Monday 28.
    text = note_text().replace("2026-11-12T15:30", "2026-12-18T10:00")
    without = only(plan({"a.md": text}, NOW), Kind.CHECK_IN)[0]
    assert without.do == at("2026-12-25 09:00")
    with_holidays = only(plan({"a.md": text}, NOW, config='holidays = "DE"\n'), Kind.CHECK_IN)[0]
    assert with_holidays.do == at("2026-12-28 09:00")


def test_check_in_stays_at_nine_across_dst_change() -> None:
    # Interview Monday 2026-10-19 (CEST, +02:00); check-in 2026-10-26 (CET, +01:00).
    text = note_text().replace("2026-11-12T15:30", "2026-10-19T10:00")
    (check_in,) = only(plan({"a.md": text}, at("2026-10-19 08:00")), Kind.CHECK_IN)
    assert check_in.do.hour == 9 and check_in.do.date() == date(2026, 10, 26)
    assert check_in.do.astimezone(UTC) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # CET
    assert check_in.round_start.astimezone(UTC) == datetime(2026, 10, 19, 8, 0, tzinfo=UTC)


def test_thank_you_hours_are_absolute_across_march_dst_change() -> None:
    # 2026-03-29: clocks go 02:00 -> 03:00. Interview 00:30-01:30 local; + 2 h
    # absolute = 04:30 local (not 03:30), outside hours -> 09:00.
    text = note_text("duration: 60m").replace("2026-11-12T15:30", "2026-03-29T00:30")
    (first, _) = only(plan({"a.md": text}, at("2026-03-28 10:00")), Kind.THANK_YOU)
    assert first.do == at("2026-03-29 09:00")
    # Deadline: start + 24 absolute hours = 2026-03-30 01:30 CEST.
    assert first.deadline.astimezone(UTC) == datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
    assert first.deadline.astimezone(UTC) - first.round_start.astimezone(UTC) == timedelta(hours=24)


def test_thank_you_deadline_is_24_absolute_hours_in_october() -> None:
    text = note_text().replace("2026-11-12T15:30", "2026-10-24T15:30")
    (first, _) = only(plan({"a.md": text}, at("2026-10-24 10:00")), Kind.THANK_YOU)
    # Clocks went back one hour: 24 elapsed hours end at 14:30 local.
    assert first.deadline.astimezone(UTC) == datetime(2026, 10, 25, 13, 30, tzinfo=UTC)
    assert (first.deadline.hour, first.deadline.minute) == (14, 30)


def test_later_round_replaces_pending_check_in() -> None:
    first = note_text()
    second = note_text().replace("2026-11-12T15:30", "2026-11-20T11:00")
    early = plan({"a.md": first}, NOW)
    (old_check_in,) = only(early, Kind.CHECK_IN)
    pending = DraftRecord(old_check_in.draft_path, old_check_in.id, "draft", None, False)
    result = plan({"a.md": first, "b.md": second}, at("2026-11-18 10:00"), drafts=[pending])
    (check_in,) = only(result, Kind.CHECK_IN)
    assert check_in.do == at("2026-11-27 09:00")
    (cancelled,) = only(result, Kind.CHECK_IN, State.CANCELLED)
    assert cancelled.id == old_check_in.id
    assert cancelled.reason == "a later interview round replaced it"
    # Each round gets its own thank-you notes.
    assert len(only(result, Kind.THANK_YOU, None)) == 4


def test_interviews_list_is_one_application_with_rounds() -> None:
    text = """
    ---
    company: Initech
    position: Analyst
    tags: [job, interview]
    interviews:
      - {date: 2026-11-02, time: "10:00", interviewers: [Ann Lee], round: 1}
      - date: 2026-11-09
        time: 14:00
        interviewers: ["[[People/Bo Chen|Bo]]"]
        round: 2
    ---
    """
    result = plan({"app.md": textwrap.dedent(text).lstrip("\n")}, at("2026-11-09 08:00"))
    rounds = {f.round_label for f in only(result, Kind.THANK_YOU, None)}
    assert rounds == {"1", "2"}
    # Round 1's thank-you is a week past its deadline: not drafted, and said why.
    (late,) = only(result, Kind.THANK_YOU, State.CANCELLED)
    assert late.round_label == "1" and "past its deadline" in (late.reason or "")
    (check_in,) = only(result, Kind.CHECK_IN)
    assert check_in.do == at("2026-11-16 09:00")
    assert check_in.recipient.name == "Bo Chen"  # first interviewer of the latest round
    thanks_2 = next(f for f in only(result, Kind.THANK_YOU) if f.round_label == "2")
    assert thanks_2.do == at("2026-11-09 17:00")  # 14:00 (YAML 840) + 60 min + 2 h


@pytest.mark.parametrize("outcome", ["offer", "accepted", "withdrawn", "rejected"])
def test_outcome_cancels_everything_pending(outcome: str) -> None:
    early = plan({"a.md": note_text()}, NOW)
    records = [DraftRecord(f.draft_path, f.id, "draft", None, False) for f in early.followups]
    result = plan(
        {"a.md": note_text(f"status: {outcome}\nstatus_date: 2026-11-16")},
        at("2026-11-16 12:00"),
        drafts=records,
    )
    assert not [
        f
        for f in result.followups
        if f.state is State.PENDING and f.kind is not Kind.STAY_CONNECTED
    ]
    assert {f.reason for f in result.followups if f.state is State.CANCELLED} == {
        f"outcome: {outcome}"
    }
    stay = only(result, Kind.STAY_CONNECTED)
    if outcome == "rejected":
        assert len(stay) == 1
        assert stay[0].do == at("2026-11-17 09:00")  # next business day after Monday
    else:
        assert not stay


def test_rejected_without_status_date_counts_from_first_seen() -> None:
    settings = berlin_settings()
    note = parse_note("a.md", note_text("status: rejected"), settings).note
    assert note is not None
    friday = at("2026-11-13 18:00")
    planned = plan_followups([note], [], Memory(), settings, friday)
    (stay,) = only(planned.plan, Kind.STAY_CONNECTED)
    assert stay.do == at("2026-11-16 09:00")  # Friday -> Monday
    assert list(planned.observed.values()) == [date(2026, 11, 13)]


def test_skipped_and_sent_follow_ups_stop() -> None:
    early = plan({"a.md": note_text()}, NOW)
    records = [DraftRecord(f.draft_path, f.id, "skipped", None, True) for f in early.followups]
    result = plan({"a.md": note_text()}, NOW, drafts=records)
    assert all(f.state is State.SKIPPED for f in result.followups)


@pytest.mark.parametrize("extra", ["responded: 2026-11-14", "status: heard-back"])
def test_response_stops_check_ins_only(extra: str) -> None:
    result = plan({"a.md": note_text(extra)}, NOW)
    assert not only(result, Kind.CHECK_IN)
    assert len(only(result, Kind.THANK_YOU)) == 2


def test_contact_is_main_contact_for_check_ins() -> None:
    result = plan({"a.md": note_text("recruiter: Sam Hill <sam@acme.com>")}, NOW)
    (check_in,) = only(result, Kind.CHECK_IN)
    assert check_in.recipient.name == "Sam Hill"
    assert check_in.recipient.email == "sam@acme.com"


def test_phone_channel_for_check_ins() -> None:
    result = plan({"a.md": note_text("check_in_channel: phone\nphone: +49 30 1234")}, NOW)
    assert only(result, Kind.CHECK_IN)[0].channel == "phone"
    assert only(result, Kind.THANK_YOU)[0].channel == "email"


def test_handwritten_note_needs_address_and_flag() -> None:
    assert not only(plan({"a.md": note_text("handwritten: true")}, NOW), Kind.HANDWRITTEN_NOTE)
    extra = 'handwritten: true\naddress: "Acme, 1 Main St, Springfield"'
    (card,) = only(plan({"a.md": note_text(extra)}, NOW), Kind.HANDWRITTEN_NOTE)
    assert card.do == at("2026-11-13 09:00") and card.channel == "post"
    on_in_config = plan(
        {"a.md": note_text('address: "1 Main St"')}, NOW, config="handwritten = true\n"
    )
    assert len(only(on_in_config, Kind.HANDWRITTEN_NOTE)) == 1


def test_ignore_older_than_drops_old_follow_ups() -> None:
    result = plan({"a.md": note_text()}, at("2027-01-20 10:00"))
    assert result.followups == ()
    longer = plan(
        {"a.md": note_text()}, at("2027-01-20 10:00"), config='ignore_older_than = "90d"\n'
    )
    assert len(only(longer, Kind.CHECK_IN)) == 1


def test_a_thank_you_three_days_past_its_deadline_is_not_drafted() -> None:
    """Its deadline is 24 hours after the interview; three days later it
    would read as an afterthought. `--recreate` asks for it anyway."""
    on_time = plan({"a.md": note_text()}, at("2026-11-14 15:00"))
    assert only(on_time, Kind.THANK_YOU)
    late = plan({"a.md": note_text()}, at("2026-11-17 12:00"))
    assert not only(late, Kind.THANK_YOU)
    said = only(late, Kind.THANK_YOU, State.CANCELLED)
    assert said and all("sync --recreate" in (f.reason or "") for f in said)
    asked = plan({"a.md": note_text()}, at("2026-11-17 12:00"), recreate=True)
    assert only(asked, Kind.THANK_YOU)


def test_deleted_draft_is_dismissed_unless_recreate() -> None:
    early = plan({"a.md": note_text()}, NOW)
    (check_in,) = only(early, Kind.CHECK_IN)
    memory = Memory(created={check_in.id: check_in.draft_path})
    result = plan({"a.md": note_text()}, NOW, memory=memory)
    assert only(result, Kind.CHECK_IN, None)[0].state is State.DISMISSED
    again = plan({"a.md": note_text()}, NOW, memory=memory, recreate=True)
    assert only(again, Kind.CHECK_IN)[0].state is State.PENDING


def test_scheduled_interview_has_its_thank_you_ready() -> None:
    result = plan({"a.md": note_text()}, at("2026-11-01 10:00"))
    assert len(only(result, Kind.THANK_YOU)) == 2


def test_draft_paths_follow_design() -> None:
    text = note_text().replace("company: Acme", 'company: "AC/DC: \\"Rock\\" <Co>"')
    result = plan({"a.md": text}, NOW)
    paths = sorted(f.draft_path for f in only(result, Kind.THANK_YOU))
    assert paths == [
        "Follow-ups/AC DC Rock Co/2026-11-12 thank-you - Jane Doe.md",
        "Follow-ups/AC DC Rock Co/2026-11-12 thank-you - Raj Patel.md",
    ]


def test_ids_survive_renames_and_body_edits() -> None:
    first = plan({"Interviews/a.md": note_text()}, NOW)
    edited = note_text().replace("event sourcing", "caching")
    second = plan({"Elsewhere/renamed.md": edited}, NOW)
    assert [f.id for f in first.followups] == [f.id for f in second.followups]
    assert [f.event_id for f in first.followups] == [f.event_id for f in second.followups]


def test_a_change_at_a_time_the_clocks_skip_or_repeat_is_expected_early() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 02:30 does not exist on 2027-03-28: wall-clock comparisons pass it at
    # 03:00 CEST (01:00 UTC), so the window must end no later than that.
    skipped = datetime(2027, 3, 28, 2, 30, tzinfo=berlin)
    assert earliest(skipped) <= datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    # 02:30 happens twice on 2026-10-25: the first time counts.
    repeated = datetime(2026, 10, 25, 2, 30, tzinfo=berlin)
    assert earliest(repeated) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    ordinary = datetime(2026, 11, 12, 9, 0, tzinfo=berlin)
    assert earliest(ordinary) == ordinary
