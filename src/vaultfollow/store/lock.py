"""One watcher per vault: a lock held on the vault folder itself."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import sys
from datetime import datetime
from pathlib import Path

from vaultfollow.errors import UsageError, VaultGoneError

log = logging.getLogger(__name__)


class WatchLock:
    """The one-watcher-per-vault lock, held on the vault folder itself.

    flock(2) on a descriptor of the folder (Windows: on `.vaultfollow/watch.lock`):
    deleting `.vaultfollow/` does not drop it, and a copy of the vault restored
    at the same path is another folder, with its own lock. The operating
    system drops the lock when the process dies, even by kill -9. Who holds it
    ("pid N on HOST, since ...") is written to `.vaultfollow/watch.lock` where
    it can be (not on a full or read-only disk), only to name the holder; on
    Linux the kernel's list of locks names it too, should that file be gone.
    """

    def __init__(self, folder: Path, holder: Path) -> None:
        self.folder = folder
        self.holder = holder
        self.fd = -1
        self.identity: FolderIdentity | None = None  # of the folder locked
        self._text = ""

    @classmethod
    def acquire(cls, folder: Path, holder: Path) -> WatchLock:
        """The lock of `folder`; UsageError naming the holder when it is taken."""
        lock = cls(folder, holder)
        lock.relock()
        return lock

    def relock(self) -> None:
        """Let go of the folder locked so far and lock the one now at the path
        (the same one, back; or a copy restored there). UsageError naming the
        holder when another watcher has it; VaultGoneError when none is there."""
        self.release()
        try:
            fd = _open_for_lock(self.folder, self.holder)
        except OSError as exc:
            message = f"{self.folder}: cannot open the vault folder ({exc.strerror})"
            raise VaultGoneError(message) from exc
        try:
            _lock_fd(fd)
        except OSError:
            os.close(fd)
            raise UsageError(
                f"another vaultfollow watch is already running for this vault "
                f"({_holder(self.folder, self.holder)}); stop it first, or leave it running: "
                "one is enough"
            ) from None
        self.fd = fd
        if sys.platform == "win32":
            self.identity = folder_identity(self.folder)
        else:  # the folder locked, even if another took its place since
            info = os.fstat(fd)
            self.identity = (info.st_dev, info.st_ino)
        started = datetime.now().astimezone().isoformat(timespec="seconds")
        import socket

        self._text = f"pid {os.getpid()} on {socket.gethostname()}, since {started}\n"
        try:
            self.holder.parent.mkdir(exist_ok=True)
            self.holder.write_text(self._text, encoding="utf-8")
        except OSError as exc:  # a full or read-only disk: the lock holds anyway
            log.debug("%s: who holds the lock is not written (%s)", self.holder, exc.strerror)

    def release(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                if self.holder.read_text(encoding="utf-8") == self._text:
                    self.holder.unlink()
            os.close(self.fd)  # closing drops the lock
            self.fd = -1
            self.identity = None

    def __enter__(self) -> WatchLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


FolderIdentity = tuple[int, int]  # (st_dev, st_ino)


def folder_identity(folder: Path) -> FolderIdentity | None:
    """Which folder is at `folder` now (None: none): a folder moved there, or
    restored from a copy, is another one."""
    try:
        info = os.stat(folder)
    except (OSError, ValueError):
        return None
    if not stat.S_ISDIR(info.st_mode):
        return None
    return (info.st_dev, info.st_ino)


def _open_for_lock(folder: Path, holder: Path) -> int:
    if sys.platform == "win32":  # no descriptors of folders there
        holder.parent.mkdir(parents=True, exist_ok=True)
        return os.open(holder, os.O_RDWR | os.O_CREAT, 0o644)
    return os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))


def _holder(folder: Path, holder: Path) -> str:
    """Who holds the lock of `folder`, as well as can be told."""
    try:
        text = holder.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    pid = _flock_pid(folder)
    if pid is not None and not text.startswith(f"pid {pid} "):  # missing or stale
        return f"pid {pid} on this computer"
    return text or "who it is was not recorded"


def _flock_pid(folder: Path) -> int | None:
    """The pid holding an flock on `folder`, from /proc/locks (Linux), whose
    lines read `1: FLOCK  ADVISORY  WRITE 4242 00:2d:1234 0 EOF`."""
    try:
        info = os.stat(folder)
        lines = Path("/proc/locks").read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return None
    wanted = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    for line in lines:
        fields = line.split()  # a waiting lock has "->" in the second field
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == wanted:
            with contextlib.suppress(ValueError):
                return int(fields[4])
    return None


def _lock_fd(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
