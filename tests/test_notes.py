"""Notes as people really write them: detection, names, values, sections."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime

import pytest

from conftest import berlin_settings
from vaultfollow.core import notes
from vaultfollow.core.front_matter import split_front_matter
from vaultfollow.core.links import enrich_people, parse_person_note
from vaultfollow.core.model import InterviewNote, Person
from vaultfollow.core.notes import parse_note
from vaultfollow.core.properties import normalise_key

SETTINGS = berlin_settings()


def parse(text: str, path: str = "Notes/acme.md", extra_config: str = "") -> InterviewNote:
    settings = berlin_settings(extra_config) if extra_config else SETTINGS
    result = parse_note(path, textwrap.dedent(text).lstrip("\n"), settings)
    assert result.note is not None, result.problems
    return result.note


def utc(note: InterviewNote, index: int = 0) -> datetime:
    return note.rounds[index].start.astimezone(UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Job-Title", "job_title"),
        ("jobTitle", "job_title"),
        ("job title", "job_title"),
        ("Interview-Date", "interview_date"),
        ("COMPANY", "company"),
        ("check_in_channel", "check_in_channel"),
        ("decisionBy", "decision_by"),
    ],
)
def test_property_names_are_normalised(raw: str, expected: str) -> None:
    assert normalise_key(raw) == expected


def test_aliases_and_odd_spellings() -> None:
    note = parse(
        """
        ---
        Type: Interview
        Organisation: Acme
        Job-Title: Platform Engineer
        Interview-Date: 2026-11-12
        Time: "14:00"
        Panel: Jane Doe
        Recruiter: Sam Hill
        Decision-Date: 2026-11-27
        Outcome: Heard back
        ---
        """
    )
    assert (note.company, note.role) == ("Acme", "Platform Engineer")
    assert utc(note) == datetime(2026, 11, 12, 13, 0, tzinfo=UTC)
    assert [p.name for p in note.rounds[0].interviewers] == ["Jane Doe"]
    assert note.contact == Person("Sam Hill")
    assert note.decision_by == date(2026, 11, 27)
    assert note.status == "heard-back"


@pytest.mark.parametrize(
    "company_line",
    [
        'company: "[[Acme]]"',
        "company: [[Acme]]",
        "company: '[[Companies/Acme|Acme]]'",
        "company: [[Companies/Acme]]",
    ],
)
def test_wikilink_values_quoted_and_unquoted(company_line: str) -> None:
    note = parse(f"---\ntype: interview\n{company_line}\nrole: Dev\ndate: 2026-11-12\n---\n")
    assert note.company == "Acme"


@pytest.mark.parametrize(
    ("date_line", "expected_utc"),
    [
        ("date: 2026-11-12", datetime(2026, 11, 12, 8, 0, tzinfo=UTC)),  # 09:00 local
        ("date: 2026-11-12T15:30", datetime(2026, 11, 12, 14, 30, tzinfo=UTC)),  # a string
        ("date: 2026-11-12 15:30", datetime(2026, 11, 12, 14, 30, tzinfo=UTC)),
        ("date: 2026-11-12T15:30:00", datetime(2026, 11, 12, 14, 30, tzinfo=UTC)),  # datetime
        ("date: 2026-11-12T15:30+05:00", datetime(2026, 11, 12, 10, 30, tzinfo=UTC)),
        ("date: 2026-11-12T15:30:00Z", datetime(2026, 11, 12, 15, 30, tzinfo=UTC)),
        ('date: "2026-11-12"', datetime(2026, 11, 12, 8, 0, tzinfo=UTC)),
        ("date: 2026-11-12\ntime: 14:00", datetime(2026, 11, 12, 13, 0, tzinfo=UTC)),  # 840
        ('date: 2026-11-12\ntime: "2:30 pm"', datetime(2026, 11, 12, 13, 30, tzinfo=UTC)),
    ],
)
def test_every_date_form(date_line: str, expected_utc: datetime) -> None:
    note = parse(f"---\ntype: interview\ncompany: Acme\nrole: Dev\n{date_line}\n---\n")
    assert utc(note) == expected_utc


def test_duration_and_end() -> None:
    base = "---\ntype: interview\ncompany: A\nrole: B\ndate: 2026-11-12T10:00\n{}\n---\n"
    for line, minutes in [
        ("duration: 45", 45),
        ("duration: 45m", 45),
        ("duration: 1h30m", 90),
        ("end: 11:15", 75),
        ('end: "11:15"', 75),
        ("", 60),
    ]:
        note = parse(base.format(line))
        length = note.rounds[0].end.astimezone(UTC) - note.rounds[0].start.astimezone(UTC)
        assert length.total_seconds() == minutes * 60, line


def test_date_from_file_name() -> None:
    note = parse("---\ntype: interview\ncompany: A\nrole: B\n---\n", path="I/2026-11-12 A.md")
    assert note.rounds[0].start.date() == date(2026, 11, 12)


def test_missing_date_is_a_problem_naming_the_fix() -> None:
    result = parse_note("I/acme.md", "---\ntype: interview\ncompany: A\nrole: B\n---\n", SETTINGS)
    assert result.note is None and result.is_interview
    (problem,) = result.problems
    assert "date" in problem.message and "2026-11-12" in problem.message


def test_bad_date_names_file_line_key_and_fix() -> None:
    text = "---\ntype: interview\ncompany: A\nrole: B\ndate: next tuesday\n---\n"
    result = parse_note("I/acme.md", text, SETTINGS)
    (problem,) = result.problems
    assert problem.line == 5 and problem.key == "date"
    assert str(problem).startswith("I/acme.md:5: `date` is `next tuesday`; write 2026-11-12")


@pytest.mark.parametrize(
    "value",
    [
        "Jane Doe",
        '"[[Jane Doe]]"',
        "[[Jane Doe]]",
        '"[[People/Jane Doe|Jane Doe]]"',
        "Jane Doe <jane@acme.com>",
        "{name: Jane Doe, email: jane@acme.com, title: CTO}",
        "[Jane Doe]",
        "\n  - Jane Doe",
        "\n  - [[Jane Doe]]",
        '\n  - "[[People/Jane Doe]]"',
        "\n  - name: Jane Doe\n    email: jane@acme.com",
    ],
)
def test_every_interviewer_form(value: str) -> None:
    note = parse(
        f"---\ntype: interview\ncompany: A\nrole: B\ndate: 2026-11-12\nwith: {value}\n---\n"
    )
    (person,) = note.rounds[0].interviewers
    assert person.name == "Jane Doe"


def test_several_interviewers_forms() -> None:
    note = parse(
        """
        ---
        type: interview
        company: A
        role: B
        date: 2026-11-12
        interviewers:
          - [[People/Jane Doe|Jane]]
          - Raj Patel <raj@acme.com>
          - {name: Kim Lee, title: CTO}
        ---
        """
    )
    people = note.rounds[0].interviewers
    assert [p.name for p in people] == ["Jane Doe", "Raj Patel", "Kim Lee"]  # named by the link
    assert people[0].link == "People/Jane Doe"
    assert people[1].email == "raj@acme.com"
    assert people[2].title == "CTO"


def test_person_notes_supply_email_title_phone() -> None:
    note = parse(
        "---\ntype: interview\ncompany: A\nrole: B\ndate: 2026-11-12\n"
        'interviewers: ["[[People/Jane Doe|Jane]]"]\n---\n'
    )
    person = parse_person_note("---\nEmail: jane@acme.com\ntitle: CTO\nphone: '+1 555'\n---\n")
    assert person is not None
    enriched = enrich_people(note, {"People/Jane Doe": person})
    (jane,) = enriched.rounds[0].interviewers
    assert (jane.name, jane.email, jane.title, jane.phone) == (
        "Jane Doe",
        "jane@acme.com",
        "CTO",
        "+1 555",
    )


@pytest.mark.parametrize(
    ("front", "detected"),
    [
        ("type: interview", True),
        ("type: Interview", True),
        ("type: [meeting, interview]", True),
        ("tags: [job, interview]", True),
        ("tags: interview/onsite", True),
        ("tags: '#interview'", True),
        ("tags: job, interview", True),
        ("tags: [interviewing]", False),
        ("type: meeting", False),
        ("type: interview\nvaultfollow: false", False),
    ],
)
def test_detection(front: str, detected: bool) -> None:
    text = f"---\n{front}\ncompany: A\nrole: B\ndate: 2026-11-12\n---\n"
    result = parse_note("Notes/x.md", text, SETTINGS)
    assert (result.note is not None) is detected


def test_detection_by_folder_case_insensitive() -> None:
    settings = berlin_settings('[notes]\nfolders = ["Interviews"]\n')
    text = "---\ncompany: A\nrole: B\ndate: 2026-11-12\n---\n"
    assert parse_note("interviews/2026/x.md", text, settings).note is not None
    assert parse_note("Other/x.md", text, settings).note is None


def test_unparsable_front_matter_reported_only_for_interview_notes() -> None:
    bad = "---\ntype: interview\ninterview_stage: Stage 1: recruiter screen\n---\n"
    result = parse_note("x.md", bad, SETTINGS)
    quoting = [p for p in result.problems if p.line == 3]
    assert len(quoting) == 1 and "quotes" in quoting[0].message
    quiet = parse_note("x.md", "---\ntitle: cache: yes\n---\n", SETTINGS)
    assert quiet.problems == [] and quiet.note is None


def test_front_matter_must_open_on_first_line() -> None:
    assert split_front_matter("\n---\na: 1\n---\n") is None
    crlf = split_front_matter("\ufeff---\r\na: 1\r\n---\r\nbody\r\n")
    assert crlf is not None and crlf.text == "a: 1\r\n" and crlf.body_line == 4


BODY = """
---
type: interview
company: Acme
role: Dev
date: 2026-11-12
---
# Acme interview
Intro paragraph with SECRET-INTRO.

