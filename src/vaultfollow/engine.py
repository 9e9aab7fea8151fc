"""One pass: vault -> core -> vault.

`Engine` keeps what it parsed between passes so that the watcher can ask it
to re-read only the files that changed; `sync` is one full pass.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from vaultfollow.config import CONFIG_NAME, Settings, parse_config_text
from vaultfollow.errors import TemplateError
from vaultfollow.model import DraftRecord, InterviewNote, Kind, Person, Plan, Problem, State
from vaultfollow.notes import NoteResult, enrich_people, parse_note, parse_person_note, person_links
from vaultfollow.schedule import Memory, plan_followups
from vaultfollow.vault import STATE_DIR, Vault

log = logging.getLogger(__name__)


def load_settings(vault: Vault) -> Settings:
    """The vault's `vaultfollow.toml`, or the defaults when there is none."""
    path = vault.path(CONFIG_NAME)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return parse_config_text("")
    except (OSError, UnicodeDecodeError) as exc:
        from vaultfollow.errors import ConfigError

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
    dry_run: bool = False

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)


class Engine:
    """Reads a vault, plans its follow-ups and writes the outputs."""

    def __init__(self, vault: Vault, settings: Settings) -> None:
        self.vault = vault
        self.settings = settings
        self.owned = [settings.drafts.folder, settings.calendar.path, STATE_DIR]

    # --- reading -------------------------------------------------------------

    def note_paths(self) -> list[str]:
        skip = [self.settings.drafts.folder, *self.vault.templates_folders()]
        return self.vault.scan(skip, self.settings.notes.exclude)

    def read_notes(self, paths: Iterable[str]) -> list[NoteResult]:
        results = []
        for rel in paths:
            read = self.vault.read(rel)
            if read.text is None:
                result = NoteResult()
                if read.error and self._might_be_interview(rel):
                    result.problems.append(Problem(rel, f"{read.error}"))
                else:
                    log.debug("%s: %s", rel, read.error)
                results.append(result)
                continue
            results.append(parse_note(rel, read.text, self.settings))
        return results

    def _might_be_interview(self, rel: str) -> bool:
        from vaultfollow.notes import in_folders

        return in_folders(rel, self.settings.notes.folders) or "interview" in rel.casefold()

    def people(self, notes: Iterable[InterviewNote], paths: list[str]) -> dict[str, Person]:
        """Person notes linked from interview notes, found as Obsidian finds
        them: by path, else by file name anywhere in the vault."""
        by_path = {p[:-3].casefold(): p for p in paths}
        by_name: dict[str, str] = {}
        for rel in sorted(paths, key=lambda p: (p.count("/"), p)):
            by_name.setdefault(rel.rsplit("/", 1)[-1][:-3].casefold(), rel)
        found: dict[str, Person] = {}
        for link in sorted({link for note in notes for link in person_links(note)}):
            found_path = by_path.get(link.casefold()) or by_name.get(
                link.rsplit("/", 1)[-1].casefold()
            )
            if found_path is None:
                continue
            read = self.vault.read(found_path)
            person = parse_person_note(read.text) if read.text else None
            if person is not None:
                found[link] = person
        return found

    def read_drafts(self) -> tuple[list[DraftRecord], list[Problem]]:
        from vaultfollow.drafts import read_draft

        records: list[DraftRecord] = []
        problems: list[Problem] = []
        for rel in self.vault.scan_folder(self.settings.drafts.folder):
            if rel == self.settings.dashboard_path:
                continue
            read = self.vault.read(rel)
            if read.text is None:
                continue
            record, found = read_draft(rel, read.text)
            problems.extend(found)
            if record is not None:
                records.append(record)
        return records, problems

    def templates(self) -> dict[str, str]:
        """The vault's own templates, by file name."""
        from vaultfollow.drafts import DEFAULT_TEMPLATE_NAMES

        folder = self.settings.drafts.templates
        overrides: dict[str, str] = {}
        for name in DEFAULT_TEMPLATE_NAMES:
            read = self.vault.read(f"{folder}/{name}")
            if read.text is not None:
                overrides[name] = read.text
        return overrides

    # --- one pass ------------------------------------------------------------

    def plan(self, now: datetime, *, recreate: bool = False) -> tuple[Plan, Memory, list[Problem]]:
        """Read everything and plan; returns the plan, the memory to keep and
        the problems found in drafts."""
        paths = self.note_paths()
        results = self.read_notes(paths)
        notes = [r.note for r in results if r.note is not None]
        problems = [p for r in results for p in r.problems]
        people = self.people(notes, paths)
        notes = [enrich_people(note, people) for note in notes]
        drafts, draft_problems = self.read_drafts()
        memory = self.vault.load_memory()
        planned = plan_followups(
            notes,
            drafts,
            memory,
            self.settings,
            now,
            problems=[*problems, *draft_problems],
            recreate=recreate,
        )
        first_seen = {**memory.first_seen, **planned.observed}
        return planned.plan, Memory(first_seen, dict(memory.created)), draft_problems

    def run(self, now: datetime, *, dry_run: bool = False, recreate: bool = False) -> PassReport:
        """One full pass: plan, then bring drafts, calendar and dashboard up to date."""
        from vaultfollow.dashboard import render_dashboard
        from vaultfollow.drafts import Templates, is_edited, render_draft
        from vaultfollow.ics import render_calendar

        plan, memory, _ = self.plan(now, recreate=recreate)
        report = PassReport(plan=plan, problems=list(plan.problems), dry_run=dry_run)
        templates = Templates(self.templates(), self.settings.drafts.templates)
        created = dict(memory.created)
        check_ins_sent = {
            (f.application, f.round_start): f.sent
            for f in plan.followups
            if f.kind is Kind.CHECK_IN and f.state is State.SENT
        }
        for followup in plan.followups:
            if followup.state is not State.PENDING:
                continue
            try:
                text = render_draft(
                    followup,
                    self.settings,
                    templates,
                    sent_check_in=check_ins_sent.get((followup.application, followup.round_start)),
                )
            except TemplateError as exc:
                report.problems.append(Problem(followup.source, exc.message))
                continue
            current = self.vault.read_bytes(followup.draft_path)
            data = text.encode("utf-8")
            if current is None:
                self._write(followup.draft_path, data, dry_run)
                report.created.append(followup.draft_path)
                created[followup.id] = followup.draft_path
            elif current == data:
                report.unchanged += 1
                created.setdefault(followup.id, followup.draft_path)
            elif is_edited(current.decode("utf-8", "replace")):
                report.kept.append(followup.draft_path)
            else:
                self._write(followup.draft_path, data, dry_run)
                report.updated.append(followup.draft_path)
                created.setdefault(followup.id, followup.draft_path)
        calendar = render_calendar(plan, self.settings, self.vault.name)
        dashboard = render_dashboard(
            replace(plan, problems=tuple(sorted(set(report.problems), key=_problem_order))),
            self.settings,
        ).encode("utf-8")
        for rel, data in (
            (self.settings.calendar.path, calendar),
            (self.settings.dashboard_path, dashboard),
        ):
            if self.vault.read_bytes(rel) != data:
                self._write(rel, data, dry_run)
                report.outputs.append(rel)
        if not dry_run:
            self.vault.save_memory(Memory(memory.first_seen, created))
        report.problems.sort(key=_problem_order)
        return report

    def _write(self, rel: str, data: bytes, dry_run: bool) -> None:
        if not dry_run:
            self.vault.write(rel, data, self.owned)


def _problem_order(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line or 0, problem.message)


def sync(root: Path, now: datetime, *, dry_run: bool = False, recreate: bool = False) -> PassReport:
    """One full pass over the vault at `root`."""
    vault = Vault(root)
    engine = Engine(vault, load_settings(vault))
    return engine.run(now, dry_run=dry_run, recreate=recreate)


def today_in(settings: Settings, now: datetime) -> date:
    return now.astimezone(settings.schedule.zone).date()
