"""What every command of the CLI shares: the VAULT argument and `--now`
(and how they are read), the decorator that turns an error of the core
into a message and its exit code, and the few words to stdout and stderr
they all need.

`cli.py`, `cli_init.py` and `cli_delivery.py` import from here and never
from each other's commands, so the group can register them all without a
circle. Like them it imports only click at the top: `vaultfollow --help`
stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

if TYPE_CHECKING:
    import logging
    from datetime import datetime

    from vaultfollow.errors import VaultfollowError

F = TypeVar("F", bound=Callable[..., Any])

NOW_HELP = "Pretend it is this time (ISO, e.g. 2026-11-12T09:00); for planning ahead and tests."


def logger() -> logging.Logger:
    """The `vaultfollow` logger, whose handlers `cli.configure_logging` sets."""
    import logging

    return logging.getLogger("vaultfollow")


def say(text: str, stream: TextIO) -> None:
    stream.write(text + "\n")
    stream.flush()


def printable(text: str) -> str:
    from vaultfollow.core.layout import printable as escaped

    return escaped(text)


def say_error(exc: VaultfollowError) -> int:
    """An error of the core as the user sees it; returns its exit code."""
    for line in exc.message.splitlines():
        say(f"vaultfollow: {printable(line)}", sys.stderr)
    return exc.exit_code


def handle_errors(func: F) -> F:
    """Map core errors to a message on stderr and their exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from vaultfollow.errors import VaultfollowError

        try:
            return func(*args, **kwargs)
        except VaultfollowError as exc:
            sys.exit(say_error(exc))

    return wrapper  # type: ignore[return-value]


def parse_now(value: str | None, timezone: str) -> datetime:
    """`--now` as an aware time in `timezone` (the clock's time when None)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    if value is None:
        return datetime.now(zone)
    from vaultfollow.core.properties import FIRST_YEAR, LAST_YEAR
    from vaultfollow.errors import UsageError

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--now {value!r} is not a time; write 2026-11-12 or 2026-11-12T09:00"
        ) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:  # the years notes may name
        raise UsageError(
            f"--now {value!r} is not a time vaultfollow plans with; write a time "
            f"between {FIRST_YEAR} and {LAST_YEAR}, such as 2026-11-12T09:00"
        )
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def vault_root(ctx: click.Context, vault: Path | None) -> Path:
    """The VAULT argument, else the group's `--vault`, else the current folder."""
    if vault is not None:
        return vault
    default: Path | None = ctx.obj.get("vault") if ctx.obj else None
    return default if default is not None else Path.cwd()


vault_argument = click.argument(
    "vault", required=False, type=click.Path(file_okay=False, path_type=Path)
)
now_option = click.option("--now", "now_text", metavar="ISO-TIME", help=NOW_HELP)
