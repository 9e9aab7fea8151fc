"""The `vaultfollow` command: the group, its logging, and the commands on
the vault itself (sync, due, demo, watch, check, explain, service). Each
command parses options, calls the core, prints.

`init` lives in `cli_init.py`; `serve`, `push` and `mail`, and the parts of
them `watch` starts, in `cli_delivery.py`; what every command shares (the
VAULT argument, `--now`, the mapping of errors) in `cli_options.py`. Heavy
modules are imported inside the commands so that `--help` stays fast.
Errors of the core become messages and exit codes only through
`cli_options.handle_errors` and the commands' own `sys.exit`: 0 ok, 1 done
but with problems, 2 bad usage or config, 3 (push, mail) the calendar did
not fully reach the CalDAV server or the mailbox could not be read.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from vaultfollow import __version__, cli_delivery, cli_init
from vaultfollow.cli_delivery import delivering, prepare_mail_worker, server_options
from vaultfollow.cli_options import (
    handle_errors,
    logger,
    now_option,
    parse_now,
    printable,
    say,
    vault_argument,
    vault_root,
)

if TYPE_CHECKING:
    import logging

    from vaultfollow.app.outputs import PassReport

# A temporary file younger than this may be another pass's (a watcher's,
# or a second sync's), about to be renamed into place: left alone.
TEMP_FILE_AGE = 60.0

_YELLOW, _RED, _RESET = "\x1b[33m", "\x1b[31m", "\x1b[0m"


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
            clean.msg, clean.args = printable(record.getMessage()), None
            text = super().format(clean)
            if color and record.levelno >= logging.WARNING and use_color(sys.stderr):
                return (_RED if record.levelno >= logging.ERROR else _YELLOW) + text + _RESET
            return text

        def formatException(self, ei: Any) -> str:
            # A traceback keeps its lines; each is escaped like a message.
            lines = super().formatException(ei).split("\n")
            return "\n".join(printable(line) for line in lines)

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


def print_report(report: PassReport) -> None:
    """What a pass did: each draft (logged), its problems, a summary line."""
    log = logger()
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
    say(summary + (" (dry run: nothing written)" if dry_run else ""), sys.stdout)
    if report.outputs and not dry_run:
        say("Updated " + ", ".join(report.outputs), sys.stdout)


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
            **{key: printable(value) for key, value in row.items()},
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


for command in (cli_init.init, cli_delivery.serve, cli_delivery.push, cli_delivery.mail_command):
    main.add_command(command)


@main.command()
@vault_argument
@now_option
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--recreate", is_flag=True, help="Recreate drafts you deleted (dismissed).")
@click.pass_context
@handle_errors
def sync(
    ctx: click.Context, vault: Path | None, now_text: str | None, dry_run: bool, recreate: bool
) -> None:
    """One pass: bring drafts, calendar and dashboard up to date."""
    from vaultfollow.app.engine import open_engine

    engine = open_engine(vault_root(ctx, vault))
    now = parse_now(now_text, engine.settings.schedule.timezone)
    if not dry_run:
        for rel in engine.vault.remove_temp_files(engine.owned, older_than=TEMP_FILE_AGE):
            logger().info("removed %s, left by an interrupted run", rel)
    report = engine.full_pass(now, dry_run=dry_run, recreate=recreate)
    print_report(report)
    sys.exit(1 if report.has_problems else 0)


@main.command()
@vault_argument
@now_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@click.pass_context
@handle_errors
def due(ctx: click.Context, vault: Path | None, now_text: str | None, as_json: bool) -> None:
    """List pending follow-ups, overdue first."""
    from vaultfollow.app.engine import open_engine
    from vaultfollow.core.model import due_rows

    engine = open_engine(vault_root(ctx, vault))
    now = parse_now(now_text, engine.settings.schedule.timezone)
    engine.read_all()
    plan, _ = engine.plan(now)
    for problem in plan.problems:
        logger().warning("%s", problem)
    rows = due_rows(plan)
    if as_json:
        import json

        say(json.dumps(rows, indent=2, ensure_ascii=False), sys.stdout)
    else:
        say(table(rows) if rows else "Nothing due.", sys.stdout)
    sys.exit(1 if plan.problems else 0)


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
@handle_errors
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
@handle_errors
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

    if log_file is not None:
        _add_log_file(log_file)
    engine = open_engine(vault_root(ctx, vault))
    with delivering(
        engine,
        serve=serve,
        push=push,
        host=host,
        port=port,
        allow_remote=allow_remote,
        public_hosts=public_hosts,
        new_token=new_token,
    ) as after_pass:
        _watch(
            engine,
            now_text,
            debounce=_parse_seconds(debounce, "--debounce"),
            polling=polling,
            rescan=_parse_seconds(rescan, "--rescan"),
            poll_interval=_parse_seconds(poll_interval, "--poll-interval", positive=True),
            on_pass=after_pass,
            with_mail=with_mail,
        )


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

    mail_worker = prepare_mail_worker(engine, now, watcher) if with_mail else None
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with engine.vault.lock_watch() as lock:
            watcher.watch_lock = lock  # let go and taken anew when the folder is replaced
            removed = engine.vault.remove_temp_files(engine.owned)
            for rel in removed:
                logger().info("removed %s, left by an interrupted run", rel)
            if mail_worker is not None:
                mail_worker.start()  # only once this is the vault's one watcher
            watcher.run(stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if mail_worker is not None:
            mail_worker.stop()
    logger().info("stopped")


@main.command()
@click.argument(
    "target", required=False, type=click.Path(exists=True, path_type=Path), metavar="VAULT|DRAFT"
)
@now_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON array of {path, line, code, message}."
)
@click.pass_context
@handle_errors
def check(ctx: click.Context, target: Path | None, now_text: str | None, as_json: bool) -> None:
    """Check pending drafts (or one DRAFT file) against the follow-up rules:
    placeholders, length, thanks, a specific point, a call to action, your
    name, salary or pressure talk, a third check-in, spelling. Exit 1 when
    anything is found."""
    from vaultfollow.app.check import check_target
    from vaultfollow.core.lint import findings_json

    findings = check_target(
        vault_root(ctx, target),
        vault=vault_root(ctx, None),
        now=lambda zone: parse_now(now_text, zone),
    )
    if as_json:
        click.echo(findings_json(findings))
    else:
        for finding in findings:
            click.echo(str(finding))
        if findings:
            drafts = len({f.path for f in findings})
            logger().info("%d problems in %d drafts", len(findings), drafts)
        else:
            logger().info("No problems found.")
    sys.exit(1 if findings else 0)


@main.command()
@click.argument("note", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
@handle_errors
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
@handle_errors
def service_install(ctx: click.Context, vault: Path | None, no_start: bool) -> None:
    """Run `vaultfollow watch VAULT` from now on at every login.

    Installing for another vault replaces the service; installing again
    changes nothing. Exit 1 when starting it failed (the commands to run
    are printed)."""
    from vaultfollow.service import install

    report = install(vault_root(ctx, vault), start=not no_start)
    for line in report.lines:
        click.echo(line)
    sys.exit(0 if report.ok else 1)


@service.command("uninstall")
@click.option("--no-stop", is_flag=True, help="Only remove the service file; stop nothing.")
@handle_errors
def service_uninstall(no_stop: bool) -> None:
    """Stop the service and remove it; harmless when it is not installed."""
    from vaultfollow.service import uninstall

    report = uninstall(stop=not no_stop)
    for line in report.lines:
        click.echo(line)
    sys.exit(0 if report.ok else 1)


@service.command("status")
@handle_errors
def service_status() -> None:
    """Say whether the service is installed, which vault it watches and
    whether it runs."""
    from vaultfollow.service import status

    for line in status().lines:
        click.echo(line)
