"""The checks of `vaultfollow check` that read a draft as its recipient
would: the wrong name or day, a copy of a colleague's note, an admission
with nothing added, a fragment or note shorthand, the demo's identity.

Pure functions of the draft's lines and what is known of it (`Facts`); each
finding is (file line, code, message), the message quoting the sentence and
saying what to write instead. Codes:

recipient-named, panel-similar, clarify-admission, fragment, shorthand,
stale-day, not-present, full-name-salutation, starter-identity, thanks-again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from functools import cache

from vaultfollow.core.language import alternation, phrases, words
from vaultfollow.core.model import WEEKDAY_DAYS
from vaultfollow.core.prose import word_set
from vaultfollow.core.salutation import is_honorific, is_suffix

# The demo vault's example person (`app.starter.DEMO_SIGNER`; a test holds
# the two equal): a draft of any other vault that says it was not rewritten.
STARTER_NAME = "Alex Example"
STARTER_EMAIL = "alex@example.com"

PANEL_SIMILAR_ABOVE = 0.75  # issue 17: never above 0.75
COMMON_ZIPF = 4.0  # wordfreq: a word at least this frequent is a common word

Found = tuple[int, str, str]  # file line, code, message


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known of a draft besides its text (each may be unknown)."""

    kind: str = ""
    channel: str = "email"
    recipient: str = ""  # the recipient's name as written in the note or `to:`
    company: str = ""  # may share a word with the name: Ms Hartwell of Hartwell & Co
    interview: date | None = None  # the round's day
    do: date | None = None  # the day the draft is to be sent
    today: date | None = None  # the day the draft is read (checked)
    present: bool | None = None  # whether the recipient was in the round
    thanked: bool | None = None  # whether their thank-you for the round was sent
    you_name: str = ""
    you_email: str = ""
    proper: frozenset[str] = frozenset()  # words the note shows are proper nouns


