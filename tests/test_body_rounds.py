"""Rounds written in the body of an application note (issue 16, point 6):
dated headings with a round word, their points, their people, and nothing
from the sections the user keeps to themselves."""

from __future__ import annotations

import textwrap
from dataclasses import astuple
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from vaultfollow.core.body_rounds import MAX_PEOPLE, BodyRound, BodyRounds, body_rounds
from vaultfollow.core.front_matter import split_front_matter

CASES = Path(__file__).parent / "body_rounds"


def note_body(name: str) -> str:
    front = split_front_matter((CASES / name).read_text(encoding="utf-8"))
    assert front is not None
    return front.body


def read(body: str, base_year: int = 2026, **names: tuple[str, ...]) -> BodyRounds:
    return body_rounds(textwrap.dedent(body).lstrip("\n"), base_year=base_year, **names)


def line_of(body: str, text: str) -> int:
    lines = body.splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def every_string(result: BodyRounds) -> str:
    """All the text a caller could pass on, in one string."""
    parts: list[str] = []
    for round_ in result.rounds:
        for value in astuple(round_):
            if isinstance(value, str):
                parts.append(value)
            elif isinstance(value, tuple):
                parts.extend(str(v) for v in value)
    return "\n".join(parts)


# --- one note per application, stages as dated headings ------------------------


def test_stages_under_interview_notes_are_rounds_and_nothing_else_is() -> None:
    body = note_body("halden-robotics.md")
    result = body_rounds(body, base_year=2026)
    assert [(r.day, r.label) for r in result.rounds] == [
        (date(2026, 9, 22), "Stage 1 — Recruiter screen"),
        (date(2026, 9, 29), "Stage 2 — Technical"),
        (date(2026, 10, 6), "Stage 3 — Panel"),
    ]
    # Not the application day's heading, not the Follow-Up Log's dated rows.
    assert not result.truncated and result.unread == ()
    first = result.rounds[0]
    assert first.line == line_of(body, "### Stage 1")
    assert first.heading == "Stage 1 — Recruiter screen (2026-09-22)"
    assert first.start is None and first.end is None
    assert first.discussed == (
        "Asked: notice period, why robotics, right to work",
        "Next step: technical interview with the planning team",
    )
    assert first.clarify == ()
    assert first.people == () and first.people_line is None


def test_bold_lead_ins_sort_a_rounds_bullets() -> None:
    technical = body_rounds(note_body("halden-robotics.md"), base_year=2026).rounds[1]
    assert technical.discussed == (
        "Live coding: a ring buffer in C++, then made it lock-free",
        "System design: replaying sensor logs from 50 robots",
        "talked through the trade-offs out loud",
    )
    assert technical.clarify == ("write the tests first, not last",)


def test_a_private_sub_heading_and_the_next_same_level_heading_end_what_is_shared() -> None:
    body = note_body("halden-robotics.md")
    panel = body_rounds(body, base_year=2026).rounds[2]
    assert panel.discussed == (
        "Behavioural: a time I disagreed with a technical decision",
        "Asked them what success looks like after six months",
    )
    everything = every_string(body_rounds(body, base_year=2026))
    for private in ("STARR", "£58k", "£52k", "£56,000", "27 days", "Reply by", "Careers page"):
        assert private not in everything


def test_crlf_line_endings_read_the_same() -> None:
    body = note_body("halden-robotics.md")
    assert body_rounds(body.replace("\n", "\r\n"), base_year=2026) == body_rounds(
        body, base_year=2026
    )


# --- people -----------------------------------------------------------------


def test_people_from_labelled_lines_inline_fields_and_bold_labels() -> None:
    body = note_body("meridian-talent.md")
    intro, onsite, panel, final = body_rounds(body, base_year=2026).rounds
    assert intro.people == ("[[Priya Shah]]",)
    assert intro.people_line == line_of(body, "With:: [[Priya Shah]]")
    assert onsite.people == ("[[Dr. Ingrid Solberg]]", "[[Tomasz Nowak]]")
    assert onsite.people_line == line_of(body, "Interviewers: [[Dr. Ingrid Solberg]]")
    assert panel.people == (
        "Nguyễn Thị Lan",
        "Oluwaseun Adeyemi <o.adeyemi@meridian.example>",
        "[[Sam Okafor]]",
    )
    assert panel.people_line == line_of(body, "**Panel:** Nguyễn Thị Lan")
    # "Met the CTO" is a sentence, not a `Met:` label.
    assert final.people == () and final.people_line is None
    assert final.discussed == ("Met the CTO; talked about the roadmap for 2027",)


