"""The README documents every command, option and setting that exists."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from vaultfollow.cli import main
from vaultfollow.core.config import SPEC
from vaultfollow.core.drafts import DEFAULT_TEMPLATE_NAMES

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_command_and_option_is_in_the_readme() -> None:
    assert isinstance(main, click.Group)
    commands: list[tuple[str, click.Command]] = []
    for name, command in main.commands.items():
        assert f"vaultfollow {name}" in README, name
        commands.append((name, command))
        if isinstance(command, click.Group):
            for sub, subcommand in command.commands.items():
                assert f"{name} {sub}" in README, f"{name} {sub}"
                commands.append((f"{name} {sub}", subcommand))
    for name, command in commands:
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in README for opt in param.opts), f"{name} {param.opts}"


@pytest.mark.parametrize("section", sorted(SPEC))
def test_every_setting_is_in_the_readme(section: str) -> None:
    table = README[README.index("## Configuration") : README.index("## Writing templates")]
    assert f"**[{section}]**" in table
    for key in SPEC[section]:
        assert f"`{key}`" in table, f"[{section}] {key}"


def test_every_template_is_in_the_readme() -> None:
    for name in DEFAULT_TEMPLATE_NAMES:
        assert f"`{name}`" in README


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vaultfollow", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("vaultfollow, version ")


def test_the_readme_test_command_is_what_ci_runs() -> None:
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = ".venv/bin/pytest -q"
    assert f"&& {command}\n" in README
    assert ci.rstrip().splitlines()[-1] == command


def test_the_starter_config_lists_every_setting() -> None:
    """vault-template/vaultfollow.toml documents every key (commented out or set)."""
    text = (Path(__file__).parent.parent / "vault-template" / "vaultfollow.toml").read_text(
        encoding="utf-8"
    )
    for section, keys in SPEC.items():
        block = text[text.index(f"[{section}]") :]
        for key in keys:
            assert f"\n# {key} = " in block or f"\n{key} = " in block, f"[{section}] {key}"


def test_every_test_named_in_reliability_md_exists() -> None:
    """docs/reliability.md names a test for each case: each must be there
    (`file.py::name`, or `::name` for another test of the file before)."""
    tests = Path(__file__).parent
    text = (tests.parent / "docs" / "reliability.md").read_text(encoding="utf-8")
    missing = []
    current = ""
    for file, name in re.findall(r"`(?:(test_\w+\.py))?::(\w+)", text):
        current = file or current
        source = (tests / current).read_text(encoding="utf-8")
        if f"def {name}(" not in source:
            missing.append(f"{current}::{name}")
    assert not missing, missing


def test_the_demo_drafts_shown_in_the_readme_are_what_the_demo_writes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    vault = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", str(vault), "--once"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    drafts = sorted((vault / "Follow-ups" / "Lumen Analytics").glob("* thank-you - *.md"))
    shown = 0
    for draft in drafts:
        body = draft.read_text(encoding="utf-8").split("---\n", 2)[2].strip()
        if body.splitlines()[0] in README:
            assert "```text\n" + body + "\n```" in README, draft.name
            shown += 1
    assert shown == 2
