"""`vaultfollow init`: a new or existing folder gets the starter vault.

Nothing that exists is ever overwritten. Dates in the example notes are
written relative to today (`@@today-3@@`), and the detected time zone goes
into the config (`@@timezone@@`), so the demo always shows live follow-ups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from vaultfollow.errors import UsageError

_TOKEN = re.compile(r"@@(today(?:[+-]\d+)?|timezone)@@")


def template_root() -> Traversable:
    """The starter vault: inside the installed package, or beside the sources
    in a checkout (editable install)."""
    packaged = resources.files("vaultfollow") / "vault_template"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "vault-template"
    if checkout.is_dir():
        return checkout
    raise UsageError("the starter vault is missing from this installation; reinstall vaultfollow")


def fill_tokens(text: str, today: date, timezone: str) -> str:
    def value(match: re.Match[str]) -> str:
        token = match.group(1)
        if token == "timezone":
            return timezone
        offset = int(token[5:] or 0)
        return (today + timedelta(days=offset)).isoformat()

    return _TOKEN.sub(value, text)


@dataclass(slots=True)
class InitReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already there: left untouched


def init_vault(target: Path, today: date, timezone: str) -> InitReport:
    """Copy the starter vault into `target`, never overwriting a file."""
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: exists and is not a folder; choose another path")
    target.mkdir(parents=True, exist_ok=True)
    report = InitReport()
    _copy(template_root(), target, "", today, timezone, report)
    report.created.sort()
    report.kept.sort()
    return report


def _copy(
    source: Traversable, target: Path, rel: str, today: date, timezone: str, report: InitReport
) -> None:
    for entry in sorted(source.iterdir(), key=lambda e: e.name):
        if entry.name in ("__pycache__",) or entry.name.endswith(".pyc"):
            continue
        name = fill_tokens(entry.name, today, timezone)
        child_rel = f"{rel}/{name}" if rel else name
        destination = target / name
        if entry.is_dir():
            destination.mkdir(exist_ok=True)
            _copy(entry, destination, child_rel, today, timezone, report)
            continue
        data = entry.read_bytes()
        if entry.name.endswith((".md", ".toml", ".json")):
            data = fill_tokens(data.decode("utf-8"), today, timezone).encode("utf-8")
        try:
            with destination.open("xb") as handle:  # "x": never overwrite
                handle.write(data)
        except FileExistsError:
            report.kept.append(child_rel)
            continue
        report.created.append(child_rel)
