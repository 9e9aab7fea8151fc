"""`vaultfollow init`: set up a vault, the starter one in an empty folder or
only the config in one that has notes, and ask who signs the drafts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaultfollow.cli_options import handle_errors, logger

if TYPE_CHECKING:
    from vaultfollow.app.starter import Signer


@click.command()
@click.argument("vault", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--timezone", help="IANA time zone to write into the config (default: this machine's)."
)
@click.option(
    "--name",
    help="Your name, to sign the drafts. Default: asked on a terminal (offering "
    "`git config user.name`); otherwise left empty.",
)
@click.option(
    "--email",
    help="Your email address, under your name. Default: asked on a terminal (offering "
    "`git config user.email`); otherwise left empty.",
)
@handle_errors
def init(vault: Path, timezone: str | None, name: str | None, email: str | None) -> None:
    """Set up a vault: a new or empty folder gets the starter vault (example
    interviews dated relative to today, person notes, a note template, a
    guide); a folder that already has notes gets only vaultfollow.toml, with
    the [notes] settings its notes show, each with what it is based on.

    Nothing that exists is overwritten, no note is changed. On a terminal it
    asks for your name and email, which sign the drafts.
    """
    from datetime import datetime

    from vaultfollow.app.starter import Signer, has_notes, init_vault
    from vaultfollow.core.layout import CONFIG_NAME
    from vaultfollow.store.machine import system_timezone

    zone = _check_zone(timezone) if timezone else system_timezone()
    today = datetime.now().date()
    config_there = (vault / CONFIG_NAME).is_file()
    signer = Signer() if config_there else _ask_signer(vault, name, email)
    if has_notes(vault):
        written = _adopt(vault, zone, signer)
    else:
        report = init_vault(vault, today, zone, signer)
        for rel in report.created:
            logger().debug("created  %s", rel)
        for rel in report.kept:
            logger().info("kept     %s (already there)", rel)
        click.echo(
            f"{vault}: {len(report.created)} files created, {len(report.kept)} already there "
            f"and left alone; time zone {zone}."
        )
        written = not config_there
    if written:
        _say_who_signs(vault / CONFIG_NAME, signer)
    click.echo(f"Next: vaultfollow sync {_quote(vault)}")


# Big vaults: `init` says how far it has read, every this many notes.
_PROGRESS_EVERY = 1000


def _adopt(vault: Path, zone: str, signer: Signer) -> bool:
    """`init` on a vault with notes: read them, write the config, say what
    was found. True when the config was written."""
    from datetime import datetime

    from vaultfollow.app.starter import adopt_vault
    from vaultfollow.core.layout import CONFIG_NAME

    def progress(done: int, total: int) -> None:
        if total >= _PROGRESS_EVERY and (done % _PROGRESS_EVERY == 0 or done == total):
            click.echo(f"Reading notes: {done} of {total}", err=True)

    click.echo(f"{vault}: a vault with notes; init adds no example notes and changes no note.")
    report = adopt_vault(vault, datetime.now().date(), zone, signer, progress)
    for line in report.adoption.summary():
        click.echo(line)
    if report.written:
        click.echo(
            f"Wrote {vault / CONFIG_NAME}: every setting, commented, with the [notes] settings "
            f"found and what each is based on; time zone {zone}."
        )
    elif report.adoption.found_any:
        click.echo(
            f"{CONFIG_NAME} is already there and was left alone; the [notes] settings found, "
            "to copy into it:"
        )
        click.echo("")
        click.echo(report.notes_settings.rstrip("\n"))
        click.echo("")
    else:
        click.echo(f"{CONFIG_NAME} is already there and was left alone.")
    return report.written


def _ask_signer(vault: Path, name: str | None, email: str | None) -> Signer:
    """Who signs the drafts: the options, else asked on a terminal (git's
    name and email offered), else nobody ("")."""
    from vaultfollow.app.starter import Signer

    asking = sys.stdin.isatty()
    if name is None:
        name = _ask("Your name, to sign the drafts", _git_config(vault, "user.name"), asking)
    if email is None:
        email = _ask("Your email, under your name", _git_config(vault, "user.email"), asking)
    return Signer(name.strip(), email.strip())


def _ask(question: str, default: str, asking: bool) -> str:
    if not asking:
        return ""
    return str(click.prompt(question, default=default, show_default=bool(default)))


def _git_config(vault: Path, key: str) -> str:
    """`git config KEY` as seen from the vault ("" when unset or git is
    missing or slow)."""
    import subprocess

    folder = vault if vault.is_dir() else None
    try:
        done = subprocess.run(
            ["git", "config", "--get", key],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _say_who_signs(config: Path, signer: Signer) -> None:
    from vaultfollow.core.dashboard import missing_signer

    lines = missing_signer(signer.name, signer.email)
    if lines:
        click.echo(
            f"Who signs the drafts? Under [you] in {config}, write {' and '.join(lines)} "
            "(`vaultfollow check` and the dashboard ask until you do)."
        )


def _check_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from vaultfollow.errors import UsageError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--timezone {name!r} is not an IANA zone; write e.g. Europe/Berlin"
        ) from None
    return name


def _quote(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))
