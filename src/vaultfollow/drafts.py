"""FollowUp -> draft file text, and draft file text -> what the user marked.

Pure: the only thing read from disk is the package's own default templates
(through importlib.resources). The engine reads the user's overrides from the
vault and hands them in as text.

A template is plain text rendered by a Jinja2 sandbox. Its first line may be
``Subject: <text>``, followed by a blank line; the rest is the message body.
Every template sees these variables:

=====================  ================  ===========================================
name                   type              example
=====================  ================  ===========================================
kind                   str               "thank-you", "check-in", "second-check-in",
                                         "stay-connected", "handwritten-note"
tone                   str               "formal" or "casual"
channel                str               "email", "phone" or "post"
company                str               "Acme"
role                   str               "Platform Engineer"
recipient.name         str               "Jane Doe"
recipient.first_name   str               "Jane"
recipient.title        str | None        "Engineering Manager"
recipient.email        str | None        "jane@acme.com"
recipient.phone        str | None        "+49 30 1234" (the note's `phone` first)
you.name               str               "Alex Example" ("" when not configured)
you.email              str               "alex@example.com" (or "")
you.phone              str               "+49 170 555" (or "")
you.signature          str               "Platform engineer, Berlin" (or "")
signature_block        str               lines to put under the sign-off: your name
                                         and signature; formal drafts without a
                                         signature add your email and phone lines;
                                         "" when nothing is configured
interview_date         str               "Thursday, 12 November"
interview_weekday      str               "Thursday"
round                  str | None        "2", "onsite"
points                 list[str]         up to two discussed points, cleaned into
                                         short phrases said to the recipient ("their"
                                         -> "your"): ["your move to Kubernetes"]
point                  str | None        the first of `points`
clarify                str | None        the first point to clarify, cleaned:
                                         "I undersold my capacity planning"
clarify_sentence       str | None        `clarify` framed as one sentence in your
                                         voice, in the draft's tone: "On reflection,
                                         I undersold my capacity planning."
ask_feedback           bool              false unless `[schedule] ask_feedback`
decision_by            str | None        "Friday, 27 November"
address                str | None        the note's postal address
phone                  str | None        the number to call (phone check-ins)
variant                int               0-59, from a hash of the follow-up's id; pick
                                         among openings with `variant % 2` or `% 3`
sent_check_in_date     str | None        "Thursday, 19 November": when the first
                                         check-in went out (second check-ins only)
=====================  ================  ===========================================

Filters: the usual Jinja2 ones plus ``and_join`` (``["a", "b", "c"] | and_join``
-> ``"a, b and c"``; ``and_join("or")`` for another word).
"""

from __future__ import annotations

import hashlib
import json
import re
import traceback
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from importlib import resources
from typing import Any
from urllib.parse import quote

import jinja2
import yaml
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from vaultfollow.config import Settings
from vaultfollow.errors import TemplateError
from vaultfollow.model import DraftRecord, FollowUp, Kind, Problem
from vaultfollow.prose import (
    MAX_CLARIFY_WORDS,
    clarify_sentence,
    clean_point,
    format_points,
    one_line,
    word_set,
)

DEFAULT_TEMPLATE_NAMES: tuple[str, ...] = (
    "thank-you-formal.md",
    "thank-you-casual.md",
    "check-in-formal.md",
    "check-in-casual.md",
    "second-check-in-formal.md",
    "second-check-in-casual.md",
    "stay-connected-formal.md",
    "stay-connected-casual.md",
    "phone-script.md",
    "handwritten-note.md",
)

TEMPLATE_VARIABLES: tuple[str, ...] = (
    "kind",
    "tone",
    "channel",
    "company",
    "role",
    "recipient",
    "you",
    "signature_block",
    "interview_date",
    "interview_weekday",
    "round",
    "points",
    "point",
    "clarify",
    "clarify_sentence",
    "ask_feedback",
    "decision_by",
    "address",
    "phone",
    "variant",
    "sent_check_in_date",
)

HASH_KEY = "vaultfollow_hash"

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# --- template names ----------------------------------------------------------


def template_name(followup: FollowUp) -> str:
    """The file name of the template a follow-up's draft is rendered from."""
    if followup.kind is Kind.HANDWRITTEN_NOTE:
        return "handwritten-note.md"
    if followup.kind in (Kind.CHECK_IN, Kind.SECOND_CHECK_IN) and followup.channel == "phone":
        return "phone-script.md"
    tone = "casual" if followup.tone == "casual" else "formal"
    return f"{followup.kind.value}-{tone}.md"


