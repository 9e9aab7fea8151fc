"""What a note's body says about it the way Obsidian and Dataview read
bodies: inline fields (`Key:: value`) and tags (`#interview`).

Both are read line by line outside fenced code, inline code and comments,
so a field or tag shown as an example in a code block never counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vaultfollow.core.front_matter import load_yaml, read_lenient, split_front_matter
from vaultfollow.core.markdown import strip_comments

# Dataview's inline fields: `Key:: value` as a whole line (also in a list
# item or a quote), or `[Key:: value]` / `(Key:: value)` anywhere in a line.
# A key may carry Markdown emphasis (`**Position**:: ...`).
_LINE_FIELD = re.compile(
    r"^\s*(?:>\s*)*(?:[-*+]\s+(?:\[.\]\s+)?|\d+[.)]\s+)?"
    r"(?P<key>[*_]{0,2}[^\s:*_\[\]()#`][^:\[\]()`]*?[*_]{0,2})::(?!:)\s*(?P<value>.*?)\s*$"
)
_BRACKET_FIELD = re.compile(
    r"[\[(](?P<key>[^\[\]():`]+?)::\s*(?P<value>[^\[\]()]*(?:\[\[[^\]]*\]\][^\[\]()]*)*)[\])]"
)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).*?\1")
_EMPHASIS = re.compile(r"^[*_]+|[*_]+$")

# An Obsidian tag: `#` after a line start or white space, then letters,
# digits, `_`, `-` and `/` (nested tags), holding at least one non-digit.
_TAG = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[(,]))#([^\s#\[\](){}<>,.;:!?\"'`|=+*&^%$@~\\]+)")
_WIKILINK = re.compile(r"\[\[[^\]]*\]\]")
_URL = re.compile(r"\bhttps?://\S+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")


@dataclass(frozen=True, slots=True)
class InlineField:
    key: str  # as written, emphasis removed
    value: str
    line: int  # 1-based, in the text given


def readable_lines(text: str) -> list[tuple[int, str]]:
    """The lines of `text` that are not fenced code (1-based numbers), with
    comments blanked out (line numbers kept) and inline code removed."""
    text = strip_comments(text)
    lines: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        lines.append((number, _CODE_SPAN.sub("", line) if "`" in line else line))
    return lines


def inline_fields(lines: list[tuple[int, str]]) -> list[InlineField]:
    """Every inline field of `lines` (see `readable_lines`), in order."""
    fields: list[InlineField] = []
    for number, line in lines:
        if "::" not in line:
            continue
        found = False
        for match in _BRACKET_FIELD.finditer(line):
            if match.start() > 0 and line[match.start() - 1] == "[":
                continue  # `[[Note::x]]` is a link, not a field
            fields.append(_field(match.group("key"), match.group("value"), number))
            found = True
        whole = None if found else _LINE_FIELD.match(line)
        if whole:
            fields.append(_field(whole.group("key"), whole.group("value"), number))
    return [f for f in fields if f.key]


def _field(key: str, value: str, line: int) -> InlineField:
    return InlineField(_EMPHASIS.sub("", key.strip()).strip(), value.strip(), line)


def body_tags(lines: list[tuple[int, str]]) -> list[str]:
    """The tags of `lines` as Obsidian counts them, casefolded, without `#`:
    not a heading's `#`, not a link's `#heading` anchor, not a URL's
    fragment, and not all digits (`#1` is not a tag)."""
    tags: list[str] = []
    for _, line in lines:
        if "#" not in line:
            continue
        if _HEADING.match(line):
            line = line.lstrip().lstrip("#")
        line = _URL.sub(" ", _WIKILINK.sub(" ", line))
        for match in _TAG.finditer(line):
            tag = match.group(1).strip("/")
            if tag and not tag.replace("/", "").isdigit():
                tags.append(tag.casefold())
    return tags


@dataclass(frozen=True, slots=True)
class NoteFields:
    """A note's own fields, before any is given a meaning: its front matter
    mapping (None when there is none that reads as one), the body, its
    inline fields in order and its readable lines."""

    front: dict[Any, Any] | None
    body: str
    inline: list[InlineField]
    lines: list[tuple[int, str]]


def note_fields(text: str, *, lenient: bool = False) -> NoteFields:
    """The fields of a note. Front matter YAML cannot parse is read as flat
    `key: value` lines when `lenient` (as Obsidian shows them), else left
    unread (`front` is None); no front matter at all is an empty mapping."""
    block = split_front_matter(text)
    front: Any = {}
    body = text
    if block is not None:
        body = block.body
        try:
            front = load_yaml(block.text)
        except Exception:  # any YAML error
            found = read_lenient(block.text) if lenient else None
            front = found.data if found is not None else None
    lines = readable_lines(body)
    front = front if isinstance(front, dict) else None
    return NoteFields(front, body, inline_fields(lines), lines)
