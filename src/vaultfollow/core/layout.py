"""Where things are in a vault, as names: the files vaultfollow keeps there,
tests of vault-relative paths against folders and patterns, and how a path
is written into a line of text. Pure: nothing here touches the disk."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

STATE_DIR = ".vaultfollow"
STATE_FILE = f"{STATE_DIR}/state.json"  # where 0.1 kept the decisions below (read once)
# What the user decided and vaultfollow must not forget: which drafts it wrote
# (a missing one was dismissed) and the day it first saw each fact. In the
# drafts folder, beside the drafts it speaks of, outside `.vaultfollow/`: deleting
# the caches loses nothing, and a sync service carries it with the drafts.
DECISIONS_NAME = "vaultfollow-state.json"
CONFIG_NAME = "vaultfollow.toml"
WORDS_FILE = "vaultfollow-words.txt"  # the user's word list for `check`
# Obsidian's and Templater's settings name the folders of note templates.
OBSIDIAN_TEMPLATE_SETTINGS = (
    (".obsidian/templates.json", "folder"),
    (".obsidian/plugins/templater-obsidian/data.json", "templates_folder"),
)


def in_folders(path: str, folders: Iterable[str]) -> bool:
    lowered = path.casefold()
    return any(lowered.startswith(folder.casefold().rstrip("/") + "/") for folder in folders)


def is_excluded(path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatchcase(path, pattern) or in_folders(path, [pattern]) for pattern in patterns)


_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
_ESCAPES.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
_ESCAPES.update({code: f"\\u{code:04x}" for code in (0x2028, 0x2029, *range(0xD800, 0xE000))})
# A file name that is not UTF-8 reads as lone surrogates: U+DC80-U+DCFF
# stand for its bytes 0x80-0xFF, which no UTF-8 file or stream accepts.
_ESCAPES.update({code: f"\\x{code - 0xDC00:02x}" for code in range(0xDC80, 0xDD00)})


def printable(text: str) -> str:
    """`text` with every control character written as an escape: `\\n`,
    `\\x1b`, `\\x85` (C0, DEL, C1, the line and paragraph separators), and
    the bytes of a name that is not UTF-8 as `\\xff`. What is left is one
    line that cannot drive a terminal and always encodes as UTF-8, so a file
    name can neither forge a log line nor hide in one."""
    return text.translate(_ESCAPES)
