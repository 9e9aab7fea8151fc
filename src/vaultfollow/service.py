"""Run `vaultfollow watch` at login: a systemd user unit on Linux, a launchd
agent on macOS.

Rendering the unit or the agent is pure (`render_systemd_unit`,
`render_launchd_plist`, `service_path`); `install`, `uninstall` and `status`
are the shell around them. There is one service per user: it names the vault
it watches, and installing for another vault replaces it. Starting and
stopping go through `systemctl --user` or `launchctl` only when they exist;
when they are missing or fail, the report says which commands to run instead
of raising.
"""

from __future__ import annotations

import contextlib
import logging
import os
import plistlib
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vaultfollow.errors import UsageError

log = logging.getLogger(__name__)

SYSTEMD_UNIT = "vaultfollow.service"
LAUNCHD_LABEL = "dev.vaultfollow.watch"
RESTART_SECONDS = 5
COMMAND_TIMEOUT_SECONDS = 30
_VAULT_COMMENT = "# Vault: "
_REMOVE_HINT = "Remove it: vaultfollow service uninstall"
# Arguments made only of these need no quotes in a systemd command line.
_SYSTEMD_PLAIN = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_.,:+=@-"
)
# launchd starts agents with a bare PATH; these find the usual tools.
_LAUNCHD_PATH = ("/opt/homebrew/bin", "/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin")


# --- pure: paths and file contents ---------------------------------------------


def service_kind(platform: str, vault: Path | None = None) -> str:
    """`systemd` for Linux, `launchd` for macOS; anything else is a UsageError
    that says how to run `watch` there by hand (on `vault`, when given)."""
    if platform.startswith("linux"):
        return "systemd"
    if platform == "darwin":
        return "launchd"
    manual = "vaultfollow watch VAULT"
    if platform in ("win32", "cygwin"):
        if vault is not None:
            manual = subprocess.list2cmdline(
                [sys.executable, "-m", "vaultfollow", "watch", str(vault)]
            )
        raise UsageError(
            "`vaultfollow service` supports Linux (systemd) and macOS (launchd); on Windows "
            "use Task Scheduler: create a task triggered 'At log on' that runs\n"
            f"  {manual}\n"
            "or run that command yourself in a terminal"
        )
    if vault is not None:
        manual = shlex.join(["vaultfollow", "watch", str(vault)])
    raise UsageError(
        f"`vaultfollow service` supports Linux (systemd) and macOS (launchd), not {platform!r}; "
        f"start `{manual}` at login with your system's own tools"
    )


def service_path(platform: str, home: Path, env: Mapping[str, str]) -> Path:
    """Where the unit (Linux) or the agent (macOS) of this user lives."""
    if service_kind(platform) == "launchd":
        return home / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
    # The XDG spec says to ignore a relative XDG_CONFIG_HOME.
    config = env.get("XDG_CONFIG_HOME", "")
    base = Path(config) if config and Path(config).is_absolute() else home / ".config"
    return base / "systemd" / "user" / SYSTEMD_UNIT


def launchd_log_path(home: Path) -> Path:
    return home / "Library" / "Logs" / "vaultfollow.log"


def watch_command(executable: str, vault: Path) -> list[str]:
    """The command line the service runs: the `vaultfollow` script that sits
    next to `executable` (the Python running now), else `python -m vaultfollow`.

    `executable` is made absolute but not resolved: a virtual environment's
    python is a symlink, and resolving it would leave the environment."""
    python = Path(os.path.abspath(executable))
    script = python.parent / "vaultfollow"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), "watch", str(vault)]
    return [str(python), "-m", "vaultfollow", "watch", str(vault)]


