"""Notes read where their owners write the facts (issue 16): status words,
Dataview inline fields, body tags, rounds as dated headings, applications
that never reached an interview, and dates that are not the interview day.
Every note here is written the way the vaults people publish write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import VaultFactory, at
from vaultfollow.app.engine import sync
from vaultfollow.core.body_fields import body_tags, inline_fields, readable_lines
from vaultfollow.core.config import parse_config_text
from vaultfollow.core.dashboard import application_counts
from vaultfollow.core.properties import ValueProblem, read_status
from vaultfollow.errors import ConfigError

NOW = at("2026-11-21 09:00")
BERLIN = '[schedule]\ntimezone = "Europe/Berlin"\n'


def messages(report: object, rel: str) -> list[str]:
    return [f"{p.line}|{p.message}" for p in report.problems if p.path == rel]  # type: ignore[attr-defined]


def drafts(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "Follow-ups").rglob("*.md") if p.name != "Follow-ups.md")


# --- status words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "meaning"),
    [
        ("Applied", "application"),
        ("not-applied", "application"),
        ("Screening", "waiting"),
        ("interview", "waiting"),
        ("Interviewing", "waiting"),
        ("Active", "waiting"),
        ("In Progress", "waiting"),
        ("in_progress", "waiting"),
        ("Ghosted", "waiting"),
        ("Declined", "withdrawn"),
        ("No-go", "withdrawn"),
        ("Offer", "offer"),
        ("Hired", "accepted"),
        ("#application/interviewing", "waiting"),
        ("heard back", "heard-back"),
    ],
)
def test_the_words_trackers_use_are_known(word: str, meaning: str) -> None:
    assert read_status(word) == meaning


def test_the_vault_s_own_words_come_first() -> None:
    settings = parse_config_text(
        BERLIN + '[notes.status]\nActive = "scheduled"\n"Pending review" = "waiting"\n',
        default_zone="UTC",
    )
    words = settings.notes.status
    assert read_status("ACTIVE", words) == "scheduled"
    assert read_status("pending review", words) == "waiting"


def test_an_unknown_word_says_the_line_to_add() -> None:
    with pytest.raises(ValueProblem) as raised:
        read_status("Pending review")
    assert '`"Pending review" = "waiting"` under `[notes.status]`' in str(raised.value)


def test_a_status_map_to_no_status_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config_text(BERLIN + '[notes.status]\nActive = "busy"\n', default_zone="UTC")
    assert "[notes] status" in str(raised.value) or "status" in str(raised.value)
    assert "'busy'" in str(raised.value)


def test_an_unknown_status_word_never_stops_the_note(make_vault: VaultFactory) -> None:
    note = """\
    ---
    type: interview
    company: Kestrel Bio
    role: Lab Automation Engineer
    date: 2026-11-20T14:00
    interviewers: Chiara Bianchi
    status: Pending review
    ---
    """
    root = make_vault({"Interviews/kestrel.md": note})
    report = sync(root, NOW)
    (said,) = messages(report, "Interviews/kestrel.md")
    assert said.startswith("7|`status` is `Pending review`; vaultfollow does not know this word")
    assert "2026-11-20 thank-you - Chiara Bianchi.md" in drafts(root)


# --- inline fields and body tags ---------------------------------------------

INLINE_NOTE = """\
---
tags: [job]
---
Employer:: Ribbon Health
**Position**:: Data Engineer
- Status:: #application/interviewing
Met on [Date:: 2026-11-20 15:00] with (Interviewers:: [[Sam Okafor]], [[Lena Fischer]]).

#interview

```
Company:: Not This One
#not-a-tag
```

