"""Each interviewer their own note: which points and which clarification a
thank-you carries, and in what words, by the recipient's place on the panel.
Pure.

A point a panel member owns ("Tomasz asked about partitioning a 2 TB
table") goes to that member only, first, in the second person; the other
points are dealt round the panel, so two drafts of one round share at most
one point; the clarification goes to whoever asked the question, else to
the first interviewer listed; each place on the panel has its own frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vaultfollow.core.clarify import CLARIFY_TEXTS, clarification_sentence, split_clarification
from vaultfollow.core.items import (
    Act,
    Item,
    ItemKind,
    classify_items,
    name_forms,
    name_key,
    topic_with_article,
)
from vaultfollow.core.language import words
from vaultfollow.core.model import FollowUp, Person
from vaultfollow.core.prose import MAX_POINTS, address

SHAREABLE = (ItemKind.TOPIC, ItemKind.CLAUSE, ItemKind.FACT)

# Frames per tone (words.<code>.toml [frames]): for a point the recipient
# owns, a topic, a fact, and a second point. Each panel place starts at its own.
_FRAMES = words()["frames"]
Frames = dict[str, tuple[str, ...]]
_OWNED: Frames = {tone: tuple(_FRAMES[tone]["owned"]) for tone in ("formal", "casual")}
_TOPIC: Frames = {tone: tuple(_FRAMES[tone]["topic"]) for tone in ("formal", "casual")}
_FACT: Frames = {tone: tuple(_FRAMES[tone]["fact"]) for tone in ("formal", "casual")}
_SECOND: Frames = {tone: tuple(_FRAMES[tone]["second"]) for tone in ("formal", "casual")}
# Someone else's question, as a topic; a fact after another point.
_THEIR_QUESTION: str = _FRAMES["their_question"]
_SECOND_FACT: str = _FRAMES["second_fact"]
# What the recipient asked, showed or said, in the second person.
_YOURS: dict[str, str] = _FRAMES["yours"]


# The recipient, named in a point they are sent: "Tomasz's" -> "your".
_YOU: str = words()["prose"]["address"]["you"]
_YOUR: str = words()["prose"]["address"]["your"]


# Every word these frames and the clarification add to a draft, for
# `check`, which knows the built-in templates' words without a dictionary.
FRAME_TEXTS: tuple[str, ...] = (
    *(f for table in (_OWNED, _TOPIC, _FACT, _SECOND) for fs in table.values() for f in fs),
    *_YOURS.values(),
    _THEIR_QUESTION,
    _SECOND_FACT,
    *CLARIFY_TEXTS,
)


@dataclass(frozen=True, slots=True)
class Share:
    """What one recipient's thank-you says of the interview."""

    points: tuple[Item, ...]
    index: int  # the recipient's place on the panel
    size: int
    clarify_to_me: bool


def round_people(followup: FollowUp) -> tuple[Person, ...]:
    """The interviewers of the follow-up's round (the recipient when unknown)."""
    for round_ in followup.note.rounds:
        if round_.start == followup.round_start and round_.interviewers:
            return round_.interviewers
    return (followup.recipient,)


def _same(a: Person, b: Person) -> bool:
    return name_key(a.name) == name_key(b.name)


def deal(items: Sequence[Item], people: Sequence[Person], index: int) -> tuple[Item, ...]:
    """The points for the person at `index`: the ones they own first, then
    unowned ones dealt round the panel; with none of either, one unowned
    point (the only kind two drafts may share)."""
    me = people[index]
    shareable = [i for i in items if i.kind in SHAREABLE]
    owned = [i for i in shareable if i.owner is not None and _same(i.owner, me)]
    unowned = [i for i in shareable if i.owner is None]
    dealt = [item for j, item in enumerate(unowned) if j % len(people) == index]
    mine = (owned + dealt)[:MAX_POINTS]
    if not mine and unowned:
        mine = [unowned[index % len(unowned)]]
    if not mine:
        # Every point is someone else's: what another member told the room
        # ("Henrik: their migration to Python") was said to this one too.
        told = [i for i in shareable if i.owner is not None and i.act is not Act.QUESTION]
        mine = told[index % len(told) : index % len(told) + 1] if told else []
    return tuple(mine)


def spare_point(items: Sequence[Item], people: Sequence[Person], index: int) -> Item | None:
    """A topic for a second message to the person at `index` (the handwritten
    card after the email) that the first does not use: theirs, then an
    unowned one; None when the email has used them all."""
    me = people[index]
    used = deal(items, people, index)
    for item in items:
        if item.kind not in (ItemKind.TOPIC, ItemKind.CLAUSE) or item in used:
            continue
        if item.owner is None or _same(item.owner, me):
            return item
    return None