def systemd_quote(arg: str, *, executable: bool = False) -> str:
    """One word of an ExecStart= line: `%` doubled (specifiers); `$` doubled in
    arguments (variables), not in the executable, where systemd expands none;
    in double quotes with C escapes when it holds anything but plain path
    characters."""
    escaped = arg.replace("%", "%%")
    if not executable:
        escaped = escaped.replace("$", "$$")
    if arg and all(ch in _SYSTEMD_PLAIN for ch in arg):
        return escaped
    escaped = escaped.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def render_systemd_unit(command: list[str], vault: Path) -> str:
    """The systemd user unit that runs `command` at login and restarts it on failure."""
    _check_printable(vault)
    program = command[0]
    if any(ch in program for ch in "\"'\\") or _has_control(program):
        # systemd's own rule (string_is_safe): such a unit fails to load.
        raise UsageError(
            f"{program}: systemd refuses to start a program whose path holds a quote, a "
            "backslash or a control character; install vaultfollow in a folder without "
            "them (e.g. `pipx install vaultfollow`)"
        )
    words = [systemd_quote(program, executable=True)]
    words.extend(systemd_quote(arg) for arg in command[1:])
    description = str(vault).replace("%", "%%")
    return (
        "# Written by `vaultfollow service install`; remove it with "
        "`vaultfollow service uninstall`.\n"
        f"{_VAULT_COMMENT}{vault}\n"
        "[Unit]\n"
        f"Description=vaultfollow watch {description}\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={' '.join(words)}\n"
        "Restart=on-failure\n"
        f"RestartSec={RESTART_SECONDS}\n"
        "Environment=PYTHONUNBUFFERED=1\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def render_launchd_plist(command: list[str], vault: Path, log_path: Path) -> bytes:
    """The launchd agent that runs `command` at login and again when it fails.

    The same arguments give the same bytes (plistlib sorts the keys)."""
    _check_printable(vault)
    folders = [str(Path(command[0]).parent), *_LAUNCHD_PATH]
    path = ":".join(dict.fromkeys(folders))
    agent = {
        "Label": LAUNCHD_LABEL,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": RESTART_SECONDS,
        "ProcessType": "Background",
        "EnvironmentVariables": {"PATH": path, "PYTHONUNBUFFERED": "1"},
        "StandardOutPath": str(log_path),
        "StandardErrorPath": str(log_path),
    }
    return plistlib.dumps(agent, fmt=plistlib.FMT_XML, sort_keys=True)


def installed_vault(platform: str, data: bytes) -> Path | None:
    """The vault an installed unit or agent watches, or None if it cannot tell."""
    if service_kind(platform) == "launchd":
        try:
            agent = plistlib.loads(data)
        except Exception:  # plistlib raises several unrelated types on bad input
            return None
        arguments = agent.get("ProgramArguments") if isinstance(agent, dict) else None
        if isinstance(arguments, list) and arguments and isinstance(arguments[-1], str):
            return Path(arguments[-1])
        return None
    text = data.decode("utf-8", "replace")
    # split("\n"), not splitlines(): the latter also breaks at \x85 and \u2028.
    for line in text.split("\n"):
        if line.startswith(_VAULT_COMMENT):
            return Path(line.removeprefix(_VAULT_COMMENT))
    return None


def _has_control(text: str) -> bool:
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def _check_printable(vault: Path) -> None:
    if _has_control(str(vault)):
        raise UsageError(
            f"{str(vault)!r}: the vault path holds a line break or control character, "
            "which a service file cannot carry; rename the folder"
        )


# --- the service manager's commands --------------------------------------------


@dataclass(frozen=True, slots=True)
class _Step:
    argv: tuple[str, ...]
    # Shown to the user when the command has to be run by hand.
    note: str = ""

    def shell(self) -> str:
        return shlex.join(self.argv) + (f"  # {self.note}" if self.note else "")


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What running a list of steps did. `failure` says why they did not all
    run, `manual` what is left for the user to run; `failed` is True only
    when the tool exists and a command of it failed."""

    done: bool
    failure: str = ""
    manual: tuple[str, ...] = ()
    failed: bool = False


def _systemctl(*args: str) -> _Step:
    return _Step(("systemctl", "--user", *args))


def _run(argv: Sequence[str]) -> subprocess.CompletedProcess[str] | str:
    """Run a service manager command; a string says why it could not run."""
    try:
        return subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)


def _run_steps(steps: Sequence[_Step]) -> _Outcome:
    """Run `steps` in order while they succeed. The tool missing or a step
    failing is not an error: the outcome lists the commands left to run."""
    if not steps:
        return _Outcome(done=True)
    tool = steps[0].argv[0]
    if shutil.which(tool) is None:
        return _Outcome(False, f"`{tool}` is not on PATH", tuple(s.shell() for s in steps))
    for index, step in enumerate(steps):
        log.debug("running %s", shlex.join(step.argv))
        result = _run(step.argv)
        if isinstance(result, str) or result.returncode != 0:
            why = result if isinstance(result, str) else _first_line(result)
            why = why.rstrip(".")
            failure = f"`{shlex.join(step.argv)}` failed: {why}"
            return _Outcome(False, failure, tuple(s.shell() for s in steps[index:]), failed=True)
    return _Outcome(done=True)


def _first_line(result: subprocess.CompletedProcess[str]) -> str:
    for text in (result.stderr, result.stdout):
        for line in text.splitlines():
            if line.strip():
                return line.strip()
    return f"exit status {result.returncode}"


def _launchd_loaded() -> bool | None:
    """Whether launchd has the agent loaded; None when launchctl is missing."""
    if shutil.which("launchctl") is None:
        return None
    result = _run(["launchctl", "print", _launchd_target()])
    return not isinstance(result, str) and result.returncode == 0


def _gui_domain() -> str:
    return f"gui/{os.getuid()}"


def _launchd_target() -> str:
    return f"{_gui_domain()}/{LAUNCHD_LABEL}"


# --- reports -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstallReport:
    """What `install` did. `lines` is what to print; `ok` is False when a
    start command failed (the lines then say what to run)."""

    path: Path
    vault: Path
    command: tuple[str, ...]
    changed: bool
    previous_vault: Path | None
    started: bool
    ok: bool
    manual_commands: tuple[str, ...]
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UninstallReport:
    """What `uninstall` did; `lines` is what to print."""

    path: Path
    removed: bool
    vault: Path | None
    stopped: bool
    ok: bool
    manual_commands: tuple[str, ...]
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Whether the service file exists, what it watches, and what the service
    manager says (None when it was not asked or is missing)."""

    path: Path
    installed: bool
    vault: Path | None
    state: str | None
    lines: tuple[str, ...]


# --- the shell: install, uninstall, status -------------------------------------


def install(
    vault: Path,
    *,
    platform: str = sys.platform,
    start: bool = True,
    executable: str = sys.executable,
) -> InstallReport:
    """Write the unit or agent that runs `watch` on `vault` at login, replacing
    one for another vault; with `start`, (re)load it and start it now.

    Installing twice is harmless: identical bytes are not rewritten."""
    kind = service_kind(platform, vault.absolute())
    if not vault.is_dir():
        raise UsageError(
            f"{vault}: is not a folder; pass the vault folder (`vaultfollow init {vault}` "
            "creates one)"
        )
    root = vault.resolve()
    home = Path.home()
    path = service_path(platform, home, os.environ)
    command = watch_command(executable, root)
    if kind == "launchd":
        log_path = launchd_log_path(home)
        data = render_launchd_plist(command, root, log_path)
    else:
        data = render_systemd_unit(command, root).encode("utf-8")

    old = _read(path)
    previous = installed_vault(platform, old) if old is not None else None
    changed = old != data
    if changed:
        if kind == "launchd":
            # launchd opens the log itself, but not in a missing folder.
            log_path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, data)

    lines: list[str] = []
    if not changed:
        lines.append(f"Already installed, unchanged: {path}")
    elif old is None:
        lines.append(f"Installed {_describe(kind)}: {path}")
    elif previous is None:
        lines.append(f"Replaced {path} (vaultfollow had not written it)")
    elif previous != root:
        lines.append(
            f"Replaced the service that watched {previous} (there is one per user): {path}"
        )
    else:
        lines.append(f"Updated {_describe(kind)}: {path}")
    lines.append(f"It runs: {shlex.join(command)}")

    replacing = old is not None
    if start:
        loaded = _launchd_loaded() if kind == "launchd" else None
        outcome = _run_steps(_start_steps(kind, path, changed, replacing, loaded))
    else:
        manual = tuple(s.shell() for s in _start_steps(kind, path, changed, replacing, None))
        outcome = _Outcome(False, "", manual)
    if outcome.done:
        lines.append("Running; it starts at every login and again after a failure.")
    else:
        reason = f"Not started: {outcome.failure}." if outcome.failure else "Not started."
        lines.append(f"{reason} To start it now and at every login, run:")
        lines.extend(f"  {line}" for line in outcome.manual)
    lines.append(f"Logs: {_logs_hint(kind, home)}")
    lines.append(_REMOVE_HINT)
    return InstallReport(
        path=path,
        vault=root,
        command=tuple(command),
        changed=changed,
        previous_vault=previous if previous != root else None,
        started=outcome.done,
        ok=not outcome.failed,
        manual_commands=outcome.manual,
        lines=tuple(lines),
    )


