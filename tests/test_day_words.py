"""A draft's day words are right on the day it is read (issue 17 point 5):
"today" on the interview's day, "yesterday" the next, the weekday within six
days, the date beyond. Counted from the day the pass runs (or the day the
follow-up is due, when later), so an unedited draft is rewritten as the days
go by, two machines syncing one vault on one day write the same bytes, and
`check` flags an edited draft whose "yesterday" has gone stale."""

from __future__ import annotations

from pathlib import Path

from conftest import VaultFactory, at
from vaultfollow.app.check import lint_vault_drafts
from vaultfollow.app.engine import open_engine, sync

NOTE = """
---
type: interview
company: Acme
role: Platform Engineer
date: 2026-11-12T15:30
interviewers:
  - Jane Doe <jane@acme.com>
---
## Discussed
- the migration to event sourcing
"""

THANKS = "Follow-ups/Acme/2026-11-12 thank-you - Jane Doe.md"


def body(root: Path) -> str:
    return (root / THANKS).read_text(encoding="utf-8")


def test_the_thank_you_says_today_then_yesterday_then_the_weekday(
    make_vault: VaultFactory,
) -> None:
    root = make_vault({"Interviews/acme.md": NOTE})
    sync(root, at("2026-11-12 18:00"))
    assert " today" in body(root) and "yesterday" not in body(root)
    report = sync(root, at("2026-11-13 08:00"))
    assert THANKS in report.updated
    assert " yesterday" in body(root) and " today" not in body(root)
    sync(root, at("2026-11-14 08:00"))
    assert " on Thursday" in body(root) and "yesterday" not in body(root)


def test_a_pass_later_the_same_day_changes_nothing(make_vault: VaultFactory) -> None:
    root = make_vault({"Interviews/acme.md": NOTE})
    sync(root, at("2026-11-13 08:00"))
    report = sync(root, at("2026-11-13 23:00"))
    assert report.updated == [] and report.created == []


def test_two_machines_on_one_day_write_the_same_bytes(make_vault: VaultFactory) -> None:
    """One copy synced every day, one synced only today: the same draft."""
    daily = make_vault({"Interviews/acme.md": NOTE}, name="daily")
    for day in ("2026-11-12 18:00", "2026-11-13 09:00", "2026-11-14 09:00"):
        sync(daily, at(day))
    fresh = make_vault({"Interviews/acme.md": NOTE}, name="fresh")
    sync(fresh, at("2026-11-14 21:00"))
    assert (daily / THANKS).read_bytes() == (fresh / THANKS).read_bytes()


def test_an_edited_draft_keeps_its_words_and_check_says_they_went_stale(
    make_vault: VaultFactory,
) -> None:
    root = make_vault({"Interviews/acme.md": NOTE})
    sync(root, at("2026-11-12 18:00"))
    edited = body(root).replace("the migration", "your team's migration")
    (root / THANKS).write_text(edited, encoding="utf-8")
    later = at("2026-11-14 09:00")
    report = sync(root, later)
    assert THANKS in report.kept and body(root) == edited
    stale = [f for f in lint_vault_drafts(open_engine(root), later) if f.code == "stale-day"]
    assert [f.path for f in stale] == [THANKS]
    assert "says “today”" in stale[0].message and "write “on Thursday”" in stale[0].message
    # The same draft checked on the day it was written is fine.
    early = at("2026-11-12 19:00")
    assert [f for f in lint_vault_drafts(open_engine(root), early) if f.code == "stale-day"] == []
