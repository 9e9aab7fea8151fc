"""The only module that touches the vault on disk: scan, read, atomic write, state.

Writes are confined to the drafts folder, the calendar file and
`.vaultfollow/`; every write goes to a temporary file in the same folder, is
fsynced and renamed over the target, so a crash leaves the old file or the
new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import stat
import sys
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from vaultfollow.core.layout import OBSIDIAN_TEMPLATE_SETTINGS, STATE_DIR, STATE_FILE, in_folders
from vaultfollow.core.schedule import Memory
from vaultfollow.errors import UsageError, VaultfollowError, VaultGoneError
from vaultfollow.store.decisions import dump_memory, is_decisions, merge_memory, parse_memory
from vaultfollow.store.lock import WatchLock, folder_identity
from vaultfollow.store.paths import StatKey, list_notes, scan_drafts

log = logging.getLogger(__name__)

MAX_NOTE_BYTES = 5 * 1024 * 1024
_TEMP_MARK = ".vaultfollow-tmp"


class OutsideVaultError(VaultfollowError):
    """A write was asked for outside the folders vaultfollow owns."""

    @property
    def rel(self) -> str:
        return self.message.partition(": ")[0]

    @property
    def reason(self) -> str:
        return self.message.partition(": ")[2]


class NotOursError(VaultfollowError):
    """The file at a write's target is not one vaultfollow wrote, or it was
    changed since: it is left as it is."""

    def __init__(self, rel: str) -> None:
        super().__init__(f"{rel}: is not a file vaultfollow wrote (or it was changed); left alone")
        self.rel = rel


# Whether a write may replace the file at its target, given what the file
# holds just before the rename (None: no file is there any more).
MayReplace = Callable[[bytes | None], bool]


def always(current: bytes | None) -> bool:
    """vaultfollow's own state files: whatever is there is ours."""
    return True


class WriteError(VaultfollowError, OSError):
    """A file could not be written (disk full, read-only, no permission). The
    old file is intact; the next pass tries again. An OSError too, so callers
    that carry on after I/O errors (the watcher) carry on after this one."""

    def __init__(self, rel: str, exc: OSError) -> None:
        reason = exc.strerror or str(exc)
        hint = {
            errno.ENOSPC: "free some space",
            errno.EDQUOT: "free some space (your quota is used up)",
            errno.EROFS: "the vault is on a read-only file system; make it writable",
            errno.EACCES: "give yourself write permission on the vault folder",
            errno.EPERM: "give yourself write permission on the vault folder",
        }.get(exc.errno or 0, "fix that")
        message = (
            f"{rel}: could not be written ({reason}); the previous file is unchanged; "
            f"{hint}, and vaultfollow writes it at the next pass"
        )
        VaultfollowError.__init__(self, message)
        self.errno = exc.errno
        self.rel = rel
        self.reason = message.partition(": ")[2]


