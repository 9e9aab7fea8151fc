"""A note's shareable items, understood before a draft uses them. Pure.

People write the Discussed section as notes to self: "Talked about the move
to Rust", "Tomasz asked about partitioning a 2 TB table", "Priya: how we'd
shard it", "CRDTs??", "Tell me about yourself". `classify_item` says what
each one is (a topic that can follow "about", a clause that needs its own
frame, a fact, a question the candidate was asked, nothing), who on the
panel owns it, and gives its text cleaned of Markdown, shorthand and
note-taking verbs, with each word's capital kept only where it marks a
proper noun.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from wordfreq import zipf_frequency

from vaultfollow.core.language import alternation, phrases, words
from vaultfollow.core.model import Person
from vaultfollow.core.prose import clean_point, one_line
from vaultfollow.core.salutation import is_honorific, is_suffix

MAX_ITEM_WORDS = 16


class ItemKind(StrEnum):
    TOPIC = "topic"  # a noun phrase: "the move to Rust"
    CLAUSE = "clause"  # a wh-clause, fits after "about": "how they deploy"
    FACT = "fact"  # a statement, needs "that": "they're on Murex"
    ASKED_OF_ME = "asked-of-me"  # "Tell me about yourself": never a point
    SKIP = "skip"  # nothing left once shorthand is gone
    NOTE_TO_SELF = "note-to-self"  # a complaint about their setup: "their CI is slow"


class Act(StrEnum):
    NONE = "none"
    QUESTION = "question"  # "Tomasz asked about X", "Priya: how ...?"
    REMARK = "remark"  # "Priya: X", "Lan mentioned X"
    WALKTHROUGH = "walkthrough"  # "Oluwaseun walked me through X"
    THEIRS = "theirs"  # "Priya's team": the text keeps the possessive
    PART = "part"  # "mock call w/ Tariq playing the CFO": the text keeps the name


@dataclass(frozen=True, slots=True)
class Item:
    """One Discussed item: its kind, its cleaned text, its owner on the panel."""

    kind: ItemKind
    text: str
    owner: Person | None = None
    act: Act = Act.NONE
    source: str = ""


# --- names ---------------------------------------------------------------------

_FOLD_EXTRA = str.maketrans({"đ": "d", "ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "ı": "i"})


def name_key(word: str) -> str:
    """A word of a name as matching sees it: no case, no diacritics."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().translate(_FOLD_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_FOLD_EXTRA)


def name_words(person: Person) -> list[str]:
    """The words of a person's name without honorifics and suffixes."""
    words = [w.strip(",") for w in one_line(person.name).split()]
    while words and is_honorific(words[0]):
        words = words[1:]
    while len(words) > 1 and is_suffix(words[-1]):
        words = words[:-1]
    return words


def name_forms(person: Person) -> list[tuple[str, ...]]:
    """The ways a note names someone, longest first, as keys: the full name,
    "Title Surname", the first two words of a name of three or more (a
    compound given name: "Fatima Zahra"), the name they go by ("Seun"), the
    first word, the last word and, for a name of three words or more, the
    second word ("Dr. Iglesias" for Pablo Iglesias Ruiz, whose first family
    name is the one used alone)."""
    words = name_words(person)
    if not words:
        return []
    keys = [name_key(w) for w in words]
    forms: list[tuple[str, ...]] = [tuple(keys)]
    raw = one_line(person.name).split()
    if raw and is_honorific(raw[0]) and len(keys) > 1:
        title = name_key(raw[0].rstrip("."))
        forms.append((title, keys[-1]))
        if len(keys) > 2 and len(keys[1]) > 3:
            forms.append((title, keys[1]))
    # "von Arnim", "de Wit", "Dr von Arnim": a family name with its particle.
    for i in range(1, len(words) - 1):
        if words[i][:1].islower():
            surname = tuple(keys[i:])
            if raw and is_honorific(raw[0]):
                forms.append((name_key(raw[0].rstrip(".")), *surname))
            forms.append(surname)
            break
    if len(keys) > 2 and words[1][:1].isupper():
        forms.append((keys[0], keys[1]))
    if person.goes_by:
        forms.append(tuple(name_key(w) for w in person.goes_by.split()))
    forms += [(keys[0],), (keys[-1],)]
    if len(keys) > 2 and len(keys[1]) > 3:  # not a particle: "de", "van", "Thị"
        forms.append((keys[1],))
    return [f for f in dict.fromkeys(forms) if all(len(k) > 1 for k in f)]


