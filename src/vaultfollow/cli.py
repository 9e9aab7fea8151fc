"""The `vaultfollow` command. Each command parses options, calls the core, prints.

Heavy modules are imported inside the commands so that `--help` stays fast.
Errors of the core are turned into messages and exit codes here and only
here: 0 ok, 1 done but with problems, 2 bad usage or config, 3 (push) the
calendar did not fully reach the CalDAV server.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

from vaultfollow import __version__

if TYPE_CHECKING:
    import logging
    from datetime import datetime

    from vaultfollow.app.engine import Engine
    from vaultfollow.app.outputs import PassReport
    from vaultfollow.app.starter import Signer
    from vaultfollow.errors import VaultfollowError

F = TypeVar("F", bound=Callable[..., Any])

NOW_HELP = "Pretend it is this time (ISO, e.g. 2026-11-12T09:00); for planning ahead and tests."

# A temporary file younger than this may be another pass's (a watcher's,
# or a second sync's), about to be renamed into place: left alone.
TEMP_FILE_AGE = 60.0

_YELLOW, _RED, _RESET = "\x1b[33m", "\x1b[31m", "\x1b[0m"


def _log() -> logging.Logger:
    import logging

    return logging.getLogger("vaultfollow")


def _say(text: str, stream: TextIO) -> None:
    stream.write(text + "\n")
    stream.flush()


def _printable(text: str) -> str:
    from vaultfollow.core.layout import printable

    return printable(text)


def use_color(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def log_formatter(fmt: str = "%(message)s", *, color: bool = False) -> logging.Formatter:
    """The formatter of every log handler vaultfollow installs (stderr and
    `--log-file`): each message on one line with its control characters
    escaped (`\n`, `\x1b`), as file names in it may hold any of them: a
    newline would forge a log line, an ESC drive the terminal. With `color`,
    warnings are yellow and errors red on a terminal stderr."""
    import logging

    class Formatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            # A copy, as the record is shared by every handler.
            clean = logging.makeLogRecord(record.__dict__)
            clean.msg, clean.args = _printable(record.getMessage()), None
            text = super().format(clean)
            if color and record.levelno >= logging.WARNING and use_color(sys.stderr):
                return (_RED if record.levelno >= logging.ERROR else _YELLOW) + text + _RESET
            return text

        def formatException(self, ei: Any) -> str:
            # A traceback keeps its lines; each is escaped like a message.
            lines = super().formatException(ei).split("\n")
            return "\n".join(_printable(line) for line in lines)

    return Formatter(fmt)


def configure_logging(verbose: int, quiet: bool) -> None:
    """What the core logs goes to stderr: warnings and errors only with
    `quiet`, everything with `verbose`; warnings yellow and errors red on a
    terminal."""
    import logging

    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(log_formatter(color=True))
    root = logging.getLogger("vaultfollow")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def say_error(exc: VaultfollowError) -> int:
    """An error of the core as the user sees it; returns its exit code."""
    for line in exc.message.splitlines():
        _say(f"vaultfollow: {_printable(line)}", sys.stderr)
    return exc.exit_code


def _handle_errors(func: F) -> F:
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


def print_report(report: PassReport) -> None:
    """What a pass did: each draft (logged), its problems, a summary line."""
    log = _log()
    dry_run = report.dry_run
    verb = "would be " if dry_run else ""
    for path in report.created:
        log.info("%screated  %s", "would create " if dry_run else "", path)
    for path in report.updated:
        log.info("%supdated  %s", "would update " if dry_run else "", path)
    for path in report.kept:
        log.info("kept     %s (you edited it)", path)
    for path in report.outputs:
        log.debug("%swritten  %s", verb, path)
    for problem in report.problems:
        log.warning("%s", problem)
    pending = sum(1 for f in report.plan.followups if f.state.value == "pending")
    summary = (
        f"{_count(len(report.created), 'draft')} {verb}created, "
        f"{len(report.updated)} {verb}updated, "
        f"{len(report.kept)} kept because you edited them, {report.unchanged} unchanged; "
        f"{_count(pending, 'follow-up')} pending; {_count(len(report.problems), 'problem')}"
    )
    _say(summary + (" (dry run: nothing written)" if dry_run else ""), sys.stdout)
    if report.outputs and not dry_run:
        _say("Updated " + ", ".join(report.outputs), sys.stdout)


def _count(number: int, noun: str) -> str:
    """`1 draft`, `2 drafts`, `0 drafts`."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def table(rows: list[dict[str, str]]) -> str:
    """Pending follow-ups as aligned columns; overdue ones red on a terminal."""
    from datetime import datetime

    columns = [
        ("state", "STATE"),
        ("do", "DO"),
        ("kind", "KIND"),
        ("to", "TO"),
        ("company", "COMPANY"),
        ("role", "ROLE"),
    ]
    shown = [
        {
            **{key: _printable(value) for key, value in row.items()},
            "do": datetime.fromisoformat(row["do"]).strftime("%a %d %b %H:%M"),
        }
        for row in rows
    ]
    widths = {key: max(len(title), *(len(r[key]) for r in shown)) for key, title in columns}
    lines = ["  ".join(title.ljust(widths[key]) for key, title in columns).rstrip()]
    for row in shown:
        line = "  ".join(row[key].ljust(widths[key]) for key, _ in columns).rstrip()
        if row["state"] == "overdue" and use_color(sys.stdout):
            line = _RED + line + _RESET
        lines.append(line)
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vaultfollow")
@click.option(
    "--vault",
    "vault_option",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="VAULTFOLLOW_VAULT",
    help="The vault folder (default: $VAULTFOLLOW_VAULT, else the current folder).",
)
@click.option("-v", "--verbose", count=True, help="Say more (skipped notes, every file).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.pass_context
def main(ctx: click.Context, vault_option: Path | None, verbose: int, quiet: bool) -> None:
    """Keep interview follow-ups true in a Markdown vault: a draft for every
    follow-up that is due, one .ics calendar and a dashboard note."""
    ctx.obj = {"vault": vault_option}
    configure_logging(verbose, quiet)


def _vault_root(ctx: click.Context, vault: Path | None) -> Path:
    if vault is not None:
        return vault
    default: Path | None = ctx.obj.get("vault") if ctx.obj else None
    return default if default is not None else Path.cwd()


vault_argument = click.argument(
    "vault", required=False, type=click.Path(file_okay=False, path_type=Path)
)
now_option = click.option("--now", "now_text", metavar="ISO-TIME", help=NOW_HELP)


@main.command()
@vault_argument
@now_option
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--recreate", is_flag=True, help="Recreate drafts you deleted (dismissed).")
@click.pass_context
@_handle_errors
def sync(
    ctx: click.Context, vault: Path | None, now_text: str | None, dry_run: bool, recreate: bool
) -> None:
    """One pass: bring drafts, calendar and dashboard up to date."""
    from vaultfollow.app.engine import open_engine

    engine = open_engine(_vault_root(ctx, vault))
    now = parse_now(now_text, engine.settings.schedule.timezone)
    if not dry_run:
        for rel in engine.vault.remove_temp_files(engine.owned, older_than=TEMP_FILE_AGE):
            _log().info("removed %s, left by an interrupted run", rel)
    report = engine.full_pass(now, dry_run=dry_run, recreate=recreate)
    print_report(report)
    sys.exit(1 if report.has_problems else 0)


@main.command()
@vault_argument
@now_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@click.pass_context
@_handle_errors
def due(ctx: click.Context, vault: Path | None, now_text: str | None, as_json: bool) -> None:
    """List pending follow-ups, overdue first."""
    from vaultfollow.app.engine import open_engine
    from vaultfollow.core.model import due_rows

    engine = open_engine(_vault_root(ctx, vault))
    now = parse_now(now_text, engine.settings.schedule.timezone)
    engine.read_all()
    plan, _ = engine.plan(now)
    for problem in plan.problems:
        _log().warning("%s", problem)
    rows = due_rows(plan)
    if as_json:
        import json

        _say(json.dumps(rows, indent=2, ensure_ascii=False), sys.stdout)
    else:
        _say(table(rows) if rows else "Nothing due.", sys.stdout)
    sys.exit(1 if plan.problems else 0)


@main.command()
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
@_handle_errors
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
            _log().debug("created  %s", rel)
        for rel in report.kept:
            _log().info("kept     %s (already there)", rel)
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


@main.command()
@click.argument(
    "vault",
    required=False,
    default="vaultfollow-demo",
    type=click.Path(file_okay=False, path_type=Path),
)
@now_option
@click.option("--once", is_flag=True, help="Sync once and exit instead of watching.")
@click.pass_context
@_handle_errors
def demo(ctx: click.Context, vault: Path, now_text: str | None, once: bool) -> None:
    """Create a demo vault (default ./vaultfollow-demo, reused if it exists),
    show what is due, then watch it until Ctrl-C (edit a note and see)."""
    from datetime import datetime

    from vaultfollow.app.engine import open_engine
    from vaultfollow.app.starter import init_vault
    from vaultfollow.core.model import due_rows
    from vaultfollow.store.machine import system_timezone

    report = init_vault(vault, datetime.now().date(), system_timezone())
    state = "created" if report.created else "reused"
    click.echo(f"Demo vault {state}: {vault.resolve()}")
    engine = open_engine(vault)
    now = parse_now(now_text, engine.settings.schedule.timezone)
    result = engine.full_pass(now)
    print_report(result)
    rows = due_rows(result.plan)
    click.echo("")
    click.echo(table(rows) if rows else "Nothing due.")
    click.echo("")
    settings = engine.settings
    click.echo(f"Dashboard: {vault / settings.dashboard_path}")
    click.echo(f"Calendar:  {vault / settings.calendar.path}")
    click.echo("Open the folder as a vault in Obsidian to see the dashboard rendered.")
    if once:
        return
    click.echo("Watching for changes: edit or add a note and the drafts follow. Ctrl-C stops.")
    _watch(engine, now_text, debounce=0.3, polling=False, rescan=600.0)


def server_options(func: Any) -> Any:
    """--host, --port, --allow-remote, --public-host, --new-token (serve, watch --serve)."""
    options = [
        click.option(
            "--host",
            metavar="ADDRESS",
            help="Address to listen on (default: [server] host, 127.0.0.1).",
        ),
        click.option(
            "--port",
            type=click.IntRange(0, 65535),
            help="Port to listen on (default: [server] port, 8765).",
        ),
        click.option(
            "--allow-remote",
            is_flag=True,
            help="Allow a --host other than loopback: other machines can then connect.",
        ),
        click.option(
            "--public-host",
            "public_hosts",
            multiple=True,
            metavar="NAME",
            help="With --allow-remote: the name clients use (checked against the "
            "Host header, shown in the URL); repeatable.",
        ),
        click.option(
            "--new-token",
            is_flag=True,
            help="Replace the secret token in the URL; old subscriptions stop working.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _start_feed(
    engine: Any,
    host: str | None,
    port: int | None,
    allow_remote: bool,
    public_hosts: tuple[str, ...],
    new_token: bool,
) -> Any:
    """Start serving the vault's calendar file; print the URLs to subscribe to."""
    from vaultfollow.server import FileRefresher, load_token, open_feed, start_server

    settings = engine.settings
    token = load_token(engine.vault, rotate=new_token)
    feed = open_feed(engine.vault)
    refresh = FileRefresher(engine.vault, settings.calendar.path, feed)
    refresh()
    server = start_server(
        feed,
        token,
        host or settings.server.host,
        settings.server.port if port is None else port,
        allow_remote=allow_remote,
        public_hosts=public_hosts,
        refresh=refresh,
    )
    click.echo(f"Subscribe (Apple Calendar, Thunderbird): {server.webcal_url}")
    click.echo(f"The same over http (Thunderbird, Outlook): {server.http_url}")
    click.echo("Keep these addresses private: the token in them is the only key.")
    return server


@main.command()
@vault_argument
@now_option
@server_options
@click.pass_context
@_handle_errors
def serve(
    ctx: click.Context,
    vault: Path | None,
    now_text: str | None,
    host: str | None,
    port: int | None,
    allow_remote: bool,
    public_hosts: tuple[str, ...],
    new_token: bool,
) -> None:
    """Serve the calendar over HTTP at a secret address, for Apple Calendar,
    Thunderbird or Outlook to subscribe to, until Ctrl-C or SIGTERM.

    Runs one sync pass, then serves the calendar file, re-read whenever it
    changes (run `watch` too, or use `watch --serve`, to keep it current)."""
    import signal
    import threading

    from vaultfollow.app.engine import open_engine

    engine = open_engine(_vault_root(ctx, vault))
    now = parse_now(now_text, engine.settings.schedule.timezone)
    report = engine.full_pass(now)
    for problem in report.problems:
        _log().warning("%s", problem)
    server = _start_feed(engine, host, port, allow_remote, public_hosts, new_token)
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    _log().info("stopped")


@main.command()
@vault_argument
@now_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON object: the target, the counts and every entry "
    "{uid, summary, action, reason}.",
)
@click.pass_context
@_handle_errors
def push(ctx: click.Context, vault: Path | None, now_text: str | None, as_json: bool) -> None:
    """Sync, then put the follow-ups into the CalDAV calendar of [caldav].

    Only entries vaultfollow owns (UIDs ending in @vaultfollow) are created,
    moved or deleted; an entry the server refuses is reported with the
    reason and the rest goes on. Exit 0 pushed; 1 pushed, but notes had
    problems; 2 bad config, wrong password, no such calendar or an
    untrusted certificate; 3 delivery failed: the server could not be
    reached after retries (recorded: the next push catches up) or refused
    some entries."""
    from vaultfollow.app.engine import open_engine

    engine = None
    try:
        engine = open_engine(_vault_root(ctx, vault))
        code = _push(engine, now_text, as_json)
    except Exception as exc:
        if as_json:  # scripts get an object on stdout too; the message goes to stderr
            caldav = engine.settings.caldav if engine is not None else None
            url, calendar = (caldav.url, caldav.calendar) if caldav is not None else ("", "")
            _print_push_json(url, calendar, None, error=_push_error(exc))
        raise
    sys.exit(code)


def _push_error(exc: Exception) -> str:
    """The `error` of `push --json`: the message, or for a failure that has
    none (a bug: its traceback follows on stderr) its kind."""
    from vaultfollow.errors import VaultfollowError

    if isinstance(exc, VaultfollowError) and exc.message:
        return exc.message
    return f"unexpected error: {type(exc).__name__}: {exc}"


def _push(engine: Engine, now_text: str | None, as_json: bool) -> int:
    """The body of `push`: sync, push, print; the exit code."""
    from vaultfollow.errors import VaultfollowError
    from vaultfollow.push import (
        EXIT_DELIVERY_FAILED,
        caldav_password,
        check_settings,
        entry_name,
        push_calendar,
    )

    caldav = engine.settings.caldav
    check_settings(caldav)
    password = caldav_password(caldav)  # config problems before any writing
    now = parse_now(now_text, engine.settings.schedule.timezone)
    report = engine.full_pass(now)
    for problem in report.problems:
        _log().warning("%s", problem)
    data = engine.vault.read_bytes(engine.settings.calendar.path)
    if data is None:
        raise VaultfollowError(f"{engine.settings.calendar.path}: no calendar to push")
    result = push_calendar(engine.vault, data, caldav, password=password)
    for entry in result.refused:
        _log().warning("refused %s: %s", _printable(entry_name(entry)), entry.reason)
    if as_json:
        _print_push_json(caldav.url, caldav.calendar, result)
    else:
        click.echo(f"Pushed to {caldav.url}: {result.describe()}")
    if result.refused:
        return EXIT_DELIVERY_FAILED
    return 1 if report.has_problems else 0


def _print_push_json(url: str, calendar: str, result: Any, *, error: str = "") -> None:
    """What `push --json` prints: the target, `error` ("" when the push
    went through), the count of each action and every entry."""
    import json

    from vaultfollow.push import ACTIONS, without_userinfo

    entries = result.entries if result is not None else []
    counts = dict.fromkeys(ACTIONS, 0)
    for entry in entries:
        counts[entry.action] += 1
    document = {
        "url": without_userinfo(url),
        "calendar": calendar,
        "error": error,
        **counts,
        "foreign": result.foreign if result is not None else 0,
        "entries": [entry.as_json() for entry in entries],
    }
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _parse_seconds(value: str, name: str, *, positive: bool = False) -> float:
    """`300ms`, `0.3s`, `2s`, `10m` or a bare number of milliseconds (debounce)
    or seconds (rescan, poll interval); `positive`: zero is refused."""
    import re

    from vaultfollow.errors import UsageError

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", value)
    if not match:
        raise UsageError(f"{name} {value!r} is not a duration; write e.g. 300ms, 2s or 10m")
    number = float(match.group(1))
    unit = match.group(2) or ("ms" if name == "--debounce" else "s")
    seconds = number * {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}[unit]
    if positive and seconds <= 0:
        raise UsageError(f"{name} {value!r} must be longer than zero; write e.g. 10s or 1m")
    return seconds


@main.command()
@vault_argument
@now_option
@click.option(
    "--debounce",
    default="300ms",
    show_default=True,
    help="Quiet time after the last change before a pass (e.g. 100ms, 1s).",
)
@click.option("--polling", is_flag=True, help="Poll for changes (network and cloud folders).")
@click.option(
    "--poll-interval",
    default="10s",
    show_default=True,
    help="With --polling: how often to look for changes (each look stats every file).",
)
@click.option(
    "--rescan",
    default="10m",
    show_default=True,
    help="Interval of the reconciliation rescan that catches lost events.",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also append the log, with timestamps, to this file.",
)
@click.option(
    "--serve", is_flag=True, help="Also serve the calendar over HTTP (as `vaultfollow serve`)."
)
@click.option(
    "--push",
    is_flag=True,
    help="Also push the calendar to [caldav] after every change (as `vaultfollow push`).",
)
@click.option(
    "--mail",
    "with_mail",
    is_flag=True,
    help="Also check the [mail] mailbox at start and every [mail] poll (as `vaultfollow mail`).",
)
@server_options
@click.pass_context
@_handle_errors
def watch(
    ctx: click.Context,
    vault: Path | None,
    now_text: str | None,
    debounce: str,
    polling: bool,
    poll_interval: str,
    rescan: str,
    log_file: Path | None,
    serve: bool,
    push: bool,
    with_mail: bool,
    host: str | None,
    port: int | None,
    allow_remote: bool,
    public_hosts: tuple[str, ...],
    new_token: bool,
) -> None:
    """Sync, then keep drafts, calendar and dashboard true on every change
    until Ctrl-C or SIGTERM. One line per change on stderr."""
    from vaultfollow.app.engine import open_engine
    from vaultfollow.errors import UsageError

    if log_file is not None:
        _add_log_file(log_file)
    engine = open_engine(_vault_root(ctx, vault))
    hooks: list[Callable[[PassReport], None]] = []
    server: Any = None
    worker: Any = None
    calendar = engine.settings.calendar.path
    try:
        if serve:
            server = _start_feed(engine, host, port, allow_remote, public_hosts, new_token)
            refresh = server.refresh
            hooks.append(lambda report: refresh())  # the new bytes straight after each pass
        elif any((host, port is not None, allow_remote, public_hosts, new_token)):
            raise UsageError(
                "--host, --port, --allow-remote, --public-host and --new-token need --serve"
            )
        if push:
            from vaultfollow.push import PushWorker

            worker = PushWorker(engine.vault, calendar, engine.settings.caldav)
            worker.start()  # config or password problems: exit 2 at once
            worker.notify()  # catch up at start
            hooks.append(lambda report: worker.notify() if calendar in report.outputs else None)

        def after_pass(report: PassReport) -> None:
            for hook in hooks:
                hook(report)

        _watch(
            engine,
            now_text,
            debounce=_parse_seconds(debounce, "--debounce"),
            polling=polling,
            rescan=_parse_seconds(rescan, "--rescan"),
            poll_interval=_parse_seconds(poll_interval, "--poll-interval", positive=True),
            on_pass=after_pass if hooks else None,
            with_mail=with_mail,
        )
    finally:
        if server is not None:
            server.stop()
        if worker is not None:
            worker.stop()


def _add_log_file(path: Path) -> None:
    import logging

    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(log_formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.getLogger("vaultfollow").addHandler(handler)


def _watch(
    engine: Any,
    now_text: str | None,
    *,
    debounce: float,
    polling: bool,
    rescan: float,
    poll_interval: float | None = None,
    on_pass: Callable[[PassReport], None] | None = None,
    with_mail: bool = False,
) -> None:
    """Run the watcher in this (main) thread until SIGINT or SIGTERM."""
    import signal
    import threading
    from datetime import datetime

    from vaultfollow.watcher import POLL_INTERVAL, Watcher, WatchOptions

    start = parse_now(now_text, engine.settings.schedule.timezone)
    offset = start - datetime.now(start.tzinfo)

    def now() -> datetime:
        return datetime.now(start.tzinfo) + offset

    stop = threading.Event()
    options = WatchOptions(
        debounce=debounce,
        polling=polling,
        poll_interval=poll_interval or POLL_INTERVAL,
        rescan_interval=rescan,
    )
    watcher = Watcher(engine, options, now, on_pass=on_pass)

    def request_stop(signum: int, frame: object) -> None:
        stop.set()
        watcher.wake.set()

    mail_worker = _mail_worker(engine, now, watcher) if with_mail else None
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with engine.vault.lock_watch() as lock:
            watcher.watch_lock = lock  # let go and taken anew when the folder is replaced
            removed = engine.vault.remove_temp_files(engine.owned)
            for rel in removed:
                _log().info("removed %s, left by an interrupted run", rel)
            if mail_worker is not None:
                mail_worker.start()  # only once this is the vault's one watcher
            watcher.run(stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if mail_worker is not None:
            mail_worker.stop()
    _log().info("stopped")


def _mail_worker(engine: Any, now: Callable[[], datetime], watcher: Any) -> Any:
    """`watch --mail`: the mailbox checks, to run in a thread; config
    problems now (exit 2), before anything is watched."""
    from vaultfollow.mail import MailWorker

    worker = MailWorker(engine.vault.root, engine.settings.mail, now, watcher.request_pass)
    worker.check_config()
    return worker


@main.command("mail")
@vault_argument
@now_option
@click.option("--dry-run", is_flag=True, help="Print what the mailbox matches; change nothing.")
@click.pass_context
@_handle_errors
def mail_command(
    ctx: click.Context, vault: Path | None, now_text: str | None, dry_run: bool
) -> None:
    """Read the [mail] mailbox (read-only, message headers only) and print
    which follow-ups it shows sent and who replied; mark those drafts sent
    and cancel the check-ins of who replied, then sync. Exit 3 when the
    mailbox could not be read, 1 when notes had problems, 2 for a bad config
    or a refused login."""
    from vaultfollow.app.engine import load_settings
    from vaultfollow.mail import check_vault, folders_said
    from vaultfollow.store.vault import Vault

    root = _vault_root(ctx, vault)
    settings = load_settings(Vault(root))
    now = parse_now(now_text, settings.schedule.timezone)
    done = check_vault(root, now, dry_run=dry_run)
    _log().info(
        "read %s: %d message(s) since %s",
        ", ".join(folders_said(done.read)),
        len(done.read.headers),
        done.since.isoformat(),
    )
    for line in done.report.lines():
        click.echo(line)
    sync = done.report.sync
    sys.exit(1 if sync is not None and sync.has_problems else 0)


@main.command()
@click.argument(
    "target", required=False, type=click.Path(exists=True, path_type=Path), metavar="VAULT|DRAFT"
)
@now_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON array of {path, line, code, message}."
)
@click.pass_context
@_handle_errors
def check(ctx: click.Context, target: Path | None, now_text: str | None, as_json: bool) -> None:
    """Check pending drafts (or one DRAFT file) against the follow-up rules:
    placeholders, length, thanks, a specific point, a call to action, your
    name, salary or pressure talk, a third check-in, spelling. Exit 1 when
    anything is found."""
    from vaultfollow.app.check import check_target
    from vaultfollow.core.lint import findings_json

    findings = check_target(
        _vault_root(ctx, target),
        vault=_vault_root(ctx, None),
        now=lambda zone: parse_now(now_text, zone),
    )
    if as_json:
        click.echo(findings_json(findings))
    else:
        for finding in findings:
            click.echo(str(finding))
        if findings:
            drafts = len({f.path for f in findings})
            _log().info("%d problems in %d drafts", len(findings), drafts)
        else:
            _log().info("No problems found.")
    sys.exit(1 if findings else 0)


@main.command()
@click.argument("note", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
@_handle_errors
def explain(ctx: click.Context, note: Path) -> None:
    """Say how NOTE was read: whether it is an interview note and by which
    rule, which property or line gave each fact, its rounds, and what to
    add for what is missing. Changes nothing."""
    from vaultfollow.app.explain import explain as explain_note

    root = ctx.obj.get("vault") if ctx.obj else None
    if root is None:
        root = _vault_of(note)
    for line in explain_note(root, note):
        click.echo(line)


def _vault_of(note: Path) -> Path:
    """The vault a note is in: the nearest folder above it with a
    vaultfollow.toml or an .obsidian folder, else the current folder."""
    for folder in note.resolve().parents:
        if (folder / "vaultfollow.toml").is_file() or (folder / ".obsidian").is_dir():
            return folder
    return Path.cwd()


@main.group()
def service() -> None:
    """Run `watch` at login: a systemd user service (Linux) or a launchd
    agent (macOS). One per user."""


@service.command("install")
@vault_argument
@click.option("--no-start", is_flag=True, help="Only write the service file; start nothing now.")
@click.pass_context
@_handle_errors
def service_install(ctx: click.Context, vault: Path | None, no_start: bool) -> None:
    """Run `vaultfollow watch VAULT` from now on at every login.

    Installing for another vault replaces the service; installing again
    changes nothing. Exit 1 when starting it failed (the commands to run
    are printed)."""
    from vaultfollow.service import install

    report = install(_vault_root(ctx, vault), start=not no_start)
    for line in report.lines:
        click.echo(line)
    sys.exit(0 if report.ok else 1)


@service.command("uninstall")
@click.option("--no-stop", is_flag=True, help="Only remove the service file; stop nothing.")
@_handle_errors
def service_uninstall(no_stop: bool) -> None:
    """Stop the service and remove it; harmless when it is not installed."""
    from vaultfollow.service import uninstall

    report = uninstall(stop=not no_stop)
    for line in report.lines:
        click.echo(line)
    sys.exit(0 if report.ok else 1)


@service.command("status")
@_handle_errors
def service_status() -> None:
    """Say whether the service is installed, which vault it watches and
    whether it runs."""
    from vaultfollow.service import status

    for line in status().lines:
        click.echo(line)