# --- sentences -----------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')]*\s+(?=[\"“‘(]?[^\W\d_])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:P\.S|Dr|Mr|Mrs|Ms|Mx|Prof|St|vs|etc|approx)|\b[a-z]\.[a-z])\.$"
)
_GREETING = re.compile(
    r"^\s*(?P<word>Dear|Hi|Hello|Hey|Good (?:morning|afternoon|evening))\b,?\s*"
    r"(?P<name>[^,!:\n]*?)\s*[,!:]",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^\s*(?:kind|best|warm|warmest|many|with best|all the best|yours|sincerely|regards|"
    r"thanks|thank you|cheers|best wishes|with thanks)\b[^.!?]{0,30},\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Sentence:
    line: int
    text: str
    paragraph: int


def _sentences(lines: Sequence[tuple[int, str]]) -> list[_Sentence]:
    """The body's sentences, each with the file line it starts on and its
    paragraph's number (a paragraph is a run of non-blank lines)."""
    found: list[_Sentence] = []
    paragraph = 0
    for number, line in lines:
        if not line.strip():
            paragraph += 1
            continue
        for text in split_sentences(line):
            found.append(_Sentence(number, text, paragraph))
    return found


def split_sentences(text: str) -> list[str]:
    """A line's sentences ("Dr. Solberg" and "P.S." do not end one)."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        piece = text[start : match.start()]
        after = text[match.end() :][:1]
        if _ABBREVIATION.search(piece) or not (after.isupper() or after in '"“‘('):
            continue
        pieces.append(text[start : match.end()].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def _quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


def greeting_line(lines: Sequence[tuple[int, str]]) -> tuple[int, re.Match[str]] | None:
    """The first greeting of the body ("Dear Priya,") and its line."""
    for number, line in lines:
        if line.strip():
            match = _GREETING.match(line)
            return (number, match) if match else None
    return None


# --- names -----------------------------------------------------------------------------

_PARTICLES = word_set("van von der den de del della di da du dos le la al el bin ibn ter ten")
_GENERIC = word_set(
    "hiring manager team recruiter recruiting committee panel sir madam all everyone there "
    "folks friends colleagues"
)


def name_words(name: str) -> list[str]:
    """A person's name without titles, suffixes or the e-mail address."""
    name = name.split("<", 1)[0].replace(",", " ")
    return [w for w in name.split() if not is_honorific(w) and not is_suffix(w)]


def _given_and_family(name: str) -> tuple[str, str] | None:
    words = [w for w in name_words(name) if w.casefold() not in _PARTICLES]
    if len(words) < 2:
        return (words[0], "") if words else None
    return words[0], words[-1]


def _has_word(text: str, word: str) -> bool:
    return bool(word) and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


# --- the checks ------------------------------------------------------------------------


def reader_findings(
    lines: Sequence[tuple[int, str]],
    subject: tuple[int, str],
    facts: Facts,
    panel: Sequence[tuple[str, Sequence[str]]] = (),
    own_body: Sequence[str] = (),
) -> list[Found]:
    """Every reader's finding in a draft's body `lines` (file line, text) and
    `subject`. `panel` holds the other thank-yous of the round as (path, body
    lines) to compare `own_body` with."""
    sentences = _sentences(lines)
    found: list[Found] = []
    found += _full_name_salutation(lines, facts)
    found += _recipient_named(lines, facts)
    found += _clarify_admission(sentences)
    found += _fragments(sentences, facts)
    found += _shorthand(sentences)
    found += _stale_day(sentences, facts)
    found += _not_present(sentences, facts)
    found += _thanks_again(sentences, facts)
    found += _starter_identity(lines, subject, facts)
    if panel and own_body:
        found += _panel_similar(lines, own_body, panel)
    return found


def _full_name_salutation(lines: Sequence[tuple[int, str]], facts: Facts) -> list[Found]:
    greeting = greeting_line(lines)
    if greeting is None:
        return []
    number, match = greeting
    said = match["name"]
    words = said.split()
    titled = bool(words) and is_honorific(words[0])
    known = _given_and_family(facts.recipient) if facts.recipient else None
    if known is not None and known[1]:
        given, family = known
        full = _has_word(said, given) and _has_word(said, family)
    else:
        names = [w for w in name_words(said) if w.casefold() not in _PARTICLES]
        full = len(names) >= 2 and not any(w.casefold() in _GENERIC for w in names)
    if not full:
        return []
    parts = _given_and_family(facts.recipient or said) or ("", "")
    title = words[0] if titled else ""
    better = f"{match['word']} {title} {parts[1]}" if title else f"{match['word']} {parts[0]}"
    return [
        (
            number,
            "full-name-salutation",
            f"{_quote(match.group().strip())} greets with the full name; write "
            f"“{' '.join(better.split())},” (a title and the surname, or the first name), "
            "or set `salutation` on the person note",
        )
    ]


def _recipient_named(lines: Sequence[tuple[int, str]], facts: Facts) -> list[Found]:
    parts = _given_and_family(facts.recipient) if facts.recipient else None
    if not parts:
        return []
    own = set(name_words(facts.you_name)) | set(re.findall(r"\w+", facts.company))
    names = [w for w in parts if w and w not in own]
    greeting = greeting_line(lines)
    after = greeting[0] if greeting else 0
    found: list[Found] = []
    for sentence in _sentences([(n, t) for n, t in lines if n > after]):
        text = sentence.text
        if _GREETING.match(text) or text.startswith(("Call ", "If they answer", "If you reach")):
            continue  # a phone script greets again, and says whom to call
        hit = next((w for w in names if _has_word(text, w)), None)
        if hit:
            found.append(
                (
                    sentence.line,
                    "recipient-named",
                    f"{_quote(text)} names {hit}, who is reading it; say “you” or “your "
                    "question” instead",
                )
            )
    return found


# An admission of a weak answer, and what counts as adding the better one.
# The admissions are the words the Clarify section is read by (words.<code>.toml).
_ADMISSION = re.compile(
    rf"\b(?:I (?:{alternation(phrases('clarify', 'admissions'))}|"
    r"did not answer|didn't answer|only (?:described|mentioned|"
    r"talked about|said|gave|covered))|"
    r"(?:was|ran|went on|got) way too long|way too long|"
    r"I (?:should|could) have (?:said|mentioned|explained|added|answered|been clearer)|"
    r"I forgot to (?:mention|say|add)|"
    r"\bmy answer\b[^.!?]{0,80}\b(?:was|felt|came out) (?:a bit |rather |too |very )?(?:rushed|"
    r"weak|vague|muddled|unclear|incomplete|thin|shaky|poor|long|rambling)|"
    r"on reflection, (?:when [^,]{1,120}, )?I (?:only|just|hesitated|underplayed|undersold|"
    r"didn't|did not|forgot|should|could|wasn't|was not|rambled|blanked|gave|missed|"
    r"focused|talked|described|mentioned|answered|skipped|glossed))",
    re.IGNORECASE,
)
_SAID_THAT = re.compile(
    r"\b(?:said|mentioned|explained|added|meant|say|mention|add)\s+(?:that|how)\s+(\S+(?:\s+\S+){3,})",
    re.IGNORECASE,
)
_ADDED_MARKER = re.compile(
    r"(?:[;:–—]|\bbut\b|\bthe (?:short|better|real|full|fuller) (?:version|answer)\b|"
    r"\bwhat I meant\b|\bin short\b|\bnamely\b|\binstead\b)\s*(\S+(?:\s+\S+){3,})",
    re.IGNORECASE,
)
# A next sentence that offers more without giving it, or apologises.
_EMPTY_FOLLOW = re.compile(
    r"\b(?:(?:glad|happy|keen|welcome the chance|love) to (?:go into|expand|elaborate|explain|"
    r"discuss|talk|walk you through|share|follow up)|more detail|sorry|apologi[sz]e|"
    r"hope (?:that|it) (?:was|is) (?:ok|okay|alright|fine))",
    re.IGNORECASE,
)


def _clarify_admission(sentences: Sequence[_Sentence]) -> list[Found]:
    found: list[Found] = []
    for index, sentence in enumerate(sentences):
        match = _ADMISSION.search(sentence.text)
        if match is None:
            continue
        rest = sentence.text[match.start() :]
        if _SAID_THAT.search(rest) or _ADDED_MARKER.search(rest[len(match.group()) :]):
            continue
        following = sentences[index + 1] if index + 1 < len(sentences) else None
        if (
            following is not None
            and following.paragraph == sentence.paragraph
            and not _EMPTY_FOLLOW.search(following.text)
            and not _ADMISSION.search(following.text)
        ):
            continue
        found.append(
            (
                sentence.line,
                "clarify-admission",
                f"{_quote(sentence.text)} admits a weak answer and adds nothing; write the "
                "better answer (“On your question about …, I should add that …”) or cut "
                "the paragraph",
            )
        )
    return found


_PREPOSITION_THEN = re.compile(r"\b(about|of|for|on)\s+(?P<rest>\S+(?:\s+\S+)?(?:\s+\S+)?)")
_PRONOUN_CLAUSE = re.compile(
    r"^(?:I|we|they|he|she)(?:['’](?:m|re|ve|s|d|ll))?\b|^(?:you|it)['’](?:re|ve|s|d|ll)\b",
)
_CLAUSE_VERB = re.compile(
    r"^(?:asked|said|told|mentioned|explained|walked|showed|described|talked|wanted|wants|"
    r"thinks|thought|is|was|are|were|has|had|will|would|can|could|does|did|seems|noted|"
    r"pushed|raised|shared|gave|spoke)\b"
)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Capitalised as proper nouns whatever a word list says.
_CALENDAR_WORDS = word_set(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december"
)
# Products as they write themselves ("about Python"): proper nouns too. A
# product that is also a word ("Notion") is one where the note shows it.
_PRODUCT_WORDS = frozenset(
    word for spelled in words()["spelling"]["products"].values() for word in spelled.split()
)


@cache
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def is_common_word(word: str) -> bool:
    """Whether `word` (any case) is a common English word (wordfreq)."""
    return _zipf(word.casefold()) >= COMMON_ZIPF


def _fragments(sentences: Sequence[_Sentence], facts: Facts) -> list[Found]:
    proper = set(facts.proper) | proper_words(s.text for s in sentences) | _PRODUCT_WORDS
    found: list[Found] = []
    for sentence in sentences:
        for match in _PREPOSITION_THEN.finditer(sentence.text):
            rest = match["rest"].strip("“”\"'()")
            words = rest.split()
            first = _WORD.match(words[0]) if words else None
            clause = bool(_PRONOUN_CLAUSE.match(rest))
            if not clause and (first is None or first.group() != words[0].rstrip(".,;:!?")):
                continue
            head = words[0].strip("“”\"'(),.;:!?") if words else ""
            why = ""
            if clause or (
                len(words) > 1 and words[0][:1].isupper() and _CLAUSE_VERB.match(words[1])
            ):
                why = "a clause"
            elif (
                head[:1].isupper()
                and head[1:].islower()
                and head not in proper
                and head.casefold() not in _CALENDAR_WORDS
                and not (len(words) > 1 and words[1][:1].isupper() and head == words[0])
                and is_common_word(head)
            ):
                why = f"a capitalised common word (“{head}”)"
            if why:
                found.append(
                    (
                        sentence.line,
                        "fragment",
                        f"{_quote(sentence.text)} has {why} after “{match[1]}”: "
                        f"“{match[1]} {' '.join(words)}” does not read; rewrite it as a topic "
                        f"(“{match[1]} the …”) or a clause (“how you …”), in lower case",
                    )
                )
    return found


def proper_words(texts: Iterable[str]) -> set[str]:
    """Words written capitalised mid-sentence (not after about/of/for/on),
    which the writer shows are proper nouns."""
    proper: set[str] = set()
    for text in texts:
        for piece in re.split(r"(?<=[.!?:])\s+|\n", text):
            tokens = piece.split()
            for index, token in enumerate(tokens[1:], start=1):
                word = token.strip("“”\"'(),.;:!?")
                if word[:1].isupper() and tokens[index - 1].casefold() not in (
                    "about",
                    "of",
                    "for",
                    "on",
                ):
                    proper.add(word)
    return proper


_SHORTHAND = re.compile(
    r"(?<![\w/])(?:w/o?|b/c)(?=\s|$)|->|-->|=>|→|(?<=[^\W\d_]) \+(?= |$)|\?\?+|"
    r"(?<![\w&])(?:lol|tbh|imo|imho|thx|pls|afaik)(?!\w)|(?-i:(?<=[a-z]) & (?=[a-z]))",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")  # a name quoted as written
_URL = re.compile(r"\S+://\S+|\bwww\.\S+")


def _shorthand(sentences: Sequence[_Sentence]) -> list[Found]:
    found: list[Found] = []
    for sentence in sentences:
        text = _QUOTED.sub(" ", _URL.sub(" ", sentence.text))
        hits = [m.group().strip() for m in _SHORTHAND.finditer(text)]
        if hits:
            listed = ", ".join(f"`{h}`" for h in dict.fromkeys(hits))
            found.append(
                (
                    sentence.line,
                    "shorthand",
                    f"{_quote(sentence.text)} has note shorthand ({listed}); write it out "
                    "(“with”, “to”, “and”, “because”) or leave the point out",
                )
            )
    return found


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
# A weekday followed by its date ("Monday, 9 November") is not stale.
_DAY_WORDS = re.compile(
    r"\b(?P<day>today|this morning|this afternoon|this evening|tonight)\b"
    r"|\b(?P<yesterday>yesterday)\b"
    rf"|\b(?P<weekday>{_WEEKDAY})"
    rf"(?!,?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?\.?\s+{_MONTH}|{_MONTH}\s+\d|\d{{4}}-))\b",
    re.IGNORECASE,
)


def _stale_day(sentences: Sequence[_Sentence], facts: Facts) -> list[Found]:
    """A day word that is wrong on the day the draft is read: "today" a day
    on, "yesterday" two days on, a weekday once it is a week old. Read on
    today, or on the day the draft is due when that is later."""
    if facts.interview is None or facts.do is None:
        return []
    read_on = max(facts.do, facts.today) if facts.today else facts.do
    days = (read_on - facts.interview).days
    if days < 1:
        return []
    right = _right_day(facts.interview, days)
    found: list[Found] = []
    for sentence in sentences:
        for match in _DAY_WORDS.finditer(sentence.text):
            too_soon = 2 if match["yesterday"] else WEEKDAY_DAYS + 1 if match["weekday"] else 1
            if days < too_soon:
                continue
            found.append(
                (
                    sentence.line,
                    "stale-day",
                    f"{_quote(sentence.text)} says “{match[0]}”, but the interview was {days} "
                    f"days before this is sent ({read_on.isoformat()}); write “{right}”",
                )
            )
            break
    return found


def _right_day(interview: date, days: int) -> str:
    """What a draft read `days` after the interview calls its day."""
    if days == 1:
        return "yesterday"
    if days <= WEEKDAY_DAYS:
        return f"on {interview:%A}"
    return f"on {interview.day} {interview:%B}"


_TOGETHER = re.compile(
    r"\b(?:our (?:conversation|chat|call|meeting|talk|discussion)|"
    r"(?:speaking|talking|chatting|meeting) (?:with|to) you|meeting you|met (?:with )?you|"
    r"(?:spoke|talked|chatted) (?:with|to) you)\b",
    re.IGNORECASE,
)


def _not_present(sentences: Sequence[_Sentence], facts: Facts) -> list[Found]:
    if facts.present is not False or facts.kind not in ("check-in", "second-check-in"):
        return []
    who = facts.recipient or "the recipient"
    return _each_match(
        sentences,
        _TOGETHER,
        "not-present",
        f"but {who} was not in the interview; write “following my interview with … on …” instead",
    )


def _each_match(
    sentences: Sequence[_Sentence], pattern: re.Pattern[str], code: str, why: str
) -> list[Found]:
    """A finding for each sentence `pattern` matches: "“…” says “X”, `why`"."""
    found: list[Found] = []
    for sentence in sentences:
        match = pattern.search(sentence.text)
        if match:
            found.append((sentence.line, code, f"{_quote(sentence.text)} says “{match[0]}”, {why}"))
    return found


_THANKS_AGAIN = re.compile(
    rf"\b(?:{alternation(phrases('checks', 'thanks'))})(?:\s+\w+){{0,2}}?\s+"
    rf"(?:{alternation(phrases('checks', 'again'))})\b",
    re.IGNORECASE,
)


def _thanks_again(sentences: Sequence[_Sentence], facts: Facts) -> list[Found]:
    """A first check-in that thanks its reader "again" when no thank-you to
    them was sent (a second check-in follows a first that thanked them)."""
    if facts.thanked is not False or facts.kind != "check-in":
        return []
    who = facts.recipient or "the recipient"
    return _each_match(
        sentences,
        _THANKS_AGAIN,
        "thanks-again",
        f"but no thank-you to {who} was sent; thank them once, without “again” (or mark "
        "the thank-you sent)",
    )


def _starter_identity(
    lines: Sequence[tuple[int, str]], subject: tuple[int, str], facts: Facts
) -> list[Found]:
    if facts.you_name == STARTER_NAME and facts.you_email in (STARTER_EMAIL, ""):
        return []  # the demo vault signs as its example person
    found: list[Found] = []
    for number, line in [subject, *lines]:
        for example in (STARTER_NAME, STARTER_EMAIL):
            if example.casefold() in line.casefold():
                found.append(
                    (
                        number,
                        "starter-identity",
                        f"{_quote(line)} has the starter vault's example person "
                        f"(“{example}”); write your own name and address, and set `[you] name` "
                        "and `email` in vaultfollow.toml",
                    )
                )
                break
    return found


def letter_words(body: Sequence[str]) -> list[str]:
    """The words of a letter's body without its greeting and sign-off, as the
    panel comparison reads it."""
    lines = list(body)
    if lines and lines[0] == "---":  # a whole file: the front matter is no part of it
        end = next((i for i, line in enumerate(lines[1:], 1) if line in ("---", "...")), 0)
        lines = lines[end + 1 :]
    numbered = list(enumerate(lines))
    greeting = greeting_line(numbered)
    start = greeting[0] + 1 if greeting else 0
    end = len(lines)
    for index in range(len(lines) - 1, start - 1, -1):
        if _CLOSING.match(lines[index]):
            end = index
            break
    return " ".join(lines[start:end]).split()


def panel_ratio(ours: Sequence[str], theirs: Sequence[str]) -> float:
    """Word-level difflib ratio of two letters' bodies (greeting and sign-off removed)."""
    return SequenceMatcher(None, letter_words(ours), letter_words(theirs), autojunk=False).ratio()


def _panel_similar(
    lines: Sequence[tuple[int, str]],
    own_body: Sequence[str],
    panel: Sequence[tuple[str, Sequence[str]]],
) -> list[Found]:
    found: list[Found] = []
    first = next((n for n, t in lines if t.strip() and not _GREETING.match(t)), 1)
    for path, body in panel:
        ratio = panel_ratio(own_body, body)
        if ratio > PANEL_SIMILAR_ABOVE:
            opening = next((t for n, t in lines if n == first), "")
            found.append(
                (
                    first,
                    "panel-similar",
                    f"{_quote(opening, 60)}: this thank-you reads like {path} (similarity "
                    f"{ratio:.2f}, above {PANEL_SIMILAR_ABOVE}); interviewers compare notes: "
                    "give each one a different point, and mention their own question",
                )
            )
    return found