## Discussed
- Their migration to **event sourcing** with [[Kafka]]
- The on-call rotation %% SECRET-COMMENT %%
  - nested detail
- [ ] a task-list item

A closing paragraph <!-- SECRET-HTML -->.

### Sub-heading inside discussed
- still shareable

## My impressions
- SECRET-PRIVATE: they seemed disorganised

<!--
SECRET-MULTILINE-HTML
-->

## Could answer better:
I under-sold my Rust experience.
%%
SECRET-MULTILINE-COMMENT
%%
## Salary
- SECRET-SALARY 100k
"""


def test_only_shareable_sections_reach_the_note() -> None:
    note = parse(BODY)
    assert note.discussed == (
        "Their migration to event sourcing with Kafka",
        "The on-call rotation",
        "nested detail",
        "a task-list item",
        "A closing paragraph.",
        "still shareable",
    )
    assert note.clarify == ("I under-sold my Rust experience.",)
    assert "SECRET" not in repr(note)


def test_custom_section_headings() -> None:
    text = BODY.replace("## My impressions", "## Talking points")
    note = parse(text, extra_config='[notes]\ndiscussed_headings = ["Talking points"]\n')
    assert note.discussed == ("SECRET-PRIVATE: they seemed disorganised",)


def test_inline_markup_in_a_point_reads_as_plain_text() -> None:
    # Escapes, reference links (defined elsewhere in the body), code and
    # emphasis all come out as the words a reader sees.
    note = parse(
        """
        ---
        type: interview
        company: Acme
        role: Dev
        date: 2026-11-10
        ---
        ## Discussed
        - Their \\*new\\* pipeline and the [design doc][doc]
        - Moving `make` builds to **Bazel**, with _care_

        [doc]: https://example.com/doc
        """
    )
    assert note.discussed == (
        "Their *new* pipeline and the design doc",
        "Moving make builds to Bazel, with care",
    )


# --- shareable sections: bodies as CommonMark reads them ----------------------


@pytest.mark.parametrize(
    ("body", "discussed"),
    [
        pytest.param(
            "## Discussed\n- kept\n```\n## Salary\nSECRET\n```\n- after the fence\n# Pay\n- SECRET",
            ("kept", "after the fence"),
            id="a heading in a code fence is code",
        ),
        pytest.param("## Discussed\n~~~\nSECRET\n~~~\n- kept", ("kept",), id="tilde fence"),
        pytest.param("## Discussed\nkept\n\n    SECRET code\n", ("kept",), id="indented code"),
        pytest.param("## Discussed\n<div>\nSECRET\n</div>\n\n- kept", ("kept",), id="HTML"),
        pytest.param(
            "## Discussed\r\n- one\r\n- two\r\n## Salary\r\n- SECRET\r\n",
            ("one", "two"),
            id="CR LF",
        ),
        pytest.param("## Discussed\r- one\r- two\r## Salary\r- SECRET", ("one", "two"), id="CR"),
        pytest.param(
            "Discussed\n---------\n- kept\n\nSalary\n======\n- SECRET", ("kept",), id="setext"
        ),
        pytest.param("## Discussed\nA line\n---\n- SECRET", (), id="a line over --- is a heading"),
        pytest.param(
            "## Discussed\n- top\n  - nested\n    - deeper\n1. first\n2) second",
            ("top", "nested", "deeper", "first", "second"),
            id="nested and ordered lists",
        ),
        pytest.param(
            "## Discussed\n- non\u00a0breaking\n-\u00a0not a bullet",
            ("non breaking - not a bullet",),
            id="NBSP",
        ),
        pytest.param("## Discussed\n-\ttabbed\n\tindented", ("tabbed indented",), id="tabs"),
        pytest.param("## Discussed\n> quoted\n- kept", ("quoted", "kept"), id="block quote"),
        pytest.param(
            "## Discussed\n- one\n***\n- two\n## Salary\n- SECRET", ("one", "two"), id="rule"
        ),
        pytest.param(
            "### Discussed ###\n- kept\n## C# ##\n- SECRET", ("kept",), id="closing hashes"
        ),
        pytest.param(
            "## Discussed\n#tag line\n##tag\n####### seven\n- kept",
            ("#tag line ##tag ####### seven", "kept"),
            id="tags are text",
        ),
        pytest.param(
            "## Discussed\n- a bullet\nits lazy line\n\ntext  \nwith a hard break",
            ("a bullet its lazy line", "text with a hard break"),
            id="lazy lines and breaks",
        ),
        pytest.param(
            "## Discussed\n### Detail\n- kept\n# Other\n- SECRET", ("kept",), id="sub-headings"
        ),
        pytest.param("## Discussed\n-\n- \n- kept", ("kept",), id="empty bullets"),
    ],
)
def test_sections_are_read_as_commonmark_reads_them(body: str, discussed: tuple[str, ...]) -> None:
    assert notes.shareable_sections(body, SETTINGS) == (discussed, ())
