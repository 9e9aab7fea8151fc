"""How fast `vaultfollow sync` is on big vaults, against two yardsticks.

    python benchmarks/sync_speed.py [--sizes 10000,50000] [--runs 5] [--json out.json]

For each size a synthetic vault is generated (benchmarks/make_vault.py:
mostly ordinary notes, a few hundred interview notes, 1-6 KB bodies), then
these are timed as whole processes, each the median of `--runs` (the first
three interleaved, one of each per round):

- I/O floor: a Python process that only reads every `.md` file of the vault;
- naive: a Python process that runs python-frontmatter's `load` on every note
  (what a simple script would do);
- cold: `vaultfollow sync` with no outputs and no cache (they are moved out
  of the vault before each run, and deleted at the end);
- cold, outputs just deleted: the same, with the outputs deleted before each
  run instead (for comparison, not a target; last of all, see `move_aside`);
- warm: `vaultfollow sync` again with nothing changed;
- `vaultfollow due` on the same warm vault.

Before and after the cold runs, the runner also times making an empty file
in new folders of the vault, as a cold sync does for each of its ~380 new
drafts: on ext4 without a journal (as on the machine of docs/performance.md)
that costs up to twenty times more for a few minutes after many files were
deleted nearby (a previous run's clean-up, a test suite), and the cold
sync's time moves with it. Before its cold runs, the runner waits (at most
six minutes) until making a file costs less than 2.5 times renaming one.

Then start-up, on a small vault (the starter vault): `python -c pass`,
`python -c "import click"`, `vaultfollow --help` and `vaultfollow due`.

Targets (issue "Fast on the biggest vaults"): cold <= 1.0x naive; warm <= 1.0x
the I/O floor; `--help` and `due` about python + click. The page cache is
warm for all of them (the files were just written or read), so the I/O floor
measures Python's cost of opening and reading files rather than the disk.
The code under test is byte-compiled first, as an installed package is (this
machine sets PYTHONDONTWRITEBYTECODE). Results go into docs/performance.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_vault import generate

NOW = "2026-11-22T10:00"

READ_ALL = """
import os, sys
total = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith(".md"):
            with open(os.path.join(folder, name), "rb") as handle:
                total += len(handle.read())
print(total)
"""

NAIVE = """
import os, sys
import frontmatter
count = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith(".md"):
            try:
                frontmatter.load(os.path.join(folder, name))
                count += 1
            except Exception:
                pass
