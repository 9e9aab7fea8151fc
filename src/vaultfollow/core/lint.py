"""`vaultfollow check`: drafts against the rules of FOLLOWUP_RULES.md.

The checks are pure functions of (draft path, draft text, settings, the
follow-up the draft belongs to when known); `lint_vault_drafts` is the thin
shell that reads a vault through the engine. Every finding has a short,
stable `code` that scripts and the dashboard can rely on:

placeholder, template-syntax, too-long, no-gratitude, no-point,
no-call-to-action, no-signature, pressure, salary, third-check-in, spelling,
and those of `core.reader_checks` (recipient-named, panel-similar,
clarify-admission, fragment, shorthand, stale-day, not-present,
full-name-salutation, starter-identity, thanks-again).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from vaultfollow.core.config import Settings
from vaultfollow.core.draftfile import read_draft
from vaultfollow.core.front_matter import load_yaml
from vaultfollow.core.items import case_evidence, classify_items
from vaultfollow.core.layout import WORDS_FILE
from vaultfollow.core.model import FollowUp, Kind, Plan, Problem, State
from vaultfollow.core.panel import FRAME_TEXTS, SHAREABLE, round_people
from vaultfollow.core.prose import word_set
from vaultfollow.core.reader_checks import Facts, proper_words, reader_findings
from vaultfollow.core.salutation import TITLES

if TYPE_CHECKING:
    pass


WORD_LIMITS: Mapping[str, int] = {
    Kind.THANK_YOU.value: 200,
    Kind.CHECK_IN.value: 150,
    Kind.SECOND_CHECK_IN.value: 150,
    Kind.STAY_CONNECTED.value: 120,
    Kind.HANDWRITTEN_NOTE.value: 80,
}
CHECK_IN_KINDS = frozenset({Kind.CHECK_IN.value, Kind.SECOND_CHECK_IN.value})
# Kinds that must end with a call to action (a card just says thank you).
_NEEDS_CALL_TO_ACTION = CHECK_IN_KINDS | {Kind.THANK_YOU.value, Kind.STAY_CONNECTED.value}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one draft. `line` is the line of the draft file (the
    front matter counts), `code` a short stable name of the check."""

    path: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- the draft, split ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Draft:
    path: str
    props: Mapping[str, Any]
    prop_lines: Mapping[str, int]  # key -> file line
    body: tuple[str, ...]
    first_body_line: int  # file line of body[0]

    @property
    def kind(self) -> str:
        return str(self.props.get("followup") or "").strip().casefold()

    @property
    def channel(self) -> str:
        return str(self.props.get("channel") or "email").strip().casefold()

    def line_of(self, key: str) -> int:
        return self.prop_lines.get(key, 1)

    def body_lines(self) -> Iterable[tuple[int, str]]:
        for index, line in enumerate(self.body):
            yield self.first_body_line + index, line

    @property
    def last_line(self) -> int:
        for number, line in reversed(list(self.body_lines())):
            if line.strip():
                return number
        return self.first_body_line


