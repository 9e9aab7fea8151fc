"""`vaultfollow init` on a vault that already has notes (issue 16, point
11): no example notes, nobody signs as "Alex Example", and the `[notes]`
settings the vault's own notes show, each with what it was based on.

Each vault below is written in the conventions of a kind of job-search
vault people publish: one note per application with dated stage headings,
position notes with communication logs, Dataview inline fields, a status
tracker, daily notes."""

from __future__ import annotations

import hashlib
import os
import pty
import select
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from vaultfollow.app.adopt import infer_settings
from vaultfollow.cli import main
from vaultfollow.core.config import parse_config_text
from vaultfollow.core.properties import ALIASES, TRACKER_WORDS, normalise_key, status_word

# --- layout 1: one note per application, stages as dated headings ---------

ORBITRA = """\
---
tags:
  - job-applications
company: Orbitra Space Systems
role: Flight Software Engineer
source: LinkedIn
via_recruiter: true
date_found: 2026-09-19
date_applied: 2026-09-19
status: interview
interview_stage: Stage 1: recruiter screen
recruiter: "[[Alex Morgan - Signal Path Recruitment]]"
cv_version: embedded
location: Glasgow (hybrid)
salary: £47,000
---
# Orbitra Space Systems — Flight Software Engineer

## Interview Notes
### Stage 1 — Recruiter screen (2026-09-22)
- asked about the cubesat flight software, FreeRTOS
- they want someone who has done HIL testing

## Follow-Up Log
| Date | Action |
| --- | --- |
| 2026-09-23 | thank-you email to Alex |
"""

BRIGHTWAVE = """\
---
tags:
  - job-applications
company: Brightwave Energy
role: Embedded Engineer
date_applied: 2026-09-02
status: offer
interview_stage: Final: offer received
recruiter: "[[Alex Morgan - Signal Path Recruitment]]"
---
## Interview Notes
### Stage 1 — Recruiter screen (2026-09-10)
- relocation is fine, hybrid 3 days
### Stage 2 — Technical interview (2026-09-17)
- inverter firmware, CAN bus
"""

NORDLYS = """\
---
tags: [job-applications]
company: Nordlys Energi
role: Firmware Developer
date_applied: 2026-08-28
status: rejected
---
### Stage 1 – Phone screen (2026-09-05)
- Ørjan asked mostly about Rust
"""

TESSELLATE = """\
---
tags: [job-applications]
company: Tessellate
role: Robotics Software Engineer
date_applied: 2026-09-12
status: Interview
---
### Final round — panel (2026-10-01)
- met the whole perception team
"""

KELPIE = """\
---
tags: [job-applications]
company: Kelpie Data
role: Data Engineer
date_applied: 2026-09-25
status: applied
---
Applied through their careers page.
"""

MARLOW = """\
---
tags: [job-applications]
company: Marlow & Finch
role: Software Engineer (Python)
date_found: 2026-09-27
status: not-applied
---
Looks good, ask Sam first.
"""

APPLICATIONS_VAULT = {
    "Job Search/Applications/2026-W38/190926-Orbitra-Flight Software Engineer.md": ORBITRA,
    "Job Search/Applications/2026-W36/020926-Brightwave-Embedded Engineer.md": BRIGHTWAVE,
    "Job Search/Applications/2026-W35/280826-Nordlys-Firmware Developer.md": NORDLYS,
    "Job Search/Applications/2026-W37/120926-Tessellate-Robotics.md": TESSELLATE,
    "Job Search/Applications/2026-W39/250926-Kelpie-Data Engineer.md": KELPIE,
    "Job Search/Applications/2026-W39/270926-Marlow & Finch.md": MARLOW,
    "Job Search/Job Search Dashboard.md": (
        "# Applications\n\n```dataview\nTABLE company, role, status\n"
        'FROM #job-applications\nWHERE status = "interview"\n```\n'
    ),
    "Job Search/People/Alex Morgan - Signal Path Recruitment.md": (
        "---\nname: Alex Morgan\nemail: alex.morgan@signalpath.example\n"
        "company: Signal Path Recruitment\nrole: Senior Recruiter\n---\n"
    ),
    "Templates/Job Application.md": (
        "---\ntags:\n  - job-applications\ncompany:\nrole:\ndate_applied:\n"
        "status: not-applied  # not-applied | applied | interview | offer | rejected\n---\n"
    ),
    "Daily/2026-09-22.md": (
        "---\ndate: 2026-09-22\ntags: [daily]\n---\n"
        "- 14:00 recruiter screen with [[Orbitra Space Systems]], Alex Morgan: went fine\n"
        "- groceries, call mum\n"
    ),
    "Daily/2026-10-01.md": (
        "---\ndate: 2026-10-01\ntags: [daily]\n---\n- panel interview at Tessellate, tired\n"
    ),
}

