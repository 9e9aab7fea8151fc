"""File names that are safe on Windows, macOS, Linux and in Obsidian links."""

from __future__ import annotations

import re
import unicodedata

# Forbidden on Windows (<>:"/\|?*), or meaningful in Obsidian links (#^[]|).
_UNSAFE = re.compile(r'[<>:"/\\|?*#^\[\]\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
MAX_NAME_BYTES = 120


def safe_name(text: str, fallback: str = "Unknown") -> str:
    """One path component made from arbitrary text: never empty, never `.` or
    `..`, no separators, no characters Windows or Obsidian links reject, no
    leading or trailing dots or spaces, NFC, at most MAX_NAME_BYTES bytes."""
    name = unicodedata.normalize("NFC", text)
    name = _UNSAFE.sub(" ", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        name = encoded[:MAX_NAME_BYTES].decode("utf-8", "ignore").strip(" .")
    if not name or name.split(".")[0].upper() in _RESERVED:
        name = f"{name} _" if name else fallback
    return name