def _split(path: str, text: str) -> _Draft:
    """The draft's properties, their lines and its body."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    props: dict[str, Any] = {}
    prop_lines: dict[str, int] = {}
    start = 0
    if lines and lines[0] == "---":
        for index in range(1, len(lines)):
            if lines[index] in ("---", "..."):
                try:
                    data = load_yaml("\n".join(lines[1:index]))
                except Exception:  # any broken front matter: no properties
                    data = None
                if isinstance(data, dict):
                    props = {str(k).strip().casefold(): v for k, v in data.items()}
                for number, line in enumerate(lines[1:index], start=2):
                    key = line.partition(":")[0].strip().casefold()
                    if key and not line[:1].isspace():
                        prop_lines.setdefault(key, number)
                start = index + 1
                break
    return _Draft(path, props, prop_lines, tuple(lines[start:]), start + 1)


# --- phrase lists ----------------------------------------------------------------


_PLACEHOLDERS = (
    (re.compile(r"\[\[?[^\]\n]{1,60}\]?\](?!\()"), "a placeholder in square brackets"),
    (re.compile(r"<[A-Za-z][A-Za-z _-]{0,40}>"), "a placeholder in angle brackets"),
    (re.compile(r"(?<!\{)\{[^{}\n]{1,40}\}(?!\})"), "a placeholder in braces"),
    (re.compile(r"\b(?:TODO|TBD|FIXME|XXX+)\b"), "a to-do marker"),
    (re.compile(r"\b(?:lorem ipsum|your name here|insert [a-z ]+ here)\b", re.I), "filler text"),
)
_TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_GRATITUDE = re.compile(r"\b(thank|thanks|thankful|grateful|gratitude|appreciate[ds]?)\b", re.I)
_CALL_TO_ACTION = re.compile(
    r"\b(next steps?|let me know|look(?:ing)? forward|hear(?:ing)? (?:from|back|about)|"
    r"happy to|glad to|any news|an update|any update|stay in touch|keep in touch|"
    r"just say the word|reach me)\b",
    re.I,
)
_PRESSURE = re.compile(
    r"\b(when (?:will|would|do|can|could) you (?:decide|make (?:a|your) decision|let me know)|"
    r"when (?:will|would) (?:a|the|your) decision|how soon (?:will|can|could) you|"
    r"(?:need|want|expect) (?:an answer|a decision|to (?:know|hear)) by|"
    r"(?:competing|other|another) offers?|as soon as possible|asap|urgent(?:ly)?|"
    r"decide (?:quickly|soon)|running out of time|final answer)\b",
    re.I,
)
_SALARY = re.compile(
    r"\b(salary|salaries|compensation|remuneration|wages?|pay (?:rise|raise|range|band)|"
    r"paid time off|benefits(?! of\b)|benefits? package|bonus(?:es)?|"
    r"equity (?:stake|grant|package)|"
    r"stock options?|pension|relocation package|sign(?:ing|-on) bonus|perks|"
    r"vacation days|holiday allowance)\b|[$€£]\s?\d",
    re.I,
)

# --- spelling ----------------------------------------------------------------------

_TOKEN = re.compile(r"\S+")
_PART = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_BRITISH = (
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ise", "ize"),
    ("yse", "yze"),
    ("yser", "yzer"),
    ("our", "or"),
    ("ours", "ors"),
    ("ogue", "og"),
    ("tre", "ter"),
    ("lled", "led"),
    ("lling", "ling"),
    ("ence", "ense"),
)


@cache
def _speller() -> Any:
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)


@cache
def builtin_words() -> frozenset[str]:
    """Everyday words of job hunting and tech the offline dictionary lacks."""
    text = resources.files("vaultfollow").joinpath("lint_words.txt").read_text("utf-8")
    return parse_word_list(text)


def parse_word_list(text: str) -> frozenset[str]:
    """Words of a word list: whitespace-separated, `#` starts a comment."""
    words: set[str] = set()
    for line in text.splitlines():
        for token in line.partition("#")[0].split():
            words.update(p.casefold() for p in _PART.findall(token))
    return frozenset(words)


def known_words(
    settings: Settings, followup: FollowUp | None, extra: Iterable[str] = ()
) -> set[str]:
    """Words that are never spelling errors in this draft: names, companies,
    roles and other words of the note, the recipient, you, the user's list."""
    texts: list[str] = [settings.you.name, settings.you.email, settings.you.signature]
    if followup is not None:
        note = followup.note
        texts += [followup.company, followup.role, followup.round_label or "", note.path]
        texts += [note.application_link or "", note.address or "", *note.discussed, *note.clarify]
        people = [followup.recipient, *(p for r in note.rounds for p in r.interviewers)]
        if note.contact:
            people.append(note.contact)
        for person in people:
            texts += [person.name, person.title or "", person.email or ""]
            texts += [person.salutation or "", *TITLES.values()]  # "Dear Ms Whitcombe"
    words = {p.casefold() for text in texts for p in _PART.findall(text)}
    words.update([_POSSESSIVE.sub("", w) for w in words])  # "Acme's" names Acme too
    words.update(w.casefold() for w in extra)
    return words


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_LITERAL = re.compile(r'"([^"\n]*)"|\'([^\'\n]*)\'')
# Words the draft assembly adds around the templates' own text.
_PROSE_WORDS = """
monday tuesday wednesday thursday friday saturday sunday january february march
april may june july august september october november december and or the
on today this morning yesterday
"""