def test_people_lines_and_fields_are_not_points_and_other_links_are_kept() -> None:
    intro, onsite, panel, _ = body_rounds(note_body("meridian-talent.md"), base_year=2026).rounds
    assert intro.discussed == (
        "Team of six, mostly Python and Spark",
        "She asked about my Kafka migration at the last job",
    )
    assert intro.links == ("Kafka migration",)
    assert onsite.discussed == (
        "Explained how we partitioned the billing events",
        "Tomasz liked the idea of data contracts",
    )
    assert onsite.clarify == ("How I would backfill three years of meter readings",)
    # A link in a private section is named (the caller may look it up), its text is not shared.
    assert onsite.links == ("Henrik Dahl",)
    assert panel.discussed == (
        "Case study: a streaming pipeline for smart meters",
        "Coffee afterwards with Sam Okafor, talked about the Leeds office",
    )
    assert panel.links == ("Leeds office",)


def test_times_labels_and_lines_survive_comments() -> None:
    body = note_body("meridian-talent.md")
    rounds = body_rounds(body, base_year=2026).rounds
    assert [(r.day, r.start, r.end, r.label) for r in rounds] == [
        (date(2026, 10, 2), time(9, 30), None, "Round 1: intro call"),
        (date(2026, 11, 12), time(14, 0), time(16, 30), "Round 2: onsite"),
        (date(2026, 12, 3), time(14, 0), None, "Panel interview"),
        (date(2026, 12, 8), time(10, 30), None, "Final round"),
    ]
    # The two-line HTML comment above does not shift the lines below it.
    assert [r.line for r in rounds] == [
        line_of(body, "### Round 1"),
        line_of(body, "### Round 2"),
        line_of(body, "### Panel interview"),
        line_of(body, "### Final round"),
    ]


def test_comments_private_sections_and_code_never_reach_a_round() -> None:
    result = body_rounds(note_body("meridian-talent.md"), base_year=2026)
    everything = every_string(result)
    for private in (
        "10% above market",
        "Fjordline",
        "£61k",
        "current package",
        "relocation",
        "on-call",
        "whiteboard",
        "template inside a code block",
        "two referees",
    ):
        assert private not in everything
    assert "Fake screen" not in [r.label for r in result.rounds]
    assert len(result.rounds) == 4


def test_people_separated_by_and_ampersand_and_semicolons() -> None:
    result = read(
        """
        ## 2026-11-12 Technical interview
        - Interviewers: Ana Ruiz <ana@x.io>; Sam Lee and [[People/Chidi Okeke|C.]] & Dr. Lena Müller
        - talked about [[Project Atlas]]
        """
    )
    (only,) = result.rounds
    assert only.people == (
        "Ana Ruiz <ana@x.io>",
        "Sam Lee",
        "[[People/Chidi Okeke|C.]]",
        "Dr. Lena Müller",
    )
    assert only.people_line == 2
    assert only.discussed == ("talked about Project Atlas",)
    assert only.links == ("Project Atlas",)


def test_a_label_alone_takes_the_names_listed_under_it() -> None:
    result = read(
        """
        ### Panel – 14 Jan 2027
        **Interviewers:**
        - [[Astrid Lindqvist]]
        - Kwame Mensah (VP Engineering)

        We went through my take-home solution line by line.
        """,
        base_year=2027,
    )
    (only,) = result.rounds
    assert only.people == ("[[Astrid Lindqvist]]", "Kwame Mensah")
    assert only.people_line == 2
    assert only.discussed == ("We went through my take-home solution line by line.",)


@pytest.mark.parametrize(
    "line",
    [
        "Interviewer: [[Sam Lee]]",
        "- Interviewer: [[Sam Lee]]",
        "**Interviewer:** [[Sam Lee]]",
        "**Interviewer**: [[Sam Lee]]",
        "Interviewer:: [[Sam Lee]]",
        "- **Interviewer**:: [[Sam Lee]]",
        "[Interviewer:: [[Sam Lee]]]",
        "(with:: [[Sam Lee]])",
        "met: [[Sam Lee]]",
        "PANEL: [[Sam Lee]]",
    ],
)
def test_every_form_of_a_people_line(line: str) -> None:
    body = f"## Call with the hiring manager, 2026-10-01\n\n{line}\n"
    (only,) = body_rounds(body, base_year=2026).rounds
    assert only.people == ("[[Sam Lee]]",)
    assert only.people_line == 3
    assert only.discussed == ()
    assert only.links == ()


