"""The name a draft greets someone by: "Dear Dr Solberg", "Dear Ingrid",
"Hi Ingrid"; never "Dear Ingrid Solberg".

A formal draft greets by title and surname when a title is known (a prefix
such as `Dr.` in the name, or a `salutation` such as `Ms Whitcombe`), else
by the first name; a casual draft by the first name. Honorifics (`Dr`,
`Prof`) and suffixes (`Jr.`, `PhD`, `III`) are never a first name.

A `salutation` that is not a title and surname (`Lan`, `Bobby`) is the name
the person goes by: both tones use it. A name they go by that their person
note's prose or the interview note shows (`goes_by`: "Goes by Seun.", see
goes_by.py) greets casually, and formally when no title is known: "Dr
Adeyemi" stays Dr Adeyemi.

A name that starts with a Vietnamese family name (`Nguyễn Thị Lan`, written
family name first) is greeted whole until the person's `salutation` says
otherwise. The order of the words tells vaultfollow that the first word is
the family name, but not which words are the name the person goes by (the
last word usually, both words of a compound given name often, an English
name sometimes); a wrong guess calls someone by a name that is not theirs,
the family name alone is curt, and the full name is what that person writes
themselves. Other family-name-first names (Chinese, Korean, Japanese,
Hungarian) cannot be told from the given-name-first order by their words
and are read given name first; `salutation` is the fix for them too.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

from vaultfollow.core.language import words


class Named(Protocol):
    """What a greeting reads of a `model.Person` (which reads its first
    name from here, so this module cannot import it)."""

    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def salutation(self) -> str | None: ...
    @property
    def goes_by(self) -> str | None: ...


_WORDS = words()["salutation"]  # templates/words.en.toml
# Honorifics as written (casefolded, without dots) -> as a greeting writes them.
TITLES: dict[str, str] = dict(_WORDS["titles"])
# Honorifics a greeting puts before the first name: "Dear Sir John".
FIRST_NAME_TITLES: dict[str, str] = dict(_WORDS["first_name_titles"])
# Generational suffixes, degrees and post-nominals (casefolded, without dots).
SUFFIXES = frozenset(_WORDS["suffixes"])
# Vietnamese family names that open a name written family name first. The
# plain-letter spellings are kept only where no other language uses them as
# a given name or a family name written last (`Ly`, `Le`, `Ho` are left out).
VIETNAMESE_FAMILY_NAMES = frozenset(
    [
        "nguyễn",
        "trần",
        "lê",
        "phạm",
        "hoàng",
        "huỳnh",
        "phan",
        "vũ",
        "võ",
        "đặng",
        "bùi",
        "đỗ",
        "hồ",
        "ngô",
        "dương",
        "lý",
        "nguyen",
        "tran",
        "pham",
        "hoang",
        "huynh",
        "dang",
        "bui",
        "duong",
    ]
)

_INITIAL = re.compile(r"^\w\.?$")


def _key(word: str) -> str:
    return word.replace(".", "").strip(",").casefold()


def is_honorific(word: str) -> bool:
    """`Dr.`, `Prof`, `Ms`, `Sir`...: never a first name."""
    return _key(word) in TITLES or _key(word) in FIRST_NAME_TITLES


def is_suffix(word: str) -> bool:
    """`Jr.`, `PhD`, `III`...: never a surname."""
    return _key(word) in SUFFIXES


def _words(name: str) -> tuple[str | None, list[str]]:
    """The first title in the name (as a greeting writes it) and the name's
    words without titles, suffixes or commas."""
    words = [w.strip(",") for w in unicodedata.normalize("NFC", name).split()]
    words = [w for w in words if w]
    title = None
    while len(words) > 1 and is_honorific(words[0]):
        found = TITLES.get(_key(words.pop(0)))
        title = title or found
    while len(words) > 1 and is_suffix(words[-1]):
        words.pop()
    return title, words


def family_name_first(words: list[str]) -> bool:
    """Whether a name's words (no titles) start with a Vietnamese family name."""
    return (
        len(words) >= 2
        and words[0].casefold() in VIETNAMESE_FAMILY_NAMES
        and words[-1].casefold() not in VIETNAMESE_FAMILY_NAMES
    )


