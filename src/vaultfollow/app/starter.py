"""`vaultfollow init` and `demo`: a new folder gets the starter vault; a
vault that already has notes gets only a `vaultfollow.toml`, with the
`[notes]` settings its notes show (`app.adopt`).

Nothing that exists is ever overwritten. Dates in the example notes are
written relative to today (`@@today-3@@`), the detected time zone goes
into the config (`@@timezone@@`), so the demo always shows live follow-ups,
and so does the name that signs the drafts (`@@you.name@@`, `@@you.email@@`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from vaultfollow.app.adopt import Adoption, infer_settings, toml_string
from vaultfollow.core.config import DraftsSettings
from vaultfollow.core.layout import CONFIG_NAME
from vaultfollow.errors import UsageError
from vaultfollow.store.paths import walk
from vaultfollow.store.vault import Vault

_TOKEN = re.compile(r"@@(today(?:[+-]\d+)?|timezone|you\.name|you\.email)@@")


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signs the drafts: `[you]` name and email ("" when not known)."""

    name: str = ""
    email: str = ""


# The demo vault's own person: its drafts are signed, as a real user's are.
DEMO_SIGNER = Signer("Alex Example", "alex@example.com")


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


def fill_tokens(text: str, today: date, timezone: str, signer: Signer = DEMO_SIGNER) -> str:
    """The starter vault's tokens filled in (`@@you.name@@` stands inside a
    TOML string, so it is filled escaped)."""

    def value(match: re.Match[str]) -> str:
        token = match.group(1)
        if token == "timezone":
            return timezone
        if token.startswith("you."):
            return toml_string(getattr(signer, token[4:]))[1:-1]
        offset = int(token[5:] or 0)
        return (today + timedelta(days=offset)).isoformat()

    return _TOKEN.sub(value, text)


@dataclass(slots=True)
class InitReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already there: left untouched


def _check_folder(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: exists and is not a folder; choose another path")


def has_notes(target: Path) -> bool:
    """Whether `target` already holds a note: any `.md` file outside hidden
    folders. Such a folder is adopted (`adopt_vault`), not filled with the
    starter vault's examples."""
    if not target.is_dir():
        return False
    return next(walk(str(target), "", set(), lambda folder, exc: None), None) is not None


def init_vault(
    target: Path, today: date, timezone: str, signer: Signer = DEMO_SIGNER
) -> InitReport:
    """Copy the starter vault, example notes and all, into `target`, never
    overwriting a file. `signer` signs its drafts: the demo's example person
    unless given (`vaultfollow init` gives the user's, or nobody)."""
    _check_folder(target)
    target.mkdir(parents=True, exist_ok=True)
    report = InitReport()
    _copy(template_root(), target, "", (today, timezone, signer), report)
    report.created.sort()
    report.kept.sort()
    return report


_Fill = tuple[date, str, Signer]


def _copy(source: Traversable, target: Path, rel: str, fill: _Fill, report: InitReport) -> None:
    for entry in sorted(source.iterdir(), key=lambda e: e.name):
        if entry.name in ("__pycache__",) or entry.name.endswith(".pyc"):
            continue
        name = fill_tokens(entry.name, *fill)
        child_rel = f"{rel}/{name}" if rel else name
        destination = target / name
        if entry.is_dir():
            destination.mkdir(exist_ok=True)
            _copy(entry, destination, child_rel, fill, report)
            continue
        data = entry.read_bytes()
        if entry.name.endswith((".md", ".toml", ".json")):
            data = fill_tokens(data.decode("utf-8"), *fill).encode("utf-8")
        if _create(destination, data):
            report.created.append(child_rel)
        else:
            report.kept.append(child_rel)


def _create(path: Path, data: bytes) -> bool:
    """Write a new file; False (and nothing written) when one is there."""
    try:
        with path.open("xb") as handle:  # "x": never overwrite
            handle.write(data)
    except FileExistsError:
        return False
    return True


# --- an existing vault ----------------------------------------------------------

# Where the starter config lists the example notes' folder: an adopted
# vault gets the folders its own notes show there instead.
_FOLDERS_LINE = 'folders = ["Interviews"]\n'
_AFTER_NOTES = "\n[drafts]\n"

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class AdoptReport:
    adoption: Adoption
    written: bool  # False: a vaultfollow.toml was there and is left alone
    notes_settings: str  # the [notes] settings found, as TOML to copy into a config


def read_notes(vault: Vault, skip: list[str], progress: Progress) -> list[tuple[str, str]]:
    """Every note of the vault outside `skip`, as (path, text); `progress`
    is told (done, total) after each note. Unreadable notes are left out."""
    paths = sorted(vault.scan(skip, (), ()))
    notes = []
    for done, rel in enumerate(paths, start=1):
        text = vault.read(rel).text
        if text is not None:
            notes.append((rel, text))
        progress(done, len(paths))
    return notes


def adopt_vault(
    target: Path, today: date, timezone: str, signer: Signer, progress: Progress
) -> AdoptReport:
    """Write a `vaultfollow.toml` into a vault that already has notes: the
    starter config, signed by `signer` (perhaps nobody), with the `[notes]`
    settings the notes show. Adds no example notes, changes no note, and
    leaves an existing `vaultfollow.toml` alone (the report then holds the
    settings, to copy into it)."""
    _check_folder(target)
    vault = Vault(target)
    skip = [*vault.templates_folders(), DraftsSettings().folder]
    adoption = infer_settings(read_notes(vault, skip, progress))
    notes_settings = adoption.notes_keys() + (
        "\n" + adoption.notes_tables() if adoption.notes_tables() else ""
    )
    template = (template_root() / CONFIG_NAME).read_text(encoding="utf-8")
    text = adopted_config(fill_tokens(template, today, timezone, signer), adoption)
    written = _create(target / CONFIG_NAME, text.encode("utf-8"))
    return AdoptReport(adoption, written, notes_settings)


def adopted_config(starter: str, adoption: Adoption) -> str:
    """The starter config with the `[notes]` settings of `adoption` in place
    of the example notes' folder."""
    if _FOLDERS_LINE not in starter or _AFTER_NOTES not in starter:
        raise UsageError(
            f"the starter {CONFIG_NAME} of this installation lacks its [notes] folders line; "
            "reinstall vaultfollow"
        )
    text = starter.replace(_FOLDERS_LINE, adoption.notes_keys(), 1)
    tables = adoption.notes_tables()
    if tables:
        text = text.replace(_AFTER_NOTES, f"\n{tables}{_AFTER_NOTES}", 1)
    return text
