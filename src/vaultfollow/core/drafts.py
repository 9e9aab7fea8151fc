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
salutation             str               the name to greet them by: "Dr Solberg"
                                         (formal, a title known), "Ingrid" (else, and
                                         casual); their `salutation` when they have
                                         one; never first name plus surname
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
points                 list[str]         this recipient's discussed points (theirs
                                         first, the rest dealt round the panel) as
                                         phrases that follow "about", said to them:
                                         ["partitioning a 2 TB table"]
point                  str | None        the first of `points`
card_point             str | None        a point the thank-you email leaves out, for
                                         the handwritten card (None: all are used)
their_question         str | None        the recipient's own question, if the note
                                         names one: "your question about sharding"
detail                 str | None        one or two sentences about this recipient's
                                         points, worded by their place on the panel
clarify                str | None        the better answer from the Clarify section,
                                         for the one recipient it goes to
clarify_sentence       str | None        `clarify` as sentences in your voice, tied
                                         to the question: "On your question about X,
                                         I should add that ..."; None when the section
                                         only confesses, or it is someone else's
clarify_missing        str | None        why there is no clarification, and what to
                                         add (for the dashboard)
panel_index            int               the recipient's place among the round's
                                         interviewers (0 first); panel_size: how many
ask_feedback           bool              false unless `[schedule] ask_feedback`
decision_by            str | None        "Friday, 27 November"
address                str | None        the note's postal address
phone                  str | None        the number to call (phone check-ins)
variant                int               0-59, from a hash of the follow-up's id; pick
                                         among openings with `variant % 2` or `% 3`
sent_check_in_date     str | None        "Thursday, 19 November": when the first
                                         check-in went out (second check-ins only)
interview_when         str               when the interview was, counted from the
                                         day the draft is written (or due, if
                                         later): "this morning",
                                         "today", "yesterday", "on Friday" (within
                                         five days), else "on 12 November"
interview_day          str               "12 November"
thanked                bool              the recipient's thank-you (or card) for the
                                         round was marked sent: a check-in may say
                                         "thanks again" (else it thanks them once)
recipient_was_there    bool              the recipient was one of the round's
                                         interviewers (a recruiter may not have been)
met_with               list[str]         the round's interviewers' names
in_person              bool              the round's label says onsite, in person,
                                         office, visit, lunch or coffee
=====================  ================  ===========================================

Filters: the usual Jinja2 ones plus ``and_join`` (``["a", "b", "c"] | and_join``
-> ``"a, b and c"``; ``and_join("or")`` for another word).
"""

from __future__ import annotations

import hashlib
import re
import traceback
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from importlib import resources
from typing import Any
from urllib.parse import quote

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from vaultfollow.core.config import Settings
from vaultfollow.core.draftfile import (
    HASH_KEY,
    digest,
    quoted,
    scalar,
)
from vaultfollow.core.model import FollowUp, Kind
from vaultfollow.core.occasion import occasion
from vaultfollow.core.panel import recipient_points
from vaultfollow.core.prose import one_line
from vaultfollow.core.salutation import greeting_name
from vaultfollow.core.schedule import is_repeated
from vaultfollow.errors import TemplateError

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
    "salutation",
    "you",
    "signature_block",
    "interview_date",
    "interview_weekday",
    "round",
    "points",
    "point",
    "card_point",
    "clarify",
    "clarify_sentence",
    "clarify_missing",
    "their_question",
    "detail",
    "panel_index",
    "panel_size",
    "ask_feedback",
    "decision_by",
    "address",
    "phone",
    "variant",
    "sent_check_in_date",
    "thanked",
)


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
    followup: FollowUp,
    settings: Settings,
    sent_check_in: date | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The variables a draft template sees (listed in the module docstring),
    on the day `today` (None: the day the follow-up is due)."""
    note = followup.note
    person = followup.recipient
    phone = _line(note.phone or person.phone or "") or None
    you = settings.you
    start = followup.round_start
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
        "salutation": _line(greeting_name(person, followup.tone)),
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
        "ask_feedback": settings.schedule.ask_feedback,
        "decision_by": _long_date(note.decision_by) if note.decision_by else None,
        "address": note.address.strip() if note.address and note.address.strip() else None,
        "phone": phone,
        "variant": variant_of(followup.id),
        "sent_check_in_date": _long_date(sent_check_in) if sent_check_in else None,
        "thanked": followup.thanked,
        **occasion(followup, today),
        **recipient_points(followup),
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
    today: date | None = None,
) -> str:
    """The whole draft file (front matter and message) for one follow-up.

    Same inputs, same bytes. `sent_check_in` is the day the first check-in was
    marked sent, for second check-ins (the template may mention it). `today`
    is the day the draft is written, in the vault's time zone: "yesterday"
    and "on Friday" are counted from it (or from the day the follow-up is
    due, when that is later or `today` is None), so two machines syncing one
    vault write the same bytes on the same day.
    Raises TemplateError naming the template and line when it cannot render.
    """
    name = template_name(followup)
    context = template_context(followup, settings, sent_check_in, today)
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
        ("followup", scalar(followup.kind.value)),
        ("status", "draft"),
        ("sent", ""),
        ("to", quoted(to)),
        ("subject", quoted(subject)),
        ("do", _local_time(followup.do)),
        ("deadline", _local_time(followup.deadline)),
        ("source", quoted(f"[[{followup.note.link}]]")),
        ("company", quoted(followup.company)),
        ("role", quoted(followup.role)),
        ("channel", scalar(channel)),
    ]
    if channel == "phone" and phone:
        fields.append(("phone", quoted(phone)))
    if channel == "post" and context["address"]:
        fields.append(("address", quoted(context["address"])))
    compose = _compose(channel, email, phone, subject, body)
    if compose:
        fields.append(("compose", quoted(compose)))
    fields.append(("followup_id", scalar(followup.id)))

    head = "".join(f"{key}: {value}".rstrip() + "\n" for key, value in fields)
    text = f"---\n{head}---\n{body}"
    hash_value = digest(text)
    return f'---\n{head}{HASH_KEY}: "{hash_value}"\n---\n{body}'


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
    """Wall-clock time without an offset: Obsidian's "Date & time" type;
    with its offset when that time comes twice (the night the clocks go
    back), as then only the offset says which of the two it is."""
    if is_repeated(moment):
        return moment.isoformat(timespec="seconds")
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")
