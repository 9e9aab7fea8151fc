"""Profile one incremental pass (`Engine.changed_pass`) in-process.

    python benchmarks/profile_pass.py [--notes 50000] [--interviews 300] [--passes 10]
        [--top 25] [--vault DIR]

Generates a vault (or uses `--vault`), runs the initial full pass, then
`--passes` times moves one interview note by an hour and runs
`changed_pass([that note])` as the watcher does, timing each pass; the last
pass's cProfile (cumulative time) is printed. Shows where the time of a
save goes once the debounce has elapsed.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_vault import bench_candidates, generate
from watch_latency import _thank_you_start

from vaultfollow.app.engine import open_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=50_000)
    parser.add_argument("--interviews", type=int, default=300)
    parser.add_argument("--passes", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vault", type=Path, default=None, help="use this generated vault")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vaultfollow-profile-") as tmp:
        vault = args.vault or Path(tmp) / "vault"
        if args.vault is None:
            generate(vault, args.notes, args.interviews, args.seed, date.today())
        engine = open_engine(vault)
        now = lambda: datetime.now(ZoneInfo("Europe/Berlin"))  # noqa: E731
        started = time.perf_counter()
        engine.full_pass(now())
        print(f"full pass: {time.perf_counter() - started:.2f} s", file=sys.stderr)
        notes = bench_candidates(vault)
        times = []
        profile = cProfile.Profile()
        for i in range(args.passes):
            note = notes[i % len(notes)]
            text, _ = _thank_you_start(note.read_text(encoding="utf-8"), shift=True)
            note.write_text(text, encoding="utf-8")
            time.sleep(0.01)  # a distinct mtime
            rel = note.relative_to(vault).as_posix()
            last = i == args.passes - 1
            if last:
                profile.enable()
            started = time.perf_counter()
            engine.changed_pass([rel], now())
            times.append((time.perf_counter() - started) * 1000)
            if last:
                profile.disable()
        print("changed_pass ms:", " ".join(f"{t:.0f}" for t in times))
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
