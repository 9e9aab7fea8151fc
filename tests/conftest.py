"""Shared fixtures: a hermetic environment and a vault factory."""

from __future__ import annotations

import os
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings as hypothesis_settings

from vaultfollow.core.config import Settings, parse_config_text
from vaultfollow.core.model import FollowUp, InterviewNote, Kind, Person, State

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def hermetic(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """HOME and XDG folders in a temporary place; no inherited vault."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.delenv("VAULTFOLLOW_VAULT", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


VaultFactory = Callable[..., Path]


@pytest.fixture
def make_vault(tmp_path: Path) -> VaultFactory:
    """Create a vault from {relative path: text}; text is dedented."""

    def make(
        files: dict[str, str],
        config: str | None = '[schedule]\ntimezone = "Europe/Berlin"\n',
        name: str = "vault",
    ) -> Path:
        root = tmp_path / name
        root.mkdir(exist_ok=True)
        if config is not None:
            (root / "vaultfollow.toml").write_text(config, encoding="utf-8")
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return make


def berlin_settings(extra: str = "") -> Settings:
    return parse_config_text('[schedule]\ntimezone = "Europe/Berlin"\n' + extra, default_zone="UTC")


def at(text: str, zone: ZoneInfo = BERLIN) -> datetime:
    """An aware datetime from `2026-11-12 15:30` in `zone`."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


# CI runs the property tests with a fixed seed, so a run is reproducible; by
# hand they explore new examples every time (HYPOTHESIS_PROFILE=dev).
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail a test that leaves a thread running (a watcher or observer not stopped)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    leaked: list[threading.Thread] = []
    while time.monotonic() < deadline:
        leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not leaked:
            return
        time.sleep(0.02)
    pytest.fail(f"test leaked threads: {[t.name for t in leaked]}")


def wait_for(condition: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    """Poll `condition` until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"timed out after {timeout}s waiting for {what or condition}")


def make_followup(
    src: InterviewNote,
    kind: Kind,
    to: str,
    do: datetime,
    *,
    event_id: str,
    deadline: datetime | None = None,
    state: State = State.PENDING,
    channel: str = "email",
    sent: date | None = None,
    reason: str | None = None,
) -> FollowUp:
    """A follow-up of the note's first round, as the planner would make it
    (24 hours to thank, else due on its do-time), for the renderers' tests."""
    start = src.rounds[0].start
    return FollowUp(
        id=f"{kind.value}-{start:%Y%m%d}-{to}",
        event_id=event_id,
        kind=kind,
        state=state,
        application=src.application_key,
        company=src.company,
        role=src.role,
        round_start=start,
        round_label=None,
        recipient=Person(to),
        channel=channel,
        tone="formal",
        do=do,
        deadline=deadline or (start + timedelta(hours=24) if kind is Kind.THANK_YOU else do),
        source=src.path,
        draft_path=f"Follow-ups/{src.company}/{start:%Y-%m-%d} {kind.value} - {to}.md",
        note=src,
        sent=sent,
        reason=reason,
    )
