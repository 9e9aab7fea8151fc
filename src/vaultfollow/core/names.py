"""File names that are safe on Windows, macOS, Linux and in Obsidian links."""

from __future__ import annotations

import re
import unicodedata

# Forbidden on Windows (<>:"/\|?*), or meaningful in Obsidian links (#^[]|).
_UNSAFE = re.compile(r'[<>:"/\\|?*#^\[\]\x00-\x1f\x7f]')
# Windows device names, whatever the extension (`con.md` is the console too);
# COM0/LPT0 and the superscript digits count on current Windows.
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in (*"0123456789", "\u00b9", "\u00b2", "\u00b3")
}
MAX_NAME_BYTES = 120


def safe_name(text: str, fallback: str = "Unknown") -> str:
    """One path component made from arbitrary text: never empty, never `.` or
    `..`, no separators, no characters Windows or Obsidian links reject, no
    leading or trailing dots or spaces, NFC, at most MAX_NAME_BYTES bytes."""
    name = unicodedata.normalize("NFC", text)
    name = _UNSAFE.sub(" ", name)
    name = " ".join(name.split()).strip(" .")
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        name = encoded[:MAX_NAME_BYTES].decode("utf-8", "ignore").strip(" .")
    if not name:
        return fallback
    stem, dot, rest = name.partition(".")
    if stem.strip().upper() in _RESERVED:
        # Windows reads the part before the first dot: `CON.txt` is the console.
        name = f"{stem.strip()}_{dot}{rest}"
    return name