print(count)
"""


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_of(runs: int, command: list[str], before: object = None) -> float:
    times = []
    for _ in range(runs):
        if callable(before):
            before()
        times.append(timed(command))
    return statistics.median(times)


def compile_package(python: str) -> None:
    """Byte-compile the vaultfollow that `python` imports, as pip does on install."""
    code = (
        "import compileall, os, vaultfollow; "
        "compileall.compile_dir(os.path.dirname(vaultfollow.__file__), quiet=1)"
    )
    subprocess.run([python, "-c", code], check=True)


def startup(runs: int, workdir: Path) -> dict[str, float]:
    """Start-up of a few commands on the starter vault, warm."""
    python = sys.executable
    vault = workdir / "small"
    init = [python, "-m", "vaultfollow", "init", str(vault)]
    subprocess.run(init, check=True, capture_output=True)
    due = [python, "-m", "vaultfollow", "due", str(vault), "--now", NOW]
    timed([python, "-m", "vaultfollow", "-q", "sync", str(vault), "--now", NOW])
    result = {
        "python": median_of(runs, [python, "-c", "pass"]),
        "click": median_of(runs, [python, "-c", "import click"]),
        "help": median_of(runs, [python, "-m", "vaultfollow", "--help"]),
        "due": median_of(runs, due),
    }
    print(f"  start-up {result}", file=sys.stderr, flush=True)
    return result


class SizeRun:
    """The measurements of one generated vault."""

    def __init__(self, size: int, interviews: int, workdir: Path) -> None:
        self.size = size
        self.vault = workdir / f"vault-{size}"
        print(f"generating {size} notes ...", file=sys.stderr, flush=True)
        generate(self.vault, notes=size, interviews=interviews, seed=1, today=date(2026, 11, 22))
        self.aside = workdir / f"moved-aside-{size}"
        self.aside.mkdir()
        self._moves = itertools.count()
        python = sys.executable
        self.sync = [python, "-m", "vaultfollow", "-q", "sync", str(self.vault), "--now", NOW]
        self.read_all = [python, "-c", READ_ALL, str(self.vault)]
        self.naive = [python, "-c", NAIVE, str(self.vault)]
        self.due = [python, "-m", "vaultfollow", "due", str(self.vault), "--now", NOW]
        self.result: dict[str, float] = {"notes": float(size)}

    def move_aside(self) -> None:
        """Take the outputs out of the vault without deleting them (they go
        with the rest at the end): on ext4 without a journal the kernel skips
        every inode freed in the last minutes when it makes a new file, so
        deleting 400 files before each cold run slows the next run's own
        file creation. See docs/performance.md."""
        for name in ("Follow-ups", ".vaultfollow"):
            self._set_aside(name)

    def _set_aside(self, name: str) -> None:
        if (self.vault / name).exists():
            (self.vault / name).rename(self.aside / f"{name}-{next(self._moves)}")

    def delete(self) -> None:
        shutil.rmtree(self.vault / "Follow-ups", ignore_errors=True)
        shutil.rmtree(self.vault / ".vaultfollow", ignore_errors=True)

    def creation_ms(self) -> tuple[float, float]:
        """What making one new empty file costs in the vault, and what renaming
        one costs, in ms: 400 files in 20 new folders, as `sync` makes its
        drafts' (then moved aside)."""
        probe = self.vault / ".bench-probe"
        probe.mkdir()
        create = rename = 0.0
        for folder in range(20):
            (probe / str(folder)).mkdir()
            names = [probe / str(folder) / f"{number}.md" for number in range(20)]
            start = time.perf_counter()
            for name in names:
                os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            middle = time.perf_counter()
            for name in names:
                os.rename(name, name.with_suffix(".txt"))
            create += middle - start
            rename += time.perf_counter() - middle
        self._set_aside(probe.name)
        return create * 1000 / 400, rename * 1000 / 400

    def settle(self, limit: float = 360.0, pause: float = 15.0) -> float:
        """Wait (at most `limit` seconds) until making a file costs less than
        2.5 renames, as on a settled file system (about 1.2 on the machine of
        docs/performance.md); returns the last cost of making one. For a few
        minutes after many files were deleted nearby (a previous run's
        clean-up, a test suite) it costs up to 35 renames."""
        deadline = time.monotonic() + limit
        while True:
            create, rename = self.creation_ms()
            if create <= 2.5 * rename:
                return create
            if time.monotonic() > deadline:
                print("  the file system did not settle: measuring anyway", file=sys.stderr)
                return create
            print(
                f"  making a file costs {create:.3f} ms, renaming one {rename:.3f} ms: "
                "waiting for the file system to settle",
                file=sys.stderr,
                flush=True,
            )
            time.sleep(pause)

    def measure(self, runs: int) -> None:
        result = self.result
        timed(self.read_all)  # warm the page cache
        create_before = self.settle()
        # Interleaved, one of each per round, so that a drift of the machine
        # (page cache, other load) weighs on the yardsticks and the sync alike.
        times: dict[str, list[float]] = {"io_floor": [], "naive": [], "cold": []}
        for _ in range(runs):
            times["io_floor"].append(timed(self.read_all))
            times["naive"].append(timed(self.naive))
            self.move_aside()
            times["cold"].append(timed(self.sync))
        result.update((key, statistics.median(t)) for key, t in times.items())
        result["create_ms_before"] = create_before
        result["create_ms_after"], result["rename_ms_after"] = self.creation_ms()
        result["cold_vs_naive"] = result["cold"] / result["naive"]
        result["cold_vs_naive_pairs"] = statistics.median(
            cold / naive for cold, naive in zip(times["cold"], times["naive"], strict=True)
        )
        timed(self.sync)  # make sure the cache is in place
        result["warm"] = median_of(runs, self.sync)
        result["warm_vs_io_floor"] = result["warm"] / result["io_floor"]
        result["due"] = median_of(runs, self.due)
        print(f"  {result}", file=sys.stderr, flush=True)

    def measure_after_delete(self, runs: int) -> None:
        """Cold again, the outputs deleted before each run (for comparison,
        not a target); run last of all, as its deletions slow down file
        creation for minutes."""
        result = self.result
        result["cold_after_delete"] = median_of(runs, self.sync, before=self.delete)
        result["cold_after_delete_vs_naive"] = result["cold_after_delete"] / result["naive"]
        seconds = result["cold_after_delete"]
        print(f"  {self.size} notes, cold after delete: {seconds:.3f} s", file=sys.stderr)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--interviews", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    compile_package(sys.executable)
    with tempfile.TemporaryDirectory(prefix="vaultfollow-bench-") as tmp:
        start = startup(max(args.runs, 9), Path(tmp))
        runs = [SizeRun(int(size), args.interviews, Path(tmp)) for size in args.sizes.split(",")]
        for run in runs:
            run.measure(args.runs)
        for run in runs:
            run.measure_after_delete(args.runs)
        rows = [run.result for run in runs]
    print(f"\nMachine: {machine()}\n")
    print(
        "| notes | I/O floor | naive | cold sync | warm sync | cold / naive | warm / floor "
        "| cold, outputs just deleted | due |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {int(row['notes']):,} | {row['io_floor']:.2f} s | {row['naive']:.2f} s | "
            f"{row['cold']:.2f} s | {row['warm']:.2f} s | {row['cold_vs_naive']:.2f}x | "
            f"{row['warm_vs_io_floor']:.2f}x | {row['cold_after_delete']:.2f} s "
            f"({row['cold_after_delete_vs_naive']:.2f}x) | {row['due']:.2f} s |"
        )
    print("\nMaking one empty file in a new folder of the vault, before and after the cold runs:")
    for row in rows:
        print(
            f"- {int(row['notes']):,} notes: {row['create_ms_before']:.3f} ms, then "
            f"{row['create_ms_after']:.3f} ms (renaming one: {row['rename_ms_after']:.3f} ms); "
            f"cold / naive of each round's pair, median: {row['cold_vs_naive_pairs']:.2f}x"
        )
    print("\n| python -c pass | python + click | vaultfollow --help | vaultfollow due |")
    print("| ---: | ---: | ---: | ---: |")
    ms = {key: f"{value * 1000:.0f} ms" for key, value in start.items()}
    print(f"| {ms['python']} | {ms['click']} | {ms['help']} | {ms['due']} |")
    if args.json:
        data = {"machine": machine(), "rows": rows, "startup": start}
        args.json.write_text(json.dumps(data, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