# --- the sandbox ---------------------------------------------------------------

_MAX_REPEAT = 100_000  # characters or items a `*` may build
_MAX_EXPONENT = 100


class _Sandbox(ImmutableSandboxedEnvironment):
    """The stock sandbox, plus a cap on `'x' * 10**9` and `2 ** 10**9`, which
    would otherwise hang a watcher on a template someone shared."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is too large for a template")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(times, int)
                    and len(seq) * times > _MAX_REPEAT
                ):
                    raise SecurityError("a repeated text or list is too long for a template")
        return super().call_binop(context, operator, left, right)


def and_join(items: Sequence[object], word: str = "and") -> str:
    """`["a"]` -> "a"; `["a", "b"]` -> "a and b"; `["a", "b", "c"]` -> "a, b and c"."""
    texts = [str(item) for item in items]
    if len(texts) <= 1:
        return "".join(texts)
    return ", ".join(texts[:-1]) + f" {word} " + texts[-1]


class Templates:
    """The draft templates of one pass: the defaults, replaced by the user's
    overrides of the same name. Each is compiled once, on first use."""

    def __init__(
        self, overrides: Mapping[str, str], override_folder: str = "Templates/vaultfollow"
    ) -> None:
        self._overrides = {
            name: text for name, text in overrides.items() if name in DEFAULT_TEMPLATE_NAMES
        }
        self._folder = override_folder.strip("/")
        self._env = _Sandbox(
            loader=jinja2.FunctionLoader(self._load),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            cache_size=-1,
        )
        self._env.filters["and_join"] = and_join

    def origin(self, name: str) -> str:
        """Where a template comes from, as its error messages name it."""
        if name in self._overrides:
            return f"{self._folder}/{name}" if self._folder else name
        return f"built-in {name}"

    def is_overridden(self, name: str) -> bool:
        return name in self._overrides

    def _load(self, name: str) -> tuple[str, str, Any] | None:
        if name in self._overrides:
            return self._overrides[name], self.origin(name), lambda: True
        if name in DEFAULT_TEMPLATE_NAMES:
            text = resources.files("vaultfollow").joinpath("templates", name).read_text("utf-8")
            return text, self.origin(name), lambda: True
        return None

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Render one template; any failure becomes a TemplateError naming the
        template and the line."""
        origin = self.origin(name)
        try:
            template = self._env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{origin}, line {exc.lineno}: {exc.message}") from None
        except jinja2.TemplateNotFound:
            raise TemplateError(f"{origin}: no such template") from None
        try:
            return template.render(context)
        except Exception as exc:
            line = _template_line(exc, origin)
            where = f"{origin}, line {line}" if line else origin
            raise TemplateError(f"{where}: {_explain(exc)}") from None


