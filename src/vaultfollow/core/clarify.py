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
    Act,
    CaseEvidence,
    Item,
    case_evidence,
    expand_shorthand,
    fix_case,
    match_name,
)
from vaultfollow.core.language import alternation, words
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
    # The question named only by its topic ("the PM question", "retries q:"),
    # when no Discussed item says what it was: "On the PM question, ...".
    label: str | None = None
    # The note says the point was made too thinly ("I undersold X: ..."):
    # the draft says more about it rather than adding it.
    said_more: bool = False


_WORDS = words()["clarify"]  # templates/words.en.toml
_READ = {key: alternation(value) for key, value in _WORDS["reading"].items()}
_I, _THAT, _QUESTION = _READ["self"], _READ["that"], _READ["question"]
_ASKED_ABOUT, _WHOSE, _TO_THE = _READ["asked_about"], _READ["whose"], _READ["to_the_question"]

# Clause breaks: sentences, semicolons, dashes between words, ", but".
_BREAKS = re.compile(
    rf"(?<=[.!?])\s+|;\s*|\s+[-–—]+\s+|,\s+(?:{_READ['but']})\s+|\s+(?:{_READ['but']})\s+(?={_I}\b)"
)
_QUESTION_OWNER = re.compile(
    rf"^(?P<who>.+?)\s+(?:{alternation(_WORDS['question_verbs'])})"
    rf"(?:\s+(?:{_ASKED_ABOUT}))?\s+(?P<q>.+)$",
    re.IGNORECASE,
)
_WHEN_ASKED = re.compile(
    rf"^(?:{alternation(_WORDS['when_asked'])})(?:\s+(?:{_READ['me']}))?(?:\s+(?:{_ASKED_ABOUT}))?\s+"
    rf"(?P<q>.+?),\s+(?P<rest>{_I}\b.+)$",
    re.IGNORECASE,
)
# "I was asked about behaviour management and I blanked": the candidate
# was asked, no one is named, and what follows " and I" is what was said.
_I_WAS_ASKED = re.compile(
    rf"^(?:{alternation(_WORDS['i_was_asked'])})(?:\s+(?:{_ASKED_ABOUT}))?\s+(?P<q>.+?)"
    rf"(?:,?\s+(?:{_READ['and']})\s+(?P<rest>{_I}\b.+)|,\s+(?P<rest2>{_I}\b.+))?$",
    re.IGNORECASE,
)
_ANSWER_AFTER = re.compile(rf",\s+(?={_I}\b)")
_QUESTION_LABEL = re.compile(rf"^(?:{_QUESTION})\s*:\s*(?P<q>.+)$", re.IGNORECASE)
# "retries q: I said ...", "the PM question: the answer was fine but ...".
_TOPIC_LABEL = re.compile(
    rf"^(?:(?:{_TO_THE})\s+)?(?:(?:{_WHOSE})\s+)?"
    rf"(?P<q>[\w'’&/ -]{{1,40}}?)\s+(?:{_QUESTION})(?:\s*:\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_ON_THE_QUESTION = re.compile(
    rf"\b(?:{_TO_THE})\s+(?:{_WHOSE})\s+(?:{_QUESTION})\s+(?:{_READ['question_of']})\s+"
    rf"(?P<q>.+?)(?:,\s*|\s+(?={_I}\b)|$)",
    re.IGNORECASE,
)
_THE_X_QUESTION = re.compile(
    rf"\b(?:{_TO_THE})\s+(?:{_WHOSE})\s+(?P<q>[\w'’&/ -]{{2,40}}?)\s+(?:{_QUESTION})\b[\s:]*",
    re.IGNORECASE,
)

