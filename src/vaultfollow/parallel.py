"""`split_map`: a list comprehension that uses a second core when it pays.

A cold pass does four kinds of independent work per item: reading the
notes, rendering the drafts, writing the calendar's entries and checking the
drafts for the dashboard. On a big vault each takes a tenth of a second or
more on one core, so a forked helper process shares the items with this
process; the helper sends its results back through a pipe (pickled).

The items are cut into small chunks, and each process takes the next chunk
as soon as it is free (one ticket per chunk, read from a shared pipe), so
the two finish together even when the costly items come together (the
interview notes of one folder) or when this process first does something
else (`meanwhile`). The helper sends each chunk's results as soon as they
are made, and this process takes them in between its own chunks, so only
the last one is left to pass through the pipe at the end.

The result is always exactly `[func(item) for item in items]`, in order:

- the helper is used only where `fork` is safe and useful: on Linux and the
  BSDs (not macOS, whose system libraries may not survive a fork; not
  Windows, which has none), with two or more usable cores, while this
  process runs a single thread (a watcher or server has others, and forking
  a threaded process can deadlock the child), and for at least `min_items`;
- when the helper fails in any way (`func` raised, the helper died or was
  killed, its results do not arrive whole), this process computes the
  chunks whose results did not arrive whole itself, so an exception `func`
  raises reaches the caller as it would serially (when several items would
  raise, not always the first one's);
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
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

_FORK_PLATFORMS = ("linux", "freebsd", "openbsd", "netbsd")
_TICKET = 4  # bytes: one chunk number
_CHUNKS = 256  # at most; fewer when there are fewer items
_LENGTH = 8  # bytes: the length of one frame of results


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


def split_map(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    min_items: int,
    meanwhile: Callable[[], object] | None = None,
) -> list[R]:
    """`[func(item) for item in items]`, shared with a forked helper process
    when there are at least `min_items` and `can_fork()`. `meanwhile`: work
    this process does first, while the helper starts on the items; only
    when there is a helper (it is there to use a core that would wait)."""
    if len(items) < max(min_items, 2) or not can_fork():
        return [func(item) for item in items]
    size = -(-len(items) // _CHUNKS)
    chunks = [range(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    helper = _Helper.start(func, items, chunks)
    if helper is None:
        return [func(item) for item in items]
    results: dict[int, list[R]] = {}
    try:
        if meanwhile is not None:
            meanwhile()
        while (number := helper.next_ticket()) is not None:
            helper.take_results(block=False)
            results[number] = [func(items[index]) for index in chunks[number]]
        theirs = helper.finish()
    finally:
        helper.close()
    for number, chunk in enumerate(chunks):
        if number not in results:
            found = theirs.get(number)
            if not isinstance(found, list) or len(found) != len(chunk):
                found = [func(items[index]) for index in chunk]
            results[number] = found
    return [result for number in range(len(chunks)) for result in results[number]]


class _Helper:
    """One forked process taking chunks of the items by ticket, sending each
    chunk's results back as one frame: its length (8 bytes), then the
    pickled (chunk number, results)."""

    def __init__(self, pid: int, tickets: int, results: int) -> None:
        self.pid = pid
        self.tickets = tickets  # read end of the ticket pipe (shared)
        self.fd = results  # read end of the helper's results (non-blocking)
        self.reaped = False
        self.received: dict[int, object] = {}
        self._buffer = bytearray()

    @classmethod
    def start(
        cls, func: Callable[[T], R], items: Sequence[T], chunks: list[range]
    ) -> _Helper | None:
        ticket_read, ticket_write = os.pipe()
        # Every ticket is in the pipe before anyone reads (a few hundred
        # bytes: far below a pipe's buffer), so a read of one ticket never
        # returns part of one and the pipe ends when the tickets do.
        os.write(ticket_write, b"".join(n.to_bytes(_TICKET, "little") for n in range(len(chunks))))
        os.close(ticket_write)
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError as exc:
            log.debug("no helper process: %s", exc)
            for fd in (ticket_read, read_fd, write_fd):
                os.close(fd)
            return None
        if pid == 0:  # the helper
            status = 1
            try:
                os.close(read_fd)
                _serve(func, items, chunks, ticket_read, write_fd)
                status = 0
            except BaseException:  # whatever it was, this process computes it again
                pass
            finally:
                os._exit(status)
        os.close(write_fd)
        os.set_blocking(read_fd, False)
        return cls(pid, ticket_read, read_fd)

    def next_ticket(self) -> int | None:
        ticket = os.read(self.tickets, _TICKET)
        return int.from_bytes(ticket, "little") if ticket else None

    def take_results(self, *, block: bool) -> None:
        """Take in the frames the helper has sent; with `block`, until it
        closes its end."""
        os.set_blocking(self.fd, block)
        while True:
            try:
                data = os.read(self.fd, 1 << 20)
            except BlockingIOError:
                return
            if not data:
                return
            self._buffer += data
            self._unpack()

    def _unpack(self) -> None:
        import pickle

        buffer = self._buffer
        while len(buffer) >= _LENGTH:
            size = int.from_bytes(buffer[:_LENGTH], "little")
            if len(buffer) < _LENGTH + size:
                return
            frame = bytes(buffer[_LENGTH : _LENGTH + size])
            del buffer[: _LENGTH + size]
            try:
                number, results = pickle.loads(frame)
            except Exception:  # foreign or damaged: computed here instead
                continue
            if isinstance(number, int):
                self.received[number] = results

    def finish(self) -> dict[int, object]:
        """The results of the chunks the helper sent whole, by chunk number,
        once it is done (a frame cut short by its end is left out)."""
        self.take_results(block=True)
        _, status = os.waitpid(self.pid, 0)
        self.reaped = True
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            log.debug("helper process failed; computing the rest of its chunks here")
        return self.received

    def close(self) -> None:
        """Reap the helper (stopping it first when it is not done: this
        process is leaving early, on an exception)."""
        os.close(self.fd)
        os.close(self.tickets)
        if not self.reaped:
            import signal

            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.reaped = True


def _serve(
    func: Callable[[T], R], items: Sequence[T], chunks: list[range], tickets: int, out: int
) -> None:
    """The helper's work: chunks by ticket, each chunk's results sent as a
    frame. Sending never waits while there is work (what the pipe cannot
    take yet waits here), so a busy parent costs the helper no time."""
    import pickle

    os.set_blocking(out, False)
    pending = bytearray()
    while ticket := os.read(tickets, _TICKET):
        number = int.from_bytes(ticket, "little")
        frame = pickle.dumps((number, [func(items[i]) for i in chunks[number]]), -1)
        pending += len(frame).to_bytes(_LENGTH, "little") + frame
        with contextlib.suppress(BlockingIOError):
            del pending[: os.write(out, pending)]
    os.set_blocking(out, True)
    view = memoryview(pending)
    while view:
        view = view[os.write(out, view) :]