def _template_line(exc: BaseException, filename: str) -> int | None:
    """The template line an error was raised on: Jinja2 rewrites the traceback
    so that template frames carry the template's file name and line."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    return line


def _explain(exc: Exception) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return (
            f"{exc.message}; a template can use {', '.join(TEMPLATE_VARIABLES)} "
            "(see the README for what each holds)"
        )
    if isinstance(exc, SecurityError):
        return f"not allowed in a template: {exc}"
    if isinstance(exc, jinja2.TemplateError):
        return exc.message or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


# --- the template context ------------------------------------------------------


def template_context(
    followup: FollowUp, settings: Settings, sent_check_in: date | None = None
) -> dict[str, Any]:
    """The variables a draft template sees (listed in the module docstring)."""
    note = followup.note
    person = followup.recipient
    phone = _line(note.phone or person.phone or "") or None
    you = settings.you
    start = followup.round_start
    points = format_points(note.discussed, person.name)
    clarify = [c for c in (clean_point(text, MAX_CLARIFY_WORDS) for text in note.clarify) if c]
    return {
        "kind": followup.kind.value,
        "tone": followup.tone,
        "channel": followup.channel,
        "company": _line(followup.company),
        "role": _line(followup.role),
        "recipient": {
            "name": _line(person.name),
            "first_name": _line(person.first_name),
            "title": _line(person.title or "") or None,
            "email": _line(person.email or "") or None,
            "phone": phone,
        },
        "you": {
            "name": _line(you.name),
            "email": _line(you.email),
            "phone": _line(you.phone),
            "signature": you.signature.strip(),
        },
        "signature_block": signature_block(settings, followup.tone),
        "interview_date": _long_date(start.date()),
        "interview_weekday": _WEEKDAYS[start.weekday()],
        "round": _line(followup.round_label or "") or None,
        "points": points,
        "point": points[0] if points else None,
        "clarify": clarify[0] if clarify else None,
        "clarify_sentence": clarify_sentence(note.clarify, followup.tone, person.name),
        "ask_feedback": settings.schedule.ask_feedback,
        "decision_by": _long_date(note.decision_by) if note.decision_by else None,
        "address": note.address.strip() if note.address and note.address.strip() else None,
        "phone": phone,
        "variant": variant_of(followup.id),
        "sent_check_in_date": _long_date(sent_check_in) if sent_check_in else None,
    }


def variant_of(followup_id: str) -> int:
    """0-59, stable per follow-up: lets templates vary their openings."""
    return int(hashlib.sha256(followup_id.encode("utf-8")).hexdigest()[:8], 16) % 60


def signature_block(settings: Settings, tone: str) -> str:
    """Your name and signature lines; a formal draft without a configured
    signature gets your email and phone under the name."""
    you = settings.you
    name = _line(you.name)
    signature = "\n".join(line.rstrip() for line in you.signature.strip().splitlines())
    lines: list[str] = []
    if signature:
        # `signature` is documented as the lines under your name, but people
        # often include the name itself: don't sign twice.
        if name and signature.splitlines()[0].strip() != name:
            lines.append(name)
        lines.append(signature)
    else:
        if name:
            lines.append(name)
        if tone != "casual":
            lines.extend(_line(v) for v in (you.email, you.phone) if _line(v))
    return "\n".join(lines)


def _long_date(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]}"


_line = one_line


# --- rendering -----------------------------------------------------------------


def render_draft(
    followup: FollowUp,
    settings: Settings,
    templates: Templates,
    *,
    sent_check_in: date | None = None,
) -> str:
    """The whole draft file (front matter and message) for one follow-up.

    Same inputs, same bytes. `sent_check_in` is the day the first check-in was
    marked sent, for second check-ins (the template may mention it).
    Raises TemplateError naming the template and line when it cannot render.
    """
    name = template_name(followup)
    context = template_context(followup, settings, sent_check_in)
    subject, body = _split_subject(templates.render(name, context))
    return _assemble(followup, context, subject, body)


_DOUBLE_STOP = re.compile(r"(?<![.])\.\.(?![.])")


def _split_subject(rendered: str) -> tuple[str, str]:
    lines = rendered.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    subject = ""
    if lines and lines[0].lower().startswith("subject:"):
        subject = _line(lines[0][len("subject:") :])
        lines = lines[1:]
    body: list[str] = []
    # "at Acme Sp. z o.o.." : a name ending in a full stop, then the template's.
    lines = [_DOUBLE_STOP.sub(".", line) for line in lines]
    for line in (line.rstrip() for line in lines):
        if line or (body and body[-1]):
            body.append(line)
    while body and not body[-1]:
        body.pop()
    return subject, "\n".join(body) + "\n"


def _assemble(followup: FollowUp, context: Mapping[str, Any], subject: str, body: str) -> str:
    recipient = context["recipient"]
    email = recipient["email"]
    channel = followup.channel
    phone = context["phone"]
    if channel == "email" and email:
        to = f"{recipient['name']} <{email}>" if recipient["name"] else email
    else:
        to = recipient["name"]

    fields: list[tuple[str, str]] = [
        ("followup", _scalar(followup.kind.value)),
        ("status", "draft"),
        ("sent", ""),
        ("to", _quoted(to)),
        ("subject", _quoted(subject)),
        ("do", _local_time(followup.do)),
        ("deadline", _local_time(followup.deadline)),
        ("source", _quoted(f"[[{followup.note.link}]]")),
        ("company", _quoted(followup.company)),
        ("role", _quoted(followup.role)),
        ("channel", _scalar(channel)),
    ]
    if channel == "phone" and phone:
        fields.append(("phone", _quoted(phone)))
    if channel == "post" and context["address"]:
        fields.append(("address", _quoted(context["address"])))
    compose = _compose(channel, email, phone, subject, body)
    if compose:
        fields.append(("compose", _quoted(compose)))
    fields.append(("followup_id", _scalar(followup.id)))

    head = "".join(f"{key}: {value}".rstrip() + "\n" for key, value in fields)
    text = f"---\n{head}---\n{body}"
    digest = _digest(text)
    return f'---\n{head}{HASH_KEY}: "{digest}"\n---\n{body}'


def _compose(channel: str, email: str | None, phone: str | None, subject: str, body: str) -> str:
    if channel == "email":
        message = body.rstrip("\n").replace("\n", "\r\n")
        address = quote(email, safe="@+") if email else ""
        return f"mailto:{address}?subject={quote(subject, safe='')}&body={quote(message, safe='')}"
    if channel == "phone" and phone:
        number = re.sub(r"[^\d+]", "", phone)
        number = number[:1] + number[1:].replace("+", "")
        if any(ch.isdigit() for ch in number):
            return f"tel:{number}"
    return ""


def _local_time(moment: datetime) -> str:
    """Wall-clock time without an offset: Obsidian's "Date & time" type."""
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")