def _token_key(token: str) -> str:
    return name_key(token.strip(".,:;!?()'’\"").removesuffix("'s").removesuffix("’s"))


def match_name(words: Sequence[str], people: Sequence[Person]) -> tuple[Person, int] | None:
    """The panel member named by the first words, and how many words name them."""
    keys = [_token_key(w) for w in words[:4]]
    if words and is_honorific(words[0].strip(".,:;()")):
        # "Dr Solberg": a title, then a name.
        found = match_name(words[1:], people)
        if found:
            return found[0], found[1] + 1
    best: tuple[Person, int] | None = None
    for person in people:
        for form in name_forms(person):
            n = len(form)
            if tuple(keys[:n]) == form and (best is None or n > best[1]):
                best = (person, n)
    return best


# --- shorthand and note-taking verbs -----------------------------------------

_SIGNS = words()["items"]["shorthand"]
_ABBREVIATIONS: dict[str, str] = _SIGNS["words"]
_AFTER_A_NUMBER: dict[str, str] = _SIGNS["after_a_number"]
_SHORTHAND = (
    *(
        (re.compile(rf"(?<!\w){re.escape(short)}(?!\w)", re.IGNORECASE), full)
        for short, full in sorted(_ABBREVIATIONS.items(), key=lambda kv: -len(kv[0]))
    ),
    (re.compile(r"(?<!\w)w/(?=\s|\w)", re.IGNORECASE), f"{_SIGNS['with']} "),
    *(
        (re.compile(rf"(?<=\d ){re.escape(short)}(?!\w)", re.IGNORECASE), full)
        for short, full in sorted(_AFTER_A_NUMBER.items(), key=lambda kv: -len(kv[0]))
    ),
    # "migration SAS -> python": from one thing to the other.
    (
        re.compile(
            rf"\b((?:{alternation(phrases('items', 'from_to_words'))})\s+)(?!{_SIGNS['from']}\b)"
            r"([^\s>]+)\s*(?:->|→|=>)\s*",
            re.IGNORECASE,
        ),
        rf"\1{_SIGNS['from']} \2 {_SIGNS['to']} ",
    ),
    # "asked about X -> I said Y": what follows is a new thought, not "to".
    (re.compile(rf"\s*(?:->|→|=>)\s*(?=(?:{alternation(_SIGNS['new_thought'])})\s)"), "; "),
    (re.compile(r"\s*(?:->|→|=>)\s*"), f" {_SIGNS['to']} "),
    (re.compile(r"\s+[+&]\s+"), f" {_SIGNS['and']} "),
    (re.compile(r"[?!]{2,}"), ""),
    (
        re.compile(
            rf"(?<!\w)(?:{alternation(_SIGNS['dropped'])})(?!\w)[.,!]?",
            re.IGNORECASE,
        ),
        "",
    ),
)

_OWNERS = words()["items"]["owners"]
_NOTE_VERB = re.compile(
    rf"^(?:(?:{alternation(_OWNERS['note_takers'])})\s+)?"
    rf"(?:(?:{alternation(_OWNERS['note_verbs'])})(?:\s+(?:{alternation(_OWNERS['note_about'])}))?|"
    rf"{alternation(_OWNERS['note_labels'])})\s*:?\s+",
    re.IGNORECASE,
)


def expand_shorthand(text: str) -> str:
    for pattern, replacement in _SHORTHAND:
        text = pattern.sub(replacement, text)
    return one_line(text).strip(" ,;:")


# --- owners ----------------------------------------------------------------------

_QUESTION_VERBS = re.compile(
    rf"^(?:{alternation(_OWNERS['asked'])})(?:\s+(?:{alternation(_OWNERS['about'])}))?\s+",
    re.IGNORECASE,
)
_WALK_VERBS = re.compile(rf"^(?:{alternation(_OWNERS['walked'])})\s+", re.IGNORECASE)
_REMARK_VERBS = re.compile(
    rf"^(?:{alternation(_OWNERS['remarked'])})\s+(?:(?:{alternation(_OWNERS['that'])})\s+)?", re.I
)
# Someone not on the round's panel: the question stays, the name goes.
_SOMEONE_ASKED = re.compile(
    rf"^[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*)? (?:{alternation(_OWNERS['someone_asked'])})"
    rf"(?: (?:{alternation(_OWNERS['about'][:1])}))? (?P<what>.+)$"
)
_LABEL = re.compile(r"^\s*[:\-–—]\s*")


