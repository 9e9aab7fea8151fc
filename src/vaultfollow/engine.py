"""Passes: vault -> core -> vault.

`Engine` keeps what it read between passes, keyed by each file's size and
modification time, so that the watcher can hand it only the paths that
changed: a pass then reads those files, plans from memory (cheap), renders
only follow-ups whose inputs changed and writes only files whose bytes differ.
`sync` is one full pass over the same machinery.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultfollow.config import CONFIG_NAME, Settings, parse_config_text
from vaultfollow.errors import ConfigError, TemplateError, VaultfollowError
from vaultfollow.model import (
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
from vaultfollow.notes import (
    NoteResult,
    enrich_people,
    in_folders,
    parse_note,
    parse_person_note,
    person_links,
)
from vaultfollow.schedule import Memory, plan_followups
from vaultfollow.vault import STATE_DIR, Vault, conflict_copy_of

if TYPE_CHECKING:
    from vaultfollow.drafts import Templates

log = logging.getLogger(__name__)

StatKey = tuple[int, int]  # (mtime_ns, size)


class Interrupted(VaultfollowError):
    """A pass was stopped before it wrote anything (shutdown requested)."""


def load_settings(vault: Vault) -> Settings:
    """The vault's `vaultfollow.toml`, or the defaults when there is none."""
    path = vault.path(CONFIG_NAME)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return parse_config_text("")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{CONFIG_NAME}: cannot be read ({exc})"]) from None
    return parse_config_text(text)


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


@dataclass(slots=True)
class _Cached:
    key: StatKey
    result: NoteResult


@dataclass(slots=True)
class _CachedDraft:
    key: StatKey
    record: DraftRecord | None
    problems: list[Problem]
    digest: str


