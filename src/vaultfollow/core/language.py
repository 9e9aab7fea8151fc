"""The words one language reads notes and writes drafts with, as data.

Each language is a file beside the templates, `templates/words.<code>.toml`:
the markers a note's sections are read by ("should have said", "I
rambled") and the frames a draft's sentences are built from ("On your
question about ..."). Code holds the sentence shapes; a language is added as
a words file and templates. Pure: the files are package data, read once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

DEFAULT = "en"


@lru_cache(maxsize=8)
def words(language: str = DEFAULT) -> Mapping[str, Any]:
    """The parsed words file of `language` (a KeyError names a missing table)."""
    name = f"words.{language}.toml"
    text = resources.files("vaultfollow").joinpath("templates", name).read_text("utf-8")
    return tomllib.loads(text)


def phrases(table: str, key: str, language: str = DEFAULT) -> tuple[str, ...]:
    """A list of phrases from the words file: `phrases("clarify", "confessions")`."""
    return tuple(words(language)[table][key])


def alternation(items: Iterable[str]) -> str:
    """A regex alternative of literal phrases, longest first (so "too long"
    is tried before "too"), a space in a phrase matching any run of spaces."""
    ordered = sorted(set(items), key=lambda p: (-len(p), p))
    return "|".join(_pattern(phrase) for phrase in ordered)


def _pattern(phrase: str) -> str:
    parts = (re.escape(part).replace("'", "['’]") for part in phrase.split())
    return r"\s+".join(parts)