def _owned(text: str, people: Sequence[Person]) -> tuple[Person, Act, str] | None:
    """ "Name asked about X", "Name: X", "Name walked me through X", "Name's X"."""
    words = text.split()
    found = match_name(words, people)
    if not found:
        return None
    person, n = found
    named = words[n - 1]
    rest = " ".join(words[n:])
    if re.search(r"['’]s$", named.rstrip(".,:;")):
        return person, Act.THEIRS, text
    if named.endswith(":") or (_LABEL.match(" " + rest) and rest[:1] in ":-–—"):
        body = _LABEL.sub("", rest) if not named.endswith(":") else rest
        said = body.rstrip()
        act = Act.QUESTION if said.endswith("?") or _WH_START.match(said) else Act.REMARK
        return person, act, said
    for pattern, act in (
        (_QUESTION_VERBS, Act.QUESTION),
        (_WALK_VERBS, Act.WALKTHROUGH),
        (_REMARK_VERBS, Act.REMARK),
    ):
        m = pattern.match(rest)
        if m:
            return person, act, rest[m.end() :]
    return None


_WITH_WORDS = frozenset(phrases("items", "with_words"))
_QUESTION_WORDS = frozenset(phrases("items", "question_words"))
_DETERMINERS = frozenset(phrases("items", "determiners"))
_DASHES = ("-", "–", "—")


@dataclass(frozen=True, slots=True)
class _Mention:
    person: Person
    at: int  # the index of the name's first word
    size: int  # how many words name them


def _mentions(words: Sequence[str], people: Sequence[Person]) -> list[_Mention]:
    """The panel members named after the first word, by a capitalised whole
    word (or words): "Tariq", "Dr Vogel"; "Tariq's" is left out, as a name
    in a possessive says whose a thing is, not who raised it."""
    found: list[_Mention] = []
    i = 1
    while i < len(words):
        bare = words[i].lstrip("(")
        match = match_name([bare, *words[i + 1 :]], people) if bare[:1].isupper() else None
        if match is None:
            i += 1
            continue
        person, size = match
        last = words[i + size - 1].rstrip(".,;:!?)")
        if not re.search(r"['’]s$", last):
            found.append(_Mention(person, i, size))
        i += size
    return found


def _named_within(text: str, people: Sequence[Person]) -> tuple[Person, Act, str] | None:
    """A panel member named mid-item as the one who did the thing: "mock
    discovery call with Tariq playing the CFO" (the text keeps the name, which
    becomes "you"), "CRDTs for the offline editor - Declan is keen" and
    "booking flow redesign - Jonas had lots of questions" (the text is what
    comes before the dash). An item that names two members, or names one
    only in passing ("reporting to Hannah"), has no owner."""
    words = text.split()
    mentions = _mentions(words, people)
    if not mentions or len({name_key(m.person.name) for m in mentions}) > 1:
        return None
    first = mentions[0]
    before = words[first.at - 1]
    after = words[first.at + first.size :]
    if before.casefold() in _WITH_WORDS:
        return first.person, Act.PART, text
    if not after or not after[0][:1].islower():
        return None
    if before in _DASHES:
        topic = words[: first.at - 1]
    elif before.endswith((",", ";")) or words[first.at].startswith("("):
        topic = words[: first.at]
    else:
        return None
    said = {w.casefold().strip(".,;:!?") for w in after}
    act = Act.QUESTION if said & _QUESTION_WORDS else Act.REMARK
    return first.person, act, " ".join(topic).rstrip(",;")


def with_article(text: str) -> str:
    """ "mock discovery call" -> "the mock discovery call"; a phrase that has
    a determiner, or starts with a name or a marked word (CRDTs), stays."""
    first = text.split(" ", 1)[0]
    if not first[:1].islower() or first.casefold() in _DETERMINERS:
        return text
    return f"{_ARTICLES['article']} {text}"


