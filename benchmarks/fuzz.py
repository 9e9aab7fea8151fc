"""Run the property tests of tests/test_fuzz.py at length.

    python benchmarks/fuzz.py --minutes 10

Each property runs in rounds of many examples with fresh random seeds until
the time is up; the first failure stops the run and prints hypothesis's
minimal failing example (and the seed to reproduce it). CI runs the same
properties briefly (`pytest tests/test_fuzz.py`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to run (default 5)")
    parser.add_argument(
        "--examples", type=int, default=2000, help="examples per round (fewer for whole syncs)"
    )
    args = parser.parse_args()

    os.environ["HYPOTHESIS_PROFILE"] = "dev"  # random examples, not the CI seed
    os.environ["VAULTFOLLOW_FUZZ_EXAMPLES"] = str(args.examples)
    sys.path.insert(0, str(TESTS))
    import test_fuzz

    properties = [
        getattr(test_fuzz, name) for name in sorted(dir(test_fuzz)) if name.startswith("test_")
    ]
    deadline = time.monotonic() + args.minutes * 60
    rounds = 0
    while time.monotonic() < deadline:
        for prop in properties:
            if time.monotonic() >= deadline:
                break
            started = time.monotonic()
            try:
                prop()
            except Exception:
                print(f"FAILED: {prop.__name__}", file=sys.stderr)
                raise
            print(f"{prop.__name__}: a round in {time.monotonic() - started:.1f}s")
        rounds += 1
    print(f"{rounds} rounds over {len(properties)} properties: no failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
