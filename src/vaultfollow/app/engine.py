"""Passes: vault -> core -> vault.

`Engine` keeps what it read between passes, keyed by each file's size and
modification time, so that the watcher can hand it only the paths that
changed: a pass then reads those files (`Index`), plans from memory (cheap),
renders only follow-ups whose inputs changed and writes only files whose
bytes differ (`Outputs`). `sync` is one full pass over the same machinery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from vaultfollow.app.index import Index, is_utf8
from vaultfollow.app.outputs import Outputs, PassReport, say_unwritable
from vaultfollow.app.own_writes import OwnWrites
from vaultfollow.core.config import Settings, parse_config_text
from vaultfollow.core.layout import CONFIG_NAME, STATE_DIR
from vaultfollow.core.mailbox import apply_mail_state
from vaultfollow.core.model import DraftRecord, InterviewNote, Plan, Problem
from vaultfollow.core.schedule import Memory, next_change, plan_followups
from vaultfollow.errors import ConfigError
from vaultfollow.store.cache import dump_cache, fingerprint, load_cache
from vaultfollow.store.machine import system_timezone
from vaultfollow.store.mailstate import load_mail_state
from vaultfollow.store.paths import CACHE_FILE
from vaultfollow.store.vault import OutsideVaultError, Vault, WriteError

log = logging.getLogger(__name__)


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
        self._own = OwnWrites(self.vault)
        self._index = Index(self.vault, settings, self._cache, self._own)
        self._outputs = Outputs(
            self.vault, settings, self._cache, self._own, self._index, self.owned
        )

    @property
    def cache_dirty(self) -> bool:
        """What was read changed since the cache was last saved."""
        return self._cache.dirty

    def save_cache(self) -> None:
        """Keep what was read for the next run (a no-op when nothing changed)."""
        if self._cache.dirty:
            data = dump_cache(self._cache, self._settings_key)
            self.vault.write(CACHE_FILE, data, self.owned)
            self._cache.dirty = False

    def accept_empty(self, rel: str) -> None:
        """The note really is empty now (not a save in progress): read it so."""
        self._index.accept_empty(rel)

    def is_own_write(self, rel: str) -> bool:
        """The file holds exactly what this engine last wrote there."""
        return self._own.holds(rel)

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
                self._outputs.say_failures([exc], report)  # one more file not written
                say_unwritable(report)
        return report

    def read_all(
        self, report: PassReport | None = None, should_stop: Callable[[], bool] = lambda: False
    ) -> None:
        """Bring the cache up to date with every note and draft of the vault."""
        self._index.read_all([] if report is None else report.retry, should_stop)

    def changed_pass(self, paths: Iterable[str], now: datetime) -> PassReport:
        """Re-read only `paths` (created, changed or deleted), then write outputs."""
        report = PassReport(plan=_empty_plan(now))
        index = self._index
        if not index.scanned:
            return self.full_pass(now)
        for rel in sorted(set(paths)):
            if rel == CONFIG_NAME or rel.startswith(".obsidian/"):
                return self._reload(now)
            if not is_utf8(rel):
                index.refresh_bad_name(rel)
                continue
            if index.is_template_path(rel):
                self._outputs.forget_templates()
            elif index.is_draft_path(rel):
                index.refresh_draft(rel)
            elif rel in (self.settings.calendar.path, self.settings.dashboard_path):
                self._outputs.output_changed(rel)
            elif index.is_note_path(rel):
                index.refresh_note(rel, report.retry)
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

    def notes_and_problems(self) -> tuple[list[InterviewNote], list[Problem]]:
        """The notes as planned (their linked facts filled in) and the
        problems found reading them, from what was read."""
        notes, _, problems = self._index.plan_inputs()
        return notes, problems

    def plan(self, now: datetime, *, recreate: bool = False) -> tuple[Plan, Memory]:
        """Plan from what was read; returns the plan and the memory to keep."""
        notes, drafts, problems = self._index.plan_inputs()
        notes, drafts = self._with_mailbox(notes, drafts)
        memory = self.vault.load_memory(self.settings.decisions_path)
        planned = plan_followups(
            notes,
            drafts,
            memory,
            self.settings,
            now,
            problems=problems,
            recreate=recreate,
        )
        first_seen = {**memory.first_seen, **planned.observed}
        return planned.plan, Memory(first_seen, dict(memory.created), dict(memory.revisions))

    def _with_mailbox(
        self, notes: list[InterviewNote], drafts: list[DraftRecord]
    ) -> tuple[list[InterviewNote], list[DraftRecord]]:
        """What the mailbox showed (`vaultfollow mail`, see app/mailcheck.py)
        counts as if the user had marked it; what the notes say wins."""
        state = load_mail_state(self.vault)
        if not (state.sent or state.replied):
            return notes, drafts
        return apply_mail_state(notes, drafts, state)

    def _plan_and_write(self, now: datetime, report: PassReport, *, recreate: bool) -> PassReport:
        self.vault.written.clear()
        plan, memory = self.plan(now, recreate=recreate)
        return self._outputs.write(plan, memory, report)

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


def _empty_plan(now: datetime) -> Plan:
    return Plan(followups=(), notes=(), problems=(), now=now)


def open_engine(root: Path) -> Engine:
    vault = Vault(root)
    return Engine(vault, load_settings(vault))


def sync(root: Path, now: datetime, *, dry_run: bool = False, recreate: bool = False) -> PassReport:
    """One full pass over the vault at `root`."""
    return open_engine(root).full_pass(now, dry_run=dry_run, recreate=recreate)