_ARTICLES = words()["items"]["articles"]
_PREPOSITIONS = frozenset(_ARTICLES["prepositions"])
_COMPARISONS = frozenset(_ARTICLES["comparisons"])


def topic_with_article(topic: str) -> str:
    """ "the accessibility audit" for "accessibility audit": a topic that
    names one thing takes the article a person would write after "about"
    (words.<code>.toml [items.articles] says which topics do)."""
    words_ = topic.split()
    head: list[str] = []
    for word in words_:
        if word.casefold() in _PREPOSITIONS:
            break
        head.append(word)
    if len(head) < 2 or any(w.casefold() in _COMPARISONS for w in words_):
        return topic
    first, last = head[0], head[-1]
    if first.casefold() in _DETERMINERS or first.casefold().endswith("ing") or first[:1].isdigit():
        return topic
    bare = last.replace("-", "")
    if not (bare.isalpha() and bare.islower()):
        return topic  # "low-latency C++", "cross-border M&A": a name ends it
    if last.endswith(("ing", "s")) and not last.endswith("ss"):
        return topic  # "edit checks", "legacy giving"
    return f"{_ARTICLES['article']} {topic}"


# --- kinds -----------------------------------------------------------------------

_KINDS = words()["items"]["kinds"]
_WH_START = re.compile(rf"^(?:{alternation(_KINDS['wh'])})\b", re.IGNORECASE)
_YOU = re.compile(rf"\b(?:{alternation(_KINDS['you'])})\b", re.IGNORECASE)
_Q = alternation(_KINDS["question_label"])
_ASKED_OF_ME = re.compile(
    rf"^(?:(?:{_Q})\s*:\s*)?(?:{alternation(_KINDS['asked_of_me'])}|"
    rf"(?:{alternation(_KINDS['asked_of_me_words'])})\b)",
    re.IGNORECASE,
)
_Q_PREFIX = re.compile(rf"^(?:{_Q})\s*:\s*", re.IGNORECASE)
_SUBJECT_START = re.compile(rf"^(?:{alternation(_KINDS['subjects'])})\b", re.IGNORECASE)
# The verb in lower case: "my CAN bus story" holds no "can".
_FINITE = re.compile(
    rf"^(?:(?i:{_KINDS['the']})\s+)?\w+(?:\s+\w+)?\s+(?:{alternation(_KINDS['finite_verbs'])})\b"
)
_ARTICLE_NEEDED = re.compile(rf"^(?:{alternation(_KINDS['article_needed'])})\s", re.IGNORECASE)


def _kind_of(text: str) -> ItemKind:
    if _SUBJECT_START.match(text):
        return ItemKind.FACT
    if _WH_START.match(text):
        return ItemKind.CLAUSE
    if _FINITE.match(text):
        return ItemKind.FACT
    return ItemKind.TOPIC


_STOCK_QUESTION = re.compile(
    rf"(?<!\w)(?:{alternation(phrases('items', 'stock_questions'))})(?!\w)", re.IGNORECASE
)
_WHY_CLAUSE_WORDS = frozenset(phrases("items", "why_clause_words"))
_WHY_COMPARE_WORDS = frozenset(phrases("items", "why_compare_words"))
_WHY_MOVE_WORDS = frozenset(phrases("items", "why_move_words"))
_ABOUT_ME = re.compile(
    rf"^(?:\S+\s+){{0,3}}(?:{alternation(phrases('items', 'about_me'))})$", re.IGNORECASE
)
_PARTS = re.compile(r"\s+/\s+|\s*;\s+")


def _is_why_this_job(part: str) -> bool:
    """ "why Greyfriars", "why banking after fintech", "why us": why the
    candidate wants the job. "why the build is slow" is a clause about the
    work, and "why event sourcing", "why Kafka over Kinesis" are questions
    about the work too."""
    m = re.match(r"^why\s+(.+)$", part.strip(" ?.!"), re.IGNORECASE)
    if not m:
        return False
    words = [w.casefold() for w in m[1].split()]
    if len(words) > 3 or any(w in _WHY_CLAUSE_WORDS or w.endswith("ed") for w in words):
        return False
    if any(w in _WHY_COMPARE_WORDS for w in words):
        return False
    # A name (the company) or the candidate's move; else a thing of the work.
    return m[1][:1].isupper() or any(w in _WHY_MOVE_WORDS for w in words)


