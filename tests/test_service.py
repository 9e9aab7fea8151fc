"""`vaultfollow service`: the unit and agent files, and install/uninstall/status
on a temporary HOME. The real systemctl and launchctl are never run: tests
pass start=False, or put an empty folder or fake tools first on PATH."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vaultfollow import service
from vaultfollow.errors import UsageError

LINUX = "linux"
MACOS = "darwin"
COMMAND = ["/opt/vf/bin/vaultfollow", "watch", "/home/me/Vault"]


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "My 100% Vault"
    root.mkdir()
    return root


@pytest.fixture
def no_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH is an empty folder: no systemctl, no launchctl."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


def fake_tool(folder: Path, name: str, exit_code: int = 0) -> Path:
    """A stand-in for systemctl or launchctl that logs its arguments."""
    folder.mkdir(exist_ok=True)
    log = folder / f"{name}.log"
    script = folder / name
    script.write_text(
        f'#!/bin/sh\necho "$*" >> "{log}"\necho "{name} says no" >&2\nexit {exit_code}\n'
        if exit_code
        else f'#!/bin/sh\necho "$*" >> "{log}"\nexit 0\n'
    )
    script.chmod(0o755)
    return log


def unit_path() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "systemd" / "user" / "vaultfollow.service"


def exec_start(unit: str) -> str:
    return next(line for line in unit.splitlines() if line.startswith("ExecStart="))


# --- pure rendering ------------------------------------------------------------


def test_systemd_unit_runs_watch_on_the_vault_and_restarts_on_failure() -> None:
    unit = service.render_systemd_unit(COMMAND, Path("/home/me/Vault"))
    assert exec_start(unit) == "ExecStart=/opt/vf/bin/vaultfollow watch /home/me/Vault"
    assert "\nRestart=on-failure\n" in unit
    assert "\nRestartSec=5\n" in unit
    assert "\nEnvironment=PYTHONUNBUFFERED=1\n" in unit
    assert "[Install]\nWantedBy=default.target\n" in unit


def test_systemd_unit_quotes_a_vault_with_spaces_percent_and_dollar() -> None:
    vault = Path('/home/me/My 100% $HOME "Vault"')
    unit = service.render_systemd_unit(["/opt/vf/bin/vaultfollow", "watch", str(vault)], vault)
    assert exec_start(unit) == (
        'ExecStart=/opt/vf/bin/vaultfollow watch "/home/me/My 100%% $$HOME \\"Vault\\""'
    )
    assert "Description=vaultfollow watch /home/me/My 100%% $HOME" in unit
    assert service.installed_vault(LINUX, unit.encode()) == vault


@pytest.mark.parametrize(
    ("arg", "executable", "quoted"),
    [
        ("/usr/bin/vaultfollow", True, "/usr/bin/vaultfollow"),
        ("/a b/vaultfollow", True, '"/a b/vaultfollow"'),
        ("/a 5%/$x", True, '"/a 5%%/$x"'),
        ("/a 5%/$x", False, '"/a 5%%/$$x"'),
        ("back\\slash", False, '"back\\\\slash"'),
        (";", False, '";"'),
        ("", False, '""'),
    ],
)
def test_systemd_quote(arg: str, executable: bool, quoted: str) -> None:
    assert service.systemd_quote(arg, executable=executable) == quoted


@pytest.mark.parametrize("folder", ["/opt/o'brien", '/opt/say "hi"', "/opt/back\\slash"])
def test_systemd_refuses_an_executable_it_could_never_start(folder: str) -> None:
    with pytest.raises(UsageError, match="systemd refuses"):
        service.render_systemd_unit([f"{folder}/vaultfollow", "watch", "/v"], Path("/v"))


def test_a_vault_path_with_a_line_break_is_refused() -> None:
    with pytest.raises(UsageError, match="line break"):
        service.render_systemd_unit(COMMAND, Path("/home/me/a\nb"))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_itself_accepts_the_unit(tmp_path: Path, vault: Path) -> None:
    folder = tmp_path / "bin 100% $x"
    folder.mkdir()
    python = folder / "python"
    fake_tool(folder, "vaultfollow")
    command = service.watch_command(str(python), vault)
    assert command[0] == str(folder / "vaultfollow")
    unit = tmp_path / "units" / "vaultfollow.service"
    unit.parent.mkdir()
    unit.write_text(service.render_systemd_unit(command, vault))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    # A wrongly quoted executable is reported as "Command ... is not executable".
    assert result.returncode == 0, result.stderr
    assert "vaultfollow.service" not in result.stdout + result.stderr


def test_launchd_plist_reads_back(vault: Path) -> None:
    log = Path("/Users/me/Library/Logs/vaultfollow.log")
    command = ["/opt/vf/bin/vaultfollow", "watch", str(vault)]
    data = service.render_launchd_plist(command, vault, log)
    agent = plistlib.loads(data)
    assert agent["Label"] == "dev.vaultfollow.watch"
    assert agent["ProgramArguments"] == command
    assert agent["RunAtLoad"] is True
    assert agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["StandardOutPath"] == agent["StandardErrorPath"] == str(log)
    env = agent["EnvironmentVariables"]
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["PATH"].split(":")[:2] == ["/opt/vf/bin", "/opt/homebrew/bin"]
    assert service.render_launchd_plist(command, vault, log) == data
    assert service.installed_vault(MACOS, data) == vault


def test_service_paths(tmp_path: Path) -> None:
    home = tmp_path / "home"
    unit = Path("systemd/user/vaultfollow.service")
    assert service.service_path(LINUX, home, {}) == home / ".config" / unit
    assert service.service_path(LINUX, home, {"XDG_CONFIG_HOME": "/x/cfg"}) == Path("/x/cfg") / unit
    # The XDG spec says a relative XDG_CONFIG_HOME is to be ignored.
    assert service.service_path(LINUX, home, {"XDG_CONFIG_HOME": "cfg"}) == home / ".config" / unit
    assert service.service_path(MACOS, home, {}) == (
        home / "Library" / "LaunchAgents" / "dev.vaultfollow.watch.plist"
    )


def test_watch_command_prefers_the_script_next_to_python(tmp_path: Path) -> None:
    python = tmp_path / "bin" / "python"
    assert service.watch_command(str(python), Path("/v")) == [
        str(python),
        "-m",
        "vaultfollow",
        "watch",
        "/v",
    ]
    fake_tool(python.parent, "vaultfollow")
    assert service.watch_command(str(python), Path("/v")) == [
        str(python.parent / "vaultfollow"),
        "watch",
        "/v",
    ]


# --- install, uninstall, status ------------------------------------------------


def test_install_writes_the_unit_for_the_resolved_vault(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(vault.parent)
    report = service.install(Path(vault.name), platform=LINUX, start=False)
    assert report.path == unit_path()
    assert report.vault == vault.resolve()
    assert report.changed and not report.started and report.ok
    unit = unit_path().read_text()
    assert exec_start(unit).endswith(f' watch "{str(vault.resolve()).replace("%", "%%")}"')
    text = "\n".join(report.lines)
    assert f"Installed the systemd user service: {unit_path()}" in text
    assert "journalctl --user -u vaultfollow -f" in text
    assert "vaultfollow service uninstall" in text
    assert report.manual_commands == (
        "systemctl --user daemon-reload",
        "systemctl --user enable --now vaultfollow.service",
    )


def test_install_twice_is_harmless(vault: Path) -> None:
    service.install(vault, platform=LINUX, start=False)
    path = unit_path()
    before = path.read_bytes()
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    report = service.install(vault, platform=LINUX, start=False)
    assert not report.changed
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert report.lines[0] == f"Already installed, unchanged: {path}"


def test_install_for_another_vault_replaces_it(vault: Path, tmp_path: Path) -> None:
    service.install(vault, platform=LINUX, start=False)
    other = tmp_path / "Other"
    other.mkdir()
    report = service.install(other, platform=LINUX, start=False)
    assert report.changed
    assert report.previous_vault == vault.resolve()
    assert f"Replaced the service that watched {vault.resolve()}" in report.lines[0]
    assert service.installed_vault(LINUX, unit_path().read_bytes()) == other.resolve()
    # The running service has the old command line: the manual steps restart it.
    assert "systemctl --user restart vaultfollow.service" in report.manual_commands


def test_uninstall_removes_the_unit(vault: Path) -> None:
    service.install(vault, platform=LINUX, start=False)
    wants = unit_path().parent / "default.target.wants" / "vaultfollow.service"
    wants.parent.mkdir()
    wants.symlink_to(unit_path())
    report = service.uninstall(platform=LINUX, stop=False)
    assert report.removed and report.vault == vault.resolve()
    assert not unit_path().exists()
    assert not wants.is_symlink()
    assert f"Removed {unit_path()} (it watched {vault.resolve()})" in report.lines


def test_uninstall_when_not_installed_is_harmless() -> None:
    report = service.uninstall(platform=LINUX)
    assert not report.removed and report.ok
    assert report.lines == (f"Not installed (no {unit_path()}); nothing to do.",)


def test_status_before_and_after(vault: Path, no_tools: Path) -> None:
    before = service.status(platform=LINUX)
    assert not before.installed and before.vault is None and before.state is None
    assert before.lines[0] == f"Not installed (no {unit_path()})."
    service.install(vault, platform=LINUX, start=False)
    after = service.status(platform=LINUX)
    assert after.installed and after.vault == vault.resolve()
    assert f"Watches: {vault.resolve()}" in after.lines
    service.uninstall(platform=LINUX, stop=False)
    assert not service.status(platform=LINUX).installed


def test_macos_install_status_uninstall(vault: Path) -> None:
    home = Path.home()
    report = service.install(vault, platform=MACOS, start=False)
    assert report.path == home / "Library" / "LaunchAgents" / "dev.vaultfollow.watch.plist"
    agent = plistlib.loads(report.path.read_bytes())
    assert agent["ProgramArguments"][-2:] == ["watch", str(vault.resolve())]
    assert (home / "Library" / "Logs").is_dir()
    assert f"Logs: tail -f {home}/Library/Logs/vaultfollow.log" in report.lines
    assert report.manual_commands[-1].startswith("launchctl bootstrap gui/")
    assert service.install(vault, platform=MACOS, start=False).changed is False
    assert service.status(platform=MACOS, query=False).vault == vault.resolve()
    assert service.uninstall(platform=MACOS, stop=False).removed
    assert not report.path.exists()


@pytest.mark.parametrize("platform", ["win32", "cygwin"])
def test_windows_is_told_to_use_task_scheduler(platform: str, vault: Path) -> None:
    with pytest.raises(UsageError, match="Task Scheduler") as caught:
        service.install(vault, platform=platform, start=False)
    assert "-m vaultfollow watch" in caught.value.message
    assert str(vault) in caught.value.message
    with pytest.raises(UsageError, match="Task Scheduler"):
        service.status(platform=platform)
    with pytest.raises(UsageError, match="Task Scheduler"):
        service.uninstall(platform=platform)


def test_other_platforms_are_refused(vault: Path) -> None:
    with pytest.raises(UsageError, match="not 'freebsd14'"):
        service.install(vault, platform="freebsd14", start=False)
    assert not unit_path().exists()


def test_a_vault_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a folder"):
        service.install(tmp_path / "missing", platform=LINUX, start=False)
    note = tmp_path / "note.md"
    note.write_text("hi")
    with pytest.raises(UsageError, match="is not a folder"):
        service.install(note, platform=LINUX, start=False)


# --- starting and stopping -----------------------------------------------------


@pytest.mark.parametrize("platform", [LINUX, MACOS])
def test_start_without_the_tool_gives_the_commands(
    platform: str, vault: Path, no_tools: Path
) -> None:
    report = service.install(vault, platform=platform, start=True)
    assert report.path.exists()
    assert not report.started and report.ok
    assert report.manual_commands
    text = "\n".join(report.lines)
    assert "is not on PATH" in text
    for command in report.manual_commands:
        assert f"  {command}" in report.lines
    removed = service.uninstall(platform=platform, stop=True)
    assert removed.removed and removed.ok and not report.path.exists()


def test_start_runs_systemctl(vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "tools"
    log = fake_tool(tools, "systemctl")
    monkeypatch.setenv("PATH", str(tools))
    report = service.install(vault, platform=LINUX, start=True)
    assert report.started and report.ok and report.manual_commands == ()
    assert log.read_text().splitlines() == [
        "--user daemon-reload",
        "--user enable --now vaultfollow.service",
    ]
    state = service.status(platform=LINUX).state
    assert state is not None and "systemctl --user is-active vaultfollow.service" in state
    log.unlink()
    assert service.uninstall(platform=LINUX).stopped
    assert log.read_text().splitlines() == ["--user disable --now vaultfollow.service"]


def test_a_failing_systemctl_is_reported_not_raised(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = tmp_path / "tools"
    fake_tool(tools, "systemctl", exit_code=1)
    monkeypatch.setenv("PATH", str(tools))
    report = service.install(vault, platform=LINUX, start=True)
    assert report.path.exists()
    assert not report.started and not report.ok
    assert "`systemctl --user daemon-reload` failed: systemctl says no" in "\n".join(report.lines)
    assert report.manual_commands[0] == "systemctl --user daemon-reload"
    removed = service.uninstall(platform=LINUX)
    assert removed.removed and not removed.ok and not unit_path().exists()
    assert removed.manual_commands == (
        "systemctl --user stop vaultfollow.service",
        "systemctl --user daemon-reload",
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell scripts as fake tools")
def test_launchctl_bootstraps_only_what_is_not_loaded(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `launchctl print` fails: the agent is not loaded, so install only bootstraps.
    tools = tmp_path / "tools"
    log = fake_tool(tools, "launchctl", exit_code=1)
    monkeypatch.setenv("PATH", str(tools))
    report = service.install(vault, platform=MACOS, start=True)
    uid = os.getuid()
    assert log.read_text().splitlines() == [
        f"print gui/{uid}/dev.vaultfollow.watch",
        f"bootstrap gui/{uid} {report.path}",
    ]
    assert not report.ok
    assert report.manual_commands == (f"launchctl bootstrap gui/{uid} {report.path}",)