_MARK = rf"(?P<that>\s*:\s*|\s+(?:{_THAT})\s+|\s+)(?P<b>.+)$"  # what follows a marker
_BETTER = (
    re.compile(
        rf"\b(?:{_READ['should_have']})\s+(?:{alternation(_WORDS['should_have'])})"
        rf"(?P<first>\s+(?:{_READ['first']}))?"
        rf"(?:\s+(?:{alternation(_WORDS['should_have_objects'])})(?=\s*:))?" + _MARK,
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:{_READ['forgot_to']})\s+(?:{alternation(_WORDS['forgot_to'])})" + _MARK,
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:{alternation(_WORDS['what_i_meant'])})(?:\s+(?:{_READ['copulas']}))?" + _MARK,
        re.IGNORECASE,
    ),
    re.compile(
        rf"^(?:{alternation(_WORDS['better_labels'])})(?!\s+(?:{_READ['not_after_label']})\b)"
        rf"(?:\s+(?:{_READ['copulas']}))?(?P<that>\s*[:,]\s*|\s+)(?P<b>.+)$",
        re.IGNORECASE,
    ),
    re.compile(rf"^(?:{_READ['better_openers']})(?P<that>,?\s+)(?P<b>.+)$", re.IGNORECASE),
    re.compile(rf"^(?P<that>)(?P<b>(?:{_READ['better_statements']})\b.+)$", re.IGNORECASE),
)
# "I undersold the email program I ran: 1.2M subscribers, ...": what was
# said too thinly, with the figures that make it.
_SAID_TOO_THINLY = re.compile(
    rf"\b(?:{alternation(_WORDS['said_too_thinly'])})\s+(?P<b>[^:]+:\s*\S.*)$", re.IGNORECASE
)
# An unmarked statement of what is true, next to a confession: "I have done
# it for three years", "I would rank them by the decisions they unblock".
_STATEMENT = re.compile(
    rf"^(?:{_READ['statement_subjects']})\s+(?:{alternation(_WORDS['statement_verbs'])})\b",
    re.IGNORECASE,
)
# "forgot" confesses; "forgot to mention" marks the better answer.
_CONFESSION = re.compile(
    rf"\b(?:{alternation([*_WORDS['admissions'], *_WORDS['confessions']])})\b"
    rf"(?!\s+(?:{_READ['to']})\s+(?:{alternation(_WORDS['forgot_to'])}))",
    re.IGNORECASE,
)
_SAID_OBJECT = re.compile(
    rf"\b(?:{_READ['said']})\s+(?:(?:{_READ['said_owner']})\s+)?(?P<x>[\w' -]+?)(?:[,.;]|$)",
    re.IGNORECASE,
)
_PRONOUN = re.compile(rf"(?<=\w )({_READ['pronouns']})\b")
_IMPERATIVE = re.compile(
    rf"^(?:{alternation(_WORDS['instructions'])})\s+(?:(?:{_THAT})\s+)?", re.IGNORECASE
)
# "I'd say I ran P&Ls for 30 titles": the words before what would be said.
_WOULD_SAY = re.compile(
    rf"^(?:{alternation(_WORDS['would_say'])})\s+(?:(?:{_THAT})\s+)?(?=\w)", re.IGNORECASE
)
# Advice the candidate wrote to themself: "check whether it's a leak",
# "compute features once". Sent as what they would do: "I would check ...".
_ADVICE = re.compile(rf"^(?:{alternation(_WORDS['advice_verbs'])})\b", re.IGNORECASE)
# A comma splice that starts a new statement: "..., we cut incidents to 0".
_SPLICE = re.compile(rf",\s+(?=(?:{alternation(_WORDS['new_statement'])})\s+\w)", re.I)
_SUBJECT = re.compile(rf"^(?:{alternation(_WORDS['subjects'])})\b", re.IGNORECASE)
_NOT_A_TOPIC_WORD = frozenset(_WORDS["around_a_topic"])


def _clauses(section: Sequence[str]) -> list[str]:
    clauses: list[str] = []
    for raw in section:
        text = expand_shorthand(plain_text(raw))
        clauses += [c.strip(" ,.;:") for c in _BREAKS.split(text) if c.strip(" ,.;:")]
    return clauses


def split_clarification(
    section: Sequence[str], people: Sequence[Person], items: Sequence[Item] = ()
) -> Clarification:
    """Every item and sentence of the Clarify section, sorted into the
    question, what was said and what should have been. `items`, the
    round's Discussed items, tell whose a question named only by its topic
    was ("the SICR question" is Dr Solberg's "IFRS 9 staging, esp. SICR")."""
    question: str | None = None
    label: str | None = None
    owner: Person | None = None
    said: list[str] = []
    better: list[str] = []
    said_more = False
    said_object: str | None = None
    named = False  # the question (or its asker) was found in an earlier clause
    for clause in _clauses(section):
        if not named:
            question, label, owner, clause = _question(clause, people)
            if label is not None:
                label, owner = _label_owner(label, people)
                asked = _asked_item(label, items) if label else None
                if asked is not None and asked.owner is not None:
                    owner = asked.owner
                    if _topic_words(label) <= _words(asked.text):
                        question, label = asked.text, None
            named = bool(question or label or owner)
            label = label or None
            clause = clause.strip(" ,.;:")
            if not clause:
                continue
        found = _better(clause)
        if found is None and (m := _SAID_TOO_THINLY.search(clause)):
            found, said_more = m["b"].strip(" ,.;:"), not better
        if found is not None:
            better += _sentences(found)
            continue
        m = _SAID_OBJECT.search(clause)
        if m and said_object is None:
            said_object = m["x"].strip()
        # Once the better answer has begun, what follows it goes on with it
        # ("That's what we ran at my last job, zero duplicate payouts").
        if (better or _STATEMENT.match(clause)) and not _CONFESSION.search(clause):
            better += _sentences(clause)
        else:
            said.append(clause)
    better = [_resolve(b, said_object) for b in better]
    if owner is None and better and question is None and label is None:
        # "I'd use survival curves, not just cohort tables" is about Mateo's
        # "cohort retention": the one panel member whose point it shares words
        # with. A named question is never given an asker this way: "your P&L
        # question" to someone who did not ask it would be a claim.
        owner = _owner_by_words([*said, *better], items)
    evidence = case_evidence([*section, *(item.source for item in items)])
    better = [_first_word(b, people, evidence) for b in better if b]
    missing = None
    if not better and said:
        missing = (
            f'it says "{said[0]}" but not what you would say now, so the thank-you '
            "has no clarification; add a line such as "
            '"- I should have said that ..." with what you would say now'
        )
    return Clarification(question, owner, tuple(said), tuple(better), missing, label, said_more)


