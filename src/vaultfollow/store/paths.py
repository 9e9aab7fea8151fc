"""Which files of a vault are notes and drafts, each listed with the
modification time and size the cache is keyed by (the names of the files
vaultfollow keeps are in `core.layout`)."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Container, Iterable, Iterator
from stat import S_ISLNK

from vaultfollow.core.layout import STATE_DIR, is_excluded

log = logging.getLogger(__name__)

OnError = Callable[[str, OSError], None]  # (folder that cannot be listed, why)

StatKey = tuple[int, int]  # (mtime_ns, size)


def _host() -> str:
    name = os.uname().nodename if hasattr(os, "uname") else ""
    if not name:
        import socket

        name = socket.gethostname()
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)[:40]


# One cache per machine, so that two machines syncing one vault never fight over it.
CACHE_FILE = f"{STATE_DIR}/cache-{_host()}.json"


def fspath(root: str, rel: str) -> str:
    """Vault-relative `rel` (with `/`) under the folder `root` as an OS path."""
    return os.path.join(root, rel) if os.sep == "/" else os.path.join(root, *rel.split("/"))


def note_stat(root: str, rel: str) -> StatKey | None:
    """(mtime_ns, size) of the note at `rel`, or None when it is not there or
    is a link to a file outside the vault at `root` (such a file is never read)."""
    path = fspath(root, rel)
    try:
        info = os.lstat(path)
        if S_ISLNK(info.st_mode):
            if _leads_outside(root, path, rel):
                return None
            info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_mtime_ns, info.st_size)


def _leads_outside(root: str, path: str, rel: str) -> bool:
    """The link at `path` resolves outside the vault at `root`: nothing
    outside the vault is read, as symlinked folders are not followed."""
    real_root = os.path.realpath(root)
    target = os.path.realpath(path)
    try:
        inside = os.path.commonpath([real_root, target]) == real_root
    except ValueError:  # another drive
        inside = False
    if not inside:
        log.debug("%s: a link to a file outside the vault (%s); not read", rel, target)
    return not inside


def walk(
    root: str, folder: str, skip: set[str], on_error: OnError
) -> Iterator[tuple[str, StatKey]]:
    """Every `.md` file under `folder` of the vault at `root` with its
    (mtime_ns, size), outside hidden folders and the (casefolded) `skip`
    folders. Symlinked folders are not followed (no loops), nor links to
    files outside the vault. A folder that cannot be listed is passed to
    `on_error` and skipped."""
    for rel, entry in _files(root, folder, skip, on_error):
        if (key := _stat_key(entry)) is not None:
            yield rel, key


def _stat_key(entry: os.DirEntry[str]) -> StatKey | None:
    """The (mtime_ns, size) of a listed file (None: gone since)."""
    try:
        info = entry.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def _files(
    root: str, folder: str, skip: set[str], on_error: OnError
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """`walk` without the stat: each file's path and directory entry."""
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(fspath(root, current) if current else root) as listing:
                entries = list(listing)
        except OSError as exc:
            on_error(current or ".", exc)
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = f"{current}/{name}" if current else name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if rel.casefold() not in skip:
                        stack.append(rel)
                elif (
                    name[-3:].lower() == ".md"
                    and entry.is_file()
                    and not (entry.is_symlink() and _leads_outside(root, entry.path, rel))
                ):
                    yield rel, entry
            except OSError:
                continue


def list_notes(
    root: str,
    skip: Iterable[str],
    exclude: Iterable[str],
    on_error: OnError,
    known: Container[str],
) -> dict[str, StatKey | None]:
    """Every note of the vault (`walk` without the `skip` folders and the
    `exclude` patterns), stating only the notes in `known`: the others (None)
    must be read anyway, and whoever reads them takes their stat then (on a
    cold start, that is every note)."""
    skip_set = {s.strip("/").casefold() for s in skip}
    patterns = list(exclude)
    found: dict[str, StatKey | None] = {}
    for rel, entry in _files(root, "", skip_set, on_error):
        if patterns and is_excluded(rel, patterns):
            continue
        if rel not in known:
            found[rel] = None
        elif (key := _stat_key(entry)) is not None:
            found[rel] = key
    return found


def scan_drafts(root: str, folder: str, on_error: OnError) -> dict[str, StatKey]:
    """Every `.md` file under the drafts folder (the dashboard among them)."""
    if not os.path.isdir(fspath(root, folder)):
        return {}
    return dict(walk(root, folder, set(), on_error))