@cache
def template_words() -> frozenset[str]:
    """The words of the built-in templates (their text and the strings in
    their tags) and of the prose they are assembled with. Every one is in the
    dictionary (a test holds them to it), so a draft written from the built-in
    templates and the note's own words is checked without loading the
    dictionary, which costs more time and memory than the rest of `check`."""

    def literals(tag: re.Match[str]) -> str:
        return " ".join(a or b for a, b in _LITERAL.findall(tag.group()))

    folder = resources.files("vaultfollow").joinpath("templates")
    texts = [_PROSE_WORDS, *FRAME_TEXTS]
    texts += [item.read_text("utf-8") for item in folder.iterdir() if item.name.endswith(".md")]
    prose = [_JINJA.sub(literals, text) for text in texts]
    return frozenset(p.casefold() for text in prose for p in _PART.findall(text))


def _is_known(word: str, known: Collection[str]) -> bool:
    folded = word.casefold()
    if folded in known or folded in builtin_words() or folded in template_words():
        return True
    return _in_dictionary(folded)


@cache
def _in_dictionary(folded: str) -> bool:
    speller = _speller()
    if speller.known([folded]):
        return True
    # British spellings: the offline dictionary is American.
    for british, american in _BRITISH:
        if folded.endswith(british) and speller.known([folded[: -len(british)] + american]):
            return True
    return False


_DIGIT = re.compile(r"\d")
_POSSESSIVE = re.compile(r"['’]s$")


def _misspelt(line: str, known: Collection[str]) -> list[str]:
    found: list[str] = []
    for token in _TOKEN.findall(line):
        for word in _words_of(token):
            if not _is_known(word, known) and word not in found:
                found.append(word)
    return found


@lru_cache(maxsize=65536)
def _words_of(token: str) -> tuple[str, ...]:
    """The words of one whitespace-separated token that spelling judges
    (not addresses, links, numbers, acronyms or non-English words). Tokens
    repeat from draft to draft, so each is taken apart once."""
    if _DIGIT.search(token) or "@" in token or "://" in token:
        return ()
    if token.casefold().startswith(("www.", "mailto:", "tel:")):
        return ()
    words = []
    for part in _PART.findall(token):
        word = _POSSESSIVE.sub("", part)
        if len(word) < 2 or (word.isupper() and len(word) >= 2):
            continue
        if not word.isascii():
            continue  # an English dictionary cannot judge it
        words.append(word)
    return tuple(words)


def _suggestion(word: str) -> str:
    guess = _speller().correction(word.casefold())
    return f" (did you mean `{guess}`?)" if guess and guess != word.casefold() else ""


# --- the checks ---------------------------------------------------------------------


