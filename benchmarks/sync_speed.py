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
  run instead (for comparison: not a target; see `move_aside`);
- warm: `vaultfollow sync` again with nothing changed;
- warm, real pass: the same with the record of the last pass deleted first,
  so the engine runs over its cache (for comparison: not a target);
- `vaultfollow due` on the same warm vault.

Before and after the cold runs, the runner also times making one empty file
in a new folder of the vault, as a cold sync does for each of its ~380 new
drafts: on ext4 without a journal (as on the machine of docs/performance.md)
that costs up to ten times more in a block group where many files were
deleted in the last minutes, and the cold sync's time moves with it.

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
    # A pass leaves no record while a file it read is under 2 s old (see
    # last_pass.RACY_NS), and `init` has just written every file.
    time.sleep(2.5)
    timed([python, "-m", "vaultfollow", "-q", "sync", str(vault), "--now", NOW])
    result = {
        "python": median_of(runs, [python, "-c", "pass"]),
        "click": median_of(runs, [python, "-c", "import click"]),
        "help": median_of(runs, [python, "-m", "vaultfollow", "--help"]),
        "due": median_of(runs, due),
    }
    print(f"  start-up {result}", file=sys.stderr, flush=True)
    return result


def measure(size: int, interviews: int, runs: int, workdir: Path) -> dict[str, float]:
    vault = workdir / f"vault-{size}"
    print(f"generating {size} notes ...", file=sys.stderr, flush=True)
    generate(vault, notes=size, interviews=interviews, seed=1, today=date(2026, 11, 22))
    python = sys.executable
    sync = [python, "-m", "vaultfollow", "-q", "sync", str(vault), "--now", NOW]

    aside = workdir / f"moved-aside-{size}"
    aside.mkdir()
    runs_aside = itertools.count()

    def move_aside() -> None:
        # The outputs leave the vault but are not deleted until the end: on
        # ext4 without a journal the kernel skips every inode freed in the
        # last minute (up to six while its table block is dirty) when it
        # makes a new file, so deleting 400 files just before each cold run
        # made the run's own file creation several times slower. A user's
        # first sync does not follow such a deletion. See docs/performance.md.
        run = next(runs_aside)
        for name in ("Follow-ups", ".vaultfollow"):
            if (vault / name).exists():
                (vault / name).rename(aside / f"{name}-{run}")

    def delete() -> None:
        shutil.rmtree(vault / "Follow-ups", ignore_errors=True)
        shutil.rmtree(vault / ".vaultfollow", ignore_errors=True)

    def creation_ms() -> float:
        # What making one new empty file costs in the vault, 400 files in 20
        # new folders as `sync` makes its drafts' (then moved aside).
        probe = vault / ".bench-probe"
        probe.mkdir()
        start = time.perf_counter()
        for folder in range(20):
            (probe / str(folder)).mkdir()
            for number in range(20):
                flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY
                os.close(os.open(probe / str(folder) / f"{number}.md", flags, 0o644))
        elapsed = time.perf_counter() - start
        probe.rename(aside / f"probe-{next(runs_aside)}")
        return elapsed * 1000 / 400

    read_all = [python, "-c", READ_ALL, str(vault)]
    naive = [python, "-c", NAIVE, str(vault)]
    timed(read_all)  # warm the page cache
    create_before = creation_ms()
    # Interleaved, one of each per round, so that a drift of the machine
    # (page cache, other load) weighs on the yardsticks and the sync alike.
    times: dict[str, list[float]] = {"io_floor": [], "naive": [], "cold": []}
    for _ in range(runs):
        times["io_floor"].append(timed(read_all))
        times["naive"].append(timed(naive))
        move_aside()
        times["cold"].append(timed(sync))
    result = {"notes": float(size)} | {key: statistics.median(t) for key, t in times.items()}
    result["create_ms_before"] = create_before
    result["create_ms_after"] = creation_ms()
    result["cold_vs_naive_pairs"] = statistics.median(
        cold / naive for cold, naive in zip(times["cold"], times["naive"], strict=True)
    )
    # After the other cold runs, as its deletions slow down file creation for
    # minutes (for comparison: not a target).
    result["cold_after_delete"] = median_of(runs, sync, before=delete)
    timed(sync)  # make sure the cache is in place
    result["warm"] = median_of(runs, sync)
    result["due"] = median_of(runs, [python, "-m", "vaultfollow", "due", str(vault), "--now", NOW])
    record = next((vault / ".vaultfollow").glob("cache-*.last-pass.json"))

    def forget_record() -> None:
        record.unlink(missing_ok=True)

    result["warm_real"] = median_of(runs, sync, before=forget_record)
    result["cold_vs_naive"] = result["cold"] / result["naive"]
    result["cold_after_delete_vs_naive"] = result["cold_after_delete"] / result["naive"]
    result["warm_vs_io_floor"] = result["warm"] / result["io_floor"]
    print(f"  {result}", file=sys.stderr, flush=True)
    return result


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
    rows = []
    compile_package(sys.executable)
    with tempfile.TemporaryDirectory(prefix="vaultfollow-bench-") as tmp:
        start = startup(max(args.runs, 9), Path(tmp))
        for size in (int(s) for s in args.sizes.split(",")):
            rows.append(measure(size, args.interviews, args.runs, Path(tmp)))
    print(f"\nMachine: {machine()}\n")
    print(
        "| notes | I/O floor | naive | cold sync | warm sync | cold / naive | warm / floor "
        "| cold, outputs just deleted | warm, real pass | due |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {int(row['notes']):,} | {row['io_floor']:.2f} s | {row['naive']:.2f} s | "
            f"{row['cold']:.2f} s | {row['warm']:.2f} s | {row['cold_vs_naive']:.2f}x | "
            f"{row['warm_vs_io_floor']:.2f}x | {row['cold_after_delete']:.2f} s "
            f"({row['cold_after_delete_vs_naive']:.2f}x) | {row['warm_real']:.2f} s | "
            f"{row['due']:.2f} s |"
        )
    print("\nMaking one empty file in a new folder of the vault, before and after the cold runs:")
    for row in rows:
        print(
            f"- {int(row['notes']):,} notes: {row['create_ms_before']:.3f} ms, "
            f"then {row['create_ms_after']:.3f} ms; cold / naive of each round's "
            f"pair, median: {row['cold_vs_naive_pairs']:.2f}x"
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
