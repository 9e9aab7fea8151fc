"""The draft file format: what vaultfollow writes around a message, and what
the user's edits of a draft file mean.

A draft is Markdown with front matter. vaultfollow signs what it wrote with
a hash (`vaultfollow_hash`), so any byte the user changes is noticed; a file
cut short by a crash is recognised as ours and broken, not as an edit. This
module has no template engine in it, so reading drafts stays cheap.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import yaml

from vaultfollow.core.model import DraftRecord, Problem
from vaultfollow.core.properties import ValueProblem, within_years
from vaultfollow.core.prose import one_line, word_set

HASH_KEY = "vaultfollow_hash"


# YAML (1.1 in PyYAML, 1.2 in Obsidian) would read these plain words as
# something other than text.
_YAML_WORDS = word_set("y n yes no on off true false null ~")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
# Characters PyYAML refuses, or reads as line breaks, even inside quotes.
_YAML_UNSAFE = re.compile(r"[\x7f-\x84\x86-\x9f\u0085\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def scalar(value: str) -> str:
    """A plain YAML scalar when it can only be read back as this text, else quoted."""
    if _PLAIN.fullmatch(value) and value.casefold() not in _YAML_WORDS:
        return value
    return quoted(value)


def quoted(value: str) -> str:
    """A double-quoted YAML scalar that reads back as `value`, on one line."""
    text = json.dumps(value, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def digest(text_without_hash: str) -> str:
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
            return digest(rest) != match[1]
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


STATUS_LINE = 3  # `status:` in a draft as written: after `---` and `followup:`


def fresh_record(path: str, followup_id: str) -> DraftRecord:
    """What `read_draft` says of a draft just rendered for the follow-up
    `followup_id` (the tests hold the two to agreeing), without parsing the
    YAML back: a cold start writes hundreds of drafts."""
    return DraftRecord(path, followup_id, "draft", None, edited=False, line_of_status=STATUS_LINE)


def _read_sent(value: object) -> tuple[date | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    day: date | None = None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            day = datetime.fromisoformat(value.strip()).date()
    if day is not None:
        try:
            return within_years(day), None
        except ValueProblem as exc:  # the next check-in is counted from it
            return None, f"`sent` is `{_show(value)}`; {exc}"
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
    return one_line(str(value))