def test_a_callout_gives_people_but_no_points() -> None:
    result = read(
        """
        ### Stage 2 — Technical (2026-09-29)
        > [!info] Logistics
        > Interviewers: [[Maya Cohen]]
        > Door code 4471, ask for a badge at the front desk

        - Live coding: an LRU cache
        """
    )
    (only,) = result.rounds
    assert only.people == ("[[Maya Cohen]]",)
    assert only.people_line == 3
    assert only.discussed == ("Live coding: an LRU cache",)
    assert "4471" not in every_string(result)


def test_placeholders_are_not_people() -> None:
    result = read(
        """
        ### Final round (2026-12-01)
        Interviewers: TBD
        Panel: 3 people from the platform team
        """
    )
    assert result.rounds[0].people == ()
    assert result.rounds[0].people_line is None


# --- which headings are rounds ---------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "day", "start", "end", "label"),
    [
        (
            "### Stage 1 — Recruiter screen (2026-09-22)",
            date(2026, 9, 22),
            None,
            None,
            "Stage 1 — Recruiter screen",
        ),
        (
            "## 2026-11-12 Technical interview",
            date(2026, 11, 12),
            None,
            None,
            "Technical interview",
        ),
        (
            "### Round 2: onsite, 12 Nov 2026 14:00",
            date(2026, 11, 12),
            time(14),
            None,
            "Round 2: onsite",
        ),
        (
            "### Panel interview – 3 December 2026, 2pm",
            date(2026, 12, 3),
            time(14),
            None,
            "Panel interview",
        ),
        (
            "### Final round (Tue 8 Dec 2026 10:30)",
            date(2026, 12, 8),
            time(10, 30),
            None,
            "Final round",
        ),
        (
            "#### 2026-10-01 14:00 — Hiring manager call",
            date(2026, 10, 1),
            time(14),
            None,
            "Hiring manager call",
        ),
        (
            "## Phone screen on November 3rd, 2026 at 2:30 pm",
            date(2026, 11, 3),
            time(14, 30),
            None,
            "Phone screen",
        ),
        (
            "## Onsite loop: Thursday, 12th November 2026, 09:00–13:00",
            date(2026, 11, 12),
            time(9),
            time(13),
            "Onsite loop",
        ),
        (
            "## Technical chat 12.11.2026 14.30",
            date(2026, 11, 12),
            time(14, 30),
            None,
            "Technical chat",
        ),
        ("## 22/09/2026 – HR call", date(2026, 9, 22), None, None, "HR call"),
        ("## On-site 2026/11/12 2-3pm", date(2026, 11, 12), time(14), time(15), "On-site"),
        (
            "## Assessment centre, 2026-11-12T09:30",
            date(2026, 11, 12),
            time(9, 30),
            None,
            "Assessment centre",
        ),
        (
            "## Meeting with [[Sam Lee]] 12 Nov",
            date(2026, 11, 12),
            None,
            None,
            "Meeting with Sam Lee",
        ),
        (
            "## Conversation **Nov 12** 10am to 11:15am",
            date(2026, 11, 12),
            time(10),
            time(11, 15),
            "Conversation",
        ),
        (
            "## Entretien technique le 12 novembre 2026 à 14:00",
            date(2026, 11, 12),
            time(14),
            None,
            "Entretien technique",
        ),
        (
            "## 2. Vorstellungsgespräch am 3. Dezember 2026 um 10:30",
            date(2026, 12, 3),
            time(10, 30),
            None,
            "2. Vorstellungsgespräch",
        ),
        (
            "## Entrevista final, 3 de diciembre de 2026",
            date(2026, 12, 3),
            None,
            None,
            "Entrevista final",
        ),
        ("## INTERVIEWS 2026-11-12", date(2026, 11, 12), None, None, "INTERVIEWS"),
    ],
)
def test_round_headings_as_people_write_them(
    heading: str, day: date, start: time | None, end: time | None, label: str
) -> None:
    (only,) = body_rounds(f"{heading}\n- point\n", base_year=2026).rounds
    assert (only.day, only.start, only.end, only.label) == (day, start, end, label)
    assert only.discussed == ("point",)


