"""watchdog events -> debounced engine passes, in a loop that cannot die.

The event handler only records paths and wakes the worker; the worker (the
thread that called `Watcher.run`, normally the main thread, so signals reach
it) waits for a quiet period, drops its own writes, waits for files that are
still being written, runs an incremental pass and logs one line per change.
Around that it supervises: a periodic reconciliation rescan recovers lost
events, a failed pass is retried with backoff, a timer refreshes
time-dependent output, a dead observer is restarted, a vanished vault folder
is waited for (its lock let go), a different folder at the vault's path is
locked and read afresh, and an exhausted inotify limit falls back to polling.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.api import BaseObserver

from vaultfollow.app.engine import Engine
from vaultfollow.app.index import Interrupted
from vaultfollow.app.outputs import EMPTY_GRACE, PassReport
from vaultfollow.core.model import Problem
from vaultfollow.errors import UsageError, VaultfollowError, VaultGoneError
from vaultfollow.store.lock import WatchLock, folder_identity

log = logging.getLogger(__name__)

_ACTIONS = frozenset({"created", "modified", "moved", "deleted"})
MAX_DEFERRALS = 20  # a file that never looks stable (clock skew) is read anyway
CACHE_SAVE_AFTER = 2.0  # seconds of quiet before the cache is written
RETRY_FIRST = 1.0  # seconds before a failed pass is tried again; doubled each time
RETRY_MAX = 60.0
POLL_INTERVAL = 10.0  # each look stats every file: 0.1 CPU s on 20,000 notes


@dataclass(frozen=True, slots=True)
class WatchOptions:
    debounce: float = 0.3  # seconds of quiet before a pass
    max_wait: float = 2.0  # ... or this long after the first change, quiet or not
    polling: bool = False  # poll instead of inotify/FSEvents (network, cloud folders)
    poll_interval: float = POLL_INTERVAL
    rescan_interval: float = 600.0  # reconciliation rescan
    supervise_interval: float = 1.0


@dataclass(slots=True)
class _Pending:
    """Paths waiting for a pass, and when the first and the last event arrived."""

    paths: dict[str, int] = field(default_factory=dict)  # path -> deferrals so far
    first_event: float = 0.0  # since when something waits
    last_event: float = 0.0
    rescan: bool = False

    def touch(self, now: float) -> None:
        """An event arrives (call before recording it)."""
        if not self.paths and not self.rescan:
            self.first_event = now
        self.last_event = now

    def due_in(self, now: float, options: WatchOptions) -> float:
        """Seconds until what waits is taken: after a quiet period, or at the
        latest `max_wait` after the first event, so a file written without
        pause (a logger, a plugin, a long download) holds up no other note."""
        quiet = options.debounce - (now - self.last_event)
        longest = max(options.max_wait, options.debounce) - (now - self.first_event)
        return max(0.0, min(quiet, longest))


class _Collector(FileSystemEventHandler):
    """Records the vault-relative paths of real changes. Never does work."""

    def __init__(
        self, root: Path, pending: _Pending, lock: threading.Lock, wake: threading.Event
    ) -> None:
        self.root = str(root)
        self.pending = pending
        self.lock = lock
        self.wake = wake

    def dispatch(self, event: FileSystemEvent) -> None:
        try:
            self._record(event)
        except Exception:  # never let the observer thread die on our account
            log.exception("could not record a file event")

    def _record(self, event: FileSystemEvent) -> None:
        if event.event_type not in _ACTIONS:
            return  # opened / closed events: reading files must never cause work
        if event.is_directory:
            if event.event_type in ("modified", "created"):
                return  # watchdog reports the files of a new folder itself
            # A folder moved or vanished: its files may have no events of their own.
            with self.lock:
                self.pending.touch(time.monotonic())
                self.pending.rescan = True
            self.wake.set()
            return
        paths = [event.src_path]
        if event.event_type == "moved" and event.dest_path:
            paths.append(event.dest_path)
        rels = [rel for rel in (self._relative(p) for p in paths) if rel and _relevant(rel)]
        if not rels:
            return
        with self.lock:
            self.pending.touch(time.monotonic())
            for rel in rels:
                self.pending.paths.setdefault(rel, 0)
        self.wake.set()

    def _relative(self, path: str | bytes) -> str | None:
        text = os.fsdecode(path)
        if not text.startswith(self.root + os.sep):
            return None
        rel = text[len(self.root) + 1 :].replace(os.sep, "/")
        return rel or None


class Watcher:
    """Keeps the outputs of one vault true until `stop` is set."""

    def __init__(
        self,
        engine: Engine,
        options: WatchOptions,
        now: Callable[[], datetime],
        *,
        observer_factory: Callable[[bool, float], BaseObserver] | None = None,
        on_pass: Callable[[PassReport], None] | None = None,
        watch_lock: WatchLock | None = None,
    ) -> None:
        """`watch_lock`: the vault's one-watcher lock, let go while the
        folder is gone and taken anew on the folder that comes back."""
        self.engine = engine
        self.root = engine.vault.root  # resolved once (symlinks), see Vault
        self.options = options
        self.now = now
        self.observer_factory = observer_factory or _make_observer
        self.on_pass = on_pass  # e.g. hand the new calendar to the HTTP feed
        self.watch_lock = watch_lock
        self.pending = _Pending()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.observer: BaseObserver | None = None
        self.polling = options.polling
        self.passes = 0  # passes that ran (for tests and the benchmark)
        self._empty_since: dict[str, float] = {}
        self._last_pass = 0.0
        self._logged: set[Problem] = set()
        self._gone = False
        self._fresh = False  # another folder is at the path: read it afresh
        self._retry_at: float | None = None  # when to retry a failed pass
        self._retry_wait = RETRY_FIRST
        self._failure: str | None = None  # the failure last logged

    # --- observer ------------------------------------------------------------

    def _start_observer(self) -> None:
        handler = _Collector(self.root, self.pending, self.lock, self.wake)
        observer = self.observer_factory(self.polling, self.options.poll_interval)
        try:
            observer.schedule(handler, str(self.root), recursive=True)
            observer.start()
        except OSError as exc:
            _stop_observer(observer)
            if exc.errno not in (errno.ENOSPC, errno.EMFILE) or self.polling:
                raise
            log.warning("%s", inotify_advice(exc))
            self.polling = True
            observer = self.observer_factory(True, self.options.poll_interval)
            observer.schedule(handler, str(self.root), recursive=True)
            observer.start()
        self.observer = observer

    def _observer_healthy(self) -> bool:
        observer = self.observer
        if observer is None or not observer.is_alive():
            return False
        return all(emitter.is_alive() for emitter in observer.emitters)

    def _restart_observer(self, why: str) -> None:
        log.warning("%s; restarting the file watcher and rescanning the vault", why)
        if self.observer is not None:
            _stop_observer(self.observer)
            self.observer = None
        self._start_observer()
        with self.lock:
            self.pending.rescan = True
        self.wake.set()

    def request_pass(self) -> None:
        """Something the plan reads outside the watched files changed (the
        mailbox check's state): a full pass after the quiet period. Safe
        from any thread."""
        with self.lock:
            self.pending.touch(time.monotonic())
            self.pending.rescan = True
        self.wake.set()

    # --- the loop ------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Initial sync, then passes on every change until `stop` is set."""
        try:
            self._start_observer()
            self._pass(partial(self._full_pass, stop), "initial sync", read=None)
            next_rescan = time.monotonic() + self.options.rescan_interval
            next_tick = self.engine.next_change(self.now())
            last_now = self.now()
            log.info(
                "watching %s (%s); Ctrl-C to stop",
                self.root,
                f"polling every {self.options.poll_interval:g} s" if self.polling else "events",
            )
            while not stop.is_set():
                wait = min(
                    self.options.supervise_interval,
                    max(0.0, next_rescan - time.monotonic()),
                    max(0.0, (next_tick - self.now()).total_seconds()),
                    self._debounce_wait(),
                    self._retry_wait_left(),
                )
                self.wake.wait(wait)
                self.wake.clear()
                if stop.is_set():
                    break
                if not self._supervise(stop):
                    # The vault folder is gone: nothing to read or write until it
                    # is back (then a full rescan runs), so wait without spinning.
                    with self.lock:
                        self.pending.paths.clear()
                        self.pending.rescan = False
                    stop.wait(self.options.supervise_interval)
                    next_tick = max(next_tick, self.now())
                    continue
                rescan = self._take_rescan() or time.monotonic() >= next_rescan
                retry = self._retry_wait_left() == 0.0
                if rescan or retry:
                    if retry:
                        log.debug("retrying: the last pass failed")
                    what = "rescan" if rescan else "retry"
                    self._pass(partial(self._full_pass, stop), what, read=None)
                    next_rescan = time.monotonic() + self.options.rescan_interval
                paths = self._take_ready()
                if paths:
                    self._pass(partial(self._changed_pass, paths), _describe_paths(paths), paths)
                if self.now() < last_now:  # the clock went back: so may the next change
                    next_tick = self.engine.next_change(self.now())
                last_now = self.now()
                if self.now() >= next_tick:
                    self._pass(lambda: self.engine.changed_pass([], self.now()), "new day", [])
                    next_tick = self.engine.next_change(self.now())
                if self.engine.cache_dirty and self._idle_for() >= CACHE_SAVE_AFTER:
                    self._save_cache()
        except Interrupted:
            log.debug("stopped during a pass")
        finally:
            if self.observer is not None:
                _stop_observer(self.observer)
                self.observer = None
            self._save_cache()

    def _idle_for(self) -> float:
        with self.lock:
            if self.pending.paths or self.pending.rescan:
                return 0.0
            return time.monotonic() - max(self.pending.last_event, self._last_pass)

    def _save_cache(self) -> None:
        try:
            self.engine.save_cache()
        except (OSError, VaultGoneError) as exc:
            log.debug("cache not saved: %s", exc)

    def _changed_pass(self, paths: list[str]) -> PassReport:
        return self.engine.changed_pass(paths, self.now())

    def _full_pass(self, stop: threading.Event) -> PassReport:
        if self._fresh:  # nothing known of the folder now at the path
            self._fresh = False
            return self.engine.reopen(self.now())
        return self.engine.full_pass(self.now(), should_stop=stop.is_set)

    def _supervise(self, stop: threading.Event) -> bool:
        """False while the vault folder is gone (nothing to do until it is
        back) or this watcher must stop (`stop` is then set)."""
        vault = self.engine.vault
        identity = folder_identity(self.root)
        if identity is None:
            if not self._gone:
                if self.watch_lock is not None:
                    # A renamed vault: free it for a watcher at its new path.
                    self.watch_lock.release()
                log.warning("%s: the vault folder is gone; waiting for it to come back", self.root)
                self._gone = True
                if self.observer is not None:
                    _stop_observer(self.observer)
                    self.observer = None
            return False
        if not self._gone and identity == vault.identity:
            if not self._observer_healthy():
                self._restart_observer("the file watcher stopped")
            return True
        # The folder is back, or another one is at its path (a copy restored,
        # a vault moved there): lock it first, as a new watcher would.
        if self.watch_lock is not None:
            try:
                self.watch_lock.relock()
            except VaultGoneError:
                self._gone = True  # gone again already
                return False
            except UsageError as exc:
                log.warning(
                    "%s: the folder now at this path is another one, and %s; this watcher stops",
                    self.root,
                    exc.message,
                )
                stop.set()
                return False
            identity = self.watch_lock.identity
        if self.observer is not None:
            _stop_observer(self.observer)
            self.observer = None
        if identity == vault.identity:
            log.info("%s: the vault folder is back", self.root)
            why = "the vault folder came back"
        else:
            # What was read is of the old folder: forget it, read this one afresh.
            log.warning(
                "%s: the vault folder is back, as a different folder (a copy restored, or "
                "another vault moved there); reading it afresh",
                self.root,
            )
            vault.identity = identity
            self._fresh = True
            why = "a different folder is at the vault's path"
        self._gone = False
        self._restart_observer(why)
        return True

    def _debounce_wait(self) -> float:
        with self.lock:
            if not self.pending.paths and not self.pending.rescan:
                return self.options.supervise_interval
            return self.pending.due_in(time.monotonic(), self.options)

    def _retry_wait_left(self) -> float:
        if self._retry_at is None:
            return self.options.supervise_interval
        return max(0.0, self._retry_at - time.monotonic())

    def _take_rescan(self) -> bool:
        with self.lock:
            if not self.pending.rescan:
                return False
            if self.pending.due_in(time.monotonic(), self.options) > 0:
                return False
            self.pending.rescan = False
            self.pending.paths.clear()  # the rescan covers them
            return True

    def _take_ready(self) -> list[str]:
        """Paths quiet for the debounce period and stable on disk, minus our own writes."""
        with self.lock:
            if not self.pending.paths:
                return []
            if self.pending.due_in(time.monotonic(), self.options) > 0:
                return []
            candidates = dict(self.pending.paths)
            self.pending.paths.clear()
        ready = []
        later: dict[str, int] = {}
        for rel, deferrals in candidates.items():
            if deferrals < MAX_DEFERRALS and not self._stable(rel):
                later[rel] = deferrals + 1
            elif not self.engine.is_own_write(rel):
                ready.append(rel)
        if later:
            with self.lock:
                now = time.monotonic()
                self.pending.touch(now)
                # Look again after a debounce period, not at once for `max_wait`.
                longest = max(self.options.max_wait, self.options.debounce)
                self.pending.first_event = max(
                    self.pending.first_event, now - longest + self.options.debounce
                )
                for rel, count in later.items():
                    self.pending.paths[rel] = max(count, self.pending.paths.get(rel, 0))
        return sorted(ready)

    def _stable(self, rel: str) -> bool:
        """Not modified within the debounce period (a writer may still be at it)."""
        try:
            info = (self.root / rel).stat()
        except OSError:
            return True  # gone: a deletion is stable
        return time.time() - info.st_mtime >= self.options.debounce * 0.5

    def _pass(self, run: Callable[[], PassReport], what: str, read: list[str] | None) -> None:
        """Run a pass and log what it did; `read`: the notes it reads (None: all)."""
        try:
            report = run()
        except Interrupted:
            raise
        except VaultGoneError:
            return  # noticed by the supervisor on the next turn
        except VaultfollowError as exc:  # e.g. a disk full: said plainly, retried
            self._failed(what, exc.message, traceback=False)
            return
        except Exception as exc:
            self._failed(what, f"the pass failed ({exc!r})", traceback=True)
            return
        self.passes += 1
        self._last_pass = time.monotonic()
        if report.failed:  # some files could not be written (said as problems): retry
            self._failure = self._failure or "some files could not be written"
            self._retry_later()
        elif read is None:  # a full pass: whatever failed before is done now
            if self._failure is not None:
                log.info("%s: the earlier failure is resolved, outputs are up to date", what)
            self._retry_at, self._retry_wait, self._failure = None, RETRY_FIRST, None
        self._requeue_empty(report, read)
        self._log(report, what)
        if self.on_pass is not None:
            try:
                self.on_pass(report)
            except Exception:
                log.exception("%s: the after-pass hook failed; carrying on", what)

    def _failed(self, what: str, message: str, *, traceback: bool) -> None:
        """Log a failed pass once (not at every retry) and retry it later, by
        itself: freeing space or making the disk writable is no file event."""
        if message != self._failure:
            log.error(
                "%s: %s (tried again by itself until it works: no need to save again)",
                what,
                message,
                exc_info=traceback,
            )
            self._failure = message
        else:
            log.debug("%s: %s", what, message)
        self._retry_later()

    def _retry_later(self) -> None:
        """A full pass after a wait that doubles with each failure."""
        self._retry_at = time.monotonic() + self._retry_wait
        self._retry_wait = min(self._retry_wait * 2, RETRY_MAX)

    def _requeue_empty(self, report: PassReport, read: list[str] | None) -> None:
        now = time.monotonic()
        retry = set(report.retry)
        for rel in [r for r in self._empty_since if r not in retry]:
            if read is None or rel in read:  # read with content: a later empty save starts afresh
                del self._empty_since[rel]
        for rel in report.retry:
            since = self._empty_since.setdefault(rel, now)
            if now - since >= EMPTY_GRACE:
                self.engine.accept_empty(rel)
                del self._empty_since[rel]
            with self.lock:
                self.pending.touch(time.monotonic())
                self.pending.paths.setdefault(rel, 0)
            self.wake.set()

    def _log(self, report: PassReport, what: str) -> None:
        done = report.describe()
        if done:
            log.info("%s: %s", what, done)
        for path in report.created + report.updated:
            log.debug("  wrote %s", path)
        current = set(report.problems)
        for problem in sorted(current - self._logged, key=str):
            log.warning("%s", problem)
        for problem in sorted(self._logged - current, key=str):
            log.info("fixed: %s", problem)
        self._logged = current


_SETTINGS_FILES = frozenset(
    {
        "vaultfollow.toml",
        "vaultfollow-words.txt",
        ".obsidian/templates.json",
        ".obsidian/plugins/templater-obsidian/data.json",
    }
)


def _relevant(rel: str) -> bool:
    """Notes, drafts and templates (`.md` outside hidden folders) and the
    settings files. Temporary files of editors, sync services and our own
    atomic writes are hidden or not `.md`, so they never count."""
    if rel in _SETTINGS_FILES:
        return True
    return rel.lower().endswith(".md") and not any(p.startswith(".") for p in rel.split("/"))


def _describe_paths(paths: list[str]) -> str:
    if len(paths) == 1:
        return paths[0]
    return f"{len(paths)} files ({paths[0]}, ...)"


def _make_observer(polling: bool, interval: float) -> BaseObserver:
    if polling:
        from vaultfollow.poller import StatPollingObserver

        return StatPollingObserver(timeout=interval)
    from watchdog.observers import Observer

    observer: BaseObserver = Observer()
    return observer


def _stop_observer(observer: BaseObserver) -> None:
    try:
        observer.stop()
        if observer.is_alive():
            observer.join(timeout=1.5)
    except Exception:  # a broken observer must not stop the shutdown
        log.debug("observer did not stop cleanly", exc_info=True)


def inotify_advice(exc: OSError) -> str:
    """What to do when the kernel's inotify limits are exhausted."""
    if exc.errno == errno.EMFILE:
        limit_name = "fs.inotify.max_user_instances"
    else:
        limit_name = "fs.inotify.max_user_watches"
    current = "unknown"
    with contextlib.suppress(OSError):
        current = Path("/proc/sys/" + limit_name.replace(".", "/")).read_text().strip()
    return (
        f"the system's inotify limit is reached ({limit_name} = {current}); falling back "
        f"to polling, which is slower. To watch with events, raise the limit: "
        f"`sudo sysctl {limit_name}=524288` (and add `{limit_name}=524288` to "
        f"/etc/sysctl.d/90-vaultfollow.conf to keep it)"
    )