## Discussed
- their move from nightly batches to streaming ingestion
"""


def test_inline_fields_are_read_as_dataview_reads_them() -> None:
    lines = readable_lines(INLINE_NOTE)
    found = {f.key: (f.value, f.line) for f in inline_fields(lines)}
    assert found == {
        "Employer": ("Ribbon Health", 4),
        "Position": ("Data Engineer", 5),
        "Status": ("#application/interviewing", 6),
        "Date": ("2026-11-20 15:00", 7),
        "Interviewers": ("[[Sam Okafor]], [[Lena Fischer]]", 7),
    }


def test_body_tags_are_counted_as_obsidian_counts_them() -> None:
    text = (
        "# Heading #prep\nSee [[Acme#Interview]] and https://acme.example/#interview\n"
        "#job/interview and #2026 and `#code`\n```\n#fenced\n```\n%% #hidden %%\n"
    )
    assert body_tags(readable_lines(text)) == ["prep", "job/interview"]


def test_a_note_of_inline_fields_and_a_body_tag_is_an_interview(
    make_vault: VaultFactory,
) -> None:
    root = make_vault({"Jobs/ribbon.md": INLINE_NOTE})
    report = sync(root, NOW)
    assert messages(report, "Jobs/ribbon.md") == []
    (note,) = report.plan.notes
    assert (note.company, note.role, note.status) == ("Ribbon Health", "Data Engineer", "waiting")
    assert note.rounds[0].start == at("2026-11-20 15:00")
    assert [p.name for p in note.rounds[0].interviewers] == ["Sam Okafor", "Lena Fischer"]
    assert "2026-11-20 thank-you - Lena Fischer.md" in drafts(root)


def test_the_front_matter_wins_over_an_inline_field(make_vault: VaultFactory) -> None:
    note = INLINE_NOTE.replace("tags: [job]", "tags: [job]\ncompany: Ribbon")
    report = sync(make_vault({"Jobs/ribbon.md": note}), NOW)
    assert report.plan.notes[0].company == "Ribbon"


def test_a_bad_inline_field_is_reported_at_its_own_line(make_vault: VaultFactory) -> None:
    note = INLINE_NOTE.replace("[Date:: 2026-11-20 15:00]", "[Date:: next Tuesday]")
    report = sync(make_vault({"Jobs/ribbon.md": note}), NOW)
    said = messages(report, "Jobs/ribbon.md")
    assert said and said[0].startswith("7|`Date` is `next Tuesday`; write 2026-11-12"), said
    assert not any("add `date:" in s for s in said)  # never what the field already says


def test_a_tag_only_in_code_makes_no_interview(make_vault: VaultFactory) -> None:
    note = "Employer:: Ribbon\n```\n#interview\n```\n"
    report = sync(make_vault({"Notes/snippet.md": note}), NOW)
    assert report.plan.notes == () and not report.problems


# --- notes that are not interviews, applications ---------------------------


def test_a_study_note_tagged_interview_is_not_an_interview(make_vault: VaultFactory) -> None:
    note = """\
    ---
    tags: [interview]
    ---
    # STAR method
    - Situation, task, action, result
    """
    root = make_vault({"Prep/star method.md": note})
    report = sync(root, NOW)
    assert report.plan.notes == () and not report.problems


APPLIED = """\
---
tags: [job-applications]
company: {company}
role: Backend Engineer
status: applied
date_applied: 2026-10-{day:02d}
---
Sent the CV through the careers page.
"""


def test_applications_are_counted_never_problems(make_vault: VaultFactory) -> None:
    files = {
        f"Job Search/Applications/{name}.md": APPLIED.format(company=name, day=day)
        for day, name in enumerate(["Tallow", "Quire", "Brindle"], start=1)
    }
    files["Job Search/Applications/Orbitra.md"] = """\
    ---
    company: Orbitra
    role: Flight Software Engineer
    status: interview
    date_applied: 2026-09-29
    ---
    ### Stage 1 — Recruiter screen (2026-11-20 14:00)
    Interviewers: [[Priya Shah]]
    - the move to Rust for the flight computer
    """
    config = BERLIN + '[notes]\nfolders = ["Job Search/Applications"]\n'
    root = make_vault(files, config=config)
    report = sync(root, NOW)
    assert not report.problems, [str(p) for p in report.problems]
    assert application_counts(report.plan.notes) == (4, 1)
    dashboard = (root / "Follow-ups/Follow-ups.md").read_text(encoding="utf-8")
    assert "4 applications, 1 with an interview." in dashboard
    assert [n for n in drafts(root) if "thank-you" in n] == ["2026-11-20 thank-you - Priya Shah.md"]


def test_an_application_note_and_its_interview_notes_are_one_application() -> None:
    settings = parse_config_text(BERLIN, default_zone="UTC")
    del settings  # the count needs only the notes
    from vaultfollow.core.model import InterviewNote, Round

    start = at("2026-11-20 14:00")
    app = InterviewNote(path="Apps/Orbitra.md", company="Orbitra", role="FSE", rounds=())
    call = InterviewNote(
        path="Logs/call.md",
        company="Orbitra",
        role="FSE",
        rounds=(Round(start, start, ()),),
        application_link="Apps/Orbitra",
    )
    assert application_counts([app, call]) == (1, 1)


def test_a_date_on_the_applied_day_is_not_the_interview_day(make_vault: VaultFactory) -> None:
    note = """\
    ---
    type: interview
    company: Northstar Analytics
    role: Graduate Data Analyst
    date: 2026-11-02
    date_applied: 2026-11-02
    interviewers: Oluwaseun Adeyemi
    ---
    """
    root = make_vault({"Interviews/northstar.md": note})
    report = sync(root, NOW)
    (said,) = messages(report, "Interviews/northstar.md")
    assert said.startswith("5|`date` 2026-11-02 is also the note's `date_applied`")
    assert "interview_date:" in said
    assert drafts(root) == []


def test_an_explicit_interview_date_beside_the_applied_day_is_taken(
    make_vault: VaultFactory,
) -> None:
    note = """\
    ---
    type: interview
    company: Northstar Analytics
    role: Graduate Data Analyst
    interview_date: 2026-11-19T10:00
    date_applied: 2026-11-19
    interviewers: Oluwaseun Adeyemi
    ---
    """
    root = make_vault({"Interviews/northstar.md": note})
    assert not sync(root, NOW).problems
    assert "2026-11-19 thank-you - Oluwaseun Adeyemi.md" in drafts(root)


def test_a_recruiter_who_was_not_in_the_room_gets_no_thank_you(
    make_vault: VaultFactory,
) -> None:
    note = """\
    ---
    type: interview
    company: Meridian
    role: Product Designer
    date: 2026-11-20T11:00
    recruiter: "[[Priya Shah - Meridian Talent]]"
    ---
    """
    root = make_vault({"Interviews/meridian.md": note})
    report = sync(root, NOW)
    assert any("who did you meet?" in m for m in messages(report, "Interviews/meridian.md"))
    assert not [name for name in drafts(root) if "thank-you" in name]


# --- rounds as dated headings ------------------------------------------------

APPLICATION = """\
---
tags: [job-applications]
company: Orbitra Space Systems
role: Flight Software Engineer
status: interview
date_applied: 2026-09-29
recruiter: "[[Alex Morgan]]"
---
## Interview Notes

