"""Passes: vault -> core -> vault.

`Engine` keeps what it read between passes, keyed by each file's size and
modification time, so that the watcher can hand it only the paths that
changed: a pass then reads those files, plans from memory (cheap), renders
only follow-ups whose inputs changed and writes only files whose bytes differ.
`sync` is one full pass over the same machinery.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from vaultfollow.app.draft_checks import DraftChecks
from vaultfollow.core.config import Settings, parse_config_text
from vaultfollow.core.layout import CONFIG_NAME, STATE_DIR, in_folders, is_excluded, printable
from vaultfollow.core.model import (
    DraftRecord,
    FollowUp,
    InterviewNote,
    Kind,
    Person,
    Plan,
    Problem,
    State,
    urgency,
)
from vaultfollow.core.notes import (
    NoteResult,
    enrich_people,
    parse_note,
    parse_person_note,
    person_links,
)
from vaultfollow.core.schedule import Memory, next_change, plan_followups
from vaultfollow.errors import ConfigError, TemplateError, VaultfollowError
from vaultfollow.store.cache import (
    CachedDraft,
    CachedNote,
    CachedOutput,
    dump_cache,
    fingerprint,
    load_cache,
)
from vaultfollow.store.machine import system_timezone
from vaultfollow.store.paths import CACHE_FILE, StatKey, note_stat
from vaultfollow.store.vault import (
    MayReplace,
    NotOursError,
    OutsideVaultError,
    Vault,
    WriteError,
    conflict_copy_of,
)

if TYPE_CHECKING:
    from vaultfollow.core.drafts import Templates

log = logging.getLogger(__name__)

PREFIX_BYTES = 4096  # enough to see the front matter of almost every note
# Seconds an emptied or cut-off file must stay so before it counts as such:
# some editors and sync tools truncate a file, then write it a moment later.
EMPTY_GRACE = 2.0
# The templates a vault may override (the same names as drafts.DEFAULT_TEMPLATE_NAMES,
# repeated here so that a pass with nothing to render never imports Jinja2).
TEMPLATE_NAMES = frozenset(
    f"{kind}-{tone}.md"
    for kind in ("thank-you", "check-in", "second-check-in", "stay-connected")
    for tone in ("formal", "casual")
) | {"phone-script.md", "handwritten-note.md"}


class Interrupted(VaultfollowError):
    """A pass was stopped before it wrote anything (shutdown requested)."""


def load_settings(vault: Vault) -> Settings:
    """The vault's `vaultfollow.toml`, or the defaults when there is none."""
    path = vault.path(CONFIG_NAME)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return parse_config_text("", default_zone=system_timezone())
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{CONFIG_NAME}: cannot be read ({exc})"]) from None
    return parse_config_text(text, default_zone=system_timezone())


@dataclass(slots=True)
class PassReport:
    """What one pass did, for the CLI and the watcher's log."""

    plan: Plan
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by the user: left alone
    unchanged: int = 0
    outputs: list[str] = field(default_factory=list)  # calendar, dashboard written
    problems: list[Problem] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)  # read as empty: look again soon
    failed: list[str] = field(default_factory=list)  # could not be written: try again later
    # Of those, the ones a full disk or a read-only file system failed: one problem says them all.
    unwritable: list[WriteError] = field(default_factory=list)
    _unwritable_said: Problem | None = None
    dry_run: bool = False

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)

    @property
    def wrote_anything(self) -> bool:
        return bool(self.created or self.updated or self.outputs)

    def describe(self) -> str:
        """`2 drafts created, 1 updated, calendar updated` (empty: nothing done)."""
        parts = []
        if self.created:
            parts.append(f"{len(self.created)} draft{_s(self.created)} created")
        if self.updated:
            parts.append(f"{len(self.updated)} draft{_s(self.updated)} updated")
        if self.kept:
            parts.append(f"{len(self.kept)} kept (edited by you)")
        for output in self.outputs:
            name = "calendar" if output.endswith(".ics") else "dashboard"
            parts.append(f"{name} updated")
        return ", ".join(parts)


def _s(items: list[str]) -> str:
    return "" if len(items) == 1 else "s"