def _is_stock(part: str) -> bool:
    """A question put to every candidate, or a line about the candidate's
    own story ("hiring manager screen, mostly my background")."""
    about_me = any(_ABOUT_ME.match(piece.strip(" ?.!")) for piece in part.split(", "))
    return bool(_STOCK_QUESTION.search(part)) or about_me or _is_why_this_job(part)


def without_stock_questions(text: str) -> str:
    """The text without the parts that are questions put to every candidate
    ("Tell me about yourself / why banking after fintech" -> "")."""
    parts = [p for p in _PARTS.split(text) if p.strip()]
    kept = [p for p in parts if not _is_stock(p)]
    return " / ".join(kept) if len(kept) < len(parts) else text


def _is_asked_of_me(text: str) -> bool:
    """Direct speech to the candidate: "Tell me about yourself", "Why do you
    want to leave?", "Q: why us?"."""
    stripped = text.strip()
    if _Q_PREFIX.match(stripped):
        return True
    if not _ASKED_OF_ME.match(stripped):
        return False
    return bool(_YOU.search(stripped))


# --- case ------------------------------------------------------------------------

_COMMON_ZIPF = 3.0
_SUFFIX_STEMS = (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("s", ""), ("es", ""))
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@lru_cache(maxsize=4096)
def is_common_word(word: str) -> bool:
    """An ordinary English word (by frequency, or as a regular form of one):
    "Release", "Partitioning". Rarer words are taken for names: "Kafka"."""
    low = word.casefold()
    if zipf_frequency(low, "en") >= _COMMON_ZIPF:
        return True
    for suffix, ending in _SUFFIX_STEMS:
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            stem = low[: -len(suffix)] + ending
            if zipf_frequency(stem, "en") >= _COMMON_ZIPF + 0.5:
                return True
    return False


def _marked_proper(word: str) -> bool:
    """Internal capitals, digits or all caps: CRDTs, IFRS9, iOS, AWS."""
    core = word.strip(".,;:!?()'’\"")
    return any(ch.isdigit() for ch in core) or any(ch.isupper() for ch in core[1:])


@dataclass(frozen=True, slots=True)
class CaseEvidence:
    """What the whole note says of a word's case: seen capitalised mid-sentence,
    seen in lower case, and the spelling it was first seen capitalised in."""

    proper: frozenset[str]
    common: frozenset[str]
    spellings: Mapping[str, str] = field(default_factory=dict)


_SENTENCE_BREAK = re.compile(r"[.!?:;]$|^[-–—•*]$")


def case_evidence(texts: Iterable[str]) -> CaseEvidence:
    proper: set[str] = set()
    common: set[str] = set()
    spellings: dict[str, str] = {}
    for text in texts:
        words = one_line(text).split()
        for i, word in enumerate(words):
            m = _WORD.search(word)
            if not m:
                continue
            token = m[0].removesuffix("'s").removesuffix("’s")
            if token[:1].islower():
                common.add(token.casefold())
            elif i > 0 and not _SENTENCE_BREAK.search(words[i - 1]):
                proper.add(token.casefold())
                spellings.setdefault(token.casefold(), token)
    return CaseEvidence(frozenset(proper), frozenset(common), spellings)


# Products as they write themselves (words.<code>.toml [spelling]).
_SPELLING = words()["spelling"]
_PRODUCTS: dict[str, str] = _SPELLING["products"]
_ALSO_WORDS: dict[str, str] = _SPELLING["also_words"]
# Written in lower case, as notes write them: "migration to python".
_PRODUCT = re.compile(rf"(?<![\w-])(?:{alternation(_PRODUCTS)})(?![\w-])")
_ALSO_WORD = re.compile(rf"(?<![\w-])(?:{alternation(_ALSO_WORDS)})(?![\w-])")
_ANY_PRODUCT = re.compile(_PRODUCT.pattern, re.IGNORECASE)