def lint_draft(
    path: str,
    text: str,
    settings: Settings,
    followup: FollowUp | None = None,
    *,
    words: Iterable[str] = (),
    check_in_number: int = 0,
    panel: Sequence[tuple[str, str]] = (),
    today: date | None = None,
) -> list[Finding]:
    """Every finding in one draft, in line order.

    `followup` (when known) supplies the note: its discussed points are looked
    for, and its names are correct spellings. `words` are more correct
    spellings (the user's list). `check_in_number` is how many check-ins of
    this interview round exist counting this one (0: unknown). `panel` holds
    the other thank-yous of the round, as (path, text), to compare with.
    `today` is the day it is checked: a "yesterday" that was right when the
    draft was written may be wrong by then."""
    draft = _split(path, text)
    kind = followup.kind.value if followup else draft.kind
    channel = followup.channel if followup else draft.channel
    found: list[Finding] = []

    def add(line: int, code: str, message: str) -> None:
        found.append(Finding(path, line, code, message))

    subject = str(draft.props.get("subject") or "")
    places = [(draft.line_of("subject"), subject, "the subject")]
    places += [(n, line, "") for n, line in draft.body_lines()]
    for number, line, where in places:
        plain = _TEMPLATE_SYNTAX.sub("  ", line)
        for pattern, what in _PLACEHOLDERS:
            for hit in pattern.finditer(plain):
                add(
                    number,
                    "placeholder",
                    f"{what} `{hit[0]}`{' in ' + where if where else ''}: "
                    "replace it with the real text",
                )
        if _TEMPLATE_SYNTAX.search(line):
            add(
                number,
                "template-syntax",
                "unrendered template syntax (`{{`, `{%`); a template "
                "has an error or the text was pasted from one: write the words out",
            )

    body = "\n".join(draft.body)
    count = len(body.split())
    limit = WORD_LIMITS.get(kind)
    if limit and count > limit:
        add(
            draft.first_body_line,
            "too-long",
            f"{count} words; a {kind} should stay under {limit}: cut a sentence or two",
        )
    if not _GRATITUDE.search(body):
        add(
            draft.first_body_line, "no-gratitude", "no word of thanks; say thank you for their time"
        )
    if (
        kind == Kind.THANK_YOU.value
        and followup is not None
        and followup.note.discussed
        and not _mentions_a_point(body, followup)
    ):
        add(
            draft.first_body_line,
            "no-point",
            "mentions nothing specific from the note's discussed points; name one thing you "
            "talked about",
        )
    if kind in _NEEDS_CALL_TO_ACTION and not _CALL_TO_ACTION.search(body):
        add(
            draft.last_line,
            "no-call-to-action",
            "no call to action; end with something like "
            '"I look forward to hearing about the next steps"',
        )
    name = settings.you.name.strip()
    if name and name.casefold() not in " ".join(body.split()).casefold():
        add(
            draft.last_line,
            "no-signature",
            f"not signed with your name ({name}); sign it, "
            "or change `[you] name` in vaultfollow.toml",
        )
    elif not name and channel != "phone" and body.rstrip().endswith(","):
        add(
            draft.last_line,
            "no-signature",
            "the sign-off has no name under it; sign it, or set `[you] name` in vaultfollow.toml",
        )
    for number, line in draft.body_lines():
        match = _SALARY.search(line)
        if match:
            add(
                number,
                "salary",
                f"talks about pay or benefits (`{match[0]}`); leave that for "
                "when they make an offer",
            )
        match = _PRESSURE.search(line)
        if match:
            add(
                number,
                "pressure",
                f"puts pressure on their decision (`{match[0]}`); ask politely for news instead",
            )
    found += _check_in_findings(draft, kind, settings, check_in_number)
    others = [(other, _split(other, text).body) for other, text in panel]
    subject_at = (draft.line_of("subject"), subject)
    facts = replace(_facts(draft, kind, channel, settings, followup), today=today)
    for at, code, message in reader_findings(
        list(draft.body_lines()), subject_at, facts, others, draft.body
    ):
        add(at, code, message)
    known = known_words(settings, followup, words)
    for number, line in draft.body_lines():
        for word in _misspelt(line, known):
            add(
                number,
                "spelling",
                f"`{word}` is not in the English dictionary"
                f"{_suggestion(word)}; fix it, or add it to {WORDS_FILE} at the vault root",
            )
    return sorted(found, key=lambda f: (f.line, f.code, f.message))


