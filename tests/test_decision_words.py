"""The decision date as a note says it in words (issue 16, point 10): "they
decide by 12 December", "hear back within two weeks", "decision by 12-11",
counted from the interview day, only where a sentence talks of a decision."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from vaultfollow.core.decision_words import DecisionWords, decision_in_words

TUESDAY = date(2026, 11, 17)  # the interview day most notes below are about


def day_of(text: str, base: date = TUESDAY) -> date | None:
    found = decision_in_words(text, base)
    return found.day if found else None


# --- the ways people write it ----------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "day", "words"),
    [
        ("They decide by 12 December.", date(2026, 12, 12), "decide by 12 December"),
        ("Decision by Friday", date(2026, 11, 20), "Decision by Friday"),
        ("- should hear back within two weeks", date(2026, 12, 1), "hear back within two weeks"),
        ("should hear back in 10 days", date(2026, 11, 27), "hear back in 10 days"),
        # "next week" is the week after the interview's (Monday to Friday):
        # its end is that Friday, "early" in it is its Wednesday.
        (
            "they'll let me know by end of next week",
            date(2026, 11, 27),
            "let me know by end of next week",
        ),
        (
            "Recruiter said they'd get back to me early next week",
            date(2026, 11, 25),
            "get back to me early next week",
        ),
        ("Next steps: feedback by Dec 12", date(2026, 12, 12), "feedback by Dec 12"),
        # A range of periods is its later end.
        ("Timeline: 2-3 weeks", date(2026, 12, 8), "Timeline: 2-3 weeks"),
        ("**Timeline:** 2–3 weeks (hiring manager is travelling)", date(2026, 12, 8), None),
        ("They'll get back to us in a week or two", date(2026, 12, 1), None),
        ("hear back in a couple of weeks", date(2026, 12, 1), None),
        ("Jonas said they will respond within 5 business days", date(2026, 11, 24), None),
        ("Recruiter: answer within 48h", date(2026, 11, 19), None),
        ("Réponse à 10h vendredi", date(2026, 11, 20), None),  # 10h: a time, not ten hours
        ("decision by the end of the month", date(2026, 11, 30), None),
        ("DECISION BY FRIDAY 🤞", date(2026, 11, 20), None),
        ("- **Next steps:** decision by Fri 27/11", date(2026, 11, 27), None),
        ("They decide on the 4th", date(2026, 12, 4), None),  # the 4th after the interview
        ("Decision call on Dec 3 at 3pm with Siobhán", date(2026, 12, 3), None),
        ("Outcome: Dec 3rd", date(2026, 12, 3), "Outcome: Dec 3rd"),
        ("answer by 11.12.", date(2026, 12, 11), None),  # dots: day first
        ("they decide by 13/12", date(2026, 12, 13), None),  # only one reading is a date
        ("They'll decide by April", date(2027, 4, 30), None),  # a month alone: its last day
        ("decide by mid-December", date(2026, 12, 20), None),
        ("hear back by Nov. 30", date(2026, 11, 30), "hear back by Nov. 30"),
        (
            "Jane: decision by 12 December at the latest",
            date(2026, 12, 12),
            "decision by 12 December",
        ),
        ("they said they'll decide later this week", date(2026, 11, 20), None),
    ],
)
def test_the_ways_people_write_it(sentence: str, day: date, words: str | None) -> None:
    found = decision_in_words(sentence, TUESDAY)
    assert found is not None, sentence
    assert found.day == day, sentence
    assert found.line == 1
    assert not found.ambiguous
    if words is not None:
        assert found.words == words


@pytest.mark.parametrize(
    ("sentence", "day"),
    [
        ("Entscheidung bis 12. Dezember", date(2026, 12, 12)),
        ("Rückmeldung in zwei Wochen, sagt Frau Schäfer", date(2026, 12, 1)),
        ("Sie melden sich Anfang nächster Woche", date(2026, 11, 25)),
        ("Feedback bis Freitag", date(2026, 11, 20)),
        ("Réponse d'ici le 12 décembre", date(2026, 12, 12)),
        ("Décision dans deux semaines", date(2026, 12, 1)),
        ("Nos darán una respuesta el 12 de diciembre", date(2026, 12, 12)),
    ],
)
def test_other_languages(sentence: str, day: date) -> None:
    assert day_of(sentence) == day, sentence


def test_a_note_the_way_people_keep_one() -> None:
    note = (
        "# Acme Corp – Senior Data Scientist\n"
        "\n"
        "## Discussed\n"
        "- their churn model, 5 DS on the team\n"
        "- the team grew 3x in 2 years\n"
        "\n"
        "## Next\n"
        "* Recruiter (Małgorzata) said they'd **get back to me early next week**\n"
    )
    found = decision_in_words(note, TUESDAY)
    assert found == DecisionWords(date(2026, 11, 25), "get back to me early next week", 8)


# --- what is not a decision date ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I start a new job on 1 March",  # a date without a decision cue
        "Interview went well. The team grew 3x in 2 years.",
        "Feedback: 5 DS on the team",
        "Feedback: they need 2 TB of logs processed nightly",
        "They may decide after the holidays",  # "may" the verb, not the month
        "Feedback was great, start date would be 1 March",
        "I asked for feedback 2 weeks ago",
        "hear back from April on the referral",  # a name, not the month
        "The panel will decide at 10am",  # a time on the interview day
        "Feedback: we have 10 people in the loop",  # "we" is no Wednesday
        "hear back by 12 Nov",  # before the interview; next year is too far off
        "Decision: go/no-go after the onsite",
        "feedback from the recruiter in a second",
        "the commissioning of the two solar parks near Zaragoza, 2027 timeline",  # a year alone
        "",
    ],
)
def test_what_is_not_a_decision_date(text: str) -> None:
    assert decision_in_words(text, date(2026, 11, 20)) is None, text


def test_may_as_a_verb_does_not_hide_the_date() -> None:
    assert day_of("They may decide by 12 December") == date(2026, 12, 12)


def test_a_date_before_the_interview_reads_as_next_year_only_when_that_is_near() -> None:
    assert day_of("decision by 5 Jan", base=date(2026, 12, 20)) == date(2027, 1, 5)
    assert day_of("decision by 5 Jan", base=date(2026, 3, 20)) is None


def test_a_decision_date_can_be_the_interview_day() -> None:
    assert day_of("They decide by 17 November") == TUESDAY


# --- numeric dates read two ways ------------------------------------------------------


def test_an_ambiguous_numeric_date_is_the_later_reading_and_says_so() -> None:
    interview = date(2026, 11, 2)
    # 12 November or December 11: both after the interview, so the later.
    found = decision_in_words("decision by 12-11", interview)
    assert found == DecisionWords(date(2026, 12, 11), "decision by 12-11", 1, ambiguous=True)
    found = decision_in_words("feedback by 12/11/2026", interview)
    assert found is not None
    assert (found.day, found.ambiguous) == (date(2026, 12, 11), True)


def test_a_numeric_date_with_one_reading_after_the_interview_is_not_ambiguous() -> None:
    # 12 November is before a 17 November interview: only December 11 is left.
    found = decision_in_words("decision by 12-11", TUESDAY)
    assert found is not None
    assert (found.day, found.ambiguous) == (date(2026, 12, 11), False)


# --- which line, when several say one ---------------------------------------------------


def test_the_latest_date_stated_wins_and_ties_go_to_the_first_line() -> None:
    note = (
        "- Priya: hear back within two weeks\n"
        "- Tom: decision by 4 December\n"  # the latest
        "- later, Priya again: they decide by Friday\n"
        "- and: decision on Dec 4 too\n"
    )
    found = decision_in_words(note, TUESDAY)
    assert found is not None
    assert (found.day, found.line, found.words) == (date(2026, 12, 4), 2, "decision by 4 December")


def test_in_one_sentence_the_date_nearest_the_cue_wins() -> None:
    found = decision_in_words("Decision in 2 weeks, start date 1 March", TUESDAY)
    assert found is not None
    assert found.day == date(2026, 12, 1)


# --- what is not read -----------------------------------------------------------


def test_code_blocks_and_comments_are_not_read() -> None:
    note = (
        "Went fine.\n"
        "```\n"
        "decision by 12 December\n"
        "```\n"
        "~~~text\n"
        "they decide by Friday\n"
        "~~~\n"
        "%% they decide by 12 December %%\n"
        "<!-- decision by\n"
        "Friday -->\n"
        "Inline `decision by 1 December` code\n"
    )
    assert decision_in_words(note, TUESDAY) is None
    found = decision_in_words(note + "Decision by 30 November\n", TUESDAY)
    assert found is not None
    assert (found.day, found.line) == (date(2026, 11, 30), 12)


def test_a_deadline_field_is_left_to_the_properties() -> None:
    assert decision_in_words("[deadline:: 2026-12-12]", TUESDAY) is None
    assert decision_in_words("decision_by:: 2026-12-12", TUESDAY) is None
    note = "Status:: waiting [deadline:: 2026-12-12] and they decide by 30 November\n"
    found = decision_in_words(note, TUESDAY)
    assert found is not None
    assert (found.day, found.words) == (date(2026, 11, 30), "decide by 30 November")


def test_other_inline_fields_are_read_as_words() -> None:
    found = decision_in_words("(Next steps:: hear back by Friday)", TUESDAY)
    assert found is not None
    assert found.day == date(2026, 11, 20)


def test_links_read_as_their_text() -> None:
    assert day_of("decision by [[2026-12-04]]") == date(2026, 12, 4)
    assert day_of("decision by [[Daily/2026-12-04|4 Dec]]") == date(2026, 12, 4)


def test_crlf_line_endings() -> None:
    note = "# Notes\r\n\r\n- nice team\r\n- they decide by 12 December\r\n"
    found = decision_in_words(note, TUESDAY)
    assert found == DecisionWords(date(2026, 12, 12), "decide by 12 December", 4)


# --- the same on every machine -------------------------------------------------------


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is Unix-only")
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Adak", "UTC"])
def test_the_machines_time_zone_changes_nothing(zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sentences = ["hear back tomorrow", "Decision by Friday", "they decide by 12 December"]
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        days = [day_of(s) for s in sentences]
    finally:
        monkeypatch.undo()
        time.tzset()
    assert days == [date(2026, 11, 18), date(2026, 11, 20), date(2026, 12, 12)]


# --- never raises ---------------------------------------------------------------

CUES = st.sampled_from(["decision by ", "hear back in ", "feedback ", "Timeline: ", "bis ", ""])


@hsettings(max_examples=150)
@given(
    st.lists(st.tuples(CUES, st.text(max_size=40)), max_size=6),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
)
def test_never_raises_and_never_reads_a_day_before_the_interview(
    parts: list[tuple[str, str]], base: date
) -> None:
    text = "\n".join(cue + rest for cue, rest in parts)
    found = decision_in_words(text, base)
    if found is not None:
        assert base <= found.day <= base + timedelta(days=366)
        assert 1 <= found.line <= len(text.split("\n"))
        assert found.words.strip()
