"""The name someone goes by (issue 17, point 4): what their person note says
in prose ("Goes by Seun."), and the form of their name the interview note
itself uses ("Fatima Zahra walked me through ..."). A nickname greets
casually, and formally when no title is known; it never becomes a surname."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import VaultFactory, at
from vaultfollow.app.engine import sync
from vaultfollow.core.goes_by import goes_by_in_prose, name_as_used
from vaultfollow.core.items import match_name
from vaultfollow.core.links import parse_person_note
from vaultfollow.core.model import Person
from vaultfollow.core.salutation import greeting_name
from vaultfollow.store.cache import _load_person, _person

NOW = at("2026-11-12 18:00")


@pytest.mark.parametrize(
    ("prose", "name", "called"),
    [
        ("Goes by Seun. Runs the release train.", "Oluwaseun Adeyemi", "Seun"),
        ("goes by 'Seun' - runs the release train", "Oluwaseun Adeyemi", "Seun"),
        ('Prefers to be called "Bobby".', "Robert Tables", "Bobby"),
        ("Met at a meetup, prefers to go by Kate", "Katherine Lowe", "Kate"),
        ("Call her Seun, everyone does.", "Oluwaseun Adeyemi", "Seun"),
        ("Known as Lan at work.", "Nguyễn Thị Lan", "Lan"),
        ("aka Bea", "Beatriz Santos", "Bea"),
        ('She signs her emails "Lan".', "Nguyễn Thị Lan", "Lan"),
        ("Signs off as Jo.", "Joanna Marsh", "Jo"),
    ],
)
def test_the_name_a_person_note_says_they_go_by(prose: str, name: str, called: str) -> None:
    assert goes_by_in_prose(prose, name) == called


@pytest.mark.parametrize(
    ("prose", "name"),
    [
        # Not a name after the words: no nickname.
        ("Prefers email to phone calls.", "Oluwaseun Adeyemi"),
        ("Prefers Slack. Call him back on Monday.", "Tom Reyes"),
        ("Call them Monday about the offer.", "Tom Reyes"),
        ("Known as the go-to person for Kafka.", "Tom Reyes"),
        ("Goes by the book on process.", "Tom Reyes"),
        ("Runs the release train.", "Oluwaseun Adeyemi"),
        ("", "Oluwaseun Adeyemi"),
    ],
)
def test_prose_that_names_no_nickname(prose: str, name: str) -> None:
    assert goes_by_in_prose(prose, name) is None


def test_a_person_note_s_prose_gives_the_name_they_go_by() -> None:
    text = "---\nemail: seun@fjordline.example.io\n---\nGoes by Seun. Runs the release train.\n"
    found = parse_person_note(text)
    assert found is not None and found.goes_by == "Seun" and found.salutation is None
    kept = parse_person_note("---\nsalutation: Dr Adeyemi\n---\nGoes by Seun.\n")
    assert kept is not None and (kept.salutation, kept.goes_by) == ("Dr Adeyemi", "Seun")


def test_the_cache_keeps_the_name_they_go_by() -> None:
    person = Person("Oluwaseun Adeyemi", link="People/OA", goes_by="Seun")
    assert _load_person(_person(person)) == person


@pytest.mark.parametrize(
    ("person", "formal", "casual"),
    [
        (Person("Oluwaseun Adeyemi", goes_by="Seun"), "Seun", "Seun"),
        # A title is known: the formal greeting keeps the surname, never the nickname.
        (Person("Dr. Oluwaseun Adeyemi", goes_by="Seun"), "Dr Adeyemi", "Seun"),
        (
            Person("Oluwaseun Adeyemi", goes_by="Seun", salutation="Dr Adeyemi"),
            "Dr Adeyemi",
            "Seun",
        ),
        # The user's own `salutation` (not a title) still says it for both tones.
        (Person("Robert Tables", goes_by="Rob", salutation="Bobby"), "Bobby", "Bobby"),
        (Person("Fatima Zahra Benali", goes_by="Fatima Zahra"), "Fatima Zahra", "Fatima Zahra"),
        (Person("Nguyễn Thị Lan", goes_by="Lan"), "Lan", "Lan"),
    ],
)
def test_a_nickname_greets_unless_a_title_is_known(
    person: Person, formal: str, casual: str
) -> None:
    assert greeting_name(person, "formal") == formal
    assert greeting_name(person, "casual") == casual


@pytest.mark.parametrize(
    ("name", "texts", "called"),
    [
        # A compound given name the note uses whole.
        (
            "Fatima Zahra Benali",
            ["Fatima Zahra walked me through their rolling forecast"],
            "Fatima Zahra",
        ),
        ("Mary Jane Watson", ["Mary Jane asked how I'd run the launch"], "Mary Jane"),
        (
            "Mohamed Amine Haddad",
            ["talked budgets, then Mohamed Amine: hiring plans"],
            "Mohamed Amine",
        ),
        # The first word alone: the first name, as ever.
        ("Fatima Zahra Benali", ["Fatima walked me through their rolling forecast"], None),
        # A surname after the first name is not a given name: the note shows
        # it is one when it puts a title before it or uses it alone.
        ("José García Márquez", ["José García asked about solar", "Mr García: permits"], None),
        ("José García Márquez", ["José García asked about solar", "García said"], None),
        ("Maria Lopez", ["Maria Lopez asked about sales"], None),
        # A family name first: the note calls her by her given name.
        ("Nguyễn Thị Lan", ["Lan mentioned the PD model rebuild"], "Lan"),
        ("Nguyễn Thị Lan", ["the PD model rebuild"], None),
        # Lower case is not a name: "the fatima zahra" never counts.
        ("Fatima Zahra Benali", ["fatima zahra walked me through it"], None),
    ],
)
def test_the_note_s_own_form_of_a_name(name: str, texts: list[str], called: str | None) -> None:
    person = Person(name)
    assert name_as_used(person, texts).goes_by == called


def test_a_nickname_names_the_owner_of_a_point() -> None:
    seun = Person("Oluwaseun Adeyemi", goes_by="Seun")
    fatima = Person("Fatima Zahra Benali")
    assert match_name(["Seun", "walked", "me", "through", "release", "trains"], [seun]) == (seun, 1)
    assert match_name(["Fatima", "Zahra", "walked", "me", "through", "it"], [fatima]) == (fatima, 2)
    assert match_name(["Fatima", "walked", "me", "through", "it"], [fatima]) == (fatima, 1)


def _drafts(root: Path) -> dict[str, str]:
    return {
        p.name: p.read_text("utf-8")
        for p in (root / "Follow-ups").rglob("*.md")
        if p.name != "Follow-ups.md"
    }


def test_a_panel_greets_each_by_the_name_they_go_by(make_vault: VaultFactory) -> None:
    note = """\
    ---
    type: interview
    company: Saltmarsh Foods
    role: Finance Business Partner
    date: 2026-11-12T09:00
    tone: formal
    interviewers:
      - "[[People/Oluwaseun Adeyemi]]"
      - Fatima Zahra Benali <f.benali@saltmarsh.example>
      - Dr. Kofi Mensah <kofi@saltmarsh.example>
    ---
    ## Discussed
    - Fatima Zahra walked me through their rolling forecast
    - Seun asked about the month-end close
    - Dr Mensah: margin pressure on own-label
    """
    root = make_vault(
        {
            "Interviews/2026-11-12 Saltmarsh.md": note,
            "People/Oluwaseun Adeyemi.md": "---\nemail: seun@saltmarsh.example\n---\n"
            "Goes by Seun. Runs finance systems.\n",
        }
    )
    report = sync(root, NOW)
    assert not report.problems
    found = _drafts(root)
    seun = next(t for n, t in found.items() if "thank-you - Oluwaseun" in n)
    fatima = next(t for n, t in found.items() if "thank-you - Fatima" in n)
    assert "Dear Seun," in seun.splitlines()
    assert "your question about the month-end close" in seun
    assert "Dear Fatima Zahra," in fatima.splitlines()
    assert "rolling forecast" in fatima and "Zahra walked" not in fatima


def test_a_title_and_surname_in_prose_is_the_salutation() -> None:
    found = parse_person_note("---\nemail: oa@x.example\n---\nGoes by Dr Adeyemi in email.\n")
    assert found is not None and (found.salutation, found.goes_by) == ("Dr Adeyemi", None)
    found = parse_person_note("Email:: ew@x.example\n\nSigns off as 'Ms Whitcombe'.\n")
    assert found is not None and found.salutation == "Ms Whitcombe"


def test_a_person_note_without_a_name_checks_a_weak_nickname_against_its_title() -> None:
    found = parse_person_note("Email:: oa@x.example\n\nCall him Seun.\n", "Oluwaseun Adeyemi")
    assert found is not None and found.goes_by == "Seun"
    found = parse_person_note("Email:: t@x.example\n\nCall him Monday.\n", "Tom Reyes")
    assert found is not None and found.goes_by is None
