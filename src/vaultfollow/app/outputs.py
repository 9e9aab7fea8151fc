"""What a pass writes: the drafts of pending follow-ups, the calendar and the
dashboard, each rendered only when what it shows changed and written only
when its bytes differ; and the decisions file.
"""

from __future__ import annotations

import errno
import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from vaultfollow.app.draft_checks import DraftChecks
from vaultfollow.app.index import TEMPLATE_NAMES
from vaultfollow.app.own_writes import sha
from vaultfollow.core.layout import CONFIG_NAME
from vaultfollow.core.model import (
    FollowUp,
    Kind,
    Plan,
    Problem,
    Revision,
    State,
    days_on,
    urgency,
)
from vaultfollow.core.schedule import Memory
from vaultfollow.errors import TemplateError
from vaultfollow.store.cache import CachedOutput
from vaultfollow.store.vault import MayReplace, NotOursError, OutsideVaultError, WriteError

if TYPE_CHECKING:
    from pathlib import Path

    from vaultfollow.app.index import Index
    from vaultfollow.app.own_writes import OwnWrites
    from vaultfollow.core.config import Settings
    from vaultfollow.core.drafts import Templates
    from vaultfollow.core.ics import BuiltCalendar
    from vaultfollow.store.cache import Cache
    from vaultfollow.store.paths import StatKey
    from vaultfollow.store.vault import Vault

# Seconds an emptied or cut-off file must stay so before it counts as such:
# some editors and sync tools truncate a file, then write it a moment later.
EMPTY_GRACE = 2.0


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