# --- layout 2: positions and communication logs (js-mickey) -----------------


def position(title: str, company: str, stage: str, applied: str) -> str:
    return (
        f'---\nJob-Title: {title}\nCompany: "[[{company}]]"\nSalary-Range: 100\n'
        f"App-Stage: {stage}\nApplied-Date: {applied}\nFollow-Up-Reminder-Date:\n"
        "Applied: true\nContacts:\n---\n## Job Description\n- SQL, dbt, Looker\n"
    )


def log(topic: str, person: str, method: str, kind: str, when: str) -> str:
    return (
        f'---\nTopic: {topic}\nContacts: ["[[{person}]]"]\nContact-Method: {method}\n'
        f"Comm-Type: {kind}\nComm_DateTime: {when}\n---\n## Notes\n- {topic}\n"
    )


LOGS_VAULT = {
    ".obsidian/templates.json": '{"folder": "90 Templates"}',
    "00 Home/Home.md": "# Job hunt\n\n![[Positions.base]]\n",
    "30 Records/10 Positions/data analyst northwind traders.md": position(
        "Data Analyst", "Northwind Traders", "Interviewing", "2025-12-06"
    ),
    "30 Records/10 Positions/analytics engineer fabrikam.md": position(
        "Analytics Engineer", "Fabrikam", "Applied", "2025-12-09"
    ),
    "30 Records/10 Positions/bi developer contoso.md": position(
        "BI Developer", "Contoso", "Applied", "2025-12-10"
    ),
    "30 Records/10 Positions/data engineer tailspin.md": position(
        "Data Engineer", "Tailspin Toys", "Rejected", "2025-11-20"
    ),
    "30 Records/20 Companies/Northwind Traders.md": "---\nIndustry: Retail\n---\n",
    "30 Records/20 Companies/Fabrikam.md": "---\nIndustry: Manufacturing\n---\n",
    "30 Records/30 People/Ingrid Solberg.md": (
        '---\nCompany: "[[Northwind Traders]]"\nRole: Hiring Manager\n'
        "Email: ingrid.solberg@northwind.example\n---\n"
    ),
    "30 Records/30 People/Kwame Mensah.md": (
        '---\nCompany: "[[Fabrikam]]"\nRole: Recruiter\nEmail: kwame@fabrikam.example\n---\n'
    ),
    "40 Logs/2025-12-08 Phone_Call Received Ingrid Solberg.md": log(
        "First call about the analyst role",
        "Ingrid Solberg",
        "Phone_Call",
        "Received",
        "2025-12-08",
    ),
    "40 Logs/2025-12-12 Video_Call Sent Ingrid Solberg.md": log(
        "Technical interview, SQL exercise",
        "Ingrid Solberg",
        "Video_Call",
        "Sent",
        "2025-12-12 14:30",
    ),
    "40 Logs/2025-12-11 Email Received Kwame Mensah.md": log(
        "Kwame asks for a screening call", "Kwame Mensah", "Email", "Received", "2025-12-11"
    ),
    "90 Templates/Position.md": position("", "", "Applied", ""),
}

# --- layout 3: Dataview inline fields ---------------------------------------

INLINE_VAULT = {
    "Jobs/Ribbon - Data Engineer.md": """\
        ---
        tags: [job]
        ---
        # Ribbon
        Employer:: Ribbon
        [Role:: Data Engineer] · [Status:: Active]
        Interview Date:: 2026-10-02
        Interviewed With:: [[Priya Shah]], [[Jonas Weber]]

        ## Notes
        - they are moving off Airflow
        """,
    "Jobs/Quillfeather - Platform Engineer.md": """\
        ---
        tags: [job]
        ---
        Employer:: Quillfeather
        Role:: Platform Engineer
        Status:: Applied
        """,
    "Jobs/Halvard - SRE.md": """\
        Employer:: Halvard & Søn
        (Role:: Site Reliability Engineer)
        Status:: Active
        Interview Date:: 2026-09-29
        Interviewed With:: [[Mette Halvorsen]]
        """,
    "Jobs/Interview prep.md": "# Questions to ask\n- team size?\n- on-call?\n",
    "Reading/Designing Data-Intensive Applications.md": (
        "---\nauthor: Martin Kleppmann\nstatus: reading\n---\n"
    ),
}