def unname(text: str, person: Person) -> str:
    """`person`'s own name in a phrase sent to them becomes "you"/"your"."""
    text = address(text, person.name)
    words = text.split()
    out: list[str] = []
    forms = name_forms(person)
    i = 0
    while i < len(words):
        for form in forms:
            n = len(form)
            chunk = words[i : i + n]
            keys = [
                name_key(w.rstrip(".,;:!?").removesuffix("'s").removesuffix("’s")) for w in chunk
            ]
            if tuple(keys) == form and words[i][:1].isupper():
                last = chunk[-1].rstrip(".,;:!?")
                tail = chunk[-1][len(last) :]
                out.append((_YOUR if last.endswith(("'s", "’s")) else _YOU) + tail)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def owned_phrase(item: Item, person: Person) -> str:
    """A point the recipient owns, in the second person."""
    text = unname(item.text, person)
    if item.act is Act.QUESTION:
        return _YOURS["question"].format(t=text)
    if item.act is Act.WALKTHROUGH:
        return _YOURS["walkthrough"].format(t=text)
    if item.act in (Act.THEIRS, Act.PART):
        return _YOURS["heard"].format(f=text) if item.kind is ItemKind.FACT else text
    if item.kind is ItemKind.FACT:
        return _YOURS["point"].format(f=text)
    return _YOURS["remark"].format(t=topic_with_article(text))


def _frame(frames: Sequence[str], slot: int, text: str) -> str:
    """The frame at `slot`; for a point that is a list ("vendor contracts,
    cleaning and catering"), one that ends with the point, so the list ends
    the sentence."""
    if ", " in text:
        ending = [f for f in frames if f.endswith(("{p}.", "{t}.", "{f}."))]
        frames = ending or frames
    return frames[slot % len(frames)]


def _sentence(item: Item, person: Person, tone: str, slot: int, *, second: bool) -> str:
    if item.owner is not None and _same(item.owner, person):
        phrase = owned_phrase(item, person)
        frame = _frame(_OWNED[tone], slot, phrase)
        return frame.format(p=phrase, P=phrase[:1].upper() + phrase[1:])
    text = unname(item.text, person)
    if item.act is Act.QUESTION:
        text = _THEIR_QUESTION.format(t=text)
    if item.kind is ItemKind.FACT:
        if second:
            return _SECOND_FACT.format(f=text)
        return _FACT[tone][slot % len(_FACT[tone])].format(f=text)
    if item.act is not Act.QUESTION:
        text = topic_with_article(text)
    frame = _frame(_SECOND[tone] if second else _TOPIC[tone], slot, text)
    if frame.startswith("{t}"):
        text = text[:1].upper() + text[1:]
    return frame.format(t=text)


def recipient_points(followup: FollowUp) -> dict[str, Any]:
    """The template variables of what this recipient's draft says of the
    interview: `points`, `point`, `card_point`, `their_question`, `detail`, `clarify`,
    `clarify_sentence`, `clarify_missing`, `panel_index`, `panel_size`."""
    people = round_people(followup)
    me = followup.recipient
    index = next((i for i, p in enumerate(people) if _same(p, me)), 0)
    if not any(_same(p, me) for p in people):
        people = (me, *people)
    tone = "casual" if followup.tone == "casual" else "formal"
    note = followup.note
    items = classify_items(note.discussed, people, note.clarify)
    mine = deal(items, people, index)
    found = split_clarification(note.clarify, people, items)
    asker = next((p for p in people if found.owner and _same(p, found.owner)), people[0])
    to_me = _same(asker, me)
    sentence = clarification_sentence(found, tone, me) if to_me else None
    # The clarification names its question ("On your question about X, ..."):
    # the opening paragraph does not name it too.
    said = [i for i in mine if not (sentence and found.question and i.text == found.question)]
    detail = " ".join(
        _sentence(item, me, tone, index + 2 * k, second=k > 0) for k, item in enumerate(said)
    )
    owned_question = next(
        (
            owned_phrase(i, me)
            for i in mine
            if i.owner is not None and _same(i.owner, me) and i.act is Act.QUESTION
        ),
        None,
    )
    points = [unname(i.text, me) for i in mine if i.kind is not ItemKind.FACT]
    spare = spare_point(items, people, index)
    return {
        "points": points,
        "point": points[0] if points else None,
        "card_point": unname(spare.text, me) if spare else None,
        "their_question": owned_question,
        "detail": detail or None,
        "clarify": found.better[0] if found.better and to_me else None,
        "clarify_sentence": sentence,
        "clarify_missing": found.missing if to_me else None,
        "panel_index": index,
        "panel_size": len(people),
    }
