"""Compare, byte for byte, what two versions of vaultfollow write on one vault.

    python benchmarks/compare_outputs.py [--base REF] [--notes 10000]
        [--interviews 900] [--now 2026-12-02T10:00] [--keep DIR]

Generates the benchmark vault (`make_vault.py`, fixed seed), makes two copies,
runs a cold `vaultfollow sync --now NOW` on one with the code of git revision
REF (default `main`, unpacked with `git archive`, so nothing of the working
tree leaks in) and on the other with this checkout's `src/`, then compares
every file the two passes wrote (drafts, calendar, dashboard, the decisions
file; the caches in `.vaultfollow/` hold modification times and are left
out). Prints what differs and exits 1 when anything does, 0 when the two
vaults are byte-identical. Used to prove that a change of the code's inside
(issue 15: the layers, the speed tricks deleted) changes no output.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
sys.path.insert(0, str(HERE))

from make_vault import generate  # noqa: E402


def unpack(ref: str, into: Path) -> Path:
    """The `src/` of git revision `ref`, unpacked into `into`."""
    into.mkdir(parents=True, exist_ok=True)
    archive = into / "src.tar"
    with archive.open("wb") as handle:
        subprocess.run(
            ["git", "-C", str(CHECKOUT), "archive", ref, "src"], stdout=handle, check=True
        )
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def sync(vault: Path, src: Path, now: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "vaultfollow", "sync", "--now", now, str(vault)],
        env=env,
        capture_output=True,
        text=True,
    )


def written(vault: Path, inputs: set[str]) -> set[str]:
    """The files a pass wrote: every file but the inputs and the caches."""
    return {
        path.relative_to(vault).as_posix()
        for path in vault.rglob("*")
        if path.is_file()
        and ".vaultfollow" not in path.relative_to(vault).parts
        and path.relative_to(vault).as_posix() not in inputs
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="main", help="git revision to compare with")
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--interviews", type=int, default=900)
    parser.add_argument("--now", default="2026-12-02T10:00", help="the time both passes run at")
    parser.add_argument("--keep", type=Path, help="leave the two vaults in this folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="vaultfollow-compare-"))
    try:
        base_src = unpack(args.base, work / "base")
        this_src = CHECKOUT / "src"
        original = work / "generated"
        today = datetime.fromisoformat(args.now).date()
        generate(original, notes=args.notes, interviews=args.interviews, seed=1, today=today)
        inputs = {p.relative_to(original).as_posix() for p in original.rglob("*") if p.is_file()}
        # The same folder name: the calendar's links name the vault by it.
        vaults = {"base": work / "base" / "vault", "this": work / "this" / "vault"}
        for name, src in (("base", base_src), ("this", this_src)):
            vaults[name].parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(original, vaults[name], symlinks=True)
            done = sync(vaults[name], src, args.now)
            print(f"{name:>4}: exit {done.returncode}: {done.stdout.strip().splitlines()[-1:]}")
            if done.returncode not in (0, 1):
                print(done.stderr, file=sys.stderr)
                return 2
        base, this = (written(vaults[n], inputs) for n in ("base", "this"))
        differ = sorted(
            rel
            for rel in base & this
            if not filecmp.cmp(vaults["base"] / rel, vaults["this"] / rel, shallow=False)
        )
        for rel in sorted(base - this):
            print(f"only in {args.base}: {rel}")
        for rel in sorted(this - base):
            print(f"only in this checkout: {rel}")
        for rel in differ:
            print(f"differs: {rel}")
        same = not differ and base == this
        print(
            f"{len(base & this)} files compared ({date.today()}, base {args.base}): "
            + (
                "byte-identical"
                if same
                else f"{len(differ)} differ, {len(base ^ this)} in one only"
            )
        )
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for name, vault in vaults.items():
                shutil.move(str(vault.parent), args.keep / name)
        return 0 if same else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