# --- layout 4: a `Status: Active` / `Last Round` tracker --------------------


def tracker(company: str, role: str, status: str, last_round: str | None, contact: str) -> str:
    last = f"Last Round: {last_round}\n" if last_round else ""
    return (
        f"---\nCompany: {company}\nPosition: {role}\nStatus: {status}\n{last}"
        f"Next Step: wait for feedback\nContact: {contact}\n---\n"
    )


TRACKER_VAULT = {
    "Career/Pipeline/Halden Bio.md": tracker(
        "Halden Bio", "ML Engineer", "Active", "2026-10-14", "Ana Souza"
    ),
    "Career/Pipeline/Verdant.md": tracker(
        "Verdant", "Data Scientist", "Active", "2026-10-09", "Lukas Brandt"
    ),
    "Career/Pipeline/Oakmoor.md": tracker(
        "Oakmoor", "ML Platform Engineer", "Offer", "2026-10-01", "Chidi Okeke"
    ),
    "Career/Pipeline/Sundial.md": tracker(
        "Sundial", "Research Engineer", "Ghosted", "2026-09-18", "Mei Tanaka"
    ),
    "Career/Pipeline/Farrow Labs.md": tracker(
        "Farrow Labs", "Applied Scientist", "Closed", None, "Rosa Díaz"
    ),
    "Career/Pipeline/Pipeline.md": '# Pipeline\n\n```dataview\nTABLE Status, "Last Round"\n```\n',
    "Career/Résumé.md": "# Résumé\n\n- 2021-2026: Kestrel, ML engineer\n",
    "Career/Salary research.md": "Levels.fyi says 85-95k in Berlin.\n",
}

# --- layout 5: daily notes that mention interviews --------------------------

DAILY_VAULT = {
    "Daily/2026-10-01.md": (
        "---\ndate: 2026-10-01\ntags: [daily]\nmood: 7\n---\n"
        "- 10:00 interview with Ribbon (Priya Shah, Jonas Weber), went well\n"
        "- [[Garden]]: tomatoes\n"
    ),
    "Daily/2026-10-02.md": (
        "---\ndate: 2026-10-02\ntags: [daily]\n---\n- second round at Ribbon on Friday\n"
    ),
    "Daily/2026-10-03.md": "---\ndate: 2026-10-03\ntags: [daily]\n---\n- rest day\n",
    "Projects/Garden.md": "---\nstatus: active\nstarted: 2026-04-01\n---\n# Garden\n",
    "Meetings/2026-10-05 Sprint planning.md": (
        '---\ndate: 2026-10-05\nattendees: ["[[Dana]]", "[[Wei]]"]\n---\n- scope\n'
    ),
    "Meetings/2026-10-12 Sprint planning.md": (
        '---\ndate: 2026-10-12\nattendees: ["[[Dana]]", "[[Wei]]"]\n---\n- scope\n'
    ),
}


# --- helpers ----------------------------------------------------------------


