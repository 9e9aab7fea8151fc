"""Passwords and tokens from the places the config names: an environment
variable or a command's first line of output (`pass show imap`, an OAuth2
helper), for `[caldav]` and `[mail]`. The value is returned to the caller
and never logged, kept or put into an error message."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping

from vaultfollow.errors import ConfigError

COMMAND_TIMEOUT = 60  # seconds: a password manager may ask for its passphrase


def secret_from_env(section: str, key: str, name: str, environ: Mapping[str, str]) -> str:
    """The value of the environment variable `name` (config `[section] key`)."""
    value = environ.get(name)
    if not value:
        raise ConfigError(
            [
                f'[{section}] {key} = "{name}": that environment variable is not set; '
                "export it before running vaultfollow"
            ]
        )
    return value


def secret_from_command(section: str, key: str, command: str, what: str = "password") -> str:
    """The first line `command` prints (config `[section] key`)."""
    where = f'[{section}] {key} = "{command}"'
    try:
        done = subprocess.run(
            shlex.split(command),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(
            [f"{where} could not be run ({type(exc).__name__}); check the command"]
        ) from None
    if done.returncode != 0:
        # The command's own last line of stderr says why (never its stdout: the secret).
        why = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ConfigError([f"{where} failed with exit code {done.returncode}: {why}"])
    lines = done.stdout.splitlines()
    if not lines or not lines[0].strip():
        raise ConfigError([f"{where} printed no {what}; make it print the {what} on one line"])
    return lines[0].strip()


def read_secret(
    section: str,
    *,
    password_env: str,
    password_command: str,
    environ: Mapping[str, str] = os.environ,
) -> str:
    """The password from `password_env` or `password_command`; ConfigError
    naming the key when neither gives one."""
    if password_env:
        return secret_from_env(section, "password_env", password_env, environ)
    if password_command:
        return secret_from_command(section, "password_command", password_command)
    raise ConfigError(
        [
            f"[{section}]: no password; set password_env (an environment variable) or "
            f'password_command (e.g. "pass show {section}")'
        ]
    )
