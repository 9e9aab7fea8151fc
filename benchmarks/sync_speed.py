"""How fast `vaultfollow sync` is on big vaults, against two yardsticks.

    python benchmarks/sync_speed.py [--sizes 10000,50000] [--runs 5] [--json out.json]

For each size a synthetic vault is generated (benchmarks/make_vault.py:
mostly ordinary notes, a few hundred interview notes, 1-6 KB bodies), then
four commands are timed as whole processes, each the median of `--runs`:

- I/O floor: a Python process that only reads every `.md` file of the vault;
- naive: a Python process that runs python-frontmatter's `load` on every note
  (what a simple script would do);
- cold: `vaultfollow sync` with no outputs and no cache (they are deleted
  before each run);
- warm: `vaultfollow sync` again with nothing changed;
- warm, real pass: the same with the record of the last pass deleted first,
  so the engine runs over its cache (for comparison: not a target);
- `vaultfollow due` on the same warm vault.

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

    def clean() -> None:
        shutil.rmtree(vault / "Follow-ups", ignore_errors=True)
        shutil.rmtree(vault / ".vaultfollow", ignore_errors=True)

    timed([python, "-c", READ_ALL, str(vault)])  # warm the page cache
    result = {
        "notes": float(size),
        "io_floor": median_of(runs, [python, "-c", READ_ALL, str(vault)]),
        "naive": median_of(runs, [python, "-c", NAIVE, str(vault)]),
        "cold": median_of(runs, sync, before=clean),
    }
    timed(sync)  # make sure the cache is in place
    result["warm"] = median_of(runs, sync)
    result["due"] = median_of(runs, [python, "-m", "vaultfollow", "due", str(vault), "--now", NOW])
    record = next((vault / ".vaultfollow").glob("cache-*.last-pass.json"))

    def forget_record() -> None:
        record.unlink(missing_ok=True)

    result["warm_real"] = median_of(runs, sync, before=forget_record)
    result["cold_vs_naive"] = result["cold"] / result["naive"]
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
        "| warm, real pass | due |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {int(row['notes']):,} | {row['io_floor']:.2f} s | {row['naive']:.2f} s | "
            f"{row['cold']:.2f} s | {row['warm']:.2f} s | {row['cold_vs_naive']:.2f}x | "
            f"{row['warm_vs_io_floor']:.2f}x | {row['warm_real']:.2f} s | {row['due']:.2f} s |"
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
