"""The name someone goes by, when their name does not say it. Pure.

Two places say it. A person note's prose: "Goes by Seun.", "prefers to be
called 'Bobby'", "signs her emails Lan" (the words are data: `[names]` in
words.<code>.toml). And the interview note itself: a note that writes
"Fatima Zahra walked me through ..." of Fatima Zahra Benali shows that
Fatima Zahra is the name she goes by (a compound given name without a
hyphen); a note that writes "Lan mentioned ..." of Nguyễn Thị Lan, whose
name starts with her family name, shows which word is her given name.

A name of three words whose second word is a surname (a Spanish double
surname: José García Márquez) cannot be told from a compound given name by
its words; a note that writes "José García asked" reads as a compound given
name unless it also writes the second word alone or after a title ("Mr
García"). `salutation` on the person note says it for certain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from vaultfollow.core.items import name_key, name_words
from vaultfollow.core.language import alternation, phrases
from vaultfollow.core.model import InterviewNote, Person, Round
from vaultfollow.core.salutation import family_name_first, is_honorific, is_title_and_surname

_NAME = r"[^\W\d_][\w'’\-]*"
_QUOTED = rf"[\"“‘'](?P<quoted>{_NAME}(?:\s+{_NAME}){{0,2}})[\"”’']"
_AFTER = rf"\s+(?:{_QUOTED}|(?P<word>{_NAME}))"
_STRONG = re.compile(
    rf"(?<!\w)(?:{alternation(phrases('names', 'goes_by'))}){_AFTER}", re.IGNORECASE
)
_WEAK = re.compile(
    rf"(?<!\w)(?:{alternation(phrases('names', 'goes_by_weak'))}){_AFTER}", re.IGNORECASE
)


def goes_by_in_prose(text: str, name: str) -> str | None:
    """The name a person note's prose says `name` goes by ("Goes by Seun."),
    or None. Unquoted, the name must be capitalised (and, after words that
    say other things too, part of the person's name)."""
    keys = [name_key(w) for w in name.split()]
    for pattern, strong in ((_STRONG, True), (_WEAK, False)):
        for match in pattern.finditer(text):
            quoted, word = match["quoted"], match["word"]
            if quoted:
                if not is_honorific(quoted.split()[0]):
                    return " ".join(quoted.split())
                continue
            if not word[:1].isupper() or is_honorific(word):
                continue
            if strong or any(name_key(word) in key for key in keys):
                return word
    return None


def salutation_in_prose(text: str) -> str | None:
    """A title and surname the prose says the person goes by ("Goes by Dr
    Adeyemi", "signs off as 'Ms Whitcombe'"), or None."""
    for match in _STRONG.finditer(text):
        rest = text[match.start("word") if match["word"] else match.start("quoted") :]
        words = rest.split()[:2]
        said = " ".join(w.strip("\"“”‘’'.,;:!?()") for w in words)
        if is_title_and_surname(said):
            return said
    return None


# --- the note's own form of a name -------------------------------------------


def _token(word: str) -> str:
    return word.strip(".,:;!?()[]'’\"“”*_").removesuffix("'s").removesuffix("’s")


def _uses(texts: Iterable[str], form: list[str]) -> bool:
    """Whether a text names `form` (words of a name) with capitals, as a
    name is written."""
    wanted = [name_key(w) for w in form]
    n = len(wanted)
    for text in texts:
        tokens = [_token(w) for w in text.split()]
        for i in range(len(tokens) - n + 1):
            chunk = tokens[i : i + n]
            if [name_key(t) for t in chunk] == wanted and all(t[:1].isupper() for t in chunk):
                return True
    return False


def name_as_used(person: Person, texts: Iterable[str]) -> Person:
    """`person` with the name the note's `texts` call them by when it is not
    their first word: the first two words of a name of three or more ("Fatima
    Zahra"), or the given name of a name written family name first ("Lan").
    Unchanged when they have a `salutation` or a name they go by already."""
    if person.goes_by or person.salutation:
        return person
    words = name_words(person)
    texts = list(texts)
    if family_name_first(words):
        if _uses(texts, words[-1:]):
            return replace(person, goes_by=words[-1])
        return person
    if len(words) < 3 or not words[1][:1].isupper():
        return person
    if not _uses(texts, words[:2]):
        return person
    second = words[1]
    titled = any(
        is_honorific(_token(a)) and name_key(_token(b)) == name_key(second)
        for text in texts
        for a, b in zip(text.split(), text.split()[1:], strict=False)
    )
    alone = any(
        name_key(_token(w)) == name_key(second)
        and (i == 0 or name_key(_token(ws[i - 1])) != name_key(words[0]))
        for text in texts
        for ws in [text.split()]
        for i, w in enumerate(ws)
    )
    if titled or alone:
        return person  # the note uses the second word as a surname
    return replace(person, goes_by=f"{words[0]} {second}")


def names_as_used(note: InterviewNote) -> InterviewNote:
    """The note with each interviewer and its contact called as the note
    calls them (`name_as_used`), read from its shareable sections."""
    texts = [*note.discussed, *note.clarify]
    for round_ in note.rounds:
        texts += [*round_.discussed, *round_.clarify]

    def called(round_: Round) -> Round:
        return replace(
            round_, interviewers=tuple(name_as_used(p, texts) for p in round_.interviewers)
        )

    contact = name_as_used(note.contact, texts) if note.contact else None
    return replace(note, rounds=tuple(called(r) for r in note.rounds), contact=contact)