def write_vault(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def init(root: Path, *args: str) -> Result:
    """The real `vaultfollow init`; CliRunner's stdin is not a terminal."""
    return CliRunner().invoke(
        main, ["init", str(root), "--timezone", "Europe/Berlin", *args], catch_exceptions=False
    )


def adopt(tmp_path: Path, files: dict[str, str], *args: str) -> tuple[Path, Result, dict[str, Any]]:
    """Write the vault, run init on it, and hold the trust rules: every file
    that was there is unchanged, the only new file is vaultfollow.toml, and
    no file says "Alex Example"."""
    root = write_vault(tmp_path / "vault", files)
    before = digests(root)
    result = init(root, *args)
    assert result.exit_code == 0, result.output
    after = digests(root)
    assert {rel: after[rel] for rel in before} == before
    assert set(after) - set(before) == {"vaultfollow.toml"}
    for path in root.rglob("*"):
        if path.is_file():
            assert "Alex Example" not in path.read_text(encoding="utf-8", errors="replace")
    config = (root / "vaultfollow.toml").read_text(encoding="utf-8")
    parsed = tomllib.loads(config)
    # vaultfollow's own loader takes every line init wrote.
    settings = parse_config_text(config, default_zone="UTC")
    notes = parsed["notes"]
    assert settings.notes.folders == tuple(notes.get("folders", ()))
    assert dict(settings.notes.properties) == {
        fact: (names,) if isinstance(names, str) else tuple(names)
        for fact, names in notes.get("properties", {}).items()
    }
    assert dict(settings.notes.status) == {
        status_word(word): meaning for word, meaning in notes.get("status", {}).items()
    }
    return root, result, parsed


def check(root: Path) -> Result:
    return CliRunner().invoke(main, ["check", str(root), "--now", "2026-10-20T09:00"])


def one_line(text: str) -> str:
    return " ".join(text.split())


# --- the layouts ------------------------------------------------------------


def test_one_note_per_application_with_dated_stages(tmp_path: Path) -> None:
    root, result, config = adopt(tmp_path, APPLICATIONS_VAULT)
    notes = config["notes"]
    assert notes["folders"] == ["Job Search/Applications"]
    assert "tag" not in notes  # the folder says it already
    assert "properties" not in notes  # company, role, status, recruiter: built-in names
    assert notes["status"] == {
        "interview": "waiting",
        "applied": "application",
        "not-applied": "application",
    }
    assert config["you"] == {"name": "", "email": ""}
    text = (root / "vaultfollow.toml").read_text(encoding="utf-8")
    assert "# 6 of 6 notes in Job Search/Applications are applications" in text
    assert '"interview" = "waiting"  # `status: interview` in 2 notes' in text
    said = one_line(result.stdout)
    assert "Found 6 application notes in Job Search/Applications, 4 with interview rounds" in said
    assert "`status: interview` -> waiting" in said


def test_positions_and_communication_logs(tmp_path: Path) -> None:
    root, result, config = adopt(tmp_path, LOGS_VAULT)
    notes = config["notes"]
    assert notes["folders"] == ["30 Records/10 Positions", "40 Logs"]
    assert notes["properties"] == {
        "date": "Comm_DateTime",
        "interviewers": "Contacts",
        "status": "App-Stage",
    }
    assert notes["status"] == {"Applied": "application", "Interviewing": "waiting"}
    text = (root / "vaultfollow.toml").read_text(encoding="utf-8")
    assert "# 3 of 3 notes in 40 Logs have `Comm_DateTime` (dates)" in text
    assert "# 4 of 4 notes in 30 Records/10 Positions have `App-Stage`" in text
    said = one_line(result.stdout)
    assert (
        "Found 4 application notes in 30 Records/10 Positions and 3 notes with a date and "
        "people in 40 Logs" in said
    )
    assert "notes with `Comm_DateTime` read as interviews" in said
    assert "`App-Stage: Interviewing` -> waiting" in said


def test_inline_fields(tmp_path: Path) -> None:
    _, result, config = adopt(tmp_path, INLINE_VAULT)
    notes = config["notes"]
    assert notes["folders"] == ["Jobs"]
    # Employer, Role, Status and Interview Date are names vaultfollow knows.
    assert notes["properties"] == {"interviewers": "Interviewed With"}
    assert notes["status"] == {"Active": "waiting", "Applied": "application"}
    assert "Found 3 application notes in Jobs" in one_line(result.stdout)


def test_a_status_tracker(tmp_path: Path) -> None:
    root, result, config = adopt(tmp_path, TRACKER_VAULT)
    notes = config["notes"]
    assert notes["folders"] == ["Career/Pipeline"]
    assert notes["properties"] == {"date": "Last Round"}
    # The words vaultfollow knows, with the meaning it gives them, to change.
    assert notes["status"] == {"Active": "waiting", "Ghosted": "waiting"}
    text = (root / "vaultfollow.toml").read_text(encoding="utf-8")
    assert "# 4 of 5 notes in Career/Pipeline have `Last Round` (dates)" in text
    # `Closed`: rejected, or filled by someone else? Not guessed at: a line to uncomment.
    assert '# "Closed" = "rejected"  # `Status: Closed` in 1 note' in text
    said = one_line(result.stdout)
    assert "Found 5 application notes in Career/Pipeline" in said
    assert "`Closed`" in said and "[notes.status]" in said


def test_daily_notes_and_meetings_are_not_adopted(tmp_path: Path) -> None:
    root, result, config = adopt(tmp_path, DAILY_VAULT)
    notes = config["notes"]
    assert "folders" not in notes and "tag" not in notes
    assert "properties" not in notes and "status" not in notes
    assert "Found no application or interview notes" in one_line(result.stdout)
    assert not (root / "Interviews").exists() and not (root / "People").exists()


def test_the_settings_init_writes_find_the_interviews(tmp_path: Path) -> None:
    """Without a config the inline-field notes are nobody's interviews; with
    the one init writes they get their thank-you notes, signed by the user."""
    plain = write_vault(tmp_path / "plain", INLINE_VAULT)
    (plain / "vaultfollow.toml").write_text('[schedule]\ntimezone = "Europe/Berlin"\n')
    sync = ["sync", "--now", "2026-10-02T18:00"]
    assert CliRunner().invoke(main, [*sync, str(plain)]).exit_code == 0
    assert not (plain / "Follow-ups" / "Ribbon").exists()
    root, _, _ = adopt(tmp_path, INLINE_VAULT, "--name", "Zoë Brandt", "--email", "zoe@b.example")
    result = CliRunner().invoke(main, [*sync, str(root)])
    assert result.exit_code == 0, result.output
    drafts = sorted((root / "Follow-ups" / "Ribbon").glob("*thank-you*.md"))
    assert [d.name for d in drafts] == [
        "2026-10-02 thank-you - Jonas Weber.md",
        "2026-10-02 thank-you - Priya Shah.md",
    ]
    for draft in drafts:
        body = draft.read_text(encoding="utf-8")
        assert "Zoë Brandt" in body and "Alex Example" not in body


def test_a_folder_of_people_beside_the_applications_is_not_adopted() -> None:
    """Job Search/ holds applications, call logs and a person note: the two
    folders of job notes are adopted, not Job Search/ with its People/
    (although 5 of its 6 notes are job notes)."""
    notes = {
        "Job Search/Applications/Ribbon.md": spread("Ribbon Health", "Data Engineer", "applied"),
        "Job Search/Applications/Quill.md": spread("Quill", "Platform Engineer", "screening"),
        "Job Search/Applications/Osprey.md": spread("Osprey", "SRE", "interviewing"),
        "Job Search/Calls/2026-10-02 Ribbon.md": (
            '---\nCall Date: 2026-10-02\nPeople: ["[[Priya Shah]]"]\n---\nRe [[Ribbon]]\n'
        ),
        "Job Search/Calls/2026-10-06 Osprey.md": (
            '---\nCall Date: 2026-10-06\nPeople: ["[[Kai Lund]]"]\n---\nRe [[Osprey]]\n'
        ),
        "Job Search/People/Priya Shah.md": "---\ncompany: Ribbon Health\nemail: p@r.example\n---\n",
    }
    adoption = infer_settings(sorted(notes.items()))
    assert adoption.folders == ("Job Search/Applications", "Job Search/Calls")
    assert {m.fact: m.names for m in adoption.properties} == {
        "date": ("Call Date",),
        "interviewers": ("People",),
    }


def test_inference_reads_text_only() -> None:
    """The inference is a function of (path, text): no disk."""
    adoption = infer_settings(sorted(APPLICATIONS_VAULT.items()), skip=("Templates",))
    assert adoption.folders == ("Job Search/Applications",)
    assert adoption.applications == 6 and adoption.with_rounds == 4


def spread(company: str, role: str, status: str) -> str:
    return (
        f"---\ntags: [job-applications, {company.split()[0].lower()}]\ncompany: {company}\n"
        f"role: {role}\nstatus: {status}\n---\n"
    )


# Applications kept beside each company's research: no folder is mostly
# applications, but one tag is on every one of them.
SPREAD_VAULT = {
    "Companies/Acme Robotics/Application.md": spread(
        "Acme Robotics", "Controls Engineer", "applied"
    ),
    "Companies/Acme Robotics/Research.md": "# Acme\n- 400 people, Lyon\n",
    "Companies/Acme Robotics/Culture.md": "# Glassdoor\n- 3.9\n",
    "Companies/Brindle/Application.md": spread("Brindle", "Backend Engineer", "interviewing"),
    "Companies/Brindle/Research.md": "# Brindle\n",
    "Companies/Brindle/Products.md": "# Products\n",
    "Companies/Czerny & Co/Application.md": spread("Czerny & Co", "Data Engineer", "offer"),
    "Companies/Czerny & Co/Research.md": "# Czerny\n",
    "Companies/Czerny & Co/People.md": "# Who is who\n",
    "Companies/Czerny & Co/Notes.md": "# Notes\n",
}


def test_applications_spread_over_folders_are_found_by_their_tag(tmp_path: Path) -> None:
    root, result, config = adopt(tmp_path, SPREAD_VAULT)
    notes = config["notes"]
    assert notes["tag"] == "job-applications" and "folders" not in notes
    assert notes["status"] == {"applied": "application", "interviewing": "waiting"}
    text = (root / "vaultfollow.toml").read_text(encoding="utf-8")
    assert "3 of 3 application and interview notes are tagged #job-applications" in text
    assert "Found 3 application notes in notes tagged #job-applications" in one_line(result.stdout)


def test_a_tag_is_not_proposed_over_notes_tagged_interview(tmp_path: Path) -> None:
    """`tag` replaces the default #interview: never while notes use it."""
    files = {**SPREAD_VAULT, "Prep/STAR answers.md": "---\ntags: [interview]\n---\n- conflict\n"}
    _, result, config = adopt(tmp_path, files)
    assert "tag" not in config["notes"]
    said = one_line(result.stdout)
    assert "Most applications are tagged #job-applications" in said
    assert 'write tag = "job-applications" under [notes]' in said


# --- the layout vaults of tests/layouts, and their owners' own configs ------

LAYOUTS = Path(__file__).parent / "layouts"
# Facts a layout's owner maps that init does not look for.
NOT_INFERRED = {"application", "status_date"}


@pytest.mark.parametrize(
    "layout", sorted(p.name for p in LAYOUTS.iterdir() if (p / "vault").is_dir())
)
def test_init_proposes_what_the_owner_of_each_layout_writes(tmp_path: Path, layout: str) -> None:
    """tests/layouts/<layout>/vaultfollow.toml is the config each vault's
    owner writes by hand. init must find the same folders, never map a fact
    to another property than the owner does, nor give a status word another
    meaning (unless the owner chose one that differs from vaultfollow's)."""
    files = {
        p.relative_to(LAYOUTS / layout / "vault").as_posix(): p.read_text(encoding="utf-8")
        for p in (LAYOUTS / layout / "vault").rglob("*")
        if p.is_file()
    }
    _, result, config = adopt(tmp_path, files)
    found = config["notes"]
    owner = tomllib.loads((LAYOUTS / layout / "vaultfollow.toml").read_text(encoding="utf-8"))
    wanted = owner["notes"]
    if layout == "daily-notes":  # its one interview says `type: interview`: read as it is
        assert "folders" not in found
        assert "read already by `type: interview` or #interview" in one_line(result.stdout)
    else:
        assert found["folders"] == wanted["folders"]
    for fact, names in found.get("properties", {}).items():
        assert wanted["properties"][fact] == names, fact
    for fact, names in wanted.get("properties", {}).items():
        if fact not in found.get("properties", {}):
            built_in = normalise_key(names) == fact or ALIASES.get(normalise_key(names)) == fact
            assert built_in or fact in NOT_INFERRED, f"{fact} = {names!r} not found"
    owners = {status_word(w): m for w, m in wanted.get("status", {}).items()}
    for word, meaning in found.get("status", {}).items():
        chosen = owners.get(status_word(word), meaning)
        assert chosen == meaning or chosen != TRACKER_WORDS.get(status_word(word)), word


# --- what init writes and says ----------------------------------------------


def test_check_and_the_dashboard_ask_who_signs_the_drafts(tmp_path: Path) -> None:
    root, _, _ = adopt(tmp_path, DAILY_VAULT)
    checked = check(root)
    assert "No problems found" not in checked.output
    said = one_line(checked.output)
    assert "who signs the drafts?" in said
    assert 'name = "Your Name"' in said and "vaultfollow.toml" in said
    assert checked.exit_code == 1  # check fails until the drafts can be signed
    lines = (root / "vaultfollow.toml").read_text(encoding="utf-8").splitlines()
    line = lines.index('name = ""') + 1
    assert f"vaultfollow.toml:{line}: who signs the drafts?" in checked.output
    synced = CliRunner().invoke(main, ["sync", str(root), "--now", "2026-10-20T09:00"])
    assert synced.exit_code == 0, synced.output  # sync's exit code is about notes
    dashboard = (root / "Follow-ups" / "Follow-ups.md").read_text(encoding="utf-8")
    assert "Who signs the drafts?" in dashboard
    assert 'name = "Your Name"' in dashboard and 'email = "you@example.com"' in dashboard


def test_name_and_email_from_options_sign_the_drafts(tmp_path: Path) -> None:
    name = 'Siobhán "Shiv" Ó Briain'
    root, _, config = adopt(
        tmp_path, APPLICATIONS_VAULT, "--name", name, "--email", "shiv@obriain.example"
    )
    assert config["you"] == {"name": name, "email": "shiv@obriain.example"}
    checked = check(root)
    assert checked.exit_code in (0, 1), checked.output
    assert "who signs" not in checked.output


def test_an_existing_config_is_left_alone_and_the_settings_are_shown(tmp_path: Path) -> None:
    files = {**LOGS_VAULT, "vaultfollow.toml": '[you]\nname = "Ingrid"\n'}
    root = write_vault(tmp_path / "vault", files)
    before = digests(root)
    result = init(root)
    assert result.exit_code == 0, result.output
    assert digests(root) == before
    said = one_line(result.stdout)
    assert "vaultfollow.toml is already there and was left alone" in said
    assert 'date = "Comm_DateTime"' in result.stdout  # to copy into it


def test_an_empty_folder_still_gets_the_starter_vault(tmp_path: Path) -> None:
    root = tmp_path / "new"
    result = init(root)
    assert result.exit_code == 0, result.output
    assert len(list((root / "Interviews").glob("*.md"))) >= 5
    assert (root / "People").is_dir() and (root / "Templates" / "Interview.md").is_file()
    config = tomllib.loads((root / "vaultfollow.toml").read_text(encoding="utf-8"))
    assert config["notes"]["folders"] == ["Interviews"]
    assert config["you"] == {"name": "", "email": ""}
    assert config["schedule"]["timezone"] == "Europe/Berlin"


def test_the_demo_still_signs_as_its_example_person(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "demo"), "--once"])
    assert result.exit_code == 0, result.output
    config = tomllib.loads((tmp_path / "demo" / "vaultfollow.toml").read_text(encoding="utf-8"))
    assert config["you"]["name"] == "Alex Example"


