"""The dashboard's checks of pending drafts (`vaultfollow check`'s rules,
`core.lint`), kept from pass to pass in the cache.

A draft is checked again only when its bytes, its follow-up or the user's
word list changed: the check's key is made of those (and of the check-in's
number, which `check` counts).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from vaultfollow.core.layout import WORDS_FILE
from vaultfollow.core.lint import parse_word_list
from vaultfollow.core.model import FollowUp, Kind, Plan, Problem, State, days_on
from vaultfollow.store.paths import StatKey

if TYPE_CHECKING:
    from vaultfollow.core.config import Settings
    from vaultfollow.store.cache import Cache
    from vaultfollow.store.vault import Vault


class DraftChecks:
    """The checks of one engine's drafts, with its vault, settings and cache.
    `repr_of` is the outputs' memo of `repr(followup)`, which keys a check."""

    def __init__(
        self, vault: Vault, settings: Settings, cache: Cache, repr_of: Callable[[FollowUp], str]
    ) -> None:
        self._vault = vault
        self._settings = settings
        self._cache = cache
        self._repr_of = repr_of
        self._words: tuple[StatKey | None, frozenset[str]] | None = None

    def _words_for(self, stat: StatKey | None) -> frozenset[str]:
        """The user's word list, read again only when its stat changed."""
        if self._words is None or self._words[0] != stat:
            self._words = (stat, read_word_list(self._vault))
        return self._words[1]

    def _key(
        self,
        digest: str,
        followup: FollowUp,
        words_stat: StatKey | None,
        number: int,
        panel: list[tuple[str, str]],
        today: date,
    ) -> str:
        """What a check of the draft whose bytes have sha256 `digest` depends
        on, the other thank-yous of its round (path, digest) among them, and
        of the day, how old the interview is (a "yesterday" goes stale)."""
        days = days_on(followup, today)
        text = f"{digest}|{self._repr_of(followup)}|{words_stat}|{number}|{panel}|{days}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def _check(
        self,
        followup: FollowUp,
        data: bytes,
        words: frozenset[str],
        number: int,
        panel: list[tuple[str, str]],
        today: date,
    ) -> list[Problem]:
        """What `check` says of the draft of `followup` holding `data`, the
        other thank-yous of the round at the paths of `panel` read to compare."""
        from vaultfollow.core.lint import as_problems, lint_draft

        others = []
        for path, _ in panel:
            other = self._vault.read_bytes(path)
            if other is not None:
                others.append((path, other.decode("utf-8", "replace")))
        return as_problems(
            lint_draft(
                followup.draft_path,
                data.decode("utf-8", "replace"),
                self._settings,
                followup,
                words=words,
                check_in_number=number,
                panel=others,
                today=today,
            )
        )

    def _panel(self, round_of: list[FollowUp], followup: FollowUp) -> list[tuple[str, str]]:
        """The other thank-yous of `followup`'s round (path, digest), of the
        follow-ups `round_of`, that the panel may compare it with: drafts not
        skipped."""
        from vaultfollow.core.lint import is_panel_pair

        found: list[tuple[str, str]] = []
        for other in round_of:
            if other.draft_path == followup.draft_path or not is_panel_pair(followup, other):
                continue
            draft = self._cache.drafts.get(other.draft_path)
            if draft is None or draft.record is None or draft.record.status == "skipped":
                continue
            found.append((other.draft_path, draft.digest))
        return sorted(found)

    def for_dashboard(self, plan: Plan) -> tuple[list[Problem], bool]:
        """What `check` says of each pending draft, and whether the cache of
        checks changed. A draft is read and checked only when the cache does
        not hold its key."""
        counts = check_in_counts(plan)
        thank_yous: defaultdict[tuple[str, datetime], list[FollowUp]] = defaultdict(list)
        for followup in plan.followups:
            if followup.kind is Kind.THANK_YOU:
                thank_yous[(followup.application, followup.round_start)].append(followup)
        words_stat = self._vault.stat(WORDS_FILE)
        today = plan.now.astimezone(self._settings.schedule.zone).date()
        found: list[Problem] = []
        changed = False
        for followup in plan.followups:
            draft = self._cache.drafts.get(followup.draft_path)
            if followup.state is not State.PENDING or draft is None or draft.record is None:
                continue
            if draft.record.status != "draft":
                continue
            number = check_in_number(counts, followup)
            round_of = thank_yous.get((followup.application, followup.round_start), [])
            panel = self._panel(round_of, followup)
            key = self._key(draft.digest, followup, words_stat, number, panel, today)
            cached = self._cache.lint.get(followup.draft_path)
            if cached is None or cached[0] != key:
                data = self._vault.read_bytes(followup.draft_path)
                if data is None:
                    continue
                words = self._words_for(words_stat)
                problems = self._check(followup, data, words, number, panel, today)
                cached = (key, problems)
                self._cache.lint[followup.draft_path] = cached
                changed = True
            found += cached[1]
        return found, changed


def check_in_counts(plan: Plan) -> Counter[tuple[str, datetime]]:
    """The check-ins of each interview round, pending or sent."""
    return Counter(
        (f.application, f.round_start)
        for f in plan.followups
        if f.kind in (Kind.CHECK_IN, Kind.SECOND_CHECK_IN)
        and f.state in (State.PENDING, State.SENT)
    )


def check_in_number(counts: Counter[tuple[str, datetime]], followup: FollowUp) -> int:
    """How many check-ins of its round a check-in is counting itself (0 for other kinds)."""
    if followup.kind not in (Kind.CHECK_IN, Kind.SECOND_CHECK_IN):
        return 0
    return counts[(followup.application, followup.round_start)]


def read_word_list(vault: Vault) -> frozenset[str]:
    """The user's `vaultfollow-words.txt` at the vault root (empty when none)."""
    read = vault.read(WORDS_FILE)
    return parse_word_list(read.text) if read.text else frozenset()