def uninstall(*, platform: str = sys.platform, stop: bool = True) -> UninstallReport:
    """Stop and disable the service (with `stop`), then remove its file.
    Harmless when nothing is installed."""
    kind = service_kind(platform)
    home = Path.home()
    path = service_path(platform, home, os.environ)
    old = _read(path)
    if old is None:
        line = f"Not installed (no {path}); nothing to do."
        return UninstallReport(path, False, None, False, True, (), (line,))
    vault = installed_vault(platform, old)

    lines: list[str] = []
    if stop:
        steps = _stop_steps(kind)
        outcome = _run_steps(steps)
        if outcome.done:
            lines.append("Stopped it." if steps else "It was not loaded.")
    else:
        outcome = _Outcome(False)
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise UsageError(f"{path}: cannot be removed ({exc.strerror})") from None
    if kind == "systemd":
        _remove_wants_link(path)
    lines.append(f"Removed {path}" + (f" (it watched {vault})" if vault else ""))
    manual: tuple[str, ...] = ()
    if stop and not outcome.done and not outcome.failed:
        lines.append(f"{outcome.failure}, so nothing was running under it to stop.")
    elif not outcome.done:
        # With the file gone, only these still make sense for a running service.
        manual = tuple(step.shell() for step in _leftover_steps(kind))
        reason = f"Not stopped: {outcome.failure}." if outcome.failure else "Not stopped."
        lines.append(f"{reason} If it is still running, run:")
        lines.extend(f"  {line}" for line in manual)
    return UninstallReport(
        path=path,
        removed=True,
        vault=vault,
        stopped=outcome.done,
        ok=not outcome.failed,
        manual_commands=manual,
        lines=tuple(lines),
    )