@pytest.mark.parametrize(
    "heading",
    [
        "## Interview Notes",
        "## Interviews",
        "### Stage 4 — Final (TBC)",
        "## 2026-09-10 Applied",
        "## 12 Nov 2026",
        "## Offer received 2026-10-08",
        "## Interviewing tips from the 2026 careers fair",
        "Stage 2 — Technical (2026-09-29)\n===",  # a round heading is written with `#`
    ],
)
def test_headings_that_are_not_rounds(heading: str) -> None:
    assert body_rounds(f"{heading}\n- point\n", base_year=2026).rounds == ()


def test_a_year_less_date_takes_the_base_year() -> None:
    (only,) = read("## Technical interview, 12 Nov\n", base_year=2027).rounds
    assert only.day == date(2027, 11, 12)


def test_an_ambiguous_or_impossible_date_is_reported_with_what_to_write() -> None:
    result = read(
        """
        ## Interview Notes
        ### Technical interview 12/11/2026
        - they asked about Rust
        ### Panel 2026-02-30
        ### Final round 2301-01-05
        ### Onsite (2026-11-20)
        - lunch with the team
        """
    )
    assert [r.day for r in result.rounds] == [date(2026, 11, 20)]
    assert result.rounds[0].discussed == ("lunch with the team",)
    assert [(u.line, u.heading) for u in result.unread] == [
        (2, "Technical interview 12/11/2026"),
        (4, "Panel 2026-02-30"),
        (5, "Final round 2301-01-05"),
    ]
    ambiguous, impossible, far = (u.reason for u in result.unread)
    assert "12 November or 11 December" in ambiguous and "2026-11-12" in ambiguous
    assert "2026-02-30" in impossible and "2026-11-12" in impossible
    assert "2301" in far


def test_a_deeper_dated_round_starts_its_own_round() -> None:
    result = read(
        """
        ## Onsite loop, 2026-11-12
        - arrived at 9, badge at reception
        ### 10:00 Coding interview, 2026-11-12 10:00
        - graph search
        ### 11:30 Lunch
        - team lunch, nice people
        ## Notes
        - general stuff
        """
    )
    loop, coding = result.rounds
    assert loop.discussed == ("arrived at 9, badge at reception",)
    assert coding.start == time(10)
    # "Lunch", at the coding round's level, ends it; "## Notes" ends them all.
    assert coding.discussed == ("graph search",)
    assert "team lunch" not in every_string(result)


# --- sections -------------------------------------------------------------------


def test_lead_in_forms_and_the_callers_section_names() -> None:
    result = read(
        """
        ## 2026-11-12 Technical interview
        **Went well**
        - the SQL question

        __Talking points__: their move to [[Postgres]]

        **Could answer better**
        - indexes on JSON columns

        **Questions to ask:**
        - is there a training budget?

        #### To improve
        - slow start on the system design

        #### Notes to self
        - I would take 5% less for remote
        """,
        discussed_headings=("Talking points",),
        clarify_headings=("Could answer better",),
    )
    (only,) = result.rounds
    assert only.discussed == ("the SQL question", "their move to Postgres")
    assert only.clarify == ("indexes on JSON columns", "slow start on the system design")
    assert "training budget" not in every_string(result)
    assert "5% less" not in every_string(result)


def test_the_default_section_names_are_vaultfollows() -> None:
    result = read(
        """
        ## 2026-11-12 Technical interview
        #### Highlights
        - the SQL question
        #### Clarify
        - indexes on JSON columns
        #### Discussed
        - their move to Postgres
        """
    )
    (only,) = result.rounds
    assert only.discussed == ("the SQL question", "their move to Postgres")
    assert only.clarify == ("indexes on JSON columns",)


def test_a_private_section_keeps_deeper_headings_private() -> None:
    result = read(
        """
        ## 2026-11-12 Technical interview
        ### Private
        #### Went well
        - negotiated hard on salary
        ### Went well
        - the SQL question
        """
    )
    assert result.rounds[0].discussed == ("the SQL question",)


def rounds_body(count: int) -> str:
    return "".join(
        f"## Round {n}, 2026-11-{n % 28 + 1:02d}\n- point {n}\n" for n in range(1, count + 1)
    )


def test_rounds_past_the_limit_are_not_read_and_the_result_says_so() -> None:
    result = body_rounds(rounds_body(60), base_year=2026)
    assert len(result.rounds) == 50
    assert result.truncated
    assert result.rounds[-1].discussed == ("point 50",)
    exactly = body_rounds(rounds_body(50), base_year=2026)
    assert len(exactly.rounds) == 50 and not exactly.truncated