def _email_name(name: str, email: str | None) -> str | None:
    """`jane.doe@acme.com` (or its local part, as a name) -> `Jane`; the
    local part as written when it does not split into a first name."""
    if "@" in name:
        local = name.split("@", 1)[0]
    elif email and name == email.split("@", 1)[0]:
        local = name
    else:
        return None
    pieces = [p for p in re.split(r"[._\-+]+", local) if p]
    if len(pieces) >= 2 and pieces[0].isalpha() and len(pieces[0]) >= 2:
        return pieces[0].capitalize()
    return local


def given_name(name: str) -> str:
    """The name's first name: titles, suffixes and initials skipped (`Dr.
    J. Robert Oppenheimer` -> `Robert`); the whole name (without titles and
    suffixes) when it starts with a family name; the name itself when it is
    only a title and surname."""
    title, words = _words(name)
    if not words:
        return " ".join(name.split())
    if family_name_first(words):
        return " ".join(words)
    if title and len(words) == 1:
        return f"{title} {words[0]}"
    named = [w for w in words if not _INITIAL.match(w)] or words
    return named[0]


def _formal(name: str) -> str:
    title, words = _words(name)
    if not words:
        return " ".join(name.split())
    opening = _key(name.split()[0])
    if opening in FIRST_NAME_TITLES and len(words) >= 1:
        return f"{FIRST_NAME_TITLES[opening]} {words[0]}"
    if title is None:
        return given_name(name)
    if family_name_first(words) or len(words) == 1:
        return f"{title} {' '.join(words)}"
    # The surname is every word after the first name but initials: a double
    # surname (`García Márquez`) and particles (`van Beethoven`) stay whole.
    named = [w for w in words if not _INITIAL.match(w)] or words
    surname = named[1:] or named
    return f"{title} {' '.join(surname)}"


def plain_name(name: str) -> str:
    """The name as running text says it: "Graham Hollis", not "Mr. Graham
    Hollis" ("my interview with Graham Hollis and Dr Solberg" reads oddly)."""
    _, words = _words(name)
    return " ".join(words) or " ".join(name.split())


def is_title_and_surname(text: str) -> bool:
    """`Ms Whitcombe`, `Dr. Solberg`: an honorific and at least one name."""
    words = text.split()
    return (
        len(words) >= 2
        and is_honorific(words[0])
        and not is_honorific(words[-1])
        and not all(_INITIAL.match(w) for w in words[1:])
    )


def greeting_name(person: Named, tone: str) -> str:
    """The name after "Dear" or "Hi": in a formal tone the title and
    surname when a title is known, else the first name; in a casual tone
    the first name. A `salutation` says it for the person (see the module)."""
    emailed = _email_name(person.name, person.email)
    if emailed is not None:
        return emailed
    salutation = " ".join((person.salutation or "").split())
    if salutation and not is_title_and_surname(salutation):
        return salutation
    called = " ".join((person.goes_by or "").split())
    if tone == "formal":
        if salutation:
            return salutation
        opening = _key((person.name.split() or [""])[0])
        titled = _words(person.name)[0] or opening in FIRST_NAME_TITLES
        if called and not titled:
            return called  # no title known; with one, never the nickname as a surname
        return _formal(person.name)
    if called:
        return called
    given = given_name(person.name)
    if salutation:
        _, words = _words(person.name)
        if family_name_first(words) or not words:
            # Only the salutation says which of these words is the first name.
            given_words = salutation.split()[1:]
            return " ".join(given_words) if set(given_words) <= set(words[1:]) else salutation
    return given
