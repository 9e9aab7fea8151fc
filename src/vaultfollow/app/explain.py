"""`vaultfollow explain NOTE`: how vaultfollow read one note, in words:
whether it is an interview note and by which rule, where each fact came
from, its rounds, and what to add for what is missing."""

from __future__ import annotations

from pathlib import Path

from vaultfollow.app.engine import open_engine
from vaultfollow.core.layout import printable
from vaultfollow.core.model import InterviewNote, Round
from vaultfollow.core.notes import NoteResult, parse_note
from vaultfollow.errors import VaultfollowError

_FACTS = (
    "company",
    "role",
    "contact",
    "status",
    "responded",
    "decision_by",
    "tone",
    "check_in_channel",
    "application",
)


def explain(root: Path, note: Path) -> list[str]:
    """The lines `vaultfollow explain` prints for `note` in the vault at `root`."""
    engine = open_engine(root)
    try:
        rel = note.resolve().relative_to(engine.vault.root.resolve()).as_posix()
    except ValueError:
        raise VaultfollowError(f"{note} is not in the vault {root}") from None
    read = engine.vault.read(rel)
    if read.text is None:
        raise VaultfollowError(f"{printable(rel)}: {read.error}")
    result = parse_note(rel, read.text, engine.settings)
    engine.read_all()
    notes, problems = engine.notes_and_problems()
    planned = next((n for n in notes if n.path == rel), None)
    lines = [printable(rel)]
    lines += _verdict(result, planned, engine.settings.notes.tag)
    if planned is not None:
        lines += _facts(result, planned)
    said = [p for p in problems if p.path == rel]
    if said:
        lines.append("  To fix:")
        lines += [f"    - {f'line {p.line}: ' if p.line else ''}{p.message}" for p in said]
    return lines


def _verdict(result: NoteResult, planned: InterviewNote | None, tag: str) -> list[str]:
    if result.rule is None:
        why = result.reason or (
            "no rule makes it one: it is not in a folder `[notes] folders` lists, its `type` "
            f"is not the interview type, and it is not tagged #{tag}"
        )
        if result.problems:
            why = "it would be one, but it cannot be read (see below)"
        return [f"  This is not an interview note: {why}."]
    kind = "an application with no interview yet" if planned and planned.is_application else ""
    head = f"  An interview note: {result.rule}."
    if planned is None:
        return [head, "  It cannot be planned yet (see below)."]
    return [head, f"  Counted as {kind}." if kind else "  Its follow-ups are planned."]


def _facts(result: NoteResult, note: InterviewNote) -> list[str]:
    sources = result.sources
    lines = []
    values = {
        "company": note.company,
        "role": note.role,
        "contact": note.contact.name if note.contact else None,
        "status": note.status,
        "responded": note.responded.isoformat() if note.responded else None,
        "decision_by": note.decision_by.isoformat() if note.decision_by else None,
        "tone": note.tone,
        "check_in_channel": note.check_in_channel,
        "application": note.application_link,
    }
    for fact in _FACTS:
        value = values[fact]
        if not value:
            continue
        where = sources.get(fact) or (
            "a note it links to" if fact in ("company", "role", "contact") else "its properties"
        )
        lines.append(f"  {fact}: {value} (from {where})")
    if note.rounds:
        where = sources.get("rounds") or sources.get("date") or "its properties"
        lines.append(f"  Rounds (from {where}):")
        lines += [f"    - {_round(r)}" for r in note.rounds]
    if note.links:
        shown = ", ".join(f"[[{link}]]" for link in note.links)
        lines.append(f"  Links it may take a missing company, role or contact from: {shown}")
    return lines


def _round(round_: Round) -> str:
    when = f"{round_.start:%a %d %b %Y %H:%M}"
    label = f" “{round_.label}”" if round_.label else ""
    line = f" (line {round_.line})" if round_.line else ""
    people = ", ".join(p.name for p in round_.interviewers)
    met = f" with {people}" if people else " with no one named: who did you meet?"
    return f"{when}{label}{line}{met}"
