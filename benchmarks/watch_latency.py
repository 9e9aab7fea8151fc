"""Benchmark `vaultfollow watch`: save-to-calendar latency, idle CPU, peak RSS.

    python benchmarks/watch_latency.py [--sizes 1000,10000,50000] [--saves 30]
        [--idle 60] [--interviews 300] [--debounce 100ms] [--json out.json]
        [--watch-args "--polling --poll-interval 5s"]

For each size: generate a vault (benchmarks/make_vault.py) in a temporary
folder, start `python -m vaultfollow watch VAULT --debounce 100ms` as a real
subprocess and wait for the initial sync (the stderr line with "watching").
Then:

1. Save-to-calendar latency, `--saves` times: move the time of one interview
   note's `date` by an hour (so its thank-you event must move), written
   atomically (temporary file + rename) and in place (truncate + write),
   alternately. Latency is from just before the write until
   `Follow-ups/followups.ics` holds the new thank-you start (polled every
   2 ms). Before the next save the runner waits for the watcher's log line
   of that pass and a further quiet moment, so passes do not overlap.
2. Idle CPU: utime + stime of the watcher (/proc/PID/stat) over `--idle`
   seconds with no changes, and every file's mtime and size before and after
   (an idle watcher must write nothing).
3. Peak RSS: VmHWM of the watcher (/proc/PID/status).
4. SIGTERM, and the exit code (must be 0).

Linux only (/proc). Every wait has a time limit, so a run is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_vault import bench_candidates, generate

SYNC_TIMEOUT = 900.0  # initial sync of the largest vault
SAVE_TIMEOUT = 10.0  # one save until the calendar shows it
PASS_LOG_TIMEOUT = 10.0
STOP_TIMEOUT = 20.0
POLL = 0.002
ICS = "Follow-ups/followups.ics"
_DATE = re.compile(r"^date: (\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})\r?$", re.MULTILINE)
_DURATION = re.compile(r"^duration: (?:(\d+)h)?(?:(\d+)m)?\r?$", re.MULTILINE)


@dataclass
class SizeResult:
    notes: int
    interviews: int
    generate_s: float = 0.0
    initial_sync_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)  # all saves, in order
    atomic_ms: list[float] = field(default_factory=list)
    in_place_ms: list[float] = field(default_factory=list)
    pass_done_ms: list[float] = field(default_factory=list)  # save -> log line of the pass
    timeouts: int = 0
    idle_s: float = 0.0
    idle_cpu_s: float = 0.0
    idle_cpu_pct: float = 0.0
    idle_changed_files: list[str] = field(default_factory=list)
    rss_hwm_mb: float = 0.0
    rss_mb: float = 0.0
    exit_code: int | None = None
    warnings: list[str] = field(default_factory=list)  # WARNING/ERROR/Traceback lines

    def p(self, q: float) -> float:
        return _percentile(self.latencies_ms, q)


def _percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- the watcher process -----------------------------------------------------


class WatchProcess:
    """`python -m vaultfollow watch` with its stderr read by a thread."""

    def __init__(self, vault: Path, debounce: str, extra: list[str] | None = None) -> None:
        self.lines: list[tuple[float, str]] = []
        self.cond = threading.Condition()
        command = [sys.executable, "-m", "vaultfollow", "watch", str(vault), "--debounce", debounce]
        self.proc = subprocess.Popen(
            command + (extra or []),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"},
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.cond:
                self.lines.append((time.perf_counter(), line))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_line(self, predicate, start: int, timeout: float) -> tuple[int, float] | None:
        """Index and arrival time of the first line from index `start` matching."""
        deadline = time.monotonic() + timeout
        index = start
        with self.cond:
            while True:
                while index < len(self.lines):
                    at, line = self.lines[index]
                    if predicate(line):
                        return index, at
                    index += 1
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and index >= len(self.lines)):
                    return None
                self.cond.wait(min(left, 0.5))

    def count(self) -> int:
        with self.cond:
            return len(self.lines)

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            code = None
        self.reader.join(5)
        return code


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state): utime is field 14, stime field 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmHWM, VmRSS) in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmHWM", 0.0), values.get("VmRSS", 0.0)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file of the vault (hidden ones too): (mtime_ns, size)."""
    found = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            found[os.path.relpath(path, root)] = (info.st_mtime_ns, info.st_size)
    return found


# --- one save ----------------------------------------------------------------


