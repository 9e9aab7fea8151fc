"""One error hierarchy for the core; the CLI maps it to messages and exit codes."""

from __future__ import annotations

from collections.abc import Sequence


class VaultfollowError(Exception):
    """Base of every error vaultfollow reports to the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(VaultfollowError):
    """Bad arguments or a vault that cannot be used (exit code 2)."""

    exit_code = 2


class ConfigError(UsageError):
    """`vaultfollow.toml` has problems; each line names key, value and what is allowed."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = tuple(errors)


class TemplateError(VaultfollowError):
    """A draft template could not be rendered; the message names template and line."""


class VaultGoneError(VaultfollowError):
    """The vault folder no longer exists."""