def restore_capitals(text: str, evidence: CaseEvidence) -> str:
    """Product names written in lower case, as the product writes them: the
    note's own spelling of a rarer word first ("kueue" where the note says
    "Kueue"), then the words file's table ("python" -> "Python", "k8s" ->
    "Kubernetes"); a product that is also a word ("react") only where the
    note capitalises it or the text names another product."""

    def seen(m: re.Match[str]) -> str:
        word = m[0]
        base = word.removesuffix("'s").removesuffix("’s")
        spelled = evidence.spellings.get(base)
        if spelled is None or not base.islower() or is_common_word(base):
            return word
        return spelled + word[len(base) :]

    text = _WORD.sub(seen, text)
    beside_a_product = bool(_ANY_PRODUCT.search(text))
    text = _PRODUCT.sub(lambda m: _PRODUCTS[" ".join(m[0].split())], text)

    def also_a_word(m: re.Match[str]) -> str:
        product = _ALSO_WORDS[m[0]]
        if beside_a_product or evidence.spellings.get(m[0]) == product:
            return product
        return m[0]

    return _ALSO_WORD.sub(also_a_word, text)


def fix_case(
    text: str, people: Sequence[Person], evidence: CaseEvidence, *, start_is_proper: bool = False
) -> str:
    """The text with its first word's capital dropped unless it is a proper
    noun: a panel member's name, marked (CRDTs, iOS, AWS), seen capitalised
    mid-sentence in the note, or not an ordinary word. Capitals later in the
    text were written mid-sentence, so they stay. Products written in lower
    case get their capitals (`restore_capitals`)."""
    first_word = _first_word_case(text, people, evidence, start_is_proper=start_is_proper)
    return restore_capitals(first_word, evidence)


def _first_word_case(
    text: str, people: Sequence[Person], evidence: CaseEvidence, *, start_is_proper: bool
) -> str:
    words = text.split()
    if not words:
        return text
    first = words[0]
    m = _WORD.match(first)
    if not m or not first[:1].isupper() or start_is_proper:
        return text
    token = m[0].removesuffix("'s").removesuffix("’s")
    low = token.casefold()
    if _marked_proper(token) or _marked_proper(first) or (len(token) > 1 and token.isupper()):
        return text
    if match_name(words, people):
        return text
    if low in evidence.proper and low not in evidence.common:
        return text
    if low in evidence.common or is_common_word(token) or len(token) == 1:
        return first[:1].lower() + text[1:]
    return text


# --- asides to self ---------------------------------------------------------------

_ASIDES = words()["items"]["asides"]
_ASIDE_BREAK = re.compile(r"\s*[,;]\s+")
_CONTINUES = re.compile(rf"^(?:{alternation(_ASIDES['continuations'])})\s", re.IGNORECASE)
_LIST_END = re.compile(rf"\s(?:{alternation(_ASIDES['continuations'])})\s", re.IGNORECASE)
_COMPLAINT = re.compile(
    rf"(?<![\w-])(?:{alternation(_ASIDES['complaints'])})(?![\w-])", re.IGNORECASE
)
_OPINION = re.compile(rf"(?<![\w-])(?:{alternation(_ASIDES['opinions'])})(?![\w-])", re.IGNORECASE)
_LIST_ITEM_WORDS = 3


def _plain(part: str) -> bool:
    """No number, complaint or opinion: "cleaning and catering"."""
    return (
        not re.search(r"[\d~]", part) and not _COMPLAINT.search(part) and not _OPINION.search(part)
    )


def _statement(part: str) -> bool:
    return bool(_SUBJECT_START.match(part) or _FINITE.match(part))


def without_asides(text: str, head_kind: ItemKind) -> str:
    """A point without the notes to self after its comma: "HIL test benches,
    they have 6 and always a queue" -> "HIL test benches". A topic keeps the
    words after its comma only when they finish a list ("vendor contracts,
    cleaning and catering") or go on with "and" ("release trains, and how
    often they ship"); a statement or clause keeps a plain contrast ("their
    SLOs are per-customer, not per-service")."""
    head, *rest = _ASIDE_BREAK.split(text)
    if not rest or not head:
        return text
    if not all(_plain(part) for part in rest):
        return head
    if head_kind is not ItemKind.TOPIC or _CONTINUES.match(rest[0]):
        return text
    # Each item of a list is short and no statement: "cleaning and catering",
    # not "blameless and they publish them internally".
    last = [piece.strip() for piece in _LIST_END.split(" " + rest[-1])]
    pieces = [*rest[:-1], *last]
    listed = all(len(piece.split()) <= _LIST_ITEM_WORDS for piece in pieces)
    if listed and len(last) > 1 and not any(map(_statement, pieces)):
        return text
    return head


