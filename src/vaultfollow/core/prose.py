"""Note text -> phrases that read well inside a message. Pure.

People write the Discussed and Clarify sections of an interview note as notes
to self: "Their move to Kafka, and how they replay events", "I gave a thin
answer on capacity planning; I have done it for three years." A draft speaks
to someone at the company, so these helpers strip Markdown, shorten long
bullets at a natural break, and turn the company's "their" into "your" and
the recipient's own name into "you".
"""

from __future__ import annotations

import re
from functools import lru_cache

from vaultfollow.core.language import alternation, words

MAX_POINTS = 2
# A bullet longer than this is cut at its first clause break ("X, which ...")
# when what comes before the break can stand alone.
_CUT_AT_CLAUSE_OVER = 10
_MIN_CLAUSE_WORDS = 4

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # none is printable


def one_line(text: str) -> str:
    """One line of text: line breaks and control characters become spaces,
    runs of spaces one space (`str.split` splits where `\\s` matches)."""
    if not text.isprintable():
        text = _CONTROL.sub(" ", text)
    return " ".join(text.split())


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WIKILINK = re.compile(r"\[\[([^\]|]*)(?:\|([^\]]*))?\]\]")
_MDLINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TASK = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*\[[ xX]\]\s*")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_|~~|==|`)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_ASIDE = re.compile(r"\s*\([^()]*\)")
_CLAUSE_END = re.compile(r"[,;:]$|^[-–—]$")
_PROSE = words()["prose"]  # templates/words.en.toml
_CLAUSE_OPENERS = word_set(_PROSE["clause_openers"])
_DANGLING = word_set(_PROSE["dangling"])  # a shortened point never ends on one
# First words that are ordinary words, not names, so they are lower-cased when
# the point goes inside a sentence ("How the team deploys" -> "how the team...").
_COMMON_STARTS = word_set(_PROSE["common_starts"])


def clean_point(text: str, max_words: int, *, cut_at_clause: bool = False) -> str:
    """Markdown and list markers off, one sentence, at most `max_words` words
    (cut at a word boundary, never after a dangling "and" or "the"), no
    trailing punctuation, and a lower-case first letter when the first word
    is an ordinary word. With `cut_at_clause`, asides in parentheses go and
    a long point ends at its first clause break when what comes before can
    stand alone."""
    text = plain_text(text)
    first, *rest = _SENTENCE_END.split(text, maxsplit=1)
    if rest and len(first.split()) >= 3:
        text = first
    if cut_at_clause:
        # "(really?)", "(ask Kai)": asides to self, not part of the point.
        text = one_line(_ASIDE.sub("", text)) or text
    words = text.split()
    if cut_at_clause and len(words) > _CUT_AT_CLAUSE_OVER:
        words = _first_clause(words)
    if len(words) > max_words:
        words = _shorten(words, max_words)
    text = " ".join(words).rstrip(" .,;:!?-–—…")
    if not text:
        return ""
    head = text.split()[0]
    ordinary = head.casefold() in _COMMON_STARTS or (head.endswith("ing") and len(head) > 4)
    if ordinary and head[:1].isupper() and (len(head) == 1 or head[1:].islower()):
        text = text[:1].lower() + text[1:]
    return text


def plain_text(text: str) -> str:
    """One line without list markers, links, emphasis or brackets; every
    sentence of it kept."""
    text = one_line(text)
    text = _TASK.sub("", text)
    text = _BULLET.sub("", text)
    text = _WIKILINK.sub(lambda m: m[2] or m[1].rsplit("/", 1)[-1], text)
    text = _MDLINK.sub(lambda m: m[1], text)
    for _ in range(3):
        text = _EMPHASIS.sub(lambda m: m[2], text)
    text = text.replace("[", "").replace("]", "").replace("{", "").replace("}", "")
    return one_line(text)


def _first_clause(words: list[str]) -> list[str]:
    """The words before the first clause break, when they can stand alone."""
    for end in range(_MIN_CLAUSE_WORDS, len(words)):
        if _CLAUSE_END.search(words[end - 1]):
            kept = words[:end]
            while kept and kept[-1].rstrip(",;:").casefold() in _DANGLING:
                kept.pop()
            return kept if len(kept) >= _MIN_CLAUSE_WORDS else words
    return words


def _shorten(words: list[str], max_words: int) -> list[str]:
    kept = words[:max_words]
    # Prefer ending at a clause boundary when one falls in the second half,
    # else just before a word that opens a subordinate clause ("that caught
    # ...", "before it ..."), so the phrase still means something on its own.
    for end in range(len(kept), max_words // 2, -1):
        if _CLAUSE_END.search(kept[end - 1]):
            kept = kept[:end]
            break
    else:
        for end in range(len(kept) - 1, max_words // 2, -1):
            if kept[end].casefold() in _CLAUSE_OPENERS:
                kept = kept[:end]
                break
    while kept and kept[-1].rstrip(",;:").casefold() in _DANGLING:
        kept.pop()
    return kept


# --- speaking to the recipient -------------------------------------------------

_SAY = _PROSE["address"]
_WH = rf"({alternation(_SAY['wh'])})"
_COMPANY_THEIR = re.compile(
    rf"(^|\b(?:{alternation(_SAY['before_their'])})\s){_SAY['their']}\b", re.IGNORECASE
)
_WH_THEY = re.compile(rf"\b{_WH} ({_SAY['they']}|{_SAY['their']})\b", re.IGNORECASE)
# "the portal they are building": the company's "they", said to them.
_THEY_VERB = re.compile(
    rf"\b(?:(?:{alternation(_SAY['relative'])}) )?{_SAY['they']}"
    rf"(?: (?:{alternation(_SAY['they_verbs'])})\b|(?:{alternation(_SAY['they_contractions'])})\b)"
)


def address(text: str, recipient: str) -> str:
    """A note-to-self phrase as said to someone at the company: "their" (the
    company's) at the start or after a preposition, and "how they"/"how
    their", become "your"/"you";
    the recipient's own name with `'s` becomes "your", before "asked", "you".
    "They" and "you" take the same verb forms, so the sentence stays right."""
    if not text:
        return text
    you, your = _SAY["you"], _SAY["your"]
    text = _COMPANY_THEIR.sub(lambda m: f"{m[1]}{your}", text)
    text = _WH_THEY.sub(lambda m: f"{m[1]} {you if m[2].lower() == _SAY['they'] else your}", text)
    text = _THEY_VERB.sub(lambda m: m[0].replace(_SAY["they"], you), text)
    for name in _names_of(recipient):
        if name in text:  # most points never name the recipient: no pattern to build
            possessive, asked = _name_patterns(name)
            text = possessive.sub(your, text)
            text = asked.sub(f"{you} {_SAY['asked']}", text)
    return text


@lru_cache(maxsize=256)
def _name_patterns(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The patterns of "Name's", and of "Name asked" at the start."""
    return (
        re.compile(rf"\b{re.escape(name)}['’]s\b"),
        re.compile(rf"^{re.escape(name)}\s+{_SAY['asked']}\b"),
    )


def _names_of(recipient: str) -> list[str]:
    """The full name, then the first name: what a note calls someone."""
    full = one_line(recipient)
    first = full.split()[0] if full.split() else ""
    return [n for n in dict.fromkeys((full, first)) if len(n) > 1]
