"""The facts an interview note takes from the notes it links to. Pure.

A note may say `company: "[[Acme]]"` or list `"[[People/Jane Doe]]"` and
leave the rest to those notes: an application or position note holds the
company, role and contact; a person note the email, title, phone and
salutation. The engine reads the linked files; this module reads their
text and fills in what the interview note lacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from vaultfollow.core.body_fields import note_fields
from vaultfollow.core.config import Settings
from vaultfollow.core.goes_by import goes_by_in_prose, salutation_in_prose
from vaultfollow.core.model import InterviewNote, Person, Problem, Round
from vaultfollow.core.properties import (
    PropertyMap,
    normalise_properties,
    optional_text,
    read_people,
)


def linked_properties(text: str, names: PropertyMap = ()) -> dict[str, tuple[str, Any]] | None:
    """A linked note's properties as `normalise_properties` gives them, its
    inline fields after its front matter (which wins); None when its front
    matter is not a mapping of properties."""
    fields = note_fields(text)
    if fields.front is None:
        return None
    props = normalise_properties(fields.front, names)
    spelled = {f.key: f.value for f in reversed(fields.inline)}
    for key, item in normalise_properties(spelled, names).items():
        props.setdefault(key, item)
    return props


def parse_person_note(text: str, named: str = "") -> Person | None:
    """The name, email, title, phone and salutation a person note offers (name empty
    when it has no `name`/`full_name` property: its title, `named`, names it
    then), and the name its prose says they go by ("Goes by Seun.")."""
    props = linked_properties(text)
    if props is None:
        return None
    prose = note_fields(text).body
    name = optional_text(props.get("name") or props.get("full_name") or props.get("fullname"))
    salutation = optional_text(props.get("salutation"))
    return Person(
        name=optional_text(props.get("name") or props.get("full_name") or props.get("fullname"))
        or "",
        email=optional_text(props.get("email")),
        title=optional_text(props.get("title") or props.get("role")),
        phone=optional_text(props.get("phone")),
        salutation=salutation or salutation_in_prose(prose),
        goes_by=goes_by_in_prose(prose, name or named),
    )


@dataclass(frozen=True, slots=True)
class LinkedFacts:
    """What a note another note links to offers it: an application or
    position note its company, role and contact; a person note the
    company they work for."""

    company: str | None
    role: str | None
    contact: Person | None


def parse_linked_note(text: str, settings: Settings) -> LinkedFacts | None:
    """The company, role and contact a linked note holds, in its properties
    or inline fields, read through `[notes.properties]` as every note is."""
    props = linked_properties(text, settings.notes.properties)
    if props is None:
        return None
    contacts = read_people(props.get("contact", ("", None))[1])
    return LinkedFacts(
        company=optional_text(props.get("company")),
        role=optional_text(props.get("role") or props.get("title")),
        contact=contacts[0] if contacts else None,
    )


def person_links(note: InterviewNote) -> set[str]:
    """Every wikilink target of a person in the note (and of the links a
    round's section holds, when it names no one: they may be people)."""
    people = [p for r in note.rounds for p in r.interviewers]
    if note.contact:
        people.append(note.contact)
    found = {p.link for p in people if p.link}
    found.update(c for r in note.rounds if not r.interviewers for c in r.candidates)
    return found


def needs_links(note: InterviewNote) -> bool:
    """Whether the note lacks a fact a note it links to may hold: a company
    or role (any link; a role that is a link is the linked note's role), or
    a contact (an application, position or company link: the people it
    names are no one's contact)."""
    if not note.links:
        return False
    if not note.company or not note.role:
        return True
    if any(note.role.casefold() == link.rsplit("/", 1)[-1].casefold() for link in note.links):
        return True  # a role written as a link to a position note
    return note.contact is None and bool(set(note.links) - person_links(note))


def fill_from_links(
    note: InterviewNote, found: Mapping[str, LinkedFacts]
) -> tuple[InterviewNote | None, list[Problem]]:
    """The note with the company, role and contact it lacks taken from the
    notes it links to, in the order of `note.links`; None (and what to
    add) when it still has no company or role. A role written as a link
    to a position note is that note's role."""
    company, role, contact = note.company, note.role, note.contact
    for link in note.links:
        facts = found.get(link)
        if facts is None:
            continue
        named_by_link = role.casefold() == link.rsplit("/", 1)[-1].casefold()
        if facts.role and (not role or named_by_link):
            role = facts.role
        company = company or facts.company or ""
        contact = contact or facts.contact
    problems = []
    if not company:
        problems.append(
            Problem(note.path, "no `company`: add a line such as `company: Acme`", line=2)
        )
    if not role:
        problems.append(
            Problem(note.path, "no `role`: add a line such as `role: Platform Engineer`", line=2)
        )
    if problems:
        return None, problems
    return replace(note, company=company, role=role, contact=contact), []


def _is_person(found: Person) -> bool:
    """A linked note that names, or says how to reach, someone."""
    return bool(
        found.name or found.email or found.phone or found.title or found.salutation or found.goes_by
    )


def enrich_people(note: InterviewNote, lookup: Mapping[str, Person]) -> InterviewNote:
    """Fill each linked person's missing email, title, phone and salutation from their
    note, and name them by its `name` property: a linked person's name is
    the link's (its target, or its alias, a poor greeting), never one the
    interview note spelled out."""

    def enrich(person: Person) -> Person:
        found = lookup.get(person.link) if person.link else None
        if found is None:
            return person
        return replace(
            person,
            name=found.name or person.name,
            email=person.email or found.email,
            title=person.title or found.title,
            phone=person.phone or found.phone,
            salutation=person.salutation or found.salutation,
            goes_by=person.goes_by or found.goes_by,
        )

    def met(round_: Round) -> tuple[Person, ...]:
        if round_.interviewers or not round_.candidates:
            return tuple(enrich(p) for p in round_.interviewers)
        # A round that names no one on a labelled line: its links to person notes.
        people = tuple(
            enrich(Person(name=link.rsplit("/", 1)[-1], link=link))
            for link in round_.candidates
            if link in lookup and _is_person(lookup[link])
        )
        return people

    rounds = tuple(replace(r, interviewers=met(r)) for r in note.rounds)
    contact = enrich(note.contact) if note.contact else None
    return replace(note, rounds=rounds, contact=contact)