class Outputs:
    """Writes the drafts, the calendar and the dashboard of a plan, in the
    cache it shares with the index."""

    def __init__(
        self,
        vault: Vault,
        settings: Settings,
        cache: Cache,
        own: OwnWrites,
        index: Index,
        owned: list[str],
    ) -> None:
        self.vault = vault
        self.settings = settings
        self._cache = cache
        self._own = own
        self._index = index  # reads back the drafts written
        self._owned = owned
        self._templates: Templates | None = None
        self._templates_key: str | None = None
        self._rendered: dict[tuple[FollowUp, date | None, int], bytes | TemplateError] = {}
        self._written_folders: set[Path] = set()
        self._reprs: dict[int, str] = {}  # id(follow-up) -> repr, for one pass
        self._checks = DraftChecks(self.vault, settings, self._cache, self._repr)

    def _stat(self, rel: str) -> StatKey | None:
        return self.vault.stat(rel)

    def forget_templates(self) -> None:
        """A template the vault overrides changed: read them again, render anew."""
        self._templates = None
        self._templates_key = None
        self._rendered.clear()

    def output_changed(self, rel: str) -> None:
        """The calendar or the dashboard at `rel` was changed (by someone)."""
        self._own.claim(rel, self.vault.read_bytes(rel))
        if self._cache.outputs.pop(rel, None) is not None:
            self._cache.dirty = True

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

    # --- a pass --------------------------------------------------------------

    def write(self, plan: Plan, memory: Memory, report: PassReport) -> PassReport:
        """Bring the drafts, the calendar, the dashboard and the decisions
        file up to date with `plan` (and `memory`, the plan's)."""
        try:
            report = self._write_once(plan, memory, report)
            say_unwritable(report)
            return report
        finally:
            self._reprs.clear()  # keyed by id(): only valid while the plan lives

    def _write_once(self, plan: Plan, memory: Memory, report: PassReport) -> PassReport:
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
        today = plan.now.astimezone(self.settings.schedule.zone).date()
        for followup in plan.followups:
            if followup.state is State.PENDING:
                sent = check_ins_sent.get((followup.application, followup.round_start))
                when = _When(sent, today)
                self._bring_draft(followup, when, templates_key, report, created, writes, decided)
        self._write_drafts(writes, report, created)
        if not report.dry_run:
            for followup_id, render_key, path in decided:
                if path in report.failed:
                    continue  # decided, not done: decided again next pass
                current = self._cache.drafts.get(path)
                if current is not None:
                    self._cache.rendered[followup_id] = (render_key, current.digest)
                    self._cache.dirty = True
        revisions = self._write_outputs(plan, memory.revisions, report)
        self.vault.sync_folders(self._written_folders)
        if not report.dry_run:
            self._save_memory(Memory(memory.first_seen, created, revisions), report)
        report.problems = sorted(set(report.problems), key=_problem_order)
        return report

    def _render(self, followup: FollowUp, when: _When) -> bytes | TemplateError:
        from vaultfollow.core.drafts import render_draft

        key = (followup, when.sent, when.words(followup))
        cached = self._rendered.get(key)
        if cached is None:
            try:
                text = render_draft(
                    followup,
                    self.settings,
                    self.templates(),
                    sent_check_in=when.sent,
                    today=when.today,
                )
                cached = text.encode("utf-8")
            except TemplateError as exc:
                cached = exc
            if len(self._rendered) > 4096:
                self._rendered.clear()
            self._rendered[key] = cached
        return cached

    def _render_key(self, followup: FollowUp, when: _When, templates_key: str) -> str:
        """What a draft's bytes depend on. Of the day, only the words it
        gives ("yesterday"), so a draft is rendered again on the days those
        change and never once the interview is a week old."""
        return _hash(f"{self._repr(followup)}|{when.sent}|{when.words(followup)}|{templates_key}")

    def _decision_stands(self, followup: FollowUp, render_key: str) -> bool:
        """Neither the follow-up, the templates nor its draft changed since
        the last decision about the draft."""
        cached = self._cache.drafts.get(followup.draft_path)
        decided = self._cache.rendered.get(followup.id)
        return cached is not None and decided == (render_key, cached.digest)

    def _bring_draft(
        self,
        followup: FollowUp,
        when: _When,
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
            self._index.refresh_draft(path)  # there, but not seen yet (a full pass reads them all)
            cached = self._cache.drafts.get(path)
        render_key = self._render_key(followup, when, templates_key)
        if self._decision_stands(followup, render_key):
            assert cached is not None
            created.setdefault(followup.id, path)
            if cached.record is None or cached.record.edited:
                report.kept.append(path)
            else:
                report.unchanged += 1
            return
        data = self._render(followup, when)
        if isinstance(data, TemplateError):
            report.problems.append(Problem(followup.source, data.message))
            return
        if cached is None:
            writes.append(_DraftWrite(path, data, followup.id, None))
            report.created.append(path)
        elif cached.digest == sha(data):
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
            self._owned,
            folders=self._written_folders,
        )
        for rel in done.written:
            write = by_path[rel]
            self._own.wrote(rel, write.data)
            if write.digest is None:
                created[write.followup_id] = rel
            self._index.refresh_draft(rel, write.data, fresh_record(rel, write.followup_id))
        for rel in done.refused:
            _drop(report, rel)
            report.kept.append(rel)
            report.retry.append(rel)  # plan again with what the user saved
            self._index.refresh_draft(rel)
        self.say_failures(done.failed, report)

    def _calendar_key(self, plan: Plan, revisions: Mapping[str, Revision]) -> str:
        """What the calendar shows (its bytes are a function of it)."""
        pending = [self._repr(f) for f in plan.followups if f.state is State.PENDING]
        return repr((pending, self.vault.name, sorted(revisions.items())))

    def _write_outputs(
        self, plan: Plan, revisions: Mapping[str, Revision], report: PassReport
    ) -> Mapping[str, Revision]:
        """The calendar, then the dashboard (after checking the drafts, which
        only the dashboard shows, so a change reaches the calendar first); the
        dashboard's problems include every write of the pass that failed.
        Returns the calendar entries' revisions to remember."""
        revisions = self._write_calendar(plan, revisions, report)
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
        return revisions

    def _write_calendar(
        self, plan: Plan, revisions: Mapping[str, Revision], report: PassReport
    ) -> Mapping[str, Revision]:
        """`_write_output` for the calendar, whose bytes also depend on its
        entries' revisions: the file is keyed by the revisions it was written
        with (those a pass returns), so the next pass, which starts from
        them, finds it current."""
        rel = self.settings.calendar.path
        key = _hash(self._calendar_key(plan, revisions))
        if self._output_is_current(rel, key):
            self._store_output(rel, key, None, report)
            return revisions
        built = self._calendar(plan, revisions)
        written = _hash(self._calendar_key(plan, built.revisions))
        self._store_output(rel, written, built.data, report)
        return built.revisions

    def _check_drafts(self, plan: Plan) -> list[Problem]:
        """What `vaultfollow check` says of each pending draft, for the dashboard."""
        problems, changed = self._checks.for_dashboard(plan)
        self._cache.dirty |= changed
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
            self._own.assume(rel, self._cache.outputs[rel].digest)
            return
        if self.vault.read_bytes(rel) != data:
            if not report.dry_run and not self._write_output_file(rel, data, report):
                return
            report.outputs.append(rel)
        if not report.dry_run:
            self._own.wrote(rel, data)
            new_stat = self.vault.written.get(rel) or self._stat(rel)
            if new_stat is not None:
                self._cache.outputs[rel] = CachedOutput(key, sha(data), new_stat)
                self._cache.dirty = True

    def _write_output_file(self, rel: str, data: bytes, report: PassReport) -> bool:
        """Write the calendar or the dashboard where no file is, or over one
        vaultfollow wrote: what it last wrote there, or (the caches gone) a
        file that says it is vaultfollow's (`_OUTPUT_MARKS`). A file of the
        user's there is left alone and said, with what to do."""
        previous = self._cache.outputs.get(rel)
        digests = {self._own.digest(rel), previous.digest if previous else None} - {None}
        mark = _OUTPUT_MARKS[".ics" if rel.endswith(".ics") else ".md"]

        def replaces(current: bytes | None) -> bool:
            return current is None or sha(current) in digests or mark in current[:4096]

        done = self.vault.write_many(
            [(rel, data, replaces)], self._owned, folders=self._written_folders
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
        self.say_failures(done.failed, report)
        return bool(done.written)

    def say_failures(
        self, failed: Iterable[WriteError | OutsideVaultError], report: PassReport
    ) -> None:
        """Files that could not be written: each is a problem (the pass goes
        on), but those a full disk or a read-only file system failed, which
        fails every file alike, are said once at the end of the pass (see
        `say_unwritable`)."""
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
            self.vault.save_memory(rel, memory, self._owned)  # no-op when unchanged
        except NotOursError:
            report.problems.append(
                Problem(
                    rel,
                    "is not vaultfollow's state file, so it is left alone and vaultfollow "
                    "cannot remember which drafts you deleted; rename or move it",
                )
            )
        except (WriteError, OutsideVaultError) as exc:
            self.say_failures([exc], report)

    def _output_is_current(self, rel: str, key: str) -> bool:
        """The output at `rel` shows what `key` hashes and is as this engine left it."""
        previous = self._cache.outputs.get(rel)
        return previous is not None and previous.key == key and previous.stat == self._stat(rel)

    def _calendar(self, plan: Plan, revisions: Mapping[str, Revision]) -> BuiltCalendar:
        from vaultfollow.core.ics import build_calendar

        return build_calendar(plan, self.settings, self.vault.name, revisions)

    def _dashboard(self, plan: Plan, draft_problems: list[Problem]) -> bytes:
        from vaultfollow.core.dashboard import render_dashboard

        return render_dashboard(plan, self.settings, draft_problems).encode("utf-8")


@dataclass(frozen=True, slots=True)
class _When:
    """The day a draft is rendered on, and the day the round's first check-in
    was sent (second check-ins mention it)."""

    sent: date | None
    today: date

    def words(self, followup: FollowUp) -> int:
        """What of `today` the draft's words depend on (`days_on`)."""
        return days_on(followup, self.today)


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
    return lambda current: current is not None and sha(current) == digest


# What the calendar and the dashboard vaultfollow writes say in their first
# lines: a file there that says it is one of vaultfollow's (when no cache
# remembers what was written).
_OUTPUT_MARKS = {".ics": b"PRODID:-//vaultfollow//", ".md": b"\nvaultfollow: dashboard\n"}


# Errors that fail every write to the file system alike, not one path.
_WHOLE_DISK = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def say_unwritable(report: PassReport) -> None:
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


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _problem_order(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line or 0, problem.message)
