"""The `vaultfollow` command's entry point, and what it prints without click.

`vaultfollow sync` and `vaultfollow due` on a vault where nothing changed
are answered from the record of the last pass (see `last_pass.py`), before
click (most of the start-up cost) is even imported; a plain `sync` whose
record does not hold runs its real pass here too. Only the plainest forms
are read here: `[-q] [--vault PATH] sync|due [VAULT] [--now TIME] [--json]`.
Anything else (another option, `--help`, a mistake) goes to the click
application in `cli.py`, which shares the functions below, so both say and
do the same.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing

if TYPE_CHECKING:
    import logging
    from datetime import datetime
    from pathlib import Path
    from typing import Any, TextIO

    from vaultfollow.engine import PassReport
    from vaultfollow.errors import VaultfollowError

# Nothing here imports dataclasses or typing at run time: they cost more
# than the rest of a quick answer.


class QuickCommand:
    """A plain `sync` or `due` command line."""

    __slots__ = ("as_json", "command", "now_text", "quiet", "root")

    def __init__(
        self, command: str, root: str, now_text: str | None, as_json: bool, quiet: bool
    ) -> None:
        self.command = command  # sync or due
        self.root = root
        self.now_text = now_text
        self.as_json = as_json
        self.quiet = quiet


def main() -> None:
    quick = parse_quick(sys.argv[1:])
    if quick is not None:
        try:
            code = answer(quick)
            if code is None and quick.command == "sync":
                code = _sync_without_click(quick)
            if code is not None:
                _leave(code)
        except KeyboardInterrupt:
            # As click says it.
            _say("\nAborted!", sys.stderr)
            sys.exit(1)
        except BrokenPipeError:
            # The reader went away (`vaultfollow due | head`): as click does,
            # stop quietly with exit code 1.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
    from vaultfollow.cli import main as app

    app()


def _leave(code: int) -> None:
    """Exit with `code` once what was printed is flushed, without the
    interpreter's teardown: after a pass over a big vault, freeing its
    objects one by one costs more than a tenth of the pass, and there is
    nothing left to do (every file is written, closed and flushed to disk,
    the log prints as it goes, and vaultfollow registers no exit handler)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _sync_without_click(quick: QuickCommand) -> int:
    """The real pass of a plain `sync`, as `cli.sync` runs it."""
    from pathlib import Path

    from vaultfollow.errors import VaultfollowError

    configure_logging(0, quick.quiet)
    try:
        return real_sync(Path(quick.root), quick.now_text)
    except VaultfollowError as exc:
        return say_error(exc)


# A temporary file younger than this may be another pass's (a watcher's,
# or a second sync's), about to be renamed into place: left alone.
TEMP_FILE_AGE = 60.0


def real_sync(
    root: Path, now_text: str | None, *, dry_run: bool = False, recreate: bool = False
) -> int:
    """One real pass over the vault at `root`, its report printed; returns
    the exit code (1 when it found problems)."""
    from vaultfollow.engine import open_engine

    engine = open_engine(root)
    now = parse_now(now_text, engine.settings.schedule.timezone)
    if not dry_run:
        import logging

        for rel in engine.vault.remove_temp_files(engine.owned, older_than=TEMP_FILE_AGE):
            logging.getLogger("vaultfollow").info("removed %s, left by an interrupted run", rel)
    report = engine.run(now, dry_run=dry_run, recreate=recreate)
    print_report(report)
    return 1 if report.has_problems else 0