### Stage 1 — Recruiter screen (2026-11-18 14:00)
Interviewers: [[Priya Shah]]
- the move to Rust for the flight computer

### Stage 2 — Technical panel (2026-11-19, 10:00–11:30)
With: [[Nguyễn Thị Lan]], Tomasz Wójcik
**Went well:**
- Kalman filter tuning on the star tracker
**Improve:**
- I should have said the DO-178C audit cut review time by 30%
**Salary:** private, never shared

### Stage 3 — Onsite (2026-11-20)
- met the whole team

## Follow-Up Log
| date | what |
| --- | --- |
| 2026-11-14 | sent thank-you |
"""


def test_rounds_written_as_dated_headings(make_vault: VaultFactory) -> None:
    config = BERLIN + '[notes]\nfolders = ["Applications"]\n'
    root = make_vault({"Applications/orbitra.md": APPLICATION}, config=config)
    report = sync(root, NOW)
    (note,) = report.plan.notes
    starts = [r.start for r in note.rounds]
    assert starts == [at("2026-11-18 14:00"), at("2026-11-19 10:00"), at("2026-11-20 09:00")]
    assert note.rounds[1].end == at("2026-11-19 11:30")
    assert [p.name for p in note.rounds[1].interviewers] == ["Nguyễn Thị Lan", "Tomasz Wójcik"]
    assert note.rounds[1].discussed == ("Kalman filter tuning on the star tracker",)
    assert "30%" in note.rounds[1].clarify[0]
    assert not any("private" in p for r in note.rounds for p in (*r.discussed, *r.clarify))
    # The third round names no one: reported at its heading, never drafted to the recruiter.
    (said,) = messages(report, "Applications/orbitra.md")
    assert said.startswith("23|`Stage 3 — Onsite (2026-11-20)` names no one you met")
    assert "who did you meet?" in said
    thanks = [name for name in drafts(root) if "thank-you" in name]
    assert thanks == [
        "2026-11-18 thank-you - Priya Shah.md",
        "2026-11-19 thank-you - Nguyễn Thị Lan.md",
        "2026-11-19 thank-you - Tomasz Wójcik.md",
    ]
    stage_two = root / "Follow-ups/Orbitra Space Systems/2026-11-19 thank-you - Tomasz Wójcik.md"
    assert "Kalman filter" in stage_two.read_text(encoding="utf-8")
    assert "Rust" not in stage_two.read_text(encoding="utf-8")  # stage 1's point stays there


# --- the starter template ----------------------------------------------------

TEMPLATE = (Path(__file__).parent.parent / "vault-template/Templates/Interview.md").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize(
    ("settings_file", "setting"),
    [
        (".obsidian/templates.json", '{"folder": "Note templates"}'),
        (
            ".obsidian/plugins/templater-obsidian/data.json",
            '{"templates_folder": "Note templates"}',
        ),
    ],
)
def test_the_starter_template_is_never_read_as_a_note(
    make_vault: VaultFactory, settings_file: str, setting: str
) -> None:
    """In the folder core Templates or Templater names, the starter template
    (with its `{{date}}` placeholders and empty properties) is no note."""
    root = make_vault({"Note templates/Interview.md": TEMPLATE, settings_file: setting})
    report = sync(root, NOW)
    assert report.plan.notes == () and not report.problems


def test_a_note_made_from_the_starter_template_is_read(make_vault: VaultFactory) -> None:
    """As core Templates fills it in (Templater leaves these placeholders
    alone, and they are plain text to it), then the user adds the facts."""
    made = (
        TEMPLATE.replace("{{date:YYYY-MM-DD}}", "2026-11-20")
        .replace("{{time:HH:mm}}", "14:00")
        .replace("{{title}}", "Acme - Platform Engineer")
        .replace("company:\n", "company: Acme\n")
        .replace("role:\n", "role: Platform Engineer\n")
        .replace("interviewers: []", "interviewers: [Ana Ruiz]")
    )
    root = make_vault({"Interviews/Acme.md": made})
    report = sync(root, NOW)
    assert not report.problems, [str(p) for p in report.problems]
    assert "2026-11-20 thank-you - Ana Ruiz.md" in drafts(root)


def test_a_role_written_as_a_link_is_the_position_note_s_role(make_vault: VaultFactory) -> None:
    note = """\
    ---
    type: interview
    company: Ribbon Health
    role: "[[Positions/Data Engineer Ribbon]]"
    date: 2026-11-20T14:00
    interviewers: Sam Okafor
    ---
    """
    position = """\
    ---
    Job-Title: Senior Data Engineer
    Company: "[[Ribbon Health]]"
    recruiter: Nadia Rahman <nadia@ribbon.example>
    ---
    """
    config = BERLIN + '[notes.properties]\nrole = "Job-Title"\n'
    root = make_vault(
        {"Interviews/ribbon.md": note, "Positions/Data Engineer Ribbon.md": position},
        config=config,
    )
    report = sync(root, NOW)
    assert not report.problems, [str(p) for p in report.problems]
    (interview,) = [n for n in report.plan.notes if n.path == "Interviews/ribbon.md"]
    assert interview.role == "Senior Data Engineer"
    assert interview.contact is not None and interview.contact.name == "Nadia Rahman"


def test_a_log_without_company_takes_it_from_the_linked_person(make_vault: VaultFactory) -> None:
    log = """\
    ---
    Comm_DateTime: 2026-11-20T15:00
    Contacts: ["[[Ingrid Solberg]]"]
    Job-Title: Analytics Engineer
    ---
    """
    person = "---\nName: Ingrid Solberg\nEmail: ingrid@fjordline.example\nCompany: Fjordline\n---\n"
    config = (
        BERLIN
        + '[notes]\nfolders = ["Logs"]\n[notes.properties]\ndate = "Comm_DateTime"\n'
        + 'interviewers = "Contacts"\nrole = "Job-Title"\n'
    )
    root = make_vault({"Logs/call.md": log, "People/Ingrid Solberg.md": person}, config=config)
    report = sync(root, NOW)
    assert not report.problems, [str(p) for p in report.problems]
    (interview,) = report.plan.notes
    assert (interview.company, interview.role) == ("Fjordline", "Analytics Engineer")
    assert interview.rounds[0].interviewers[0].email == "ingrid@fjordline.example"