def _facts(
    draft: _Draft, kind: str, channel: str, settings: Settings, followup: FollowUp | None
) -> Facts:
    """What the reader's checks know of a draft: from its follow-up when
    known, else from its own properties and file name."""
    you = settings.you
    if followup is None:
        recipient = str(draft.props.get("to") or "").split("<", 1)[0].strip()
        return Facts(
            kind=kind,
            channel=channel,
            recipient=recipient,
            company=str(draft.props.get("company") or ""),
            interview=_day(draft.path.rsplit("/", 1)[-1][:10]),
            do=_day(draft.props.get("do")),
            you_name=you.name,
            you_email=you.email,
        )
    note = followup.note
    # Someone who interviewed in any round of the application has spoken with you.
    rounds = [r for r in note.rounds if r.start == followup.round_start]
    people = {p.name.casefold() for r in note.rounds for p in r.interviewers}
    present = followup.recipient.name.casefold() in people if rounds else None
    texts = [*note.discussed, *note.clarify]
    texts += [t for r in rounds for t in (*r.discussed, *r.clarify)]
    named = [followup.company, followup.role]
    named += [p.name for r in note.rounds for p in r.interviewers]
    proper = proper_words(texts) | _capitalised_in_note(texts)
    proper |= {w for text in named for w in text.split()}
    return Facts(
        kind=kind,
        channel=channel,
        recipient=followup.recipient.name,
        company=followup.company,
        interview=followup.round_start.date(),
        do=followup.do.date(),
        present=present,
        thanked=followup.thanked,
        you_name=you.name,
        you_email=you.email,
        proper=frozenset(proper),
    )


def _capitalised_in_note(texts: Sequence[str]) -> set[str]:
    """The words the generator keeps capitalised because the note writes them
    so mid-sentence and never in lower case ("a frame spike on Switch")."""
    evidence = case_evidence(texts)
    proper = evidence.proper - evidence.common
    words = (w.strip("“”\"'(),.;:!?") for text in texts for w in text.split())
    return {w for w in words if w.casefold() in proper}


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def _check_in_findings(draft: _Draft, kind: str, settings: Settings, number: int) -> list[Finding]:
    allowed = settings.schedule.max_check_ins
    line = draft.line_of("followup")
    why = f"`[schedule] max_check_ins` is {allowed}"
    if kind == Kind.SECOND_CHECK_IN.value and allowed < 2:
        return [
            Finding(
                draft.path,
                line,
                "third-check-in",
                f"a second check-in, but {why}; one polite check-in is enough: skip this draft",
            )
        ]
    if kind == Kind.CHECK_IN.value and allowed < 1:
        return [
            Finding(draft.path, line, "third-check-in", f"a check-in, but {why}: skip this draft")
        ]
    if kind in CHECK_IN_KINDS and number > allowed:
        return [
            Finding(
                draft.path,
                line,
                "third-check-in",
                f"this would be check-in number "
                f"{number} for this interview, and {why}; don't send another: skip it",
            )
        ]
    return []


_STOP = word_set(
    "the a an and or of to in on at for with from about how what why when where which who "
    "that this these those their your our my its they you we i me it is are was were be been "
    "team work role company"
)


def _content_words(text: str) -> set[str]:
    return {w for w in (p.casefold() for p in _PART.findall(text)) if len(w) > 3} - _STOP


def _mentions_a_point(body: str, followup: FollowUp) -> bool:
    """True when the body shares at least two words (or the only one) of some
    discussed point, as written or as the generator reads it ("Ola asked
    about MEDDICC" is the point "MEDDICC"), not counting the company and
    role; or when the note has no point to mention (only questions put to
    the candidate, "Tell me about yourself")."""
    ours = _content_words(f"{followup.company} {followup.role}")
    said = _content_words(body) - ours
    note = followup.note
    items = classify_items(note.discussed, round_people(followup), note.clarify)
    points = [i for i in items if i.kind in SHAREABLE]
    if not points:
        return True
    for point in (*(i.source for i in points), *(i.text for i in points)):
        words = _content_words(point) - ours
        if words and len(words & said) >= min(2, len(words)):
            return True
    return False


