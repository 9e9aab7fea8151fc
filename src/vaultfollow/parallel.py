"""`split_map`: a list comprehension that uses a second core when it pays.

A cold pass does four kinds of independent work per item: reading the
notes, rendering the drafts, writing the calendar's entries and checking the
drafts for the dashboard. On a big vault each takes a tenth of a second or
more on one core, so every other item goes to
a forked helper process while this process does the rest; the helper sends
its results back through a pipe (pickled).

The result is always exactly `[func(item) for item in items]`, in order:

- the helper is used only where `fork` is safe and useful: on Linux and the
  BSDs (not macOS, whose system libraries may not survive a fork; not
  Windows, which has none), with two or more usable cores, while this
  process runs a single thread (a watcher or server has others, and forking
  a threaded process can deadlock the child), and for at least `min_items`;
- when the helper fails in any way (`func` raised, the helper died or was
  killed, its results do not arrive whole), this process computes its items
  itself, so an exception `func` raises reaches the caller as it would
  serially (when several items would raise, not always the first one's);
- the helper changes nothing this process sees: it never writes a file (the
  `func`s given here only read), never runs exit handlers and never flushes
  this process's buffers (it leaves with `os._exit`). Whatever `func`
  remembers in the helper (caches, counters) is lost with it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

_FORK_PLATFORMS = ("linux", "freebsd", "openbsd", "netbsd")


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether a helper process may be forked here and now."""
    return (
        hasattr(os, "fork")
        and sys.platform.startswith(_FORK_PLATFORMS)
        and threading.active_count() == 1
        and usable_cores() >= 2
    )


def split_map(func: Callable[[T], R], items: Sequence[T], *, min_items: int) -> list[R]:
    """`[func(item) for item in items]`, every other item computed by a forked
    helper process when there are at least `min_items` and `can_fork()`."""
    if len(items) < max(min_items, 2) or not can_fork():
        return [func(item) for item in items]
    # Every other item each: costly items often come together (the interview
    # notes of one folder), so halves by position would not share the work.
    mine, theirs = items[0::2], items[1::2]
    helper = _Helper.start(func, theirs)
    if helper is None:
        return [func(item) for item in items]
    try:
        done = [func(item) for item in mine]
        rest = helper.results(len(theirs))
    finally:
        helper.close()
    if rest is None:
        log.debug("helper process failed; computing its %d items here", len(theirs))
        rest = [func(item) for item in theirs]
    result: list[R] = []
    for pair in zip(done[: len(rest)], cast("list[R]", rest), strict=True):
        result.extend(pair)
    result.extend(done[len(rest) :])  # the odd one out of an odd count
    return result


class _Helper:
    """One forked process computing `func` over some items."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd
        self.reaped = False

    @classmethod
    def start(cls, func: Callable[[T], R], items: Sequence[T]) -> _Helper | None:
        import pickle

        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError as exc:
            log.debug("no helper process: %s", exc)
            os.close(read_fd)
            os.close(write_fd)
            return None
        if pid == 0:  # the helper
            status = 1
            try:
                os.close(read_fd)
                data = pickle.dumps([func(item) for item in items], pickle.HIGHEST_PROTOCOL)
                view = memoryview(data)
                while view:
                    view = view[os.write(write_fd, view) :]
                status = 0
            except BaseException:  # whatever it was, this process computes it again
                pass
            finally:
                os._exit(status)
        os.close(write_fd)
        return cls(pid, read_fd)

    def results(self, count: int) -> list[object] | None:
        """The helper's results; None when it failed in any way."""
        import pickle

        chunks = []
        while chunk := os.read(self.fd, 1 << 20):
            chunks.append(chunk)
        _, status = os.waitpid(self.pid, 0)
        self.reaped = True
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        try:
            result = pickle.loads(b"".join(chunks))
        except Exception:  # truncated or foreign: computed here instead
            return None
        if not isinstance(result, list) or len(result) != count:
            return None
        return result

    def close(self) -> None:
        """Reap the helper (stopping it first when it is not done: this
        process is leaving early, on an exception)."""
        os.close(self.fd)
        if not self.reaped:
            import signal

            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.reaped = True