def parse_now(value: str | None, timezone: str) -> datetime:
    """`--now` as an aware time in `timezone` (the clock's time when None)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    if value is None:
        return datetime.now(zone)
    from vaultfollow.errors import UsageError
    from vaultfollow.properties import FIRST_YEAR, LAST_YEAR

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


def say_error(exc: VaultfollowError) -> int:
    """An error of the core as the user sees it; returns its exit code. The
    one place where errors become messages."""
    for line in exc.message.splitlines():
        _say(f"vaultfollow: {_printable(line)}", sys.stderr)
    return exc.exit_code


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


def print_report(report: PassReport) -> None:
    """What a pass did: each draft (logged), its problems, a summary line."""
    import logging

    log = logging.getLogger("vaultfollow")
    dry_run = report.dry_run
    for path in report.created:
        log.info("%screated  %s", "would create " if dry_run else "", path)
    for path in report.updated:
        log.info("%supdated  %s", "would update " if dry_run else "", path)
    for path in report.kept:
        log.info("%s", kept_line(path))
    for path in report.outputs:
        log.debug("%swritten  %s", "would be " if dry_run else "", path)
    for problem in report.problems:
        log.warning("%s", problem)
    pending = sum(1 for f in report.plan.followups if f.state.value == "pending")
    summary = summary_line(
        len(report.created),
        len(report.updated),
        len(report.kept),
        report.unchanged,
        pending,
        len(report.problems),
        dry_run=dry_run,
    )
    _say(summary, sys.stdout)
    if report.outputs and not dry_run:
        _say("Updated " + ", ".join(report.outputs), sys.stdout)


def parse_quick(argv: list[str]) -> QuickCommand | None:
    """The command line when it is one of the plain forms, else None."""
    quiet = False
    vault_option: str | None = None
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        arg = argv[index]
        if arg in ("-q", "--quiet"):
            quiet = True
        elif arg == "--vault" and index + 1 < len(argv):
            index += 1
            vault_option = argv[index]
        elif arg.startswith("--vault="):
            vault_option = arg.removeprefix("--vault=")
        else:
            return None
        index += 1
    if index >= len(argv) or argv[index] not in ("sync", "due"):
        return None
    command = argv[index]
    vault: str | None = None
    now_text: str | None = None
    as_json = False
    index += 1
    while index < len(argv):
        arg = argv[index]
        if arg == "--now" and index + 1 < len(argv):
            index += 1
            now_text = argv[index]
        elif arg.startswith("--now="):
            now_text = arg.removeprefix("--now=")
        elif arg == "--json" and command == "due":
            as_json = True
        elif not arg.startswith("-") and vault is None:
            vault = arg
        else:
            return None
        index += 1
    if "" in (vault, vault_option, now_text):
        return None  # click has its own view of empty values
    from_env = os.environ.get("VAULTFOLLOW_VAULT")
    for given in (vault, vault_option, from_env):
        if given and os.path.exists(given) and not os.path.isdir(given):
            return None  # click refuses a file where a folder is wanted: let it say so
    root = vault or vault_option or from_env or os.getcwd()
    return QuickCommand(command, root, now_text, as_json, quiet)


def answer(quick: QuickCommand) -> int | None:
    """Print the answer from the record of the last pass and return the exit
    code; None when the record does not hold (nothing printed)."""
    report = last_report(quick.root, quick.now_text)
    if report is None:
        return None
    if quick.command == "sync":
        return print_sync(report, quick.quiet)
    return print_due(report["plan_problems"], report["due"], quick.as_json)


def last_report(root: str, now_text: str | None) -> dict[str, Any] | None:
    from vaultfollow.last_pass import still_true
    from vaultfollow.paths import CACHE_FILE, fspath, last_pass_file

    try:
        with open(fspath(root, last_pass_file(CACHE_FILE)), "rb") as handle:
            record = handle.read()
    except (OSError, ValueError):
        return None
    return still_true(root, record, now_text)


def print_sync(report: dict[str, Any], quiet: bool) -> int:
    """What `sync` prints when nothing changed; returns the exit code."""
    if not quiet:
        for path in report["kept"]:
            _say(_printable(kept_line(path)), sys.stderr)
    for problem in report["problems"]:
        warn(problem)
    kept, problems = len(report["kept"]), len(report["problems"])
    _say(summary_line(0, 0, kept, report["unchanged"], report["pending"], problems), sys.stdout)
    return 1 if problems else 0


def print_due(problems: list[str], rows: list[dict[str, str]], as_json: bool) -> int:
    """What `due` prints; returns the exit code."""
    for problem in problems:
        warn(problem)
    if as_json:
        import json

        _say(json.dumps(rows, indent=2, ensure_ascii=False), sys.stdout)
    else:
        _say(table(rows) if rows else "Nothing due.", sys.stdout)
    return 1 if problems else 0


def kept_line(path: str) -> str:
    return f"kept     {path} (you edited it)"


def summary_line(
    created: int,
    updated: int,
    kept: int,
    unchanged: int,
    pending: int,
    problems: int,
    *,
    dry_run: bool = False,
) -> str:
    verb = "would be " if dry_run else ""
    summary = (
        f"{created} drafts {verb}created, {updated} {verb}updated, "
        f"{kept} kept because you edited them, {unchanged} unchanged; "
        f"{pending} follow-ups pending; {problems} problems"
    )
    return summary + (" (dry run: nothing written)" if dry_run else "")


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


_YELLOW, _RED, _RESET = "\x1b[33m", "\x1b[31m", "\x1b[0m"


def use_color(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def warn(message: str) -> None:
    """A warning on stderr (yellow on a terminal), as the log shows one."""
    message = _printable(message)
    _say(_YELLOW + message + _RESET if use_color(sys.stderr) else message, sys.stderr)


def _printable(text: str) -> str:
    from vaultfollow.paths import printable

    return printable(text)


def _say(text: str, stream: TextIO) -> None:
    stream.write(text + "\n")
    stream.flush()