def is_complaint(text: str) -> bool:
    """What their setup lacks, said as a note to self: "builds are slow"."""
    return bool(_COMPLAINT.search(text))


# --- classification ---------------------------------------------------------------


_MY_ANSWER = re.compile(rf"[;,]\s+(?=(?:{alternation(_OWNERS['my_answer'])})\s)")
# "IFRS 9 staging, esp. SICR triggers": the point is what comes before the
# aside (whose "esp." would otherwise end a sentence on "especially").
_ESP_ASIDE = re.compile(rf"[,;]\s+(?:{alternation(_OWNERS['asides'])})\.\s.*$", re.IGNORECASE)


def classify_item(raw: str, people: Sequence[Person], evidence: CaseEvidence | None = None) -> Item:
    """What one Discussed item is, whose it is, and its cleaned text."""
    if evidence is None:
        evidence = case_evidence([raw])
    text = clean_point(_ESP_ASIDE.sub("", raw), 10_000)
    # "asked about X -> I said Y": the point is X; Y is the candidate's answer.
    text = _MY_ANSWER.split(expand_shorthand(text), maxsplit=1)[0]
    if not text:
        return Item(ItemKind.SKIP, "", source=raw)
    text = without_stock_questions(text)
    if not text or _is_asked_of_me(text):
        return Item(ItemKind.ASKED_OF_ME, text or raw, source=raw)
    owner: Person | None = None
    act = Act.NONE
    owned = _owned(text, people)
    start_is_proper = False
    mid_item = False
    if owned:
        owner, act, text = owned
        text = without_stock_questions(text.strip(" ?"))
        if not text:  # "Lawrence: why Greyfriars"
            return Item(ItemKind.ASKED_OF_ME, owned[2], owner, act, raw)
    else:
        verb = _NOTE_VERB.match(text)
        if verb and text[verb.end() :]:
            # "Talked about Kafka": the word after a note verb was mid-sentence
            # ("Discussed: Release trains" starts a new one).
            start_is_proper = not verb[0].rstrip().endswith(":")
            text = text[verb.end() :]
        asked = _SOMEONE_ASKED.match(text)
        within = None if asked else _named_within(text, people)
        if asked:
            act, text = Act.QUESTION, asked["what"]
        elif within:
            owner, act, text = within
            mid_item = True
    text = _shorten(text)
    kind_of = _kind_of if act is not Act.THEIRS else _kind_of_theirs
    head = _ASIDE_BREAK.split(text, maxsplit=1)[0]
    text = without_asides(text, kind_of(head)) if head else text
    if not text:
        return Item(ItemKind.SKIP, "", owner, act, raw)
    if act is not Act.QUESTION and is_complaint(text):
        return Item(ItemKind.NOTE_TO_SELF, text, owner, act, raw)
    if act is not Act.THEIRS:
        text = fix_case(text, people, evidence, start_is_proper=start_is_proper)
    else:
        text = restore_capitals(text, evidence)
    if mid_item:
        text = with_article(text)
    kind = kind_of(text)
    if kind is ItemKind.FACT and _ARTICLE_NEEDED.match(text):
        text = f"{_ARTICLES['article']} {text}"
    return Item(kind, text, owner, act, raw)


def _kind_of_theirs(text: str) -> ItemKind:
    """ "Noor's team is 3 people" says something (a fact); "Priya's team and
    its roadmap" names a topic."""
    plain = re.sub(r"^\S+['’]s\s", "their ", text)
    return ItemKind.FACT if _FINITE.match(plain) else ItemKind.TOPIC


def _shorten(text: str) -> str:
    """One point, at its natural length (see `prose.clean_point`)."""
    return clean_point(text, MAX_ITEM_WORDS, cut_at_clause=True).strip(" ?")


def classify_items(
    raws: Sequence[str], people: Sequence[Person], context: Sequence[str] = ()
) -> list[Item]:
    """Every item of a section, classified with the case evidence of all of
    them and of the note's other `context` (its other sections)."""
    evidence = case_evidence([*raws, *context])
    return [classify_item(raw, people, evidence) for raw in raws]