def test_a_big_vault_shows_its_progress(tmp_path: Path) -> None:
    files = {
        f"Zettel/{n:05d} thought.md": f"# Thought {n}\n\nSee [[{n + 1:05d} thought]]\n"
        for n in range(2500)
    }
    _, result, _ = adopt(tmp_path, {**files, **TRACKER_VAULT})
    assert "Reading notes: 1000 of 2508" in result.stderr
    assert "Found 5 application notes in Career/Pipeline" in one_line(result.stdout)


# --- on a terminal ----------------------------------------------------------


def read_until(fd: int, wanted: str, seen: list[str]) -> str:
    """What the terminal shows, until `wanted` appears (or the process ends)."""
    while wanted not in "".join(seen):
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the process closed its terminal
            break
        if not chunk:
            break
        seen.append(chunk.decode("utf-8", "replace"))
    return "".join(seen)


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_on_a_terminal_it_asks_with_git_s_name_as_the_default(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Ingrid Solberg\n\temail = ingrid@solberg.example\n", encoding="utf-8"
    )
    root = write_vault(tmp_path / "vault", LOGS_VAULT)
    env = {**os.environ, "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("XDG_CONFIG_HOME", None)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "vaultfollow", "init", str(root), "--timezone", "Europe/Berlin"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    seen: list[str] = []
    try:
        assert "[Ingrid Solberg]" in read_until(leader, "[Ingrid Solberg]", seen)
        os.write(leader, b"\n")  # take git's name
        assert "[ingrid@solberg.example]" in read_until(leader, "[ingrid@solberg.example]", seen)
        os.write(leader, b"ingrid.s@nordlys.example\n")
        read_until(leader, "\0never\0", seen)
        assert process.wait(timeout=60) == 0, "".join(seen)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    config = tomllib.loads((root / "vaultfollow.toml").read_text(encoding="utf-8"))
    assert config["you"] == {"name": "Ingrid Solberg", "email": "ingrid.s@nordlys.example"}
