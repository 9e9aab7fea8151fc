"""One mailbox check: what the header fields read (`vaultfollow.mail`) say
about the vault's follow-ups, kept in `.vaultfollow/mail.json`, and the
drafts vaultfollow wrote marked sent. Then the outputs are brought up to
date as if the user had marked them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from vaultfollow.app.engine import Engine
from vaultfollow.app.outputs import PassReport
from vaultfollow.core.mailbox import (
    Header,
    Matches,
    ReplyMatch,
    SentMatch,
    draft_subject,
    mark_draft_sent,
    match_mailbox,
)
from vaultfollow.core.model import State
from vaultfollow.store.mailstate import load_mail_state, save_mail_state
from vaultfollow.store.vault import NotOursError, OutsideVaultError, WriteError

log = logging.getLogger(__name__)


@dataclass(slots=True)
class MailReport:
    """What one check matched and did."""

    matches: Matches
    dry_run: bool
    marked: list[str] = field(default_factory=list)  # drafts rewritten `status: sent`
    kept: list[str] = field(default_factory=list)  # edited drafts: the state says it
    failed: list[str] = field(default_factory=list)
    sync: PassReport | None = None

    def lines(self) -> list[str]:
        """One line per match, for the terminal."""
        found = [_sent_line(m, self) for m in self.matches.sent]
        found += [_reply_line(m, self.dry_run) for m in self.matches.replied]
        return found or ["Nothing new in the mailbox about your follow-ups."]


def _sent_line(match: SentMatch, report: MailReport) -> str:
    path = match.followup.draft_path
    how = "would mark" if report.dry_run else "marked"
    if path in report.kept:
        how = "seen sent (your edited draft left as it is)"
    elif path in report.failed:
        how = "seen sent (the draft could not be marked)"
    return f"sent {match.seen.day.isoformat()} to {match.seen.address}: {path} ({how})"


def _reply_line(match: ReplyMatch, dry_run: bool) -> str:
    then = "check-ins would be cancelled" if dry_run else "pending check-ins cancelled"
    return f"reply {match.seen.day.isoformat()} from {match.seen.address}: {match.company} ({then})"


def check_mail(
    engine: Engine,
    headers: Sequence[Header],
    now: datetime,
    *,
    dry_run: bool = False,
    run_pass: bool = True,
) -> MailReport:
    """Match `headers` against the vault's follow-ups; unless `dry_run`,
    keep what matched, mark the unedited drafts sent and (`run_pass`) bring
    the outputs up to date. `watch --mail` passes `run_pass=False` and
    lets its watcher run the pass."""
    settings = engine.settings
    engine.read_all()
    plan, _ = engine.plan(now)
    known = load_mail_state(engine.vault)
    subjects = {}
    for followup in plan.followups:
        if followup.state is State.PENDING:
            data = engine.vault.read_bytes(followup.draft_path)
            if data is not None:
                subjects[followup.draft_path] = draft_subject(data.decode("utf-8", "replace"))
    own = [settings.you.email, settings.mail.username if "@" in settings.mail.username else ""]
    matches = match_mailbox(
        headers, plan.followups, subjects, plan.notes, own, known, settings.schedule.zone
    )
    report = MailReport(matches, dry_run)
    if dry_run or not (matches.sent or matches.replied):
        return report
    save_mail_state(engine.vault, matches.state(), engine.owned)
    for match in matches.sent:
        _mark_sent(engine, match, report)
    if run_pass:
        report.sync = engine.full_pass(now)
    return report


def _mark_sent(engine: Engine, match: SentMatch, report: MailReport) -> None:
    """Rewrite the draft with `status: sent` and `sent:` when it is still
    exactly what vaultfollow wrote; else leave it (the state says it)."""
    path = match.followup.draft_path
    original = engine.vault.read_bytes(path)
    marked = None
    if original is not None:
        marked = mark_draft_sent(original.decode("utf-8", "replace"), match.seen.day)
    if marked is None:
        report.kept.append(path)
        return
    try:
        engine.vault.write(
            path,
            marked.encode("utf-8"),
            engine.owned,
            replaces=lambda current: current == original,
        )
    except (NotOursError, WriteError, OutsideVaultError) as exc:
        log.warning("%s: not marked sent (%s); the mailbox state keeps it", path, exc.message)
        report.failed.append(path)
        return
    report.marked.append(path)
