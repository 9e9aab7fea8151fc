"""The Clarify section, split into what was said and what should have been. Pure.

People write the section as a confession with the better answer inside it:
"Marcus asked how I measure whether a design change worked. I talked about
task-completion rates, but I forgot to mention that I also pair them with
support-ticket volume." The interviewer should read only the better part,
in the first person and tied to the question; never "I rambled". With no
better part there is no paragraph, and `missing` says what to write.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from vaultfollow.core.items import (
    CaseEvidence,
    case_evidence,
    expand_shorthand,
    fix_case,
    match_name,
)
from vaultfollow.core.model import Person
from vaultfollow.core.prose import address, one_line, plain_text


@dataclass(frozen=True, slots=True)
class Clarification:
    """The section, understood: the question (when named) and who asked it,
    what was said, the better parts, or what to add when there are none."""

    question: str | None = None
    owner: Person | None = None
    said: tuple[str, ...] = ()
    better: tuple[str, ...] = ()
    missing: str | None = None


# Clause breaks: sentences, semicolons, dashes between words, ", but".
_BREAKS = re.compile(r"(?<=[.!?])\s+|;\s*|\s+[-–—]+\s+|,\s+but\s+|\s+but\s+(?=I\b)")

_QUESTION_OWNER = re.compile(
    r"^(?P<who>.+?)\s+(?:asked(?: me)?|wanted to know|pushed(?: me)? on|probed)"
    r"(?:\s+(?:about|on))?\s+(?P<q>.+)$",
    re.IGNORECASE,
)
_WHEN_ASKED = re.compile(
    r"^(?:when|once|after being|being)\s+asked(?:\s+me)?(?:\s+(?:about|on))?\s+"
    r"(?P<q>.+?),\s+(?P<rest>I\b.+)$",
    re.IGNORECASE,
)
_ANSWER_AFTER = re.compile(r",\s+(?=I\b)")
_QUESTION_LABEL = re.compile(r"^(?:q|question)\s*:\s*(?P<q>.+)$", re.IGNORECASE)
_ON_THE_QUESTION = re.compile(
    r"\b(?:on|to|for|with)\s+(?:the|his|her|their|that)\s+question\s+(?:about|on|of)\s+"
    r"(?P<q>.+?)(?:,\s*|\s+(?=I\b)|$)",
    re.IGNORECASE,
)
_THE_X_QUESTION = re.compile(
    r"\b(?:on|to|for|with|at)\s+the\s+(?P<q>[\w'’ -]{2,40}?)\s+question\b", re.IGNORECASE
)

_BETTER = (
    re.compile(
        r"\bshould(?:'ve|’ve| have)\s+(?:said|mentioned|added|explained|talked about|"
        r"brought up|pointed out|led with|highlighted|given|told (?:him|her|them))"
        r"(?P<that>\s*:\s*|\s+that\s+|\s+)(?P<b>.+)$",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bforgot to (?:mention|say|add|bring up)(?P<that>\s*:\s*|\s+that\s+|\s+)(?P<b>.+)$",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bwhat I (?:meant|wanted to say)(?:\s+(?:was|is))?(?P<that>\s*:\s*|\s+that\s+|\s+)"
        r"(?P<b>.+)$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:better(?: answer)?|instead|the real answer(?: is| was)?|real answer)"
        r"(?P<that>\s*[:,]\s*|\s+)(?P<b>.+)$",
        re.IGNORECASE,
    ),
    re.compile(r"^actually(?P<that>,?\s+)(?P<b>.+)$", re.IGNORECASE),
    re.compile(r"^(?P<that>)(?P<b>I also\b.+)$", re.IGNORECASE),
)
# An unmarked statement of what is true, next to a confession: "I have done
# it for three years", "I would rank them by the decisions they unblock".
_STATEMENT = re.compile(
    r"^(?:I|we)\s+(?:have|'ve|’ve|would|'d|’d|can|do|am|'m|’m|lead|own|run|manage|use|"
    r"still|regularly|often|always)\b",
    re.IGNORECASE,
)
_CONFESSION = re.compile(
    r"\b(?:rambl\w*|too (?:long|short|vague)|blank\w*|sounded|fumbl\w*|undersold|"
    r"underplayed|thin|vague|weak|nervous|messed up|botched|waffl\w*|froze|didn['’]?t|"
    r"don['’]?t know|couldn['’]?t|could not|not well|went off|forgot(?! to)|wrong)\b",
    re.IGNORECASE,
)
_SAID_OBJECT = re.compile(
    r"\b(?:I\s+(?:talked|spoke) about|I\s+(?:only\s+)?(?:said|mentioned|described|covered)|"
    r"answer(?:ed)?\s+(?:on|about|to)|undersold|underplayed)\s+(?:my\s+)?(?P<x>[\w' -]+?)"
    r"(?:[,.;]|$)",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"(?<=\w )(them|it)\b")
_IMPERATIVE = re.compile(
    r"^(?:mention|say|add|talk about|bring up|lead with|highlight|explain)\s+(?:that\s+)?",
    re.IGNORECASE,
)
_VERB = re.compile(
    r"\b(?:\w{3,}ed|is|are|was|were|has|have|had|found|led|ran|grew|cut|made|built|got|"
    r"saw|took|won|did|do|does|can|will|would|own|run|use|pair|lead)\b",
    re.IGNORECASE,
)


def _clauses(section: Sequence[str]) -> list[str]:
    clauses: list[str] = []
    for raw in section:
        text = expand_shorthand(plain_text(raw))
        clauses += [c.strip(" ,.;:") for c in _BREAKS.split(text) if c.strip(" ,.;:")]
    return clauses


def split_clarification(section: Sequence[str], people: Sequence[Person]) -> Clarification:
    """Every item and sentence of the Clarify section, sorted into the
    question, what was said and what should have been."""
    question: str | None = None
    owner: Person | None = None
    said: list[str] = []
    better: list[str] = []
    said_object: str | None = None
    for clause in _clauses(section):
        if question is None:
            question, owner, clause = _question(clause, people)
            if not clause:
                continue
        found = _better(clause)
        if found is not None:
            better.append(found)
            continue
        m = _SAID_OBJECT.search(clause)
        if m and said_object is None:
            said_object = m["x"].strip()
        if _STATEMENT.match(clause) and not _CONFESSION.search(clause):
            better.append(clause)
        else:
            said.append(clause)
    better = [_resolve(b, said_object) for b in better]
    evidence = case_evidence(section)
    better = [_first_word(b, people, evidence) for b in better if b]
    missing = None
    if not better and said:
        missing = (
            f'it says "{said[0]}" but not what you would say now, so the thank-you '
            "has no clarification; add a line such as "
            '"- I should have said that ..." with what you would say now'
        )
    return Clarification(question, owner, tuple(said), tuple(better), missing)


def _question(clause: str, people: Sequence[Person]) -> tuple[str | None, Person | None, str]:
    """(the question, its asker, what is left of the clause)."""
    m = _WHEN_ASKED.match(clause)
    if m:  # "When asked how I would backfill ..., I only described ...": no asker named
        return m["q"].strip(" ?"), None, m["rest"]
    m = _QUESTION_OWNER.match(clause)
    if m and (who := m["who"].split()) and len(who) <= 4 and who[0][:1].isupper():
        found = match_name(who, people)
        # What follows ", I ..." is what was said, not the question.
        question, *said = _ANSWER_AFTER.split(m["q"], maxsplit=1)
        return question.strip(" ?"), found[0] if found else None, "".join(said)
    m = _QUESTION_LABEL.match(clause)
    if m:
        return m["q"].strip(" ?"), None, ""
    m = _ON_THE_QUESTION.search(clause) or _THE_X_QUESTION.search(clause)
    if m:
        rest = one_line(clause[: m.start()] + " " + clause[m.end() :])
        return m["q"].strip(" ?"), None, rest
    return None, None, clause


def _better(clause: str) -> str | None:
    for pattern in _BETTER:
        m = pattern.search(clause)
        if m:
            text = _IMPERATIVE.sub("", m["b"].strip(" ,.;:"))
            return text or None
    return None


def _resolve(text: str, said_object: str | None) -> str:
    """ "I also pair them with ..." after "I talked about task-completion
    rates": the pronoun becomes what it stands for, so the sentence stands
    alone."""
    if not said_object:
        return text
    return _PRONOUN.sub(lambda m: said_object, text, count=1)


def _first_word(text: str, people: Sequence[Person], evidence: CaseEvidence) -> str:
    if text.split()[0] in ("I", "I'm", "I’m", "I've", "I’ve", "I'd", "I’d"):
        return text
    return fix_case(text, people, evidence)


_LEADS = {
    "formal": (
        "Looking back on our conversation, ",
        "I should add that ",
        "I should also have mentioned ",
    ),
    "casual": ("Thinking back on our chat, ", "I wanted to add that ", "I should have mentioned "),
}


CLARIFY_TEXTS: tuple[str, ...] = (
    *(part for leads in _LEADS.values() for part in leads),
    "On your question about, On the question about",
)


def clarification_sentence(found: Clarification, tone: str, recipient: Person) -> str | None:
    """The better answer as sentences to `recipient`, or None: when there is
    no better part, or the question was someone else's on the panel.

    "On your question about how I measure whether a design change worked, I
    should add that I also pair task-completion rates with ..." """
    if not found.better:
        return None
    if found.owner is not None and found.owner != recipient:
        return None
    general, clause_frame, phrase_frame = _LEADS["casual" if tone == "casual" else "formal"]
    if found.question:
        whose = "your" if found.owner == recipient else "the"
        question = address(found.question, recipient.name)
        lead = f"On {whose} question about {question}, "
    else:
        lead = general
    first, *more = found.better[:2]
    frame = clause_frame if _VERB.search(first) else phrase_frame
    sentences = [f"{lead}{frame}{address(first, recipient.name)}"]
    for text in more:
        text = address(text, recipient.name)
        sentences.append(text[:1].upper() + text[1:] if text[:1].islower() else text)
    return " ".join(s.rstrip(" .,;:") + "." for s in sentences)
