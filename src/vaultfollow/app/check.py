"""`vaultfollow check`: the rules of `core.lint` over a vault's pending
drafts, or over one draft file."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from pathlib import Path

from vaultfollow.app.draft_checks import read_word_list
from vaultfollow.app.engine import Engine, open_engine
from vaultfollow.core.config import Settings
from vaultfollow.core.dashboard import missing_signer
from vaultfollow.core.draftfile import read_draft
from vaultfollow.core.layout import CONFIG_NAME
from vaultfollow.core.lint import DraftFile, Finding, draft_file, lint_draft, lint_drafts
from vaultfollow.core.model import Plan
from vaultfollow.errors import UsageError


def read_drafts(engine: Engine) -> list[DraftFile]:
    """Every vaultfollow draft in the vault's drafts folder."""
    settings = engine.settings
    found: list[DraftFile] = []
    for rel in engine.vault.scan_folder(settings.drafts.folder):
        if rel == settings.dashboard_path or not rel.lower().endswith(".md"):
            continue
        data = engine.vault.read_bytes(rel)
        if data is None:
            continue
        draft = draft_file(rel, data.decode("utf-8", "replace"))
        if draft is not None:
            found.append(draft)
    return found


def lint_vault_drafts(
    engine: Engine,
    now: datetime,
    *,
    plan: Plan | None = None,
    only: Collection[str] | None = None,
) -> list[Finding]:
    """The findings for every pending draft of the engine's vault (or the
    drafts in `only`). Pass `plan` when a pass has just made one; otherwise
    the vault is read and planned at `now`."""
    if plan is None:
        engine.read_all()
        plan, _ = engine.plan(now)
    return lint_drafts(
        read_drafts(engine), plan, engine.settings, words=read_word_list(engine.vault), only=only
    )


def signer_findings(engine: Engine) -> list[Finding]:
    """The question "who signs the drafts?" while `[you]` name or email is
    empty: a finding of `check` (so it exits 1) at the line of vaultfollow.toml to
    change, with the lines to write. Not a problem of `sync`, whose exit
    code is about notes and files."""
    you = engine.settings.you
    lines = missing_signer(you.name, you.email)
    if not lines:
        return []
    data = engine.vault.read_bytes(CONFIG_NAME)
    text = data.decode("utf-8", "replace") if data is not None else None
    line, where = _you_line(text, {line.split(" =")[0] for line in lines})
    empty = " and ".join(f"`{line.split(' =')[0]}`" for line in lines)
    verb = "is" if len(lines) == 1 else "are"
    message = (
        f"who signs the drafts? [you] {empty} {verb} empty, so the drafts are not signed; "
        f"write {' and '.join(lines)} {where}"
    )
    return [Finding(CONFIG_NAME, line, "who-signs", message)]


def _you_line(text: str | None, keys: set[str]) -> tuple[int, str]:
    """The line of vaultfollow.toml to change (the first empty key of
    `keys` under [you], else the [you] header) and where to write."""
    if text is None:
        return 0, f"under [you] in a new {CONFIG_NAME} at the vault's root"
    header = 0
    section = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("["):
            section = line.split("#")[0].strip()
            if section == "[you]":
                header = number
            continue
        key = line.split("=")[0].strip()
        if section == "[you]" and key in keys:
            return number, "there"
    if header:
        return header, "under [you]"
    return 1, "in a [you] section"


def find_vault_root(path: Path) -> Path | None:
    """The nearest folder above `path` that holds a vaultfollow.toml or an
    Obsidian `.obsidian` folder."""
    for folder in path.resolve().parents:
        if (folder / CONFIG_NAME).is_file() or (folder / ".obsidian").is_dir():
            return folder
    return None


def check_target(
    target: Path, *, vault: Path | None, now: Callable[[str], datetime]
) -> list[Finding]:
    """`vaultfollow check TARGET`: a vault folder (every pending draft) or one
    draft file (that draft, whatever its status). `vault` is the vault to
    assume for a draft outside any recognisable vault; `now(timezone)` gives
    the time to plan at. Raises UsageError for a file that is not a draft."""
    if target.is_dir():
        engine = open_engine(target)
        findings = lint_vault_drafts(engine, now(engine.settings.schedule.timezone))
        return signer_findings(engine) + findings
    try:
        text = target.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        raise UsageError(f"{target}: cannot be read ({exc.strerror})") from None
    record, _ = read_draft(str(target), text)
    if record is None:
        raise UsageError(
            f"{target}: not a vaultfollow draft (no `followup` property); give a draft "
            "or a vault folder"
        )
    root = find_vault_root(target)
    if root is None and vault is not None and _is_inside(target, vault):
        root = vault
    if root is None:
        alone = Settings()
        today = now(alone.schedule.timezone).astimezone(alone.schedule.zone).date()
        return lint_draft(str(target), text, alone, today=today)
    engine = open_engine(root)
    rel = target.resolve().relative_to(root.resolve()).as_posix()
    return lint_vault_drafts(engine, now(engine.settings.schedule.timezone), only={rel})


def _is_inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())