def _question(
    clause: str, people: Sequence[Person]
) -> tuple[str | None, str | None, Person | None, str]:
    """(the question, or only its topic label; its asker; what is left of
    the clause)."""
    m = _WHEN_ASKED.match(clause)
    if m:  # "When asked how I would backfill ..., I only described ...": no asker named
        return m["q"].strip(" ?"), None, None, m["rest"]
    m = _I_WAS_ASKED.match(clause)
    if m:
        return m["q"].strip(" ?,"), None, None, m["rest"] or m["rest2"] or ""
    m = _QUESTION_OWNER.match(clause)
    if m and (who := m["who"].split()) and len(who) <= 4 and who[0][:1].isupper():
        found = match_name(who, people)
        # What follows ", I ..." is what was said, not the question.
        question, *said = _ANSWER_AFTER.split(m["q"], maxsplit=1)
        return question.strip(" ?"), None, found[0] if found else None, "".join(said)
    m = _QUESTION_LABEL.match(clause)
    if m:
        return m["q"].strip(" ?"), None, None, ""
    m = _ON_THE_QUESTION.search(clause)
    if m:
        rest = _without(clause, m)
        return m["q"].strip(" ?"), None, None, rest
    m = _THE_X_QUESTION.search(clause)
    if m and _is_topic(m["q"]):
        rest = _without(clause, m)
        return None, m["q"].strip(), None, rest
    m = _TOPIC_LABEL.match(clause)
    if m and len(m["q"].split()) <= 4 and _is_topic(m["q"]):
        return None, m["q"].strip(), None, m["rest"] or ""
    return None, None, None, clause


# Words that say what kind of question it was, not what it was about:
# "a hard question", "the follow-up question", "good q".
_NOT_A_TOPIC = frozenset(_WORDS["kinds_of_question"])


def _is_topic(label: str) -> bool:
    """ "retries", "the PM", "Tomasz's partitioning": what a question was
    about. Not "that was a hard", "I blanked on the", "Good"."""
    if _SUBJECT.match(label) or any(_VERB.fullmatch(w) for w in label.split()):
        return False
    return bool(_topic_words(label) - _NOT_A_TOPIC)


def _topic_words(label: str) -> set[str]:
    return _words(label) - _NOT_A_TOPIC_WORD


def _without(clause: str, m: re.Match[str]) -> str:
    """The clause with the question's words taken out of it."""
    return re.sub(r"\s+(?=[,.;:])", "", one_line(clause[: m.start()] + " " + clause[m.end() :]))


def _label_owner(label: str, people: Sequence[Person]) -> tuple[str, Person | None]:
    """ "Tomasz's partitioning" -> ("partitioning", Tomasz)."""
    words = label.split()
    for n in range(1, min(3, len(words)) + 1):
        if re.search(r"['’]s$", words[n - 1]):
            named = [w.removesuffix("'s").removesuffix("’s") for w in words[:n]]
            found = match_name(named, people)
            if found and found[1] == n:
                return " ".join(words[n:]), found[0]
    return label, None


def _asked_item(label: str, items: Sequence[Item]) -> Item | None:
    """The one Discussed question, asked by someone on the panel, whose
    words (as the note wrote them) hold every word of `label`."""
    wanted = _topic_words(label)
    if not wanted:
        return None
    found = [
        item
        for item in items
        if item.owner is not None
        and item.act is Act.QUESTION
        and wanted <= _words(item.source) | _words(item.text)
    ]
    return found[0] if len(found) == 1 else None


# Words any clarification or point may hold: they tie it to no one.
_TIES_TO_NO_ONE = frozenset(_WORDS["ties_to_no_one"])