def status(*, platform: str = sys.platform, query: bool = True) -> StatusReport:
    """Whether the service is installed, which vault it watches and (with
    `query`, when the service manager exists) what the manager says."""
    kind = service_kind(platform)
    home = Path.home()
    path = service_path(platform, home, os.environ)
    data = _read(path)
    vault = installed_vault(platform, data) if data is not None else None
    state = _query_state(kind) if query else None

    lines: list[str] = []
    if data is None:
        lines.append(f"Not installed (no {path}).")
        lines.append("Install it: vaultfollow service install VAULT")
    else:
        lines.append(f"Installed: {path}")
        if vault is None:
            lines.append("Watches: unknown (the file was not written by this vaultfollow)")
        else:
            gone = "" if vault.is_dir() else " (that folder does not exist any more)"
            lines.append(f"Watches: {vault}{gone}")
    if state is not None:
        lines.append(f"State: {state}")
    if data is not None:
        lines.append(f"Logs: {_logs_hint(kind, home)}")
        lines.append(_REMOVE_HINT)
    return StatusReport(path, data is not None, vault, state, tuple(lines))


# --- helpers of the shell ------------------------------------------------------


def _tool(kind: str) -> str:
    return "launchctl" if kind == "launchd" else "systemctl"


def _describe(kind: str) -> str:
    return "the launchd agent" if kind == "launchd" else "the systemd user service"