def _thank_you_start(text: str, shift: bool) -> tuple[str, str]:
    """The note (with its interview moved by an hour when `shift`), and the
    DTSTART line of its thank-you event that the calendar must then hold."""
    match = _DATE.search(text)
    if match is None:
        raise ValueError("no `date: YYYY-MM-DDTHH:MM` line")
    day, hour, minute = match.group(1), int(match.group(2)), int(match.group(3))
    if shift:
        hour = hour + 1 if hour < 12 else hour - 1  # stays within 09:00-15:59
    start = datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}")
    duration = timedelta(minutes=60)
    found = _DURATION.search(text)
    if found and (found.group(1) or found.group(2)):
        duration = timedelta(hours=int(found.group(1) or 0), minutes=int(found.group(2) or 0))
    do = start + duration + timedelta(hours=2)  # [schedule] thank_you_after default
    new = text[: match.start(2)] + f"{hour:02d}" + text[match.end(2) :]
    return new, f"DTSTART;TZID=Europe/Berlin:{do:%Y%m%dT%H%M%S}"


def usable(vault: Path, candidates: list[Path]) -> list[Path]:
    """Candidates whose thank-you event is on the calendar now."""
    ics = (vault / ICS).read_text(encoding="utf-8")
    return [
        note
        for note in candidates
        if _thank_you_start(note.read_text(encoding="utf-8"), shift=False)[1] in ics
    ]