class Engine:
    """Reads a vault, plans its follow-ups and writes the outputs."""

    def __init__(self, vault: Vault, settings: Settings) -> None:
        self.vault = vault
        self.settings = settings
        self._reset()

    def _reset(self) -> None:
        settings = self.settings
        self.owned = [settings.drafts.folder, settings.calendar.path, STATE_DIR]
        self._notes: dict[str, _Cached] = {}
        self._people: dict[str, tuple[StatKey, Person | None]] = {}
        self._drafts: dict[str, _CachedDraft] = {}
        self._templates: Templates | None = None
        self._rendered: dict[tuple[FollowUp, date | None], bytes | TemplateError] = {}
        self._disk: dict[str, str] = {}  # path -> sha256 of what we last wrote or read
        self._last_outputs: dict[str, tuple[Any, bytes]] = {}
        self._skip: list[str] = []
        self._conflicts: list[Problem] = []
        self._empty_ok: set[str] = set()
        self.scanned = False

    # --- paths ---------------------------------------------------------------

    def note_paths(self) -> list[str]:
        self._skip = [self.settings.drafts.folder, *self.vault.templates_folders()]
        return self.vault.scan(self._skip, self.settings.notes.exclude)

    def is_note_path(self, rel: str) -> bool:
        if not rel.lower().endswith(".md") or any(p.startswith(".") for p in rel.split("/")):
            return False
        from vaultfollow.notes import is_excluded

        return not in_folders(rel, self._skip) and not is_excluded(rel, self.settings.notes.exclude)

    def is_draft_path(self, rel: str) -> bool:
        return (
            rel.lower().endswith(".md")
            and in_folders(rel, [self.settings.drafts.folder])
            and rel != self.settings.dashboard_path
            and not any(p.startswith(".") for p in rel.split("/"))
        )

    def is_template_path(self, rel: str) -> bool:
        from vaultfollow.drafts import DEFAULT_TEMPLATE_NAMES

        folder, _, name = rel.rpartition("/")
        return folder == self.settings.drafts.templates and name in DEFAULT_TEMPLATE_NAMES

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
        try:
            info = self.vault.path(rel).stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)

    def _refresh_note(self, rel: str, report: PassReport) -> None:
        key = self._stat(rel)
        if key is None:
            self._notes.pop(rel, None)
            self._people.pop(rel, None)
            return
        cached = self._notes.get(rel)
        if cached is not None and cached.key == key:
            return
        if key[1] == 0 and cached is not None and cached.key[1] > 0 and rel not in self._empty_ok:
            # An editor that truncates, then writes: wait for the content.
            report.retry.append(rel)
            return
        self._people.pop(rel, None)
        self._empty_ok.discard(rel)
        read = self.vault.read(rel)
        if read.text is None:
            result = NoteResult()
            if read.error and self._might_be_interview(rel):
                result.problems.append(Problem(rel, read.error))
            else:
                log.debug("%s: %s", rel, read.error)
        else:
            result = parse_note(rel, read.text, self.settings)
            if result.note is None and not result.problems:
                log.debug("%s: not an interview note", rel)
        self._notes[rel] = _Cached(key, result)

    def _might_be_interview(self, rel: str) -> bool:
        return in_folders(rel, self.settings.notes.folders) or "interview" in rel.casefold()

    def _refresh_draft(self, rel: str) -> None:
        from vaultfollow.drafts import read_draft

        key = self._stat(rel)
        if key is None:
            self._drafts.pop(rel, None)
            self._disk.pop(rel, None)
            return
        cached = self._drafts.get(rel)
        if cached is not None and cached.key == key:
            return
        data = self.vault.read_bytes(rel)
        if data is None:
            self._drafts.pop(rel, None)
            return
        record, problems = read_draft(rel, data.decode("utf-8", "replace"))
        self._drafts[rel] = _CachedDraft(key, record, problems, _sha(data))
        self._disk[rel] = _sha(data)

    def _person(self, rel: str) -> Person | None:
        key = self._stat(rel)
        cached = self._people.get(rel)
        if cached is not None and cached[0] == key:
            return cached[1]
        read = self.vault.read(rel)
        person = parse_person_note(read.text) if read.text else None
        if key is not None:
            self._people[rel] = (key, person)
        return person

    def _people_for(self, notes: Iterable[InterviewNote]) -> dict[str, Person]:
        """Person notes linked from interview notes, found as Obsidian finds
        them: by path, else by file name anywhere in the vault."""
        links = sorted({link for note in notes for link in person_links(note)})
        if not links:
            return {}
        paths = sorted(self._notes)
        by_path = {p[:-3].casefold(): p for p in paths}
        by_name: dict[str, str] = {}
        for rel in sorted(paths, key=lambda p: (p.count("/"), p)):
            by_name.setdefault(rel.rsplit("/", 1)[-1][:-3].casefold(), rel)
        found: dict[str, Person] = {}
        for link in links:
            path = by_path.get(link.casefold()) or by_name.get(link.rsplit("/", 1)[-1].casefold())
            person = self._person(path) if path else None
            if person is not None:
                found[link] = person
        return found

    def templates(self) -> Templates:
        """The vault's own templates over the built-in ones (read once, then on change)."""
        from vaultfollow.drafts import DEFAULT_TEMPLATE_NAMES, Templates

        if self._templates is None:
            folder = self.settings.drafts.templates
            overrides: dict[str, str] = {}
            for name in DEFAULT_TEMPLATE_NAMES:
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
        return self._plan_and_write(now, report, recreate=recreate)

    def read_all(
        self, report: PassReport | None = None, should_stop: Callable[[], bool] = lambda: False
    ) -> None:
        """Bring the cache up to date with every note and draft of the vault."""
        report = report or PassReport(plan=_empty_plan(datetime.now()))
        paths = self.note_paths()
        for rel in set(self._notes) - set(paths):
            del self._notes[rel]
        for index, rel in enumerate(paths):
            if index % 256 == 0 and should_stop():
                raise Interrupted("stopped before the pass finished; nothing was written")
            self._refresh_note(rel, report)
        drafts = self.vault.scan_folder(self.settings.drafts.folder)
        for rel in set(self._drafts) - set(drafts):
            del self._drafts[rel]
        for rel in drafts:
            if rel != self.settings.dashboard_path:
                self._refresh_draft(rel)
        self._conflicts = _conflict_problems(paths, set(paths))
        self.scanned = True

    def changed_pass(self, paths: Iterable[str], now: datetime) -> PassReport:
        """Re-read only `paths` (created, changed or deleted), then write outputs."""
        report = PassReport(plan=_empty_plan(now))
        if not self.scanned:
            return self.full_pass(now)
        for rel in sorted(set(paths)):
            if rel == CONFIG_NAME or rel.startswith(".obsidian/"):
                return self._reload(now)
            if self.is_template_path(rel):
                self._templates = None
                self._rendered.clear()
            elif self.is_draft_path(rel):
                self._refresh_draft(rel)
            elif rel in (self.settings.calendar.path, self.settings.dashboard_path):
                data = self.vault.read_bytes(rel)
                self._disk[rel] = _sha(data) if data is not None else ""
                self._last_outputs.pop(rel, None)
            elif self.is_note_path(rel):
                self._refresh_note(rel, report)
        note_paths = set(self._notes)
        self._conflicts = _conflict_problems(sorted(note_paths), note_paths)
        return self._plan_and_write(now, report, recreate=False)

    def _reload(self, now: datetime) -> PassReport:
        """The config or Obsidian's settings changed: start afresh."""
        try:
            settings = load_settings(self.vault)
        except ConfigError as exc:
            for line in exc.errors:
                log.error("%s", line)
            log.error("keeping the previous settings until %s is fixed", CONFIG_NAME)
            settings = self.settings
        self.settings = settings
        self._reset()
        return self.full_pass(now)

    def plan(self, now: datetime, *, recreate: bool = False) -> tuple[Plan, Memory]:
        """Plan from what was read; returns the plan and the memory to keep."""
        copies = {p.path for p in self._conflicts}
        cached = [(rel, c) for rel, c in sorted(self._notes.items()) if rel not in copies]
        notes = [c.result.note for _, c in cached if c.result.note]
        problems = [p for _, c in cached for p in c.result.problems]
        people = self._people_for(notes)
        notes = [enrich_people(note, people) for note in notes]
        drafts = [d.record for _, d in sorted(self._drafts.items()) if d.record is not None]
        draft_problems = [p for _, d in sorted(self._drafts.items()) for p in d.problems]
        memory = self.vault.load_memory()
        planned = plan_followups(
            notes,
            drafts,
            memory,
            self.settings,
            now,
            problems=[*problems, *draft_problems, *self._conflicts],
            recreate=recreate,
        )
        first_seen = {**memory.first_seen, **planned.observed}
        return planned.plan, Memory(first_seen, dict(memory.created))

    def _plan_and_write(self, now: datetime, report: PassReport, *, recreate: bool) -> PassReport:
        plan, memory = self.plan(now, recreate=recreate)
        report.plan = plan
        report.problems = list(plan.problems)
        created = dict(memory.created)
        check_ins_sent = {
            (f.application, f.round_start): f.sent
            for f in plan.followups
            if f.kind is Kind.CHECK_IN and f.state is State.SENT
        }
        for followup in plan.followups:
            if followup.state is not State.PENDING:
                continue
            sent = check_ins_sent.get((followup.application, followup.round_start))
            rendered = self._render(followup, sent)
            if isinstance(rendered, TemplateError):
                report.problems.append(Problem(followup.source, rendered.message))
                continue
            self._write_draft(followup, rendered, report, created)
        self._write_outputs(plan, report)
        if not report.dry_run:
            self.vault.save_memory(Memory(memory.first_seen, created))  # no-op when unchanged
        report.problems = sorted(set(report.problems), key=_problem_order)
        return report

    def _render(self, followup: FollowUp, sent: date | None) -> bytes | TemplateError:
        from vaultfollow.drafts import render_draft

        key = (followup, sent)
        cached = self._rendered.get(key)
        if cached is None:
            try:
                cached = render_draft(
                    followup, self.settings, self.templates(), sent_check_in=sent
                ).encode("utf-8")
            except TemplateError as exc:
                cached = exc
            if len(self._rendered) > 4096:
                self._rendered.clear()
            self._rendered[key] = cached
        return cached

    def _write_draft(
        self, followup: FollowUp, data: bytes, report: PassReport, created: dict[str, str]
    ) -> None:
        path = followup.draft_path
        cached = self._drafts.get(path)
        if cached is None and self.vault.exists(path):
            self._refresh_draft(path)  # there, but not seen yet (a full pass reads them all)
            cached = self._drafts.get(path)
        if cached is None:
            self._write(path, data, report.dry_run)
            report.created.append(path)
            created[followup.id] = path
        elif cached.digest == _sha(data):
            report.unchanged += 1
            created.setdefault(followup.id, path)
        elif cached.record is None or cached.record.edited:
            report.kept.append(path)
        else:
            self._write(path, data, report.dry_run)
            report.updated.append(path)
            created.setdefault(followup.id, path)

    def _write_outputs(self, plan: Plan, report: PassReport) -> None:
        from vaultfollow.dashboard import render_dashboard
        from vaultfollow.ics import render_calendar

        pending = tuple(f for f in plan.followups if f.state is State.PENDING)
        today = plan.now.date()
        problems = tuple(sorted(set(report.problems), key=_problem_order))
        outputs: list[tuple[str, Any, Callable[[], bytes]]] = [
            (
                self.settings.calendar.path,
                pending,
                lambda: render_calendar(plan, self.settings, self.vault.name),
            ),
            (
                self.settings.dashboard_path,
                (plan.followups, plan.notes, problems, today, _urgencies(plan)),
                lambda: render_dashboard(replace(plan, problems=problems), self.settings).encode(
                    "utf-8"
                ),
            ),
        ]
        for rel, key, render in outputs:
            last = self._last_outputs.get(rel)
            data = last[1] if last is not None and last[0] == key else render()
            self._last_outputs[rel] = (key, data)
            if self._disk.get(rel) == _sha(data):
                continue
            current = self.vault.read_bytes(rel)
            if current == data:
                self._disk[rel] = _sha(data)
                continue
            self._write(rel, data, report.dry_run)
            report.outputs.append(rel)

    def _write(self, rel: str, data: bytes, dry_run: bool) -> None:
        if dry_run:
            return
        self.vault.write(rel, data, self.owned)
        self._disk[rel] = _sha(data)
        if self.is_draft_path(rel):
            self._refresh_draft(rel)

    def next_change(self, now: datetime) -> datetime:
        """When time alone next changes the outputs: local midnight, or the
        moment a pending thank-you becomes overdue, whichever comes first."""
        zone = self.settings.schedule.zone
        local = now.astimezone(zone)
        moment = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
        plan, _ = self.plan(now)
        for followup in plan.followups:
            if (
                followup.state is State.PENDING
                and followup.kind is Kind.THANK_YOU
                and now < followup.deadline < moment
            ):
                moment = followup.deadline
        return moment

    # Back-compatible name for one full pass.
    def run(self, now: datetime, *, dry_run: bool = False, recreate: bool = False) -> PassReport:
        return self.full_pass(now, dry_run=dry_run, recreate=recreate)


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


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _problem_order(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line or 0, problem.message)


def open_engine(root: Path) -> Engine:
    vault = Vault(root)
    return Engine(vault, load_settings(vault))


def sync(root: Path, now: datetime, *, dry_run: bool = False, recreate: bool = False) -> PassReport:
    """One full pass over the vault at `root`."""
    return open_engine(root).full_pass(now, dry_run=dry_run, recreate=recreate)
