"""The layers the file list shows, held by the code's own imports.

errors <- core <- store <- app <- the adapters (cli, watcher, poller,
server, push, service): a module imports only from its own layer or those
below it, and no modules import each other in a circle. Every import
counts, at the top of a module or inside a function, and so do those only
made for type checking (a circle there is a circle in the design).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "vaultfollow"
RANK = {"errors": 0, "core": 1, "store": 2, "app": 3}
ADAPTER = 4  # every other module of the package


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:  # the package itself: __init__ holds only the version
        return 0
    return RANK.get(parts[1], ADAPTER)


def imports(path: Path) -> set[str]:
    """The vaultfollow modules `path` imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "vaultfollow")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package `path` lies in
                package = module_name(path).split(".")
                if path.name != "__init__.py":
                    package = package[:-1]
                base = ".".join([*package[: len(package) - node.level + 1], base]).strip(".")
            if base.split(".")[0] != "vaultfollow":
                continue
            for alias in node.names:  # `from vaultfollow.core import lint` names a module
                sub = f"{base}.{alias.name}"
                is_module = (PACKAGE.parent / (sub.replace(".", "/") + ".py")).is_file()
                found.add(sub if is_module else base)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imports(path) & modules.keys() - {name} for name, path in modules.items()}


def test_the_layers_are_folders() -> None:
    for folder in ("core", "store", "app"):
        assert (PACKAGE / folder / "__init__.py").is_file(), folder
    # Nothing but the adapters, the error hierarchy and the entry points at the top.
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top == {
        "__init__",
        "__main__",
        "errors",
        "cli",  # the group and the commands on the vault
        "cli_options",  # what every command shares: VAULT, --now, errors to exit codes
        "cli_init",  # init: setting up a vault
        "cli_delivery",  # serve, push, mail and what watch starts of them
        "watcher",
        "poller",
        "server",
        "push",
        "push_trouble",  # what went wrong with a push, in words
        "push_state",  # what a push remembers (.vaultfollow/push.json)
        "service",
        "mail",  # the IMAP mailbox (read-only)
        "secrets",  # passwords and tokens from the environment or a command
    }, top


def test_every_import_goes_down_or_stays_in_its_layer() -> None:
    upward = sorted(
        f"{module} imports {other}"
        for module, targets in graph().items()
        for other in targets
        if layer(other) > layer(module)
    )
    assert not upward, upward


def test_no_modules_import_each_other_in_a_circle() -> None:
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for other in sorted(edges[module]):
            if state.get(other) == 1:
                cycles.append([*path[path.index(other) :], other])
            elif other not in state:
                visit(other)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert not cycles, cycles


def test_imports_in_functions_and_for_type_checking_count(tmp_path: Path) -> None:
    """What the tests above see: an import inside a function, one made only
    for type checking and a module named by `from package import module`."""
    source = tmp_path / "example.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from vaultfollow.core import lint\n"
        "if TYPE_CHECKING:\n"
        "    from vaultfollow.store.vault import Vault\n"
        "def f():\n"
        "    from vaultfollow.app.engine import Engine\n"
    )
    assert imports(source) == {
        "vaultfollow.core.lint",
        "vaultfollow.store.vault",
        "vaultfollow.app.engine",
    }
    assert (
        layer("vaultfollow.app.engine")
        > layer("vaultfollow.store.vault")
        > layer("vaultfollow.core.lint")
    )
    assert layer("vaultfollow.cli") > layer("vaultfollow.app.engine")


IMPURE = {"os", "time", "threading", "signal", "subprocess", "socket", "multiprocessing", "shutil"}


def test_the_core_is_pure() -> None:
    """No core module reaches the disk, the clock, threads or processes:
    `now` is a parameter, and package data is read through importlib."""
    found = []
    for path in sorted((PACKAGE / "core").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
                found += [f"{path.name}: import {n}" for n in names if n in IMPURE]
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module.split(".")[0] in IMPURE:
                    found.append(f"{path.name}: from {node.module}")
                if node.module == "pathlib":
                    found += [
                        f"{path.name}: pathlib.{a.name}" for a in node.names if a.name == "Path"
                    ]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("now", "today", "utcnow")
            ):
                found.append(f"{path.name}: {ast.unparse(node.func)}()")
    assert not found, found


HELP_PROBE = """
import sys
from vaultfollow.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""


def test_help_imports_only_the_cli_and_click() -> None:
    """`vaultfollow --help` loads the CLI's own modules and click, nothing
    of the core, the store, the adapters or their libraries: every command
    imports what it needs inside its function (the CLI split into
    cli/cli_options/cli_init/cli_delivery keeps that)."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", HELP_PROBE], capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    ours = {m for m in loaded if m.split(".")[0] == "vaultfollow"}
    assert ours == {
        "vaultfollow",
        "vaultfollow.cli",
        "vaultfollow.cli_options",
        "vaultfollow.cli_init",
        "vaultfollow.cli_delivery",
    }, ours
    heavy = {
        "logging",
        "watchdog",
        "frontmatter",
        "yaml",
        "markdown_it",
        "icalendar",
        "jinja2",
        "holidays",
        "caldav",
        "spellchecker",
        "dateparser",
        "wordfreq",
        "babel",
        "imapclient",
        "http.server",
        "ssl",
    }
    assert not heavy & loaded, heavy & loaded
