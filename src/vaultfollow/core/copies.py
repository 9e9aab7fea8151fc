"""Notes named as a copy of another: what sync services and apps add to a
note's name when two devices changed it at once, or when a note is copied.
Pure: names only; the engine decides, from the notes' content, whether a
copy holds the same interview.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CopyName:
    """A note whose name is another note's with a copy's mark added."""

    original: str  # the note it would be a copy of (it exists)
    mark: str  # what was added to the name: `(conflicted copy 2026-11-03)`, ` 2`
    by_service: bool  # a mark only sync services add; else a numbered or machine-named copy


# What sync services add to a note's name (before `.md`) when two devices
# changed it at once. Each pattern must match the whole end of the name.
_SERVICE_MARKS = (
    # Syncthing: `.sync-conflict-<YYYYMMDD>-<HHMMSS>-<device>`
    re.compile(r"\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]+$", re.IGNORECASE),
    # Dropbox `(Ana's conflicted copy 2026-11-03)`, `(... 2026-11-03 (1))`;
    # Nextcloud and ownCloud `(conflicted copy [user] 2026-11-03 101010)`;
    # Obsidian Sync `(Conflicted copy <device> <stamp>)`; Seafile `(SFConflict ...)`
    re.compile(r" \((?:[^()]|\(\d+\))*conflict(?:[^()]|\(\d+\))*\)$", re.IGNORECASE),
    # Nextcloud and ownCloud before 2.5: `_conflict-<YYYYMMDD>-<HHMMSS>`
    re.compile(r"_conflict-\d{8}-\d{6}$"),
    # OneDrive on Windows: the machine's name, Windows' own `DESKTOP-XXXXXXX`
    re.compile(r"-(?:DESKTOP|LAPTOP)-[A-Z0-9]{7}(?:-\d+)?$"),
    # OneDrive for Linux: `-<host>-safeBackup-0001`
    re.compile(r"-[A-Za-z0-9][A-Za-z0-9.-]*-safeBackup-\d+$"),
    # rclone bisync: `.conflict1`
    re.compile(r"\.conflict\d+$"),
)
# A copy only when it holds the same interview: iCloud's `Name 2`, Google
# Drive's and OneDrive's `Name (1)`, OneDrive's `Name-<machine>`; and a
# copy Obsidian made (`Name 1`), though Obsidian names new notes so too.
_NUMBERED_MARKS = (
    re.compile(r"(?: \d{1,3}| \(\d{1,3}\))$"),
    re.compile(r"-[A-Za-z0-9][A-Za-z0-9-]*$"),
)
_CUT = re.compile(r"[ ._(-]")  # where a mark can begin
# All of them at once, as a first test (ignoring case: it may say yes wrongly, never no).
_ANY_MARK = re.compile(
    "|".join(f"(?:{p.pattern})" for p in (*_SERVICE_MARKS, *_NUMBERED_MARKS)), re.IGNORECASE
)


def conflict_copy_of(rel: str, existing: Container[str]) -> CopyName | None:
    """The note of `existing` that the note `rel` may be a copy of, by its
    name alone: `rel` is that note's name with a copy's mark added (see
    `_SERVICE_MARKS` and `_NUMBERED_MARKS`). A name with a mark but no
    original beside it is no copy: the original was renamed or merged away."""
    folder, slash, name = rel.rpartition("/")
    if not name.lower().endswith(".md"):
        return None
    stem = name[:-3]
    if not _ANY_MARK.search(stem):  # most names: one test, and no copy
        return None
    # A mark may hold the characters it starts with (a machine named `my-pc`),
    # so each place it could start is tried, the shortest mark first.
    for found in reversed(list(_CUT.finditer(stem, 1))):
        original = f"{folder}{slash}{stem[: found.start()]}{name[-3:]}"
        if original not in existing:
            continue
        mark = stem[found.start() :]
        for by_service, patterns in ((True, _SERVICE_MARKS), (False, _NUMBERED_MARKS)):
            if any(pattern.fullmatch(mark) for pattern in patterns):
                return CopyName(original, mark, by_service)
    return None