def _logs_hint(kind: str, home: Path) -> str:
    if kind == "launchd":
        return f"tail -f {shlex.quote(str(launchd_log_path(home)))}"
    return "journalctl --user -u vaultfollow -f"


def _start_steps(
    kind: str, path: Path, changed: bool, replacing: bool, loaded: bool | None
) -> list[_Step]:
    """The commands that (re)load and start the service; `loaded` says whether
    launchd has the agent already (None: not known)."""
    if kind == "systemd":
        steps = [_systemctl("daemon-reload"), _systemctl("enable", "--now", SYSTEMD_UNIT)]
        if changed and replacing:
            # enable --now leaves a running service alone; the new unit needs a restart.
            steps.append(_systemctl("restart", SYSTEMD_UNIT))
        return steps
    bootstrap = _Step(("launchctl", "bootstrap", _gui_domain(), str(path)))
    bootout = _Step(("launchctl", "bootout", _launchd_target()))
    if loaded is None:
        return [_Step(bootout.argv, "only if it is loaded already"), bootstrap]
    if loaded:
        # bootstrap refuses a loaded label; an unchanged agent is left running.
        return [bootout, bootstrap] if changed else []
    return [bootstrap]


def _stop_steps(kind: str) -> list[_Step]:
    if kind == "systemd":
        return [_systemctl("disable", "--now", SYSTEMD_UNIT)]
    if shutil.which("launchctl") is not None and not _launchd_loaded():
        return []
    return [_Step(("launchctl", "bootout", _launchd_target()))]


def _leftover_steps(kind: str) -> list[_Step]:
    if kind == "systemd":
        return [_systemctl("stop", SYSTEMD_UNIT), _systemctl("daemon-reload")]
    return [_Step(("launchctl", "bootout", _launchd_target()))]


def _query_state(kind: str) -> str | None:
    if kind == "systemd":
        argv = ["systemctl", "--user", "is-active", SYSTEMD_UNIT]
    else:
        argv = ["launchctl", "print", _launchd_target()]
    if shutil.which(argv[0]) is None:
        return None
    result = _run(argv)
    if isinstance(result, str):
        return f"unknown ({shlex.join(argv)}: {result})"
    if kind == "systemd":
        # is-active exits non-zero for inactive or failed: that is an answer, not an error.
        if result.stdout.strip():
            return f"{result.stdout.strip()} ({shlex.join(argv)})"
        return f"unknown ({shlex.join(argv)}: {_first_line(result)})"
    if result.returncode != 0:
        return f"not loaded ({shlex.join(argv)}: {_first_line(result)})"
    # The first of each: nested sections of the output repeat some keys.
    found: dict[str, str] = {}
    for line in result.stdout.splitlines():
        for key in ("state =", "pid =", "last exit code ="):
            if line.strip().startswith(key):
                found.setdefault(key, line.strip())
    return f"loaded, {', '.join(found.values()) or 'no state given'} ({shlex.join(argv)})"


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot be read ({exc.strerror}); check its permissions"
        ) from None


def _write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves the old file or the new one."""
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"{parent}: cannot write there ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private; service files are usually world-readable.
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):
        folder = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _remove_wants_link(unit: Path) -> None:
    """What `systemctl --user disable` removes: the link that starts the unit at
    login. Removed here too, so that a failed or impossible disable leaves no
    dangling link."""
    link = unit.parent / "default.target.wants" / SYSTEMD_UNIT
    if link.is_symlink():
        with contextlib.suppress(OSError):
            link.unlink()