# --- a vault -------------------------------------------------------------------------


@dataclass(slots=True)
class DraftFile:
    """A draft as read from the vault."""

    path: str
    text: str
    status: str
    followup_id: str | None
    props: Mapping[str, Any] = field(default_factory=dict)


def _round_key(draft: DraftFile) -> tuple[str, str, str]:
    name = draft.path.rsplit("/", 1)[-1]
    return (
        str(draft.props.get("company") or "").casefold().strip(),
        str(draft.props.get("role") or "").casefold().strip(),
        name[:10],
    )


def lint_drafts(
    drafts: Sequence[DraftFile],
    plan: Plan,
    settings: Settings,
    *,
    words: Iterable[str] = (),
    only: Collection[str] | None = None,
) -> list[Finding]:
    """Lint the pending drafts of a plan (status draft, the follow-up still
    pending; user-edited drafts included), or exactly the drafts in `only`."""
    by_path = {f.draft_path: f for f in plan.followups}
    by_id = {f.id: f for f in plan.followups}
    check_ins: Counter[tuple[str, str, str]] = Counter()
    for draft in drafts:
        kind = str(draft.props.get("followup") or "").casefold()
        if kind in CHECK_IN_KINDS and draft.status != "skipped":
            check_ins[_round_key(draft)] += 1
    word_list = list(words)
    today = plan.now.astimezone(settings.schedule.zone).date()
    thank_yous = [
        (draft, found)
        for draft in drafts
        if draft.status != "skipped"
        and (found := by_path.get(draft.path) or by_id.get(draft.followup_id or "")) is not None
        and found.kind is Kind.THANK_YOU
    ]
    findings: list[Finding] = []
    for draft in drafts:
        followup = by_path.get(draft.path) or by_id.get(draft.followup_id or "")
        if only is not None:
            if draft.path not in only:
                continue
        elif draft.status != "draft" or followup is None or followup.state is not State.PENDING:
            continue
        kind = str(draft.props.get("followup") or "").casefold()
        number = check_ins[_round_key(draft)] if kind in CHECK_IN_KINDS else 0
        panel = [
            (other.path, other.text)
            for other, theirs in thank_yous
            if followup is not None and is_panel_pair(followup, theirs)
        ]
        findings += lint_draft(
            draft.path,
            draft.text,
            settings,
            followup,
            words=word_list,
            check_in_number=number,
            panel=panel,
            today=today,
        )
    return sorted(findings, key=lambda f: (f.path, f.line, f.code))


def is_panel_pair(ours: FollowUp, theirs: FollowUp) -> bool:
    """Whether two follow-ups are thank-yous of one round (one application,
    one round date) to different people: drafts the panel can compare."""
    return (
        ours.kind is Kind.THANK_YOU
        and theirs.kind is Kind.THANK_YOU
        and ours.application == theirs.application
        and ours.round_start == theirs.round_start
        and ours.recipient.name.casefold() != theirs.recipient.name.casefold()
    )


def draft_file(path: str, text: str) -> DraftFile | None:
    """The draft vaultfollow wrote at `path` holding `text` (None: not a draft)."""
    record, _ = read_draft(path, text)
    if record is None:
        return None
    return DraftFile(path, text, record.status, record.followup_id, _split(path, text).props)


def findings_json(findings: Iterable[Finding]) -> str:
    """`check --json`: an array of {path, line, code, message}."""
    return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False)


def as_problems(findings: Iterable[Finding]) -> list[Problem]:
    """Findings as the dashboard's problems (path, line, message)."""
    return [Problem(f.path, f"{f.message} [{f.code}]", line=f.line) for f in findings]
