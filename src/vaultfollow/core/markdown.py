"""Markdown as the body readers need it: comments gone, blocks with their
lines, a paragraph's text with its inline markup read. Pure.

CommonMark (markdown-it) with tables, because Obsidian reads them: a
table's rows are cells, never a paragraph of pipes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from vaultfollow.core.properties import plain_text

# A comment runs to its closer or, left open, to the end: every match ends
# at the first closer after its opener, so one pass reads the text once.
_COMMENT = re.compile(r"%%.*?(?:%%|\Z)|<!--.*?(?:-->|\Z)", re.DOTALL)


def strip_comments(text: str) -> str:
    """`text` without `%% Obsidian comments %%` and `<!-- HTML comments -->`,
    each replaced by the line breaks it held, so every line keeps its number.
    A comment left open runs to the end, as Obsidian shows it. Linear in
    the length of `text`, however many openers it holds."""
    if "%%" not in text and "<!--" not in text:
        return text
    return _COMMENT.sub(lambda match: "\n" * match.group().count("\n"), text)


@dataclass(frozen=True, slots=True)
class Block:
    """A heading (`level` 1-6) or a paragraph (`level` 0) with its raw inline
    content, its first line (0-based, in the text parsed), whether it sits
    in a list or is a table cell (`nested`), and whether in a quote."""

    level: int
    content: str
    line: int
    nested: bool
    in_quote: bool


def markdown_blocks(text: str, env: dict[str, Any]) -> list[Block]:
    """The headings and paragraphs of `text` in order, as CommonMark reads
    them; code and HTML blocks are not blocks here, and a table's cells
    come as `nested` paragraphs."""
    tokens = block_parser().parse(text, env)
    blocks: list[Block] = []
    quotes = 0
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "blockquote_open":
            quotes += 1
        elif kind == "blockquote_close":
            quotes -= 1
        elif kind == "heading_open":
            blocks.append(
                Block(
                    level=int(token.tag[1:]),
                    content=tokens[index + 1].content,
                    line=token.map[0] if token.map else 0,
                    nested=token.level > 0,
                    in_quote=quotes > 0,
                )
            )
        elif kind == "inline" and index and tokens[index - 1].type != "heading_open":
            opener = tokens[index - 1]
            blocks.append(
                Block(
                    level=0,
                    content=token.content,
                    line=token.map[0] if token.map else 0,
                    nested=opener.type != "paragraph_open",  # a table cell
                    in_quote=quotes > 0,
                )
            )
    return blocks


@cache
def block_parser() -> Any:
    """CommonMark with tables, without the inline pass (most of a note's
    parsing cost), built once per process."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])


# What inline markup starts with, in CommonMark: without any, a paragraph's
# text is its content with its white space collapsed.
_INLINE_MARKUP = re.compile(r"[<`*_&\\\[]")
_SPACES = re.compile(r"\s+")
_TASK_BOX = re.compile(r"^\[[ xX]\]\s+")
_SPACE_BEFORE_STOP = re.compile(r"\s+([.,;:!?])")


# markdown-it's link parsing takes time with the square of the `[`s of a
# paragraph; one longer than this is read as plain text.
_MAX_INLINE = 4000


def paragraph_text(content: str, env: dict[str, Any]) -> str:
    """A paragraph's text, its inline markup parsed, wikilinks as their
    display text, a task box and the space a removed comment left gone."""
    if len(content) <= _MAX_INLINE and _INLINE_MARKUP.search(content):
        md = block_parser()
        children: list[Any] = []
        md.inline.parse(content, md, env, children)
        parts: list[str] = []
        for child in children:
            if child.type in ("text", "text_special", "code_inline", "image"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        content = "".join(parts)
    text = _SPACES.sub(" ", content).strip()
    text = _TASK_BOX.sub("", text)
    text = _SPACE_BEFORE_STOP.sub(r"\1", text)
    return plain_text(text)


_HEADING_END = re.compile(r"[\s:.!?]+$")


def heading_key(text: str) -> str:
    """A section's name as it is matched: `Went well:` -> `went well`."""
    return _HEADING_END.sub("", text.strip()).casefold()
