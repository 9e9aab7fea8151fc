"""The commands that carry the calendar and the drafts' news across the
vault's edge: `serve` (an HTTP feed), `push` (a CalDAV calendar) and `mail`
(the IMAP mailbox, read-only), and the same three as `watch --serve`,
`--push` and `--mail` start them beside the watcher."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vaultfollow.cli_options import (
    handle_errors,
    logger,
    now_option,
    parse_now,
    printable,
    vault_argument,
    vault_root,
)

if TYPE_CHECKING:
    from datetime import datetime

    from vaultfollow.app.engine import Engine
    from vaultfollow.app.outputs import PassReport


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


def start_feed(
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


@contextmanager
def delivering(
    engine: Engine,
    *,
    serve: bool,
    push: bool,
    host: str | None,
    port: int | None,
    allow_remote: bool,
    public_hosts: tuple[str, ...],
    new_token: bool,
) -> Iterator[Callable[[PassReport], None] | None]:
    """`watch --serve` and `--push`: start the feed and the push worker,
    yield what to run after each pass (None when neither is asked for),
    and stop both on the way out, however the watch ends."""
    from vaultfollow.errors import UsageError

    hooks: list[Callable[[PassReport], None]] = []
    server: Any = None
    worker: Any = None
    calendar = engine.settings.calendar.path
    try:
        if serve:
            server = start_feed(engine, host, port, allow_remote, public_hosts, new_token)
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

        yield after_pass if hooks else None
    finally:
        if server is not None:
            server.stop()
        if worker is not None:
            worker.stop()


@click.command()
@vault_argument
@now_option
@server_options
@click.pass_context
@handle_errors
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

    engine = open_engine(vault_root(ctx, vault))
    now = parse_now(now_text, engine.settings.schedule.timezone)
    report = engine.full_pass(now)
    for problem in report.problems:
        logger().warning("%s", problem)
    server = start_feed(engine, host, port, allow_remote, public_hosts, new_token)
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
    logger().info("stopped")


@click.command()
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
@handle_errors
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
        engine = open_engine(vault_root(ctx, vault))
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
        logger().warning("%s", problem)
    data = engine.vault.read_bytes(engine.settings.calendar.path)
    if data is None:
        raise VaultfollowError(f"{engine.settings.calendar.path}: no calendar to push")
    result = push_calendar(engine.vault, data, caldav, password=password)
    for entry in result.refused:
        logger().warning("refused %s: %s", printable(entry_name(entry)), entry.reason)
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

    from vaultfollow.core.config import without_userinfo
    from vaultfollow.push import ACTIONS

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


def prepare_mail_worker(engine: Any, now: Callable[[], datetime], watcher: Any) -> Any:
    """`watch --mail`: the mailbox checks, to run in a thread; config
    problems now (exit 2), before anything is watched."""
    from vaultfollow.mail import MailWorker

    worker = MailWorker(engine.vault.root, engine.settings.mail, now, watcher.request_pass)
    worker.check_config()
    return worker


@click.command("mail")
@vault_argument
@now_option
@click.option("--dry-run", is_flag=True, help="Print what the mailbox matches; change nothing.")
@click.pass_context
@handle_errors
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

    root = vault_root(ctx, vault)
    settings = load_settings(Vault(root))
    now = parse_now(now_text, settings.schedule.timezone)
    done = check_vault(root, now, dry_run=dry_run)
    logger().info(
        "read %s: %d message(s) since %s",
        ", ".join(folders_said(done.read)),
        len(done.read.headers),
        done.since.isoformat(),
    )
    for line in done.report.lines():
        click.echo(line)
    sync = done.report.sync
    sys.exit(1 if sync is not None and sync.has_problems else 0)