def _write(path: Path, data: bytes, atomic: bool) -> None:
    if atomic:
        temp = path.with_name(f".{path.name}.bench-tmp")
        with open(temp, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    else:
        with open(path, "wb") as handle:  # truncate, then write: as many editors do
            handle.write(data)


def _ics_key(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def measure_save(
    watcher: WatchProcess, vault: Path, note: Path, atomic: bool
) -> tuple[float | None, float | None]:
    """(save -> calendar, save -> pass logged) in ms; None on timeout."""
    ics = vault / ICS
    before = ics.read_bytes()
    raw = note.read_bytes()
    new_text, expected = _thank_you_start(raw.decode("utf-8"), shift=True)
    expected_b = expected.encode()
    rel = note.relative_to(vault).as_posix()
    first_line = watcher.count()
    last_key = _ics_key(ics)

    t0 = time.perf_counter()
    _write(note, new_text.encode("utf-8"), atomic)
    latency = None
    deadline = t0 + SAVE_TIMEOUT
    while time.perf_counter() < deadline:
        key = _ics_key(ics)
        if key != last_key:
            last_key = key
            try:
                data = ics.read_bytes()
            except OSError:
                data = before
            if data != before and expected_b in data:
                latency = (time.perf_counter() - t0) * 1000
                break
        time.sleep(POLL)
    # One line per pass: `Interviews/x.md: ...`, or `2 files (Interviews/.x.md.bench-tmp,
    # ...): ...` when the temporary file of an atomic save is reported with it.
    logged = watcher.wait_line(
        lambda line: line.startswith(rel + ":") or (" files (" in line and note.name in line),
        first_line,
        PASS_LOG_TIMEOUT,
    )
    pass_ms = (logged[1] - t0) * 1000 if logged else None
    return latency, pass_ms


# --- one size ----------------------------------------------------------------


def run_size(args: argparse.Namespace, notes: int, workdir: Path) -> SizeResult:
    result = SizeResult(notes=notes, interviews=args.interviews)
    vault = workdir / f"vault-{notes}"
    started = time.perf_counter()
    generate(vault, notes, args.interviews, args.seed, args.today)
    result.generate_s = time.perf_counter() - started
    candidates = bench_candidates(vault)
    if not candidates:
        raise SystemExit("the generated vault has no interview notes to edit")
    _log(f"{notes} notes: generated in {result.generate_s:.1f} s; starting the watcher")

    started = time.perf_counter()
    watcher = WatchProcess(vault, args.debounce, args.watch_args.split())
    try:
        ready = watcher.wait_line(lambda line: "watching" in line, 0, SYNC_TIMEOUT)
        if ready is None:
            raise RuntimeError(f"no 'watching' line within {SYNC_TIMEOUT:.0f} s")
        result.initial_sync_s = ready[1] - started
        _log(f"{notes} notes: initial sync {result.initial_sync_s:.1f} s")
        time.sleep(1.0)  # let the initial sync's own events drain
        found = len(candidates)
        candidates = usable(vault, candidates)
        _log(f"{notes} notes: {len(candidates)} of {found} candidate notes have a thank-you event")
        if not candidates:
            raise RuntimeError("no interview note with a thank-you event to edit")

        for i in range(args.saves):
            note = candidates[i % len(candidates)]
            atomic = i % 2 == 0
            latency, pass_ms = measure_save(watcher, vault, note, atomic)
            if latency is None:
                result.timeouts += 1
                _log(f"  save {i + 1}: calendar did not change within {SAVE_TIMEOUT:.0f} s")
            else:
                result.latencies_ms.append(latency)
                (result.atomic_ms if atomic else result.in_place_ms).append(latency)
            if pass_ms is not None:
                result.pass_done_ms.append(pass_ms)
            time.sleep(args.gap)
        _log(
            f"{notes} notes: latency p50 {result.p(50):.0f} ms, p95 {result.p(95):.0f} ms"
            f" ({len(result.latencies_ms)} saves, {result.timeouts} timeouts)"
        )

        time.sleep(2.0)  # nothing pending when idle starts
        files_before = snapshot(vault)
        cpu_before = cpu_seconds(watcher.pid)
        t_before = time.perf_counter()
        time.sleep(args.idle)
        cpu_after = cpu_seconds(watcher.pid)
        result.idle_s = time.perf_counter() - t_before
        files_after = snapshot(vault)
        result.idle_cpu_s = cpu_after - cpu_before
        result.idle_cpu_pct = 100 * result.idle_cpu_s / result.idle_s
        result.idle_changed_files = sorted(
            rel
            for rel in set(files_before) | set(files_after)
            if files_before.get(rel) != files_after.get(rel)
        )
        _log(
            f"{notes} notes: idle CPU {result.idle_cpu_s:.2f} s over {result.idle_s:.0f} s,"
            f" {len(result.idle_changed_files)} files changed"
        )
        result.rss_hwm_mb, result.rss_mb = memory_mb(watcher.pid)
    finally:
        result.exit_code = watcher.stop()
        result.warnings = [
            line
            for _, line in watcher.lines
            if re.search(r"warning|error|traceback|exception", line, re.IGNORECASE)
        ][:20]
    _log(f"{notes} notes: peak RSS {result.rss_hwm_mb:.0f} MiB, exit code {result.exit_code}")
    return result


# --- report ------------------------------------------------------------------


def table(results: list[SizeResult]) -> str:
    head = (
        "| notes | initial sync | p50 | p95 | max | p50 atomic / in place | idle CPU "
        "| files written idle | peak RSS | exit |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
    )
    rows = []
    for r in results:
        timeouts = f" ({r.timeouts} timeouts)" if r.timeouts else ""
        rows.append(
            f"| {r.notes:,} | {r.initial_sync_s:.1f} s | {r.p(50):.0f} ms{timeouts} "
            f"| {r.p(95):.0f} ms | {max(r.latencies_ms, default=float('nan')):.0f} ms "
            f"| {_percentile(r.atomic_ms, 50):.0f} / {_percentile(r.in_place_ms, 50):.0f} ms "
            f"| {r.idle_cpu_s:.2f} s / {r.idle_s:.0f} s ({r.idle_cpu_pct:.2f} %) "
            f"| {len(r.idle_changed_files)} | {r.rss_hwm_mb:.0f} MiB | {r.exit_code} |"
        )
    return head + "\n".join(rows) + "\n"


def machine() -> dict[str, str]:
    info = {"python": platform.python_version(), "nproc": str(os.cpu_count())}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    info["kernel"] = platform.release()
    # Which vaultfollow the watcher runs (PYTHONPATH=/some/checkout/src pins one).
    where = subprocess.run(
        [sys.executable, "-c", "import vaultfollow; print(vaultfollow.__file__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    info["vaultfollow"] = where.stdout.strip()
    info["load_average_at_end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return info


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated note counts")
    parser.add_argument("--interviews", type=int, default=300)
    parser.add_argument("--saves", type=int, default=30, help="saves measured per size")
    parser.add_argument("--idle", type=float, default=60.0, help="idle period in seconds")
    parser.add_argument("--debounce", default="100ms")
    parser.add_argument(
        "--watch-args", default="", help='more options for watch, e.g. "--polling" (idle CPU)'
    )
    parser.add_argument("--gap", type=float, default=0.3, help="pause after each save's pass (s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--tmp", type=Path, default=None, help="where to create the vaults")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "").replace("k", "000")) for s in args.sizes.split(",") if s]

    results = []
    with tempfile.TemporaryDirectory(prefix="vaultfollow-bench-", dir=args.tmp) as tmp:
        for notes in sizes:
            results.append(run_size(args, notes, Path(tmp)))
    print(table(results))
    if args.json:
        payload = {
            "machine": machine(),
            "settings": {
                k: str(v) if isinstance(v, (Path, date)) else v for k, v in vars(args).items()
            },
            "results": [{**asdict(r), "p50_ms": r.p(50), "p95_ms": r.p(95)} for r in results],
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    failed = any(r.exit_code != 0 or r.timeouts for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
