"""The name a draft greets its recipient by (issue 17, point 4): "Dear
<title> <surname>" when a title is known, else "Dear <first name>"; "Hi
<first name>" when casual; never first name plus surname; a `salutation`
for the names vaultfollow cannot read."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import VaultFactory, at
from vaultfollow.app.engine import sync
from vaultfollow.core.links import enrich_people, parse_person_note
from vaultfollow.core.model import InterviewNote, Person, Round
from vaultfollow.core.properties import read_people, read_person
from vaultfollow.core.salutation import greeting_name
from vaultfollow.store.cache import _load_person, _person

NOW = at("2026-11-12 18:00")


@pytest.mark.parametrize(
    ("person", "formal", "casual"),
    [
        (Person("Dr. Ingrid Solberg"), "Dr Solberg", "Ingrid"),
        (Person("Dr Ingrid Solberg"), "Dr Solberg", "Ingrid"),
        (Person("Prof Anne-Marie Dubois"), "Professor Dubois", "Anne-Marie"),
        (Person("Professor Anne-Marie Dubois"), "Professor Dubois", "Anne-Marie"),
        (Person("prof. dr. Hans Müller"), "Professor Müller", "Hans"),
        # A Spanish double surname stays whole; a middle initial is no surname.
        (Person("Mr. José García Márquez"), "Mr García Márquez", "José"),
        (Person("Mrs Joan P. Whitfield"), "Mrs Whitfield", "Joan"),
        (Person("Mx. Sam Rivera"), "Mx Rivera", "Sam"),
        (Person("Dr. Ludwig van Beethoven"), "Dr van Beethoven", "Ludwig"),
        (Person("Oluwaseun Adeyemi"), "Oluwaseun", "Oluwaseun"),
        (Person("Tomasz Wójcik"), "Tomasz", "Tomasz"),
        (Person("Jean-Luc Picard Jr."), "Jean-Luc", "Jean-Luc"),
        (Person("Priya Shah PhD"), "Priya", "Priya"),
        (Person("Priya Shah, Ph.D."), "Priya", "Priya"),
        (Person("Dr. Priya Shah, PhD"), "Dr Shah", "Priya"),
        (Person("Martin Luther King III"), "Martin", "Martin"),
        (Person("Rahul Mehta, MBA, CFA"), "Rahul", "Rahul"),
        (Person("Cher"), "Cher", "Cher"),
        (Person("Ms Whitcombe"), "Ms Whitcombe", "Ms Whitcombe"),
        (Person("Eleanor Whitcombe", salutation="Ms Whitcombe"), "Ms Whitcombe", "Eleanor"),
        (Person("Nguyễn Thị Lan", salutation="Lan"), "Lan", "Lan"),
        (Person("Nguyễn Thị Lan", salutation="Ms Lan"), "Ms Lan", "Lan"),
        (Person("Robert Tables", salutation="Bobby"), "Bobby", "Bobby"),
        # A family name first: vaultfollow cannot tell which word is the
        # given name, so it greets the whole name (see salutation.py).
        (Person("Nguyễn Thị Lan"), "Nguyễn Thị Lan", "Nguyễn Thị Lan"),
        (Person("Nguyen Van Minh"), "Nguyen Van Minh", "Nguyen Van Minh"),
        (Person("Trần Minh Khai"), "Trần Minh Khai", "Trần Minh Khai"),
        # ... unless the family name comes last, as written in English.
        (Person("Lan Nguyễn"), "Lan", "Lan"),
        (Person("Ly Nguyen"), "Ly", "Ly"),
        # An email address is not a name; `first.last@` is the usual form.
        (Person("jane.doe", email="jane.doe@acme.com"), "Jane", "Jane"),
        (Person("jane.doe@acme.com"), "Jane", "Jane"),
        (Person("jdoe", email="jdoe@acme.com"), "jdoe", "jdoe"),
    ],
)
def test_greetings_for_real_name_shapes(person: Person, formal: str, casual: str) -> None:
    assert greeting_name(person, "formal") == formal
    assert greeting_name(person, "casual") == casual


# "Zq..." is no honorific, suffix or family name vaultfollow knows.
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).map(
    lambda w: "Zq" + w
)


@given(
    st.sampled_from(["", "Dr. ", "Prof ", "Mr ", "Ms. ", "Mrs "]),
    st.lists(_WORD, min_size=2, max_size=4, unique=True),
    st.sampled_from(["", " Jr.", " PhD", ", MBA", " III"]),
    st.sampled_from(["formal", "casual"]),
)
def test_never_first_name_plus_surname(
    title: str, words: list[str], suffix: str, tone: str
) -> None:
    shown = greeting_name(Person(title + " ".join(words) + suffix), tone).split()
    assert not (words[0] in shown and words[-1] in shown)
    assert not {"Jr.", "PhD", "MBA", "III", "Dr.", "Ms.", "Prof"} & set(shown)


def test_first_name_skips_the_honorific() -> None:
    assert Person("Dr. Ingrid Solberg").first_name == "Ingrid"
    assert Person("Jean-Luc Picard Jr.").first_name == "Jean-Luc"


# --- where a salutation is read from -----------------------------------------


def test_a_wikilink_alias_that_is_title_and_surname_is_the_salutation() -> None:
    person = read_person("[[People/Eleanor Whitcombe|Ms Whitcombe]]")
    assert person == Person(
        "Eleanor Whitcombe", link="People/Eleanor Whitcombe", salutation="Ms Whitcombe"
    )
    # Unquoted in YAML, the link is a list holding a list.
    assert read_person([["People/Eleanor Whitcombe|Ms. Whitcombe"]]) == Person(
        "Eleanor Whitcombe", link="People/Eleanor Whitcombe", salutation="Ms. Whitcombe"
    )
    with_email = read_person("[[People/Eleanor Whitcombe|Ms Whitcombe]] <ew@halvorsen.example>")
    assert with_email is not None
    assert (with_email.name, with_email.salutation) == ("Eleanor Whitcombe", "Ms Whitcombe")


@pytest.mark.parametrize("alias", ["Eleanor", "E. Whitcombe", "Whitcombe", "the FD", "Ms"])
def test_an_alias_that_is_not_title_and_surname_is_only_display_text(alias: str) -> None:
    person = read_person(f"[[People/Eleanor Whitcombe|{alias}]]")
    assert person is not None and person.salutation is None


def test_an_interviewer_mapping_item_may_say_the_salutation() -> None:
    people = read_people(
        [
            {"name": "Nguyễn Thị Lan", "Salutation": "Lan", "email": "lan@orbitra.example"},
            {"name": "Ingrid Solberg", "title": "CTO"},
        ]
    )
    assert [(p.name, p.salutation) for p in people] == [
        ("Nguyễn Thị Lan", "Lan"),
        ("Ingrid Solberg", None),
    ]


def test_a_person_note_s_salutation_reaches_the_linked_person() -> None:
    found = parse_person_note("---\nname: Nguyễn Thị Lan\nsalutation: Lan\n---\n")
    assert found is not None and found.salutation == "Lan"
    inline = parse_person_note("# Ingrid\nSalutation:: Dr Solberg\nEmail:: is@x.example\n")
    assert inline is not None and inline.salutation == "Dr Solberg"


def test_the_cache_keeps_the_salutation() -> None:
    person = Person("Nguyễn Thị Lan", email="lan@x.example", link="People/Lan", salutation="Lan")
    assert _load_person(_person(person)) == person


# --- end to end --------------------------------------------------------------


def _drafts(root: Path) -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in (root / "Follow-ups").rglob("*.md")
        if p.name != "Follow-ups.md"
    }


def _draft(found: dict[str, str], *words: str) -> str:
    [text] = [t for name, t in found.items() if all(w in name for w in words)]
    return text


def test_a_formal_panel_is_greeted_by_title_and_surname(make_vault: VaultFactory) -> None:
    note = """\
    ---
    type: interview
    company: Nordlys Bank
    role: Risk Analyst
    date: 2026-11-12T09:00
    interviewers:
      - Dr. Ingrid Solberg <ingrid.solberg@nordlys.example>
      - "[[People/Eleanor Whitcombe|Ms Whitcombe]]"
      - name: Nguyễn Thị Lan
        salutation: Lan
        email: lan@nordlys.example
      - "[[People/Oluwaseun Adeyemi]]"
      - Priya Shah PhD <priya@nordlys.example>
    tone: formal
    ---
    ## Discussed
    - IFRS 9 staging
    """
    root = make_vault(
        {
            "Interviews/2026-11-12 Nordlys.md": note,
            "People/Eleanor Whitcombe.md": "---\nemail: ew@nordlys.example\n---\n",
            "People/Oluwaseun Adeyemi.md": "Email:: seun@nordlys.example\n",
        }
    )
    report = sync(root, NOW)
    assert not report.problems
    found = _drafts(root)
    greetings = {
        "Ingrid Solberg": "Dear Dr Solberg,",
        "Eleanor Whitcombe": "Dear Ms Whitcombe,",
        "Nguyễn Thị Lan": "Dear Lan,",
        "Oluwaseun Adeyemi": "Dear Oluwaseun,",
        "Priya Shah": "Dear Priya,",
    }
    for name, greeting in greetings.items():
        text = _draft(found, "thank-you", name)
        assert greeting in text.splitlines(), (name, text)


def test_casual_drafts_a_card_and_a_phone_script_use_the_first_name(
    make_vault: VaultFactory,
) -> None:
    casual = """\
    ---
    type: interview
    company: Fjordlight
    role: Data Scientist
    date: 2026-11-12T09:00
    interviewers: Dr. Ingrid Solberg
    tone: casual
    handwritten: true
    address: Fjordlight, Storgata 1, 0155 Oslo
    ---
    """
    phone = """\
    ---
    type: interview
    company: Halvorsen & Partners
    role: Financial Analyst
    date: 2026-11-05T10:00
    interviewers: "[[People/Eleanor Whitcombe|Ms Whitcombe]]"
    check_in_channel: phone
    phone: "+44 117 496 0000"
    tone: formal
    ---
    """
    root = make_vault(
        {
            "Interviews/fjordlight.md": casual,
            "Interviews/halvorsen.md": phone,
            "People/Eleanor Whitcombe.md": "---\ntitle: Head of Finance\n---\n",
        }
    )
    sync(root, at("2026-11-12 18:00"))
    found = _drafts(root)
    assert "Hi Ingrid," in _draft(found, "thank-you", "Ingrid").splitlines()
    assert "Dear Ingrid," in _draft(found, "handwritten-note", "Ingrid").splitlines()
    script = _draft(found, "check-in", "Eleanor Whitcombe")
    assert "Hello Ms Whitcombe, I'm calling about the Financial Analyst role" in script
    assert "Hello Eleanor" not in script and "Hello Eleanor Whitcombe" not in script


def test_enrich_keeps_the_interview_note_s_salutation_first() -> None:
    start = at("2026-11-12 09:00")
    person = Person("Eleanor Whitcombe", link="People/EW", salutation="Ms Whitcombe")
    other = Person("Ingrid Solberg", link="People/IS")
    note = InterviewNote(
        "Interviews/x.md", "Acme", "Analyst", (Round(start, start, (person, other)),)
    )
    lookup = {
        "People/EW": Person("Eleanor Whitcombe", salutation="Eleanor"),
        "People/IS": Person("Ingrid Solberg", salutation="Dr Solberg"),
    }
    enriched = enrich_people(note, lookup)
    assert [p.salutation for p in enriched.rounds[0].interviewers] == [
        "Ms Whitcombe",
        "Dr Solberg",
    ]


@pytest.mark.parametrize(
    ("name", "formal", "casual"),
    [
        ("Sir John Smith", "Sir John", "John"),
        ("Dame Judi Dench", "Dame Judi", "Judi"),
        ("Rev. Ann Lee", "Reverend Lee", "Ann"),
        ("Cllr. Niamh Flynn", "Councillor Flynn", "Niamh"),
        ("Dr.-Ing. Klaus Brenner", "Dr Brenner", "Klaus"),
        ("Lord Alan Sugar", "Lord Sugar", "Alan"),
    ],
)
def test_honorifics_beyond_dr_and_ms(name: str, formal: str, casual: str) -> None:
    assert greeting_name(Person(name), "formal") == formal
    assert greeting_name(Person(name), "casual") == casual
