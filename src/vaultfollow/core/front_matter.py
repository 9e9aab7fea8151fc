"""Front matter text -> a mapping, as Obsidian reads it.

The YAML block must open on the very first line (a BOM and CRLF are fine).
Plain values keep the meaning YAML 1.2 and Obsidian give them (`12:30`,
`010`, `no` stay text), no tag can build a Python object, and flat
`key: value` front matter that YAML refuses (an unquoted `: `, `{{date}}`)
is read line by line with a warning that says how to quote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any


@cache
def strict_loader() -> type[Any]:
    """The YAML loader of every note's properties, built on first use (a
    pass with nothing to parse imports no YAML): a safe loader, libyaml's
    when available, that reads plain scalars as YAML 1.2 (and Obsidian) do.

    PyYAML follows YAML 1.1, which silently changes what people wrote:
    `no`, `on`, `yes` become booleans, `12:30` the number 750 (base 60),
    `010` the number 8 (octal), `+49170...` a number without its `+`, and an
    impossible date such as `2023-02-30` stops the whole block. Here only
    `true`/`false` are booleans, only plain decimals are numbers, everything
    else stays the text that was written, and a date that does not exist
    stays text, so the one property holding it gets the problem.
    """
    import yaml

    base: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictScalarLoader(base):  # type: ignore[misc]
        pass

    StrictScalarLoader.yaml_implicit_resolvers = {}
    for tag, pattern, first in (
        ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("int", r"^-?(?:0|[1-9][0-9]*)$", "-0123456789"),
        ("float", r"^-?(?:0|[1-9][0-9]*)\.[0-9]+(?:[eE][-+]?[0-9]+)?$", "-0123456789"),
        ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        (
            "timestamp",
            r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}"
            r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
            r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$",
            "0123456789",
        ),
        ("merge", r"^(?:<<)$", "<"),
    ):
        StrictScalarLoader.add_implicit_resolver(
            f"tag:yaml.org,2002:{tag}", re.compile(pattern), list(first)
        )

    def construct_timestamp(loader: Any, node: Any) -> Any:
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except ValueError:  # 2023-02-30, 0000-00-00: keep the text; its reader reports it
            return loader.construct_scalar(node)

    StrictScalarLoader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
    return StrictScalarLoader


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The raw front matter block of a note and where its body starts."""

    text: str
    body: str
    body_line: int  # 1-based line number of the first body line


def split_front_matter(text: str) -> FrontMatter | None:
    """The YAML block between a first line `---` and the next `---` (or `...`).

    As in Obsidian, the opening line must be the very first line; a BOM and
    CRLF line endings are accepted.
    """
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() in ("---", "..."):
            return FrontMatter(
                text="".join(lines[1:index]),
                body="".join(lines[index + 1 :]),
                body_line=index + 2,
            )
    return None


def load_yaml(text: str) -> Any:
    """Safe-load YAML (libyaml when available) with YAML 1.2 plain scalars:
    no tag can construct a Python object, and no plain value changes meaning."""
    from frontmatter.default_handlers import YAMLHandler

    # python-frontmatter's YAML handler, always with our own safe loader.
    return YAMLHandler().load(text, Loader=strict_loader())


@dataclass(frozen=True, slots=True)
class Lenient:
    """Front matter read line by line after YAML refused it, with what to fix."""

    data: dict[str, Any]
    warnings: list[tuple[int, str | None, str]]  # (line in the file, key, message)


# A key as people write one: not starting with a YAML indicator ({ [ ? & * ! | > % @ ...).
_FLAT_KEY = re.compile(
    r"^([^\s#'\"{}\[\]?&*!|>%@`,-][^:]*?|'[^']*'|\"[^\"]*\")\s*:(?:[ \t]+(.*?))?\s*$"
)
_LIST_ITEM = re.compile(r"^[ \t]*-(?:[ \t]+(.*?))?\s*$")


def read_lenient(text: str) -> Lenient | None:
    """Flat `key: value` front matter (with `- item` lists) that YAML cannot
    parse, read one line at a time, as people meant it: a value YAML refuses
    (`Stage 1: recruiter screen`, `{{date}}`, `@name`) is taken as the text
    written. None when the block is not that simple (nested mappings, a
    Templater script), so the YAML error stands."""
    data: dict[str, Any] = {}
    warnings: list[tuple[int, str | None, str]] = []
    current: str | None = None  # the key a `- item` line belongs to
    for number, line in enumerate(text.splitlines(), start=2):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "<%" in line or "%>" in line:
            return None  # an unrendered Templater block: not properties at all
        item = _LIST_ITEM.match(line)
        if item and current is not None and (line[:1] in (" ", "\t", "-")):
            raw = item.group(1) or ""
            if "\t" in line[: len(line) - len(line.lstrip())]:
                message = (
                    f"the item `- {show_value(raw)}` of `{current}` is indented with a tab, "
                    "which YAML does not allow; indent it with spaces"
                )
                warnings.append((number, current, message))
            value, ok = _scalar_value(raw)
            if not ok and raw.startswith("!"):
                return None  # a YAML tag is refused, never read as text
            if not ok:
                warnings.append((number, current, _quote_hint(f"- {raw}", f"- {_quote(raw)}")))
            listed = data.get(current)
            data[current] = [*listed, value] if isinstance(listed, list) else [value]
            continue
        flat = _FLAT_KEY.match(line)
        if flat is None or line[:1] in (" ", "\t"):
            return None
        key = flat.group(1).strip().strip("'\"")
        raw = flat.group(2) or ""
        value, ok = _scalar_value(raw)
        if not ok and raw.startswith("!"):
            return None  # a YAML tag is refused, never read as text
        if not ok:
            fixed = f"{flat.group(1)}: {_quote(raw)}"
            warnings.append((number, key, _quote_hint(stripped, fixed)))
        data.setdefault(key, value)
        current = key if not raw else None
    if not data:
        return None
    return Lenient(data, warnings)


def _scalar_value(raw: str) -> tuple[Any, bool]:
    """The YAML value of one line's text, or the text itself when YAML refuses
    it (False) or reads it as a mapping or a list of one unterminated line."""
    if not raw:
        return None, True
    try:
        value = load_yaml(raw)
    except Exception:
        return raw, False
    if isinstance(value, dict):
        return raw, False
    if isinstance(value, list) and not raw.startswith("["):
        return raw, False
    return value, True


def show_value(value: Any) -> str:
    """A value as the user wrote it, one line, at most 60 characters. Lists
    and mappings are shown bounded (YAML aliases can make them huge)."""
    import reprlib

    text = reprlib.repr(value) if isinstance(value, list | dict) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _quote(raw: str) -> str:
    return '"' + raw.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quote_hint(line: str, fixed: str) -> str:
    return (
        f"`{show_value(line)}` is not valid YAML (Obsidian cannot show it either); vaultfollow "
        f"read it as the text written; put the value in quotes: `{show_value(fixed)}`"
    )