@dataclass(slots=True)
class Written:
    """What `Vault.write_many` did with each file."""

    folders: set[Path]  # of the files renamed into place (see `Vault.sync_folders`)
    written: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # not ours, or changed: left alone
    failed: list[WriteError | OutsideVaultError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReadResult:
    text: str | None
    error: str | None = None


class Vault:
    """A vault folder. Paths in and out are vault-relative with `/` separators."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise UsageError(f"{root}: no such folder; give the path of your vault")
        self.root = root.resolve()
        self.identity = folder_identity(self.root)  # the folder read and written
        self._prefix = str(self.root) + os.sep
        # (mtime_ns, size) of each file as written here, taken from the open
        # file before the rename: what was written, whatever happens next.
        self.written: dict[str, StatKey] = {}

    @property
    def name(self) -> str:
        return self.root.name

    def path(self, rel: str) -> Path:
        return self.root.joinpath(*PurePosixPath(rel).parts)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def fspath(self, rel: str) -> str:
        """`rel` as an operating-system path string (cheaper than a Path)."""
        return self._prefix + (rel if os.sep == "/" else rel.replace("/", os.sep))

    def stat(self, rel: str) -> StatKey | None:
        """(mtime_ns, size) of a file, or None when it is not there."""
        try:
            info = os.stat(self.fspath(rel))
        except (OSError, ValueError):
            return None
        return (info.st_mtime_ns, info.st_size)

    # --- reading -------------------------------------------------------------

    def templates_folders(self) -> list[str]:
        """Folders holding note templates (never read as notes): Obsidian's
        core Templates setting, Templater's, and `Templates/`."""
        folders = {"Templates"}
        for rel, key in OBSIDIAN_TEMPLATE_SETTINGS:
            try:
                data = json.loads(self.path(rel).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            value = data.get(key) if isinstance(data, dict) else None
            if isinstance(value, str) and value.strip("/ "):
                folders.add(value.strip("/ "))
        return sorted(folders)

    def scan(
        self, skip: Iterable[str], exclude: Iterable[str], known: Container[str]
    ) -> dict[str, StatKey | None]:
        """Every `.md` file outside hidden folders, `skip` folders and
        `exclude` patterns, with its (mtime_ns, size) when it is in `known`
        (None for the others: they are read anyway). Symlinked folders are
        not followed (no loops)."""
        return list_notes(str(self.root), skip, exclude, _cannot_list, known)

    def scan_folder(self, folder: str) -> list[str]:
        """Every `.md` file under one folder of the vault, sorted."""
        return sorted(scan_drafts(str(self.root), folder, _cannot_list))

    def read(self, rel: str) -> ReadResult:
        """A note's text (BOM removed), or why it could not be read."""
        try:
            with open(self.fspath(rel), "rb") as handle:
                if os.fstat(handle.fileno()).st_size > MAX_NOTE_BYTES:
                    mb = MAX_NOTE_BYTES // 1024 // 1024
                    return ReadResult(
                        None,
                        f"is larger than {mb} MB, too large for a note; skipped "
                        "(move attachments out of the note)",
                    )
                # Never more than the cap, even when the file grows as we read.
                data = handle.read(MAX_NOTE_BYTES + 1)
                if len(data) > MAX_NOTE_BYTES:
                    mb = MAX_NOTE_BYTES // 1024 // 1024
                    return ReadResult(
                        None, f"is larger than {mb} MB, too large for a note; skipped"
                    )
        except FileNotFoundError:
            return ReadResult(None, None)  # deleted since the scan: nothing to say
        except OSError as exc:
            return ReadResult(
                None, f"cannot be read ({exc.strerror or exc}); check its permissions"
            )
        try:
            return ReadResult(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return ReadResult(
                None,
                f"is not UTF-8 text (line {line}, byte {exc.start}); "
                "save it as UTF-8 (or it is not a note: then give it another extension)",
            )

    def read_prefix(self, rel: str, size: int) -> bytes | None:
        """The first `size` bytes of a file (None when it cannot be read)."""
        return self.stat_and_prefix(rel, size)[1]

    def stat_and_prefix(self, rel: str, size: int) -> tuple[StatKey | None, bytes | None]:
        """The (mtime_ns, size) of a file, taken from the open file (cheaper
        than by path), and its first `size` bytes; None for what cannot be
        had (both when the file cannot be opened). Unbuffered: on a cold
        start this runs once per note of the vault."""
        try:
            fd = os.open(self.fspath(rel), os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except (OSError, ValueError):
            return None, None
        try:
            info = os.fstat(fd)
            return (info.st_mtime_ns, info.st_size), os.read(fd, size)
        except OSError:
            return None, None
        finally:
            os.close(fd)

    def read_bytes(self, rel: str) -> bytes | None:
        try:
            with open(self.fspath(rel), "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def exists(self, rel: str) -> bool:
        return os.path.exists(self.fspath(rel))

    # --- writing -------------------------------------------------------------

    def write(
        self,
        rel: str,
        data: bytes,
        owned: Iterable[str],
        *,
        replaces: MayReplace | None = always,
        folders: set[Path] | None = None,
    ) -> bool:
        """Atomically replace `rel` with `data` unless it already holds exactly
        that. `rel` must lie in one of the `owned` folders or files; a file
        there is replaced only when `replaces` says it may be (see
        `MayReplace`): else NotOursError. Returns whether anything was
        written; WriteError when it could not be. With `folders`, the
        folder's own fsync (which makes the rename durable) is left to
        `sync_folders`, so a pass that writes many files in one folder syncs
        that folder once."""
        done = self.write_many([(rel, data, replaces)], owned, folders=folders)
        if done.failed:
            raise done.failed[0]
        if done.refused:
            raise NotOursError(rel)
        if folders is None:
            self.sync_folders(done.folders)
        return bool(done.written)

    def write_many(
        self,
        items: Sequence[tuple[str, bytes, MayReplace | None]],
        owned: Iterable[str],
        *,
        folders: set[Path] | None = None,
    ) -> Written:
        """`write` for many files, each on its own: one that cannot be written
        (a file where its folder should be, a full disk) or may not be (a
        file vaultfollow did not write, or one changed since) is left as it
        is and said in the result, and the others are written. With two or
        more, every file goes to its temporary file, the file system is
        synced once (Linux's syncfs), then each is renamed into place: each
        file is as atomic and as durable as alone, and hundreds of drafts
        cost one flush instead of hundreds. Whether a file may be replaced is
        checked just before its rename (a user's save during the pass wins).
        The renamed files' folders are added to `folders` (see `write`)."""
        owned = list(owned)
        done = Written(folders=set() if folders is None else folders)
        self._check_root()
        batch = len(items) >= 2 and _HAS_SYNCFS
        staged: list[tuple[str, str, Path, StatKey, MayReplace | None]] = []
        checked: set[Path] = set()
        try:
            for rel, data, replaces in items:
                self._check_owned(rel, owned)
                try:
                    one = self._stage(rel, data, flush=not batch, checked=checked)
                except OSError as exc:
                    done.failed.append(WriteError(rel, exc))
                except OutsideVaultError as exc:
                    done.failed.append(exc)
                else:
                    if one is not None:
                        staged.append((rel, *one, replaces))
            if batch and staged:
                try:
                    _syncfs(str(self.root))
                except OSError as exc:
                    done.failed.extend(WriteError(rel, exc) for rel, *_ in staged)
                    return done
            for rel, temp, target, key, replaces in staged:
                try:
                    placed = self._commit(temp, target, replaces)
                except OSError as exc:
                    done.failed.append(WriteError(rel, exc))
                except OutsideVaultError as exc:
                    done.failed.append(exc)
                else:
                    if placed:
                        self.written[rel] = key
                        done.folders.add(target.parent)
                        done.written.append(rel)
                    else:
                        done.refused.append(rel)
        finally:
            for _, temp, _, _, _ in staged:  # each is renamed, or still to remove
                with contextlib.suppress(OSError):
                    os.unlink(temp)
        return done

    @staticmethod
    def _check_owned(rel: str, owned: Iterable[str]) -> None:
        if not _is_owned(rel, owned):
            raise OutsideVaultError(f"{rel}: refusing to write outside vaultfollow's own files")

    def _check_root(self) -> None:
        # Never recreate a vault that was moved or deleted under us, nor write
        # into another folder that took its place: what we know is of the old
        # one (the watcher adopts the new one afresh, then sets `identity`).
        if folder_identity(self.root) != self.identity:
            raise VaultGoneError(f"{self.root}: the vault folder is gone; nothing written")

    def _make_folder(self, rel: str, parent: Path, checked: set[Path] | None) -> None:
        """Make the folder of `rel`, which must lie inside the vault once
        resolved (no symlink escapes). `checked`: folders already made and
        checked (skipped when met again)."""
        if checked is None or parent not in checked:
            parent.mkdir(parents=True, exist_ok=True)
            if not parent.resolve().is_relative_to(self.root):
                raise OutsideVaultError(f"{rel}: its folder leads outside the vault; not written")
            if checked is not None:
                checked.add(parent)

    def _stage(
        self, rel: str, data: bytes, *, flush: bool, checked: set[Path] | None = None
    ) -> tuple[str, Path, StatKey] | None:
        """`data` in a temporary file beside `rel` (fsynced when `flush`), or
        None when `rel` already holds exactly `data`. `checked`: folders of
        this batch already made and checked (skipped when met again)."""
        target = Path(self.fspath(rel))
        self._make_folder(rel, target.parent, checked)
        try:
            info = os.lstat(target)
        except OSError:
            info = None  # not there (or not to be looked at: the write says why)
        if info is not None and stat.S_ISLNK(info.st_mode):
            raise OutsideVaultError(f"{rel}: is a symbolic link; not written")
        if info is not None and info.st_size == len(data):
            with contextlib.suppress(OSError):
                if target.read_bytes() == data:
                    return None
        fd, temp = _temp_file(target)
        try:
            try:
                _write_all(fd, data)
                written = os.fstat(fd)
                if flush:
                    os.fsync(fd)
            finally:
                os.close(fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        return temp, target, (written.st_mtime_ns, written.st_size)

    def _commit(self, temp: str, target: Path, replaces: MayReplace | None) -> bool:
        """Rename `temp` to `target` when `replaces` allows what `target`
        holds now (None: only where no file is; see `MayReplace`); False
        when it does not (nothing changed). The check is made here, just
        before the rename, so that the window for a user's save to be lost
        is a few system calls, not a pass."""
        if replaces is None:
            return _place_new(temp, target)
        try:
            info = os.lstat(target)
        except FileNotFoundError:
            current = None
        else:
            if stat.S_ISLNK(info.st_mode):
                raise OutsideVaultError(f"{self.rel(target)}: is a symbolic link; not written")
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError(errno.EISDIR, "a folder is there")
            if not stat.S_ISREG(info.st_mode):
                return False  # a pipe, a device: not a file vaultfollow wrote
            current = _read_file(target)
        if not replaces(current):
            return False
        os.replace(temp, target)
        return True

    @staticmethod
    def sync_folders(folders: set[Path]) -> None:
        """Make the renames of a batch of writes durable: an fsync of each
        folder, or for many folders (a first pass writes one per company)
        one syncfs of each file system they are on."""
        if _HAS_SYNCFS and len(folders) > _FEW_FOLDERS:
            by_device: dict[int, Path] = {}
            for folder in folders:
                with contextlib.suppress(OSError):
                    by_device.setdefault(os.stat(folder).st_dev, folder)
            try:
                for folder in by_device.values():
                    _syncfs(str(folder))
                folders.clear()
                return
            except OSError:
                pass  # folder by folder, then
        for folder in sorted(folders):
            _fsync_dir(folder)
        folders.clear()

    def remove_temp_files(self, owned: Iterable[str], *, older_than: float = 0.0) -> list[str]:
        """Delete the temporary files a killed vaultfollow left in its own
        folders, when unchanged for `older_than` seconds (a younger one may
        be another pass's, about to be renamed)."""
        import time

        removed = []
        limit = time.time() - older_than
        for item in owned:
            folder = self.path(item)
            if not folder.is_dir():
                folder = folder.parent
            for path in folder.rglob(f"*{_TEMP_MARK}") if folder.is_dir() else ():
                with contextlib.suppress(OSError):
                    if path.lstat().st_mtime <= limit:
                        path.unlink()
                        removed.append(self.rel(path))
        return sorted(set(removed))

    def lock_watch(self) -> WatchLock:
        """Hold the one-watcher-per-vault lock (released when the process ends,
        however it ends); UsageError naming the holder when it is taken."""
        lock = WatchLock.acquire(self.root, self.path(f"{STATE_DIR}/watch.lock"))
        self.identity = lock.identity  # the folder locked is the one written to
        return lock

    # --- state ---------------------------------------------------------------

    def load_memory(self, rel: str) -> Memory:
        """What the user decided (see `paths.DECISIONS_NAME`), kept at `rel`:
        merged with the conflict copies a sync service made of it, else
        (vaultfollow 0.1) read from `.vaultfollow/state.json`. A missing file
        is a fresh start; an unreadable one is said and passed over (and
        never written over: see `save_memory`)."""
        found = [r for r in (*self._conflict_copies(rel), rel) if self.exists(r)]
        memory = Memory()
        for one in found or [STATE_FILE]:
            data = self.read_bytes(one)
            if data is None:
                continue
            try:
                memory = merge_memory(memory, parse_memory(data))
            except ValueError as exc:
                log.warning("%s is not vaultfollow's state file (%s); not read", one, exc)
        return memory

    def save_memory(self, rel: str, memory: Memory, owned: Iterable[str]) -> bool:
        """Keep `memory` at `rel`, merged with what the file holds now
        (another machine's pass may have written it since): what was decided
        is only ever added to. NotOursError when the file there is not
        vaultfollow's. Returns whether anything was written."""
        current = self.read_bytes(rel)
        if current is not None:
            try:
                memory = merge_memory(parse_memory(current), memory)
            except ValueError:
                raise NotOursError(rel) from None
        return self.write(rel, dump_memory(memory), owned, replaces=is_decisions)

    def _conflict_copies(self, rel: str) -> list[str]:
        """Conflict copies a sync service made of `rel` beside it (`name
        (conflicted copy).json`, `name.sync-conflict-....json`, `name 2.json`)."""
        folder, _, name = rel.rpartition("/")
        stem, _, suffix = name.rpartition(".")
        try:
            names = os.listdir(self.path(folder))
        except OSError:
            return []
        return sorted(
            f"{folder}/{other}"
            for other in names
            if other.startswith(stem) and other.endswith("." + suffix) and other != name
        )


def _temp_file(target: Path) -> tuple[int, str]:
    """A new, empty temporary file beside `target`: its open descriptor and path."""
    import tempfile  # not needed by a pass that writes nothing

    return tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=_TEMP_MARK)


def _place_new(temp: str, target: Path) -> bool:
    """Put `temp` at `target` only where no file is (False when one is): a
    hard link cannot replace anything, so a file that appears at `target`
    meanwhile is never lost. Where the file system has no hard links, the
    check and the rename are two steps."""
    try:
        os.link(temp, target)
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        if os.path.lexists(target):
            return False
        os.replace(temp, target)
        return True
    os.unlink(temp)
    return True


_NO_LINKS = frozenset(
    code
    for code in (
        errno.EPERM,
        errno.EXDEV,
        errno.EMLINK,
        getattr(errno, "ENOTSUP", None),
        getattr(errno, "EOPNOTSUPP", None),
        getattr(errno, "ENOSYS", None),
    )
    if code is not None
)


def _read_file(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _write_all(fd: int, data: bytes) -> None:
    """Write all of `data` to the file open at `fd` (raw: no buffer to flush)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _is_owned(rel: str, owned: Iterable[str]) -> bool:
    if rel in ("", ".") or rel.startswith("/") or ".." in rel.split("/"):
        return False
    return any(rel == item or in_folders(rel, [item]) for item in owned)


def _cannot_list(folder: str, exc: OSError) -> None:
    log.warning("%s: cannot list this folder (%s)", folder, exc.strerror)


_HAS_SYNCFS = sys.platform.startswith("linux")
_FEW_FOLDERS = 8  # above this, syncfs costs less than an fsync of each folder


def _syncfs(path: str) -> None:
    """Flush every file of the file system holding `path` to disk and wait
    (syncfs(2), which Python's os module lacks)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.syncfs(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (where the platform allows opening folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