# YAML (1.1 in PyYAML, 1.2 in Obsidian) would read these plain words as
# something other than text.
_YAML_WORDS = word_set("y n yes no on off true false null ~")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
# Characters PyYAML refuses, or reads as line breaks, even inside quotes.
_YAML_UNSAFE = re.compile(r"[\x7f-\x84\x86-\x9f\u0085\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _scalar(value: str) -> str:
    """A plain YAML scalar when it can only be read back as this text, else quoted."""
    if _PLAIN.fullmatch(value) and value.casefold() not in _YAML_WORDS:
        return value
    return _quoted(value)


def _quoted(value: str) -> str:
    """A double-quoted YAML scalar that reads back as `value`, on one line."""
    text = json.dumps(value, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def _digest(text_without_hash: str) -> str:
    return hashlib.sha256(text_without_hash.encode("utf-8")).hexdigest()[:16]


# --- reading drafts back ---------------------------------------------------------

_HASH_LINE = re.compile(rf'{HASH_KEY}: "([0-9a-f]{{16}})"')


def _front_matter(text: str) -> tuple[list[str], int] | None:
    """The front matter lines (without the `---` fences) and the index of the
    closing fence in `text.split("\\n")`, or None when there is none."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip("\r") != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r") in ("---", "..."):
            return lines[1:index], index
    return None


# The keys render_draft writes, in the order it writes them.
_OWN_KEYS = (
    "followup",
    "status",
    "sent",
    "to",
    "subject",
    "do",
    "deadline",
    "source",
    "company",
    "role",
    "channel",
    "phone",
    "address",
    "compose",
    "followup_id",
    HASH_KEY,
)


def is_cut_off(text: str) -> bool:
    """`text` is what is left of a draft vaultfollow wrote that lost its end:
    empty, only NUL bytes (what some file systems leave after a crash), or an
    opening `---` followed only by vaultfollow's own keys in its own order
    (status still `draft`, `sent` still empty) and no closing `---`. A user
    never leaves a draft like that, so it is rewritten, not kept as an edit."""
    text = text.rstrip("\x00")
    if not text.strip():
        return True
    if _front_matter(text) is not None:
        return False
    lines = text.split("\n")
    if lines[0].rstrip("\r") != "---":
        return False
    last_key = -1
    for number, line in enumerate(lines[1:], start=1):
        key, colon, value = line.rstrip("\r").partition(":")
        last = number == len(lines) - 1
        if not colon:  # only the last line may stop inside its key
            return last and any(own.startswith(key) for own in _OWN_KEYS[last_key + 1 :])
        if key not in _OWN_KEYS or _OWN_KEYS.index(key) <= last_key:
            return False
        if not last and key == "status" and value.strip() != "draft":
            return False
        if not last and key == "sent" and value.strip():
            return False
        last_key = _OWN_KEYS.index(key)
    return True


def _cut_off_id(text: str) -> str | None:
    """The `followup_id` of a cut-off draft, when its line survived whole."""
    lines = text.rstrip("\x00").split("\n")[:-1]  # the last line may be cut
    for line in lines:
        key, _, value = line.rstrip("\r").partition(":")
        if key == "followup_id" and value.strip():
            return value.strip().strip("\"'") or None
    return None


def is_edited(text: str) -> bool:
    """True unless `text` is byte for byte what `render_draft` wrote (or what
    is left of it after a crash cut it off: see `is_cut_off`)."""
    if is_cut_off(text.removeprefix("\ufeff")):
        return False
    found = _front_matter(text)
    if found is None:
        return True
    lines = text.split("\n")
    for index in range(1, found[1]):
        if lines[index].startswith(f"{HASH_KEY}:"):
            match = _HASH_LINE.fullmatch(lines[index])
            if match is None:
                return True
            rest = "\n".join(lines[:index] + lines[index + 1 :])
            return _digest(rest) != match[1]
    return True


_STATUSES = {"draft": "draft", "sent": "sent", "done": "sent", "skipped": "skipped"}
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_draft(path: str, text: str) -> tuple[DraftRecord | None, list[Problem]]:
    """What a file in the drafts folder says: None when it is not a vaultfollow
    draft (no `followup` property). Never raises on bad input: problems are
    returned, and a draft with a problem counts as not sent."""
    original = text
    text = text.removeprefix("\ufeff")
    if is_cut_off(text):
        # Ours, and broken (a crash, a sync that stopped midway): written again.
        return DraftRecord(path, _cut_off_id(text), "draft", None, edited=False), []
    found = _front_matter(text)
    mentions_followup = re.search(r"^followup\s*:", text, re.MULTILINE | re.IGNORECASE) is not None
    if found is None:
        if not mentions_followup:
            return None, []
        message = "the front matter has no closing `---` line; vaultfollow cannot read this draft"
        return _unreadable(path, text, 1, message)
    fm_lines, _ = found
    try:
        data = yaml.load("\n".join(fm_lines), Loader=_LOADER)
    except yaml.YAMLError as exc:
        if not mentions_followup:
            return None, []
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "not valid YAML"
        message = (
            f"the front matter is not valid YAML ({reason}); fix that line or delete the draft"
        )
        return _unreadable(path, text, line, message)
    if not isinstance(data, dict):
        if not mentions_followup:
            return None, []
        return _unreadable(path, text, 2, "the front matter is not a list of `key: value` lines")
    props = {str(key).strip().casefold(): value for key, value in data.items()}
    if "followup" not in props:
        return None, []

    problems: list[Problem] = []
    status_line = _key_line(fm_lines, "status")
    raw_status = props.get("status")
    status: str | None = None
    if raw_status is None or (isinstance(raw_status, str) and not raw_status.strip()):
        status = None
    elif isinstance(raw_status, str) and raw_status.strip().casefold() in _STATUSES:
        status = _STATUSES[raw_status.strip().casefold()]
    else:
        problems.append(
            Problem(
                path,
                f"`status` is `{_show(raw_status)}`; write draft, sent or skipped "
                "(or set `sent` to the day you sent it)",
                line=status_line,
                key="status",
            )
        )
        status = "draft"

    sent, sent_problem = _read_sent(props.get("sent"))
    if sent_problem:
        problems.append(Problem(path, sent_problem, line=_key_line(fm_lines, "sent"), key="sent"))
    if status is None:
        status = "sent" if sent else "draft"
    elif status == "draft" and sent and not problems:
        status = "sent"

    raw_id = props.get("followup_id")
    record = DraftRecord(
        path=path,
        followup_id=str(raw_id) if raw_id is not None and str(raw_id).strip() else None,
        status=status,
        sent=sent,
        edited=is_edited(original),
        line_of_status=status_line,
    )
    return record, problems


def _read_sent(value: object) -> tuple[date | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date(), None
        except ValueError:
            pass
    return None, (
        f"`sent` is `{_show(value)}`; write the day you sent it, such as 2026-11-19, "
        "or leave it empty"
    )


def _unreadable(
    path: str, text: str, line: int, message: str
) -> tuple[DraftRecord | None, list[Problem]]:
    """A draft we cannot parse still belongs to its follow-up (so it is not
    recreated) and counts as edited (so it is never overwritten)."""
    match = re.search(r"^followup_id\s*:\s*(.*?)\s*$", text, re.MULTILINE)
    followup_id = None
    if match and match[1]:
        raw = match[1]
        try:
            loaded = json.loads(raw) if raw.startswith('"') else raw.strip("'")
            followup_id = str(loaded) or None
        except ValueError:
            followup_id = raw.strip("\"'") or None
    record = DraftRecord(path=path, followup_id=followup_id, status="draft", sent=None, edited=True)
    return record, [Problem(path, message, line=line)]


def _key_line(fm_lines: Sequence[str], key: str) -> int | None:
    """The file line (1-based, the opening `---` is line 1) of a top-level key."""
    pattern = re.compile(rf"{re.escape(key)}\s*:", re.IGNORECASE)
    for index, line in enumerate(fm_lines):
        if pattern.match(line):
            return index + 2
    return None


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _line(str(value))