class Engine:
    """Reads a vault, plans its follow-ups and writes the outputs."""

    def __init__(self, vault: Vault, settings: Settings) -> None:
        self.vault = vault
        self.settings = settings
        self._reset()

    def _reset(self) -> None:
        settings = self.settings
        self.owned = [settings.drafts.folder, settings.calendar.path, STATE_DIR]
        self._settings_key = fingerprint(repr(settings), settings.schedule.timezone)
        self._cache = load_cache(
            self.vault.read_bytes(CACHE_FILE), self._settings_key, settings.schedule.timezone
        )
        self.cache_dirty = False
        self._templates: Templates | None = None
        self._templates_key: str | None = None
        self._rendered: dict[tuple[FollowUp, date | None], bytes | TemplateError] = {}
        self._disk: dict[str, str] = {}  # path -> sha256 of what we last wrote there
        self._skip: list[str] = []
        self._index: list[Problem] | None = None  # conflict copies; None: notes changed
        self._targets: tuple[frozenset[str], dict[str, str]] | None = None
        self._empty_ok: set[str] = set()
        self._written_folders: set[Path] = set()
        self._reprs: dict[int, str] = {}  # id(follow-up) -> repr, for one pass
        self._checks = DraftChecks(self.vault, settings, self._cache, self._repr)
        self._bad_names: set[str] = set()  # notes whose names are not UTF-8: never read
        self.scanned = False

    def save_cache(self) -> None:
        """Keep what was read for the next run (a no-op when nothing changed)."""
        if self.cache_dirty:
            data = dump_cache(self._cache, self._settings_key)
            self.vault.write(CACHE_FILE, data, self.owned)
            self.cache_dirty = False

    # --- paths ---------------------------------------------------------------

    def note_paths(self) -> dict[str, StatKey | None]:
        """Every note of the vault with its (mtime_ns, size), None for a
        note the cache does not know (it is read, and stated then)."""
        templates = self.vault.templates_folders()
        _check_drafts_folder(self.settings.drafts.folder, templates)
        self._skip = [self.settings.drafts.folder, *templates]
        known = self._cache.notes.keys() | self._cache.plain.keys()
        return self.vault.scan(self._skip, self.settings.notes.exclude, known)

    def is_note_path(self, rel: str) -> bool:
        if not rel.lower().endswith(".md") or any(p.startswith(".") for p in rel.split("/")):
            return False
        return not in_folders(rel, self._skip) and not is_excluded(rel, self.settings.notes.exclude)

    def is_draft_path(self, rel: str) -> bool:
        return (
            rel.lower().endswith(".md")
            and in_folders(rel, [self.settings.drafts.folder])
            and rel != self.settings.dashboard_path
            and not any(p.startswith(".") for p in rel.split("/"))
        )

    def is_template_path(self, rel: str) -> bool:
        folder, _, name = rel.rpartition("/")
        return folder == self.settings.drafts.templates and name in TEMPLATE_NAMES

    def accept_empty(self, rel: str) -> None:
        """The note really is empty now (not a save in progress): read it so."""
        self._empty_ok.add(rel)

    def is_own_write(self, rel: str) -> bool:
        """The file holds exactly what this engine last wrote there."""
        digest = self._disk.get(rel)
        if digest is None:
            return False
        data = self.vault.read_bytes(rel)
        return data is not None and _sha(data) == digest

    # --- reading -------------------------------------------------------------

    def _stat(self, rel: str) -> StatKey | None:
        return self.vault.stat(rel)

    def _refresh_note(self, rel: str, report: PassReport, key: StatKey | None = None) -> None:
        if key is None:
            key = note_stat(str(self.vault.root), rel)  # None: gone, or a link out of the vault
        if self._needs_read(rel, key, report):
            assert key is not None
            self._keep_note(rel, key, self._read_note(rel))

    def _needs_read(self, rel: str, key: StatKey | None, report: PassReport) -> bool:
        """Whether the note at `rel`, now `key` (None: gone), must be read;
        forgets what is stale about it on the way."""
        notes, plain = self._cache.notes, self._cache.plain
        if key is None:
            removed = notes.pop(rel, None) is not None
            removed = plain.pop(rel, None) is not None or removed
            if self._cache.people.pop(rel, None) is not None or removed:
                self.cache_dirty = True
            if removed:
                self._index = None
            return False
        cached = notes.get(rel)
        old_key = cached.key if cached is not None else plain.get(rel)
        if old_key == key:
            return False
        if key[1] == 0 and old_key is not None and old_key[1] > 0 and rel not in self._empty_ok:
            # An editor that truncates, then writes: wait for the content.
            report.retry.append(rel)
            return False
        self._empty_ok.discard(rel)
        self._cache.people.pop(rel, None)
        self.cache_dirty = True
        if old_key is None:
            self._index = None  # a new note: link targets and conflict copies may change
        return True

    def _new_note(self, rel: str) -> bool:
        """A note the cache does not know is to be read (see `_needs_read`)."""
        self._empty_ok.discard(rel)
        self._cache.people.pop(rel, None)
        self.cache_dirty = True
        self._index = None  # link targets and conflict copies may change
        return True

    def _read_note(self, rel: str) -> NoteResult | None:
        """What the note at `rel` holds; None when it cannot be an interview
        note."""
        listed = in_folders(rel, self.settings.notes.folders)
        if not listed and not self._might_mention(rel):
            return None
        return self._parse_note_file(rel, listed)

    def _read_new_note(self, rel: str) -> tuple[StatKey | None, NoteResult | None]:
        """`_read_note` of a note not stated yet, with its stat taken from the
        open file (None: it is gone)."""
        key, head = self.vault.stat_and_prefix(rel, PREFIX_BYTES)
        if key is None:
            key = self._stat(rel)  # there, but not readable: the full read says why
            if key is None:
                return None, None  # gone since the scan
        listed = in_folders(rel, self.settings.notes.folders)
        if not listed and not self._mentions(head):
            return key, None
        return key, self._parse_note_file(rel, listed)

    def _parse_note_file(self, rel: str, listed: bool) -> NoteResult | None:
        """`_read_note` past the prefix test."""
        read = self.vault.read(rel)
        if read.text is None:
            result = NoteResult()
            # Past the prefix test: listed, or its front matter mentions the
            # interview type or tag (or its first bytes could not be read).
            readable = self.vault.read_prefix(rel, 1) is not None
            if read.error and (listed or readable or self._might_be_interview(rel)):
                result.problems.append(Problem(rel, read.error))
            else:
                log.debug("%s: %s", rel, read.error)
        else:
            result = parse_note(rel, read.text, self.settings)
            if result.note is None and not result.problems:
                log.debug("%s: not an interview note", rel)
        if result.note is None and not result.problems:
            return None
        return result

    def _keep_note(self, rel: str, key: StatKey, result: NoteResult | None) -> None:
        notes, plain = self._cache.notes, self._cache.plain
        if result is None:
            notes.pop(rel, None)
            plain[rel] = key  # nothing to remember but that it is not an interview
        else:
            plain.pop(rel, None)
            notes[rel] = CachedNote(key, result.note, result.problems, result.is_interview)

    def _might_mention(self, rel: str) -> bool:
        """Cheap test on the first bytes: only a note whose front matter
        mentions the interview type or tag can be an interview note (outside
        the listed folders), so every other note is rejected before any YAML
        is parsed."""
        return self._mentions(self.vault.read_prefix(rel, PREFIX_BYTES))

    def _mentions(self, head: bytes | None) -> bool:
        """`_might_mention` of a note's first bytes (None: unreadable)."""
        if head is None:
            return True  # unreadable: the full read reports why
        head = head.removeprefix(b"\xef\xbb\xbf")
        if not head.startswith(b"---"):
            return False
        end = head.find(b"\n---", 3)
        if end < 0 and len(head) == PREFIX_BYTES:
            return True  # front matter longer than the prefix: read it all
        front = (head if end < 0 else head[:end]).decode("utf-8", "replace").casefold()
        words = (self.settings.notes.type.casefold(), self.settings.notes.tag.casefold())
        return any(word in front for word in words) or "interview" in front

    def _might_be_interview(self, rel: str) -> bool:
        return in_folders(rel, self.settings.notes.folders) or "interview" in rel.casefold()

    def _refresh_draft(
        self, rel: str, written: bytes | None = None, record: DraftRecord | None = None
    ) -> None:
        """Bring the cache up to date with one draft (`written`: the bytes
        this engine just wrote there, so they need not be read back, and
        `record`: what they say, so they need not be parsed)."""
        drafts = self._cache.drafts
        key = self.vault.written.get(rel) if written is not None else None
        key = key or note_stat(str(self.vault.root), rel)  # a link out of the vault: gone
        if key is None:
            if drafts.pop(rel, None) is not None:
                self.cache_dirty = True
            self._disk.pop(rel, None)
            return
        cached = drafts.get(rel)
        if cached is not None and cached.key == key:
            self._disk.setdefault(rel, cached.digest)
            return
        data = written if written is not None else self.vault.read_bytes(rel)
        self.cache_dirty = True
        if data is None:
            drafts.pop(rel, None)
            return
        problems: list[Problem] = []
        if written is None or record is None:
            from vaultfollow.core.draftfile import read_draft

            record, problems = read_draft(rel, data.decode("utf-8", "replace"))
        drafts[rel] = CachedDraft(key, record, problems, _sha(data))
        if written is not None:
            self._disk[rel] = _sha(data)  # ours: its event is our own write

    def _person(self, rel: str) -> Person | None:
        key = self._stat(rel)
        cached = self._cache.people.get(rel)
        if cached is not None and cached[0] == key:
            return cached[1]
        read = self.vault.read(rel)
        person = parse_person_note(read.text) if read.text else None
        if key is not None:
            self._cache.people[rel] = (key, person)
            self.cache_dirty = True
        return person

    def _people_for(self, notes: Iterable[InterviewNote]) -> dict[str, Person]:
        """Person notes linked from interview notes, found as Obsidian finds
        them: by path, else by file name anywhere in the vault."""
        links = frozenset(link for note in notes for link in person_links(note))
        if not links:
            return {}
        targets = self._link_targets(links)
        found: dict[str, Person] = {}
        for link in sorted(links):
            path = targets.get(link)
            person = self._person(path) if path else None
            if person is not None:
                found[link] = person
        return found

    def _link_targets(self, links: frozenset[str]) -> dict[str, str]:
        """The note each link points to (case-insensitive path, else the
        shallowest note of that name). Only notes whose name is linked are
        remembered, so a big vault costs one walk over its paths per change
        of the note set or the links, and no lasting index of every path."""
        if self._targets is not None and self._targets[0] == links and self._index is not None:
            return self._targets[1]
        wanted = {link.rsplit("/", 1)[-1].casefold() for link in links}
        candidates: list[str] = []
        for rel in (*self._cache.notes, *self._cache.plain):
            if rel.rsplit("/", 1)[-1][:-3].casefold() in wanted:
                candidates.append(rel)
        candidates.sort(key=lambda p: (p.count("/"), p))
        by_path = {rel[:-3].casefold(): rel for rel in candidates}
        by_name: dict[str, str] = {}
        for rel in candidates:
            by_name.setdefault(rel.rsplit("/", 1)[-1][:-3].casefold(), rel)
        targets: dict[str, str] = {}
        for link in links:
            target = by_path.get(link.casefold()) or by_name.get(link.rsplit("/", 1)[-1].casefold())
            if target is not None:
                targets[link] = target
        self._paths_index()  # the note set is now known: keeps self._index valid
        self._targets = (links, targets)
        return targets

    def _paths_index(self) -> list[Problem]:
        """The conflict copies among the notes: computed again only when a
        note appeared or disappeared, not on every pass."""
        if self._index is None:
            paths = sorted([*self._cache.notes, *self._cache.plain])
            self._index = _conflict_problems(paths, set(paths))
            self._targets = None
        return self._index

    def templates_key(self) -> str:
        """Changes when a template the vault overrides changes (by size and time)."""
        if self._templates_key is None:
            from vaultfollow import __version__

            folder = self.settings.drafts.templates
            stats = [(name, self._stat(f"{folder}/{name}")) for name in sorted(TEMPLATE_NAMES)]
            self._templates_key = _hash(repr((__version__, stats)))
        return self._templates_key

    def templates(self) -> Templates:
        """The vault's own templates over the built-in ones (read once, then on change)."""
        from vaultfollow.core.drafts import Templates

        if self._templates is None:
            folder = self.settings.drafts.templates
            overrides: dict[str, str] = {}
            for name in TEMPLATE_NAMES:
                read = self.vault.read(f"{folder}/{name}")
                if read.text is not None:
                    overrides[name] = read.text
            self._templates = Templates(overrides, folder)
        return self._templates

    # --- passes --------------------------------------------------------------

    def full_pass(
        self,
        now: datetime,
        *,
        dry_run: bool = False,
        recreate: bool = False,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> PassReport:
        """Look at every file (unchanged ones cost a stat), then write outputs."""
        report = PassReport(plan=_empty_plan(now), dry_run=dry_run)
        self.read_all(report, should_stop)
        report = self._plan_and_write(now, report, recreate=recreate)
        if not dry_run:
            try:
                self.save_cache()
            except (WriteError, OutsideVaultError) as exc:
                self._say_failures([exc], report)  # one more file not written
                _say_unwritable(report)
        return report

    def read_all(
        self, report: PassReport | None = None, should_stop: Callable[[], bool] = lambda: False
    ) -> None:
        """Bring the cache up to date with every note and draft of the vault."""
        report = report or PassReport(plan=_empty_plan(datetime.now()))
        stats = self.note_paths()
        self._bad_names = {rel for rel in stats if not _is_utf8(rel)}
        for rel in self._bad_names:
            del stats[rel]
        for known in (self._cache.notes, self._cache.plain):
            for rel in known.keys() - stats.keys():
                del known[rel]
                self.cache_dirty = True
                self._index = None
            self._index = None
        stale = [
            rel
            for rel, key in stats.items()
            if (self._new_note(rel) if key is None else self._needs_read(rel, key, report))
        ]
        for index, rel in enumerate(stale):
            if index % 256 == 0 and should_stop():
                raise Interrupted("stopped before the pass finished; nothing was written")
            key = stats[rel]
            if key is None:  # not stated yet: stated as it is opened
                key, result = self._read_new_note(rel)
            else:
                result = self._read_note(rel)
            if key is not None:  # else gone since the scan, and never known
                self._keep_note(rel, key, result)
        drafts = self.vault.scan_folder(self.settings.drafts.folder)
        for rel in set(self._cache.drafts) - set(drafts):
            del self._cache.drafts[rel]
            self.cache_dirty = True
        for rel in drafts:
            if rel != self.settings.dashboard_path and _is_utf8(rel):
                self._refresh_draft(rel)
        self.scanned = True

    def changed_pass(self, paths: Iterable[str], now: datetime) -> PassReport:
        """Re-read only `paths` (created, changed or deleted), then write outputs."""
        report = PassReport(plan=_empty_plan(now))
        if not self.scanned:
            return self.full_pass(now)
        for rel in sorted(set(paths)):
            if rel == CONFIG_NAME or rel.startswith(".obsidian/"):
                return self._reload(now)
            if not _is_utf8(rel):
                if self.is_note_path(rel) and self.vault.exists(rel):
                    self._bad_names.add(rel)
                else:
                    self._bad_names.discard(rel)
                continue
            if self.is_template_path(rel):
                self._templates = None
                self._templates_key = None
                self._rendered.clear()
            elif self.is_draft_path(rel):
                self._refresh_draft(rel)
            elif rel in (self.settings.calendar.path, self.settings.dashboard_path):
                data = self.vault.read_bytes(rel)
                self._disk[rel] = _sha(data) if data is not None else ""
                if self._cache.outputs.pop(rel, None) is not None:
                    self.cache_dirty = True
            elif self.is_note_path(rel):
                self._refresh_note(rel, report)
        return self._plan_and_write(now, report, recreate=False)

    def reopen(self, now: datetime) -> PassReport:
        """The vault folder was replaced (restored from a copy, another vault
        moved to its path): forget all that was read from the old one, read
        the settings and every file afresh, then write outputs."""
        return self._reload(now)

    def _reload(self, now: datetime) -> PassReport:
        """The config or Obsidian's settings changed: start afresh."""
        try:
            self.settings = load_settings(self.vault)
        except ConfigError as exc:
            for line in exc.errors:
                log.error("%s", line)
            log.error("keeping the previous settings until %s is fixed", CONFIG_NAME)
        self._reset()
        return self.full_pass(now)

    def plan(self, now: datetime, *, recreate: bool = False) -> tuple[Plan, Memory]:
        """Plan from what was read; returns the plan and the memory to keep."""
        conflicts = self._paths_index()
        copies = {p.path for p in conflicts}
        cached = sorted(
            (rel, c)
            for rel, c in self._cache.notes.items()
            if (c.note is not None or c.problems) and rel not in copies
        )
        notes = [c.note for _, c in cached if c.note]
        problems = [p for _, c in cached for p in c.problems]
        problems += [
            Problem(
                printable(rel),
                "its name is not UTF-8 text, so vaultfollow cannot keep track of it; "
                "rename the file (in Obsidian or your file manager)",
            )
            for rel in sorted(self._bad_names)
        ]
        people = self._people_for(notes)
        notes = [enrich_people(note, people) for note in notes]
        drafts = [d.record for _, d in sorted(self._cache.drafts.items()) if d.record]
        draft_problems = [p for _, d in sorted(self._cache.drafts.items()) for p in d.problems]
        memory = self.vault.load_memory(self.settings.decisions_path)
        planned = plan_followups(
            notes,
            drafts,
            memory,
            self.settings,
            now,
            problems=[*problems, *draft_problems, *conflicts],
            recreate=recreate,
        )
        first_seen = {**memory.first_seen, **planned.observed}
        return planned.plan, Memory(first_seen, dict(memory.created))

    def _plan_and_write(self, now: datetime, report: PassReport, *, recreate: bool) -> PassReport:
        self.vault.written.clear()
        try:
            report = self._plan_and_write_once(now, report, recreate=recreate)
            _say_unwritable(report)
            return report
        finally:
            self._reprs.clear()  # keyed by id(): only valid while the plan lives

    def _plan_and_write_once(
        self, now: datetime, report: PassReport, *, recreate: bool
    ) -> PassReport:
        plan, memory = self.plan(now, recreate=recreate)
        report.plan = plan
        report.problems = list(plan.problems)
        created = dict(memory.created)
        check_ins_sent = {
            (f.application, f.round_start): f.sent
            for f in plan.followups
            if f.kind is Kind.CHECK_IN and f.state is State.SENT
        }
        templates_key = self.templates_key()
        writes: list[_DraftWrite] = []
        decided: list[tuple[str, str, str]] = []  # (follow-up id, render key, draft path)
        for followup in plan.followups:
            if followup.state is State.PENDING:
                sent = check_ins_sent.get((followup.application, followup.round_start))
                self._bring_draft(followup, sent, templates_key, report, created, writes, decided)
        self._write_drafts(writes, report, created)
        if not report.dry_run:
            for followup_id, render_key, path in decided:
                if path in report.failed:
                    continue  # decided, not done: decided again next pass
                current = self._cache.drafts.get(path)
                if current is not None:
                    self._cache.rendered[followup_id] = (render_key, current.digest)
                    self.cache_dirty = True
        self._write_outputs(plan, report)
        self.vault.sync_folders(self._written_folders)
        if not report.dry_run:
            self._save_memory(Memory(memory.first_seen, created), report)
        report.problems = sorted(set(report.problems), key=_problem_order)
        return report

    def _render(self, followup: FollowUp, sent: date | None) -> bytes | TemplateError:
        from vaultfollow.core.drafts import render_draft

        key = (followup, sent)
        cached = self._rendered.get(key)
        if cached is None:
            try:
                text = render_draft(followup, self.settings, self.templates(), sent_check_in=sent)
                cached = text.encode("utf-8")
            except TemplateError as exc:
                cached = exc
            if len(self._rendered) > 4096:
                self._rendered.clear()
            self._rendered[key] = cached
        return cached

    def _render_key(self, followup: FollowUp, sent: date | None, templates_key: str) -> str:
        return _hash(f"{self._repr(followup)}|{sent}|{templates_key}")

    def _decision_stands(self, followup: FollowUp, render_key: str) -> bool:
        """Neither the follow-up, the templates nor its draft changed since
        the last decision about the draft."""
        cached = self._cache.drafts.get(followup.draft_path)
        decided = self._cache.rendered.get(followup.id)
        return cached is not None and decided == (render_key, cached.digest)

    def _bring_draft(
        self,
        followup: FollowUp,
        sent: date | None,
        templates_key: str,
        report: PassReport,
        created: dict[str, str],
        writes: list[_DraftWrite],
        remember: list[tuple[str, str, str]],
    ) -> None:
        """Decide to create or update one draft (queued on `writes`, written
        with the others in one batch); never touch one the user edited. When
        neither the follow-up, the templates nor the file changed since the
        last decision, the same decision stands without rendering anything.
        The decision is remembered (`remember`) once the draft is written."""
        path = followup.draft_path
        cached = self._cache.drafts.get(path)
        if cached is None and self.vault.exists(path):
            self._refresh_draft(path)  # there, but not seen yet (a full pass reads them all)
            cached = self._cache.drafts.get(path)
        render_key = self._render_key(followup, sent, templates_key)
        if self._decision_stands(followup, render_key):
            assert cached is not None
            created.setdefault(followup.id, path)
            if cached.record is None or cached.record.edited:
                report.kept.append(path)
            else:
                report.unchanged += 1
            return
        data = self._render(followup, sent)
        if isinstance(data, TemplateError):
            report.problems.append(Problem(followup.source, data.message))
            return
        if cached is None:
            writes.append(_DraftWrite(path, data, followup.id, None))
            report.created.append(path)
        elif cached.digest == _sha(data):
            report.unchanged += 1
            created.setdefault(followup.id, path)
        elif cached.record is None or cached.record.edited:
            report.kept.append(path)
        elif self._cut_off_just_now(path):
            report.retry.append(path)  # the user's, for now: see EMPTY_GRACE
            report.unchanged += 1
            created.setdefault(followup.id, path)
            return
        else:
            writes.append(_DraftWrite(path, data, followup.id, cached.digest))
            report.updated.append(path)
            created.setdefault(followup.id, path)
        remember.append((followup.id, render_key, path))

    def _cut_off_just_now(self, path: str) -> bool:
        """The draft at `path` is empty or cut off (see `draftfile.is_cut_off`)
        and was changed less than EMPTY_GRACE seconds ago: an editor may be
        between emptying it and writing the user's text, so it is not a
        crash to repair yet."""
        from vaultfollow.core.draftfile import is_cut_off

        key = self._stat(path)
        if key is None or not 0 <= time.time() - key[0] / 1e9 < EMPTY_GRACE:
            return False
        data = self.vault.read_bytes(path)
        return data is not None and is_cut_off(data.decode("utf-8", "replace"))

    def _write_drafts(
        self, writes: list[_DraftWrite], report: PassReport, created: dict[str, str]
    ) -> None:
        """Write a pass's new and changed drafts in one batch (one flush). A
        new draft goes only where no file is, a changed one only over the
        bytes this pass decided from: a draft the user saved meanwhile is
        kept (and read again), one that cannot be written is said."""
        if report.dry_run or not writes:
            return
        from vaultfollow.core.draftfile import fresh_record

        by_path = {write.path: write for write in writes}
        done = self.vault.write_many(
            [(w.path, w.data, _replaces(w.digest)) for w in by_path.values()],
            self.owned,
            folders=self._written_folders,
        )
        for rel in done.written:
            write = by_path[rel]
            self._disk[rel] = _sha(write.data)
            if write.digest is None:
                created[write.followup_id] = rel
            self._refresh_draft(rel, write.data, fresh_record(rel, write.followup_id))
        for rel in done.refused:
            _drop(report, rel)
            report.kept.append(rel)
            report.retry.append(rel)  # plan again with what the user saved
            self._refresh_draft(rel)
        self._say_failures(done.failed, report)

    def _calendar_key(self, plan: Plan) -> str:
        """What the calendar shows (its bytes are a function of it)."""
        pending = [self._repr(f) for f in plan.followups if f.state is State.PENDING]
        return repr((pending, self.vault.name))

    def _write_outputs(self, plan: Plan, report: PassReport) -> None:
        """The calendar, then the dashboard (after checking the drafts, which
        only the dashboard shows, so a change reaches the calendar first); the
        dashboard's problems include every write of the pass that failed."""
        self._write_output(
            self.settings.calendar.path,
            self._calendar_key(plan),
            lambda: self._calendar(plan),
            report,
        )
        problems = tuple(sorted(set(report.problems), key=_problem_order))
        draft_problems = self._check_drafts(plan) if not report.dry_run else []
        followups = [self._repr(f) for f in plan.followups]
        what = (followups, plan.notes, problems, draft_problems, plan.now.date())
        self._write_output(
            self.settings.dashboard_path,
            repr((*what, _urgencies(plan))),
            lambda: self._dashboard(replace(plan, problems=problems), draft_problems),
            report,
        )

    def _check_drafts(self, plan: Plan) -> list[Problem]:
        """What `vaultfollow check` says of each pending draft, for the dashboard."""
        problems, changed = self._checks.for_dashboard(plan)
        self.cache_dirty |= changed
        return sorted(problems, key=_problem_order)

    def _repr(self, followup: FollowUp) -> str:
        """`repr(followup)`, computed once per pass: a follow-up holds its
        whole note, and its repr keys the draft, its check and both outputs."""
        text = self._reprs.get(id(followup))
        if text is None:
            text = self._reprs[id(followup)] = repr(followup)
        return text

    def _write_output(
        self, rel: str, what: str, render: Callable[[], bytes], report: PassReport
    ) -> None:
        """Render only when what the file shows changed; write only when its
        bytes differ from the file's."""
        key = _hash(what)
        data = None if self._output_is_current(rel, key) else render()
        self._store_output(rel, key, data, report)

    def _store_output(self, rel: str, key: str, data: bytes | None, report: PassReport) -> None:
        """Write `data` (what `key` hashes) to the output at `rel` unless the
        file holds it; None: the file already shows it."""
        if data is None:
            self._disk.setdefault(rel, self._cache.outputs[rel].digest)
            return
        if self.vault.read_bytes(rel) != data:
            if not report.dry_run and not self._write_output_file(rel, data, report):
                return
            report.outputs.append(rel)
        if not report.dry_run:
            self._disk[rel] = _sha(data)
            new_stat = self.vault.written.get(rel) or self._stat(rel)
            if new_stat is not None:
                self._cache.outputs[rel] = CachedOutput(key, _sha(data), new_stat)
                self.cache_dirty = True

    def _write_output_file(self, rel: str, data: bytes, report: PassReport) -> bool:
        """Write the calendar or the dashboard where no file is, or over one
        vaultfollow wrote: what it last wrote there, or (the caches gone) a
        file that says it is vaultfollow's (`_OUTPUT_MARKS`). A file of the
        user's there is left alone and said, with what to do."""
        previous = self._cache.outputs.get(rel)
        digests = {self._disk.get(rel), previous.digest if previous else None} - {None}
        mark = _OUTPUT_MARKS[".ics" if rel.endswith(".ics") else ".md"]

        def replaces(current: bytes | None) -> bool:
            return current is None or _sha(current) in digests or mark in current[:4096]

        done = self.vault.write_many(
            [(rel, data, replaces)], self.owned, folders=self._written_folders
        )
        if done.refused:
            key = "[calendar] path" if rel.endswith(".ics") else "[drafts] folder"
            report.problems.append(
                Problem(
                    rel,
                    "is not a file vaultfollow wrote, so it is left alone and not kept up "
                    f"to date; rename or move it, or set `{key}` in {CONFIG_NAME} to "
                    "another place",
                )
            )
        self._say_failures(done.failed, report)
        return bool(done.written)

    def _say_failures(
        self, failed: Iterable[WriteError | OutsideVaultError], report: PassReport
    ) -> None:
        """Files that could not be written: each is a problem (the pass goes
        on), but those a full disk or a read-only file system failed, which
        fails every file alike, are said once at the end of the pass (see
        `_say_unwritable`)."""
        for error in failed:
            _drop(report, error.rel)
            report.failed.append(error.rel)
            if isinstance(error, WriteError) and error.errno in _WHOLE_DISK:
                report.unwritable.append(error)
            else:
                report.problems.append(Problem(error.rel, error.reason))

    def _save_memory(self, memory: Memory, report: PassReport) -> None:
        rel = self.settings.decisions_path
        try:
            self.vault.save_memory(rel, memory, self.owned)  # no-op when unchanged
        except NotOursError:
            report.problems.append(
                Problem(
                    rel,
                    "is not vaultfollow's state file, so it is left alone and vaultfollow "
                    "cannot remember which drafts you deleted; rename or move it",
                )
            )
        except (WriteError, OutsideVaultError) as exc:
            self._say_failures([exc], report)

    def _output_is_current(self, rel: str, key: str) -> bool:
        """The output at `rel` shows what `key` hashes and is as this engine left it."""
        previous = self._cache.outputs.get(rel)
        return previous is not None and previous.key == key and previous.stat == self._stat(rel)

    def _calendar(self, plan: Plan) -> bytes:
        from vaultfollow.core.ics import render_calendar

        return render_calendar(plan, self.settings, self.vault.name)

    def _dashboard(self, plan: Plan, draft_problems: list[Problem]) -> bytes:
        from vaultfollow.core.dashboard import render_dashboard

        return render_dashboard(plan, self.settings, draft_problems).encode("utf-8")

    def next_change(self, now: datetime, plan: Plan | None = None) -> datetime:
        """The first moment after `now` at which time alone may change the
        outputs: local midnight (dates, "today"), the instant a pending
        thank-you becomes overdue (just past its deadline), or the instant a
        follow-up becomes too old to show (just past its do-time plus
        `ignore_older_than`), whichever comes first. `plan`: the plan made at
        `now`, when there is one. Until then the plan says the same."""
        if plan is None:
            plan, _ = self.plan(now)
        return next_change(plan, self.settings, now)


@dataclass(frozen=True, slots=True)
class _DraftWrite:
    """A draft a pass writes: over the file whose bytes hash to `digest`, or
    (None) where no file is."""

    path: str
    data: bytes
    followup_id: str
    digest: str | None


def _replaces(digest: str | None) -> MayReplace | None:
    """A draft is replaced only while it holds the bytes the pass decided from."""
    if digest is None:
        return None
    return lambda current: current is not None and _sha(current) == digest


# What the calendar and the dashboard vaultfollow writes say in their first
# lines: a file there that says it is one of vaultfollow's (when no cache
# remembers what was written).
_OUTPUT_MARKS = {".ics": b"PRODID:-//vaultfollow//", ".md": b"\nvaultfollow: dashboard\n"}


# Errors that fail every write to the file system alike, not one path.
_WHOLE_DISK = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def _say_unwritable(report: PassReport) -> None:
    """One problem for every file a full disk or a read-only file system
    kept from being written (the first of them, and how many more)."""
    if report._unwritable_said is not None:
        report.problems.remove(report._unwritable_said)
        report._unwritable_said = None
    if report.unwritable:
        first, more = report.unwritable[0], len(report.unwritable) - 1
        also = f" (and {more} more file{'' if more == 1 else 's'})" if more else ""
        report._unwritable_said = Problem(first.rel, first.reason + also)
        report.problems.append(report._unwritable_said)


def _drop(report: PassReport, rel: str) -> None:
    """`rel` was not written after all."""
    for written in (report.created, report.updated):
        if rel in written:
            written.remove(rel)


def _urgencies(plan: Plan) -> tuple[str, ...]:
    return tuple(urgency(f, plan.now).value for f in plan.followups if f.state is State.PENDING)


def _conflict_problems(paths: list[str], existing: set[str]) -> list[Problem]:
    problems = []
    for rel in paths:
        original = conflict_copy_of(rel, existing)
        if original is not None:
            problems.append(
                Problem(
                    rel,
                    f"looks like a conflict copy of {original} made by a sync service; "
                    "it is not read as an interview: merge what you need into the "
                    "original and delete this copy",
                )
            )
    return problems


def _empty_plan(now: datetime) -> Plan:
    return Plan(followups=(), notes=(), problems=(), now=now)


def _check_drafts_folder(folder: str, templates: Iterable[str]) -> None:
    """ConfigError when `[drafts] folder` is, holds or lies in a templates
    folder Obsidian's or Templater's settings name (`vaultfollow.toml`
    alone cannot tell: see config.py for the folders it names)."""
    for other in templates:
        if (
            other.casefold() == folder.casefold()
            or in_folders(folder, [other])
            or in_folders(other, [folder])
        ):
            raise ConfigError(
                [
                    f"{CONFIG_NAME}: [drafts] folder is {folder!r}, which overlaps the note "
                    f"templates folder {other!r} (set in Obsidian's or Templater's settings); "
                    'give the drafts a folder of their own, such as "Follow-ups"'
                ]
            )


def _is_utf8(rel: str) -> bool:
    """A path decoded from a name that is valid UTF-8 (no escaped bytes)."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _problem_order(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line or 0, problem.message)


def open_engine(root: Path) -> Engine:
    vault = Vault(root)
    return Engine(vault, load_settings(vault))


def sync(root: Path, now: datetime, *, dry_run: bool = False, recreate: bool = False) -> PassReport:
    """One full pass over the vault at `root`."""
    return open_engine(root).full_pass(now, dry_run=dry_run, recreate=recreate)