def test_rounds_are_frozen_data() -> None:
    (only,) = read("## 2026-11-12 Technical interview\n").rounds
    assert isinstance(only, BodyRound)
    with pytest.raises(AttributeError):
        only.day = date(2026, 1, 1)  # type: ignore[misc]


# --- any text ------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "## ",
        "### ",
        "#### ",
        "Stage 1 — screen ",
        "(2026-09-22)",
        "12 Nov 2026 ",
        "31/02/2026 ",
        "14:00–15:00 ",
        "2pm ",
        "**Went well:** ",
        "**Private**",
        "__Improve__: ",
        "Interviewers: ",
        "With:: ",
        "[Met:: ",
        "[[Sam Lee]]",
        "[[",
        "]]",
        ", ",
        " and ",
        "<ana@x.io>",
        "- ",
        "> ",
        "```",
        "%%",
        "<!--",
        "-->",
        "|a|b|",
        "\n",
        "\r\n",
        "\n\n",
        "    ",
        "Nguyễn Thị Lan",
    ]
)


@given(st.text())
def test_any_text_never_raises(text: str) -> None:
    result = body_rounds(text, base_year=2026)
    assert len(result.rounds) <= 50


@given(st.lists(FRAGMENTS, max_size=60).map("".join))
def test_any_note_shaped_text_gives_rounds_on_heading_lines(text: str) -> None:
    result = body_rounds(text, base_year=2026)
    lines = text.replace("\r\n", "\n").split("\n")
    for round_ in result.rounds:
        assert lines[round_.line - 1].lstrip(" ").startswith("#")
        assert round_.people_line is None or round_.people_line > round_.line
        assert round_.end is None or round_.start is not None


PRIVATE_BLOCKS = st.sampled_from(
    [
        "\n\n#### Private\n- ZQXJ asked for more\n",
        "\n\n**Salary:** ZQXJ\n",
        "\n\n**Prep:**\n- ZQXJ\n",
        "\n\nSalary: ZQXJ\n",
        "%% ZQXJ %%",
        "<!-- ZQXJ -->",
    ]
)


@given(
    st.lists(FRAGMENTS, max_size=40),
    st.lists(st.tuples(st.integers(min_value=0, max_value=40), PRIVATE_BLOCKS), max_size=4),
)
def test_nothing_private_ever_reaches_a_round(
    fragments: list[str], private: list[tuple[int, str]]
) -> None:
    # A stray `%%` or `<!--` in the text around a comment pairs with the
    # comment's own markers, as in Obsidian (`%%` + `%% ZQXJ %%` shows
    # ZQXJ there too): the rule is for comments the note does not reopen.
    markers = ("%%", "<!--", "-->")
    assume(
        not any(m in f for f in fragments for m in markers)
        or not any(m in block for _, block in private for m in markers)
    )
    parts = ["## Stage 1 — screen (2026-09-22)\n", *fragments]
    for index, block in sorted(private, reverse=True):
        parts.insert(min(index, len(parts)), block)
    result = body_rounds("".join(parts), base_year=2026)
    assert "ZQXJ" not in every_string(result)


def test_setext_headings_and_closing_hashes_end_sections() -> None:
    result = read(
        """
        ## Technical interview (2026-11-12) ##
        - the SQL question

        Offer details
        -------------
        - £60k
        ~~~
        ## Stage 9 — not a heading (2026-12-24)
        ~~~
        """
    )
    (only,) = result.rounds
    assert only.heading == "Technical interview (2026-11-12)"
    assert only.label == "Technical interview"
    assert only.discussed == ("the SQL question",)


def test_a_round_keeps_one_person_past_the_limit_for_the_caller_to_report() -> None:
    names = ", ".join(f"Person {chr(65 + n // 26)}{chr(65 + n % 26)}" for n in range(80))
    (only,) = read(f"## Panel 2026-11-12\nPanel: {names}\n").rounds
    assert len(only.people) == MAX_PEOPLE + 1


def test_a_long_paragraph_is_still_a_point() -> None:
    long = "We talked about [[Kafka]] and " + "streaming " * 600
    (only,) = read(f"## 2026-11-12 Technical interview\n{long}\n").rounds
    assert only.discussed == (("We talked about Kafka and " + "streaming " * 600).strip(),)
    assert only.links == ("Kafka",)
