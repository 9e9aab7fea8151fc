"""A person note's name is its `name` property, else its title (issue 16,
point 5): a link to `People/Priya Shah - Meridian Talent` greets Priya Shah,
not the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import VaultFactory, at
from vaultfollow.app.engine import sync

NOW = at("2026-11-12 10:00")


def interview(people: str) -> str:
    return f"""
---
type: interview
company: Meridian Labs
role: Research Engineer
date: 2026-11-10 14:00
interviewers: {people}
---
## Discussed
- how they review model cards before a launch
"""


PRIYA = """
---
{key}: Priya Shah
email: priya.shah@meridiantalent.com
title: Senior Technical Recruiter
tags: [person, recruiter]
---
Met at the Berlin AI meetup.
"""


def thank_you(root: Path) -> tuple[str, str]:
    [draft] = (root / "Follow-ups/Meridian Labs").glob("* thank-you - *.md")
    return draft.name, draft.read_text(encoding="utf-8")


@pytest.mark.parametrize("key", ["name", "Name", "full_name", "Full Name"])
@pytest.mark.parametrize(
    "link",
    [
        '"[[People/Priya Shah - Meridian Talent]]"',
        "[[Priya Shah - Meridian Talent]]",  # unquoted, by file name alone
        '"[[People/Priya Shah - Meridian Talent|Priya]]"',  # an alias: a poor greeting
    ],
)
def test_a_person_note_is_named_by_its_name_property(
    make_vault: VaultFactory, key: str, link: str
) -> None:
    root = make_vault(
        {
            "Interviews/meridian.md": interview(link),
            "People/Priya Shah - Meridian Talent.md": PRIYA.format(key=key),
        }
    )
    report = sync(root, NOW)
    assert report.problems == []
    name, text = thank_you(root)
    assert name == "2026-11-10 thank-you - Priya Shah.md"
    assert 'to: "Priya Shah <priya.shah@meridiantalent.com>"' in text
    assert "Dear Priya," in text
    assert "Meridian Talent" not in text


def test_without_a_name_property_the_title_names_the_person(make_vault: VaultFactory) -> None:
    root = make_vault(
        {
            "Interviews/meridian.md": interview('"[[People/Jürgen Weiß]]"'),
            "People/Jürgen Weiß.md": "---\nemail: j.weiss@meridianlabs.io\n---\n",
        }
    )
    sync(root, NOW)
    name, text = thank_you(root)
    assert name == "2026-11-10 thank-you - Jürgen Weiß.md"
    assert 'to: "Jürgen Weiß <j.weiss@meridianlabs.io>"' in text


def test_a_name_written_in_the_interview_note_wins(make_vault: VaultFactory) -> None:
    """`Priya <email>` spells the name in the note itself: a person note of
    that title does not rename her."""
    root = make_vault(
        {
            "Interviews/meridian.md": interview("Priya <priya.shah@meridiantalent.com>"),
            "People/Priya.md": PRIYA.format(key="name"),
        }
    )
    sync(root, NOW)
    name, text = thank_you(root)
    assert name == "2026-11-10 thank-you - Priya.md"
    assert 'to: "Priya <priya.shah@meridiantalent.com>"' in text
    assert "Dear Priya," in text