def _owner_by_words(texts: Sequence[str], items: Sequence[Item]) -> Person | None:
    """The one panel member whose own Discussed item shares a word (not a
    word any sentence may hold) with the clarification; None when none or
    several do."""
    mine = {_stem(w) for text in texts for w in _words(text) if len(w) > 3}
    mine -= {_stem(w) for w in _TIES_TO_NO_ONE}
    owners = {
        item.owner
        for item in items
        if item.owner is not None and mine & {_stem(w) for w in _words(item.source) if len(w) > 3}
    }
    return owners.pop() if len(owners) == 1 else None


def _stem(word: str) -> str:
    """ "transfers" and "transfer", "tables" and "table": one word."""
    for ending in _WORDS["reading"]["endings"]:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[\w&/'’-]+", text)}


def _better(clause: str) -> str | None:
    for pattern in _BETTER:
        m = pattern.search(clause)
        if m:
            text = _WOULD_SAY.sub("", _IMPERATIVE.sub("", m["b"].strip(" ,.;:")))
            first = "first" in pattern.groupindex and bool(m["first"])
            text = _as_mine(text, first=first)
            if not re.search(r"\w", re.sub(r"^that\b", "", text, flags=re.I)):
                return None  # "I should have said that ...": nothing said yet
            # "what I meant was that rollback predicts ...": a clause, kept
            # as one, unless it begins with its subject ("that I set up").
            if "that" in m["that"] and not _SUBJECT.match(text):
                text = f"that {text}"
            elif _SUBJECT.match(re.sub(r"^that\s+", "", text, flags=re.I)):
                text = re.sub(r"^that\s+", "", text, flags=re.I)
            return text or None
    return None


def _as_mine(text: str, *, first: bool = False) -> str:
    """Advice to oneself, as what one would do: "check whether it is a
    leak" -> "I would first check whether it is a leak"."""
    if _ADVICE.match(text):
        return f"I would {'first ' if first else ''}{text[:1].lower()}{text[1:]}"
    return text


_VERB = re.compile(rf"\b(?:\w{{3,}}ed|{alternation(_WORDS['verbs'])})\b", re.IGNORECASE)
_RELATIVE = re.compile(rf"\b(?:{alternation(_WORDS['relatives'])})\b|[:,(]", re.IGNORECASE)
_NOT_BEFORE_A_VERB = frozenset(_WORDS["not_before_a_verb"])


def _is_clause(text: str) -> bool:
    """ "we cut lag by 30%", "the 2023 audit found zero gaps": a statement,
    framed "I should add that ...". Not "the system that took my class ..."
    or "the reconciliation I automated": a thing, framed "I should also have
    mentioned ..."."""
    if _SUBJECT.match(text):
        return True
    head = _RELATIVE.split(text, maxsplit=1)[0].split()
    return any(
        _VERB.fullmatch(word) and head[i - 1].casefold() not in _NOT_BEFORE_A_VERB
        for i, word in enumerate(head)
        if i > 0
    )


def _sentences(text: str) -> list[str]:
    return [part.strip(" ,.;:") for part in _SPLICE.split(text) if part.strip(" ,.;:")]


def _resolve(text: str, said_object: str | None) -> str:
    """ "I also pair them with ..." after "I talked about task-completion
    rates": the pronoun becomes what it stands for, so the sentence stands
    alone."""
    if not said_object:
        return text
    return _PRONOUN.sub(lambda m: said_object, text, count=1)


def _first_word(text: str, people: Sequence[Person], evidence: CaseEvidence) -> str:
    if text.split()[0].replace("’", "'") in _WORDS["reading"]["first_person"]:
        return text
    return fix_case(text, people, evidence)


CLARIFY_TEXTS: tuple[str, ...] = (
    *(_WORDS[tone][part] for tone in ("formal", "casual") for part in _WORDS[tone]),
    "On your question about, On the question about, On your question, On the question",
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
    leads = _WORDS["casual" if tone == "casual" else "formal"]
    frames = _WORDS["question"]
    whose = frames["yours"] if found.owner == recipient else frames["others"]
    if found.question:
        question = address(found.question, recipient.name)
        lead = frames["about"].format(whose=whose, question=question)
    elif found.label:
        lead = frames["label"].format(whose=whose, label=address(found.label, recipient.name))
    else:
        lead = leads["general"]
    # Every part is sent: the numbers and results are in the later ones.
    first, *more = found.better
    frame = leads["clause"] if _is_clause(first) else leads["phrase"]
    if found.said_more:
        frame = leads["more"]
    sentences = [f"{lead}{frame}{address(first, recipient.name)}"]
    for text in more:
        text = address(text, recipient.name)
        sentences.append(text[:1].upper() + text[1:] if text[:1].islower() else text)
    return " ".join(s.rstrip(" .,;:") + "." for s in sentences)
