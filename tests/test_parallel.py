"""split_map: the same list as a comprehension, shared with a forked helper.

The helper is real (os.fork); these tests check that it is used where it can
be, that both processes take chunks until none is left, that the results
come back in order, that every way it can fail ends with the right results
(or the caller's own exception) and no process left behind, and that a cold
pass gives the same vault with and without it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import at
from vaultfollow import engine as engine_module
from vaultfollow import ics, parallel
from vaultfollow.engine import sync
from vaultfollow.parallel import can_fork, split_map, usable_cores

PARENT = os.getpid()

forking_here = pytest.mark.skipif(
    not (hasattr(os, "fork") and sys.platform.startswith("linux") and usable_cores() >= 2),
    reason="the helper process needs fork and two cores",
)


def pid_of(item: int) -> tuple[int, int]:
    return item * item, os.getpid()


def test_no_helper_below_the_threshold_or_for_tiny_lists() -> None:
    for items in ([], [3]):
        assert split_map(pid_of, items, min_items=0) == [(i * i, PARENT) for i in items]
    assert {pid for _, pid in split_map(pid_of, list(range(50)), min_items=51)} == {PARENT}


def slow_start() -> None:
    """This process's `meanwhile`: the helper takes chunks in the meantime."""
    time.sleep(0.2)


@forking_here
@pytest.mark.parametrize("count", [2, 3, 10, 101, 5000])
def test_the_helper_takes_chunks_while_this_process_is_busy(count: int) -> None:
    assert can_fork(), "only this thread should be running here"
    result = split_map(pid_of, list(range(count)), min_items=2, meanwhile=slow_start)
    assert [value for value, _ in result] == [i * i for i in range(count)]
    helpers = {pid for _, pid in result} - {PARENT}
    assert len(helpers) == 1, "the helper computed nothing"
    assert_reaped(helpers.pop())


def slow_pid_of(item: int) -> tuple[int, int]:
    time.sleep(0.002)
    return pid_of(item)


@forking_here
def test_both_processes_take_chunks_until_none_is_left() -> None:
    result = split_map(slow_pid_of, list(range(400)), min_items=2)
    assert [value for value, _ in result] == [i * i for i in range(400)]
    counts = Counter(pid for _, pid in result)
    assert len(counts) == 2 and min(counts.values()) >= 100, counts


def test_meanwhile_is_only_for_a_helper() -> None:
    called: list[bool] = []
    split_map(pid_of, [1, 2, 3], min_items=10, meanwhile=lambda: called.append(True))
    assert called == []


@forking_here
def test_no_helper_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, name="bystander")
    thread.start()
    try:
        assert not can_fork()
        assert {pid for _, pid in split_map(pid_of, list(range(100)), min_items=2)} == {PARENT}
    finally:
        stop.set()
        thread.join()


def fails_in_helper(item: int) -> tuple[int, int]:
    if os.getpid() != PARENT:
        raise ValueError("only the helper fails")
    return pid_of(item)


def dies_in_helper(item: int) -> tuple[int, int]:
    if os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return pid_of(item)


def unpicklable_in_helper(item: int) -> object:
    if os.getpid() != PARENT:
        return lambda: item  # cannot be pickled: the helper cannot send it
    return item


@forking_here
@pytest.mark.parametrize("func", [fails_in_helper, dies_in_helper])
def test_a_failed_helper_leaves_its_items_to_this_process(func: object) -> None:
    result = split_map(func, list(range(40)), min_items=2, meanwhile=slow_start)  # type: ignore[arg-type]
    assert result == [(i * i, PARENT) for i in range(40)]


@forking_here
def test_results_the_helper_cannot_send_are_computed_here() -> None:
    result = split_map(unpicklable_in_helper, list(range(40)), min_items=2, meanwhile=slow_start)
    assert result == list(range(40))


def fails_on_seven(item: int) -> int:
    if item == 7:
        raise KeyError(item)
    return item


@forking_here
def test_an_exception_reaches_the_caller_as_it_would_serially() -> None:
    # Whichever process takes 7 fails; the helper's failure is computed again here.
    for meanwhile in (None, slow_start):
        with pytest.raises(KeyError):
            split_map(fails_on_seven, list(range(20)), min_items=2, meanwhile=meanwhile)


@forking_here
def test_leaving_early_stops_and_reaps_the_helper(tmp_path: Path) -> None:
    pid_file = tmp_path / "helper.pid"

    def slow_helper(item: int) -> int:
        if os.getpid() != PARENT:
            pid_file.write_text(str(os.getpid()))
            time.sleep(60)
        return item

    def give_up() -> None:
        while not pid_file.exists():
            time.sleep(0.01)
        raise RuntimeError("this process gives up")

    started = time.monotonic()
    with pytest.raises(RuntimeError):
        split_map(slow_helper, list(range(10)), min_items=2, meanwhile=give_up)
    assert time.monotonic() - started < 30, "the helper was waited for, not stopped"
    assert_reaped(int(pid_file.read_text()))


def assert_reaped(pid: int) -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


# --- the engine ----------------------------------------------------------------

NOW = at("2026-11-20 10:00")


def write_big_vault(root: Path, notes: int, interviews: int) -> None:
    """`notes` ordinary notes and `interviews` interview notes (two
    interviewers each, so two thank-yous and a check-in per note; every
    fourth note's first point talks pay, which `check` flags in its drafts)."""
    root.mkdir(parents=True)
    (root / "vaultfollow.toml").write_text(
        '[you]\nname = "Alex Example"\nemail = "alex@example.com"\n\n'
        '[schedule]\ntimezone = "Europe/Berlin"\n',
        encoding="utf-8",
    )
    for index in range(notes):
        folder = root / f"Notes/{index % 17}"
        folder.mkdir(parents=True, exist_ok=True)
        front = (
            f"---\ntags: [daily]\ncreated: 2026-10-{index % 28 + 1:02d}\n---\n" if index % 3 else ""
        )
        (folder / f"note {index}.md").write_text(
            f"{front}# Note {index}\n\nNothing about jobs here, line {index}.\n", encoding="utf-8"
        )
    folder = root / "Interviews"
    folder.mkdir()
    for index in range(interviews):
        day = 10 + index % 9
        (folder / f"2026-11-{day} Company{index}.md").write_text(
            "---\n"
            "type: interview\n"
            f"company: Company{index}\n"
            "role: Platform Engineer\n"
            f"date: 2026-11-{day}T{9 + index % 8:02d}:30\n"
            "decision_by: 2026-11-24\n"
            "interviewers:\n"
            f"  - Jane Doe{index} <jane{index}@company{index}.example>\n"
            f"  - Raj Patel{index} <raj{index}@company{index}.example>\n"
            "---\n"
            "## Discussed\n"
            + ("- The salary band and the equity grant\n" if index % 4 == 0 else "")
            + f"- Their migration of service {index} to event sourcing\n"
            "- How on-call is shared between the teams\n"
            "\n## Could answer better\n"
            "- I gave a thin answer on capacity planning.\n",
            encoding="utf-8",
        )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file vaultfollow wrote, by path (its cache and record aside: they
    hold modification times)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".vaultfollow" not in path.parts and "Follow-ups" in path.parts
    }


@pytest.fixture
def forks() -> Iterator[list[int]]:
    """The pids of the helper processes forked while the test runs."""
    seen: list[int] = []
    original = parallel._Helper.start

    def start(func: object, items: object, chunks: object) -> object:
        helper = original(func, items, chunks)  # type: ignore[arg-type]
        if helper is not None:
            seen.append(helper.pid)
        return helper

    parallel._Helper.start = start  # type: ignore[assignment]
    try:
        yield seen
    finally:
        parallel._Helper.start = original  # type: ignore[method-assign]


@forking_here
def test_a_cold_pass_writes_the_same_vault_with_or_without_a_helper(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared/vault"  # the same name: it is in the calendar's links
    write_big_vault(shared, notes=engine_module.PARALLEL_READS, interviews=40)
    report = sync(shared, NOW)
    # Reading, rendering (each draft checked for the dashboard as it is
    # rendered: no draft is read back), the calendar's entries.
    assert len(forks) == 3, forks
    assert len(report.created) == 120 and not report.problems

    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    # And no rendering ahead: each draft rendered as it is written, and
    # checked for the dashboard by reading it back.
    monkeypatch.setattr(engine_module, "PARALLEL_DRAFTS", 10**9)
    forks.clear()
    alone = tmp_path / "alone/vault"
    write_big_vault(alone, notes=engine_module.PARALLEL_READS, interviews=40)
    alone_report = sync(alone, NOW)
    assert forks == []
    assert alone_report.created == report.created
    assert alone_report.plan.followups == report.plan.followups
    ours, theirs = snapshot(shared), snapshot(alone)
    assert len(ours) == 123  # 120 drafts, the calendar, the dashboard, the decisions
    assert ours == theirs
    # The checks found something to compare: drafts that talk pay.
    assert "salary" in ours["Follow-ups/Follow-ups.md"].decode("utf-8")
    assert ics.PARALLEL_ENTRIES <= 80  # the calendar above had enough entries to share


@forking_here
def test_problems_found_by_the_helper_reach_the_report_and_the_dashboard(
    tmp_path: Path,
) -> None:
    root = tmp_path / "vault"
    write_big_vault(root, notes=engine_module.PARALLEL_READS, interviews=0)
    broken = root / "Interviews/2026-11-12 Broken.md"
    broken.write_text("---\ntype: interview\ncompany: [unclosed\n---\n", encoding="utf-8")
    late = root / "Notes/zz/late.md"  # last in the walk: read by whichever process
    late.parent.mkdir()
    late.write_text("---\ntype: interview\ndate: next week\n---\n", encoding="utf-8")
    report = sync(root, NOW)
    paths = sorted({p.path for p in report.problems})
    assert paths == ["Interviews/2026-11-12 Broken.md", "Notes/zz/late.md"]
    dashboard = (root / "Follow-ups/Follow-ups.md").read_text(encoding="utf-8")
    assert "Broken" in dashboard and "late" in dashboard


def dies_after_ten(item: int) -> tuple[int, int]:
    if os.getpid() != PARENT and item >= 10:
        os.kill(os.getpid(), signal.SIGKILL)
    return pid_of(item)


@forking_here
def test_the_chunks_a_failed_helper_sent_are_kept() -> None:
    # 40 items, one per chunk: the helper sends each before it takes the
    # next, so the ten it made before it died arrive whole.
    result = split_map(dies_after_ten, list(range(40)), min_items=2, meanwhile=slow_start)
    assert [value for value, _ in result] == [i * i for i in range(40)]
    pids = [pid for _, pid in result]
    assert all(pid != PARENT for pid in pids[:10]), pids
    assert set(pids[10:]) == {PARENT}


@forking_here
def test_the_helper_works_on_while_this_process_is_busy(tmp_path: Path) -> None:
    """Results far bigger than a pipe holds: the helper never waits for this
    process to take them, so it makes every chunk while this one is busy."""
    done = tmp_path / "done"

    def big(item: int) -> bytes:
        if item == 39 and os.getpid() != PARENT:
            done.write_text("all made")
        return bytes([item]) * 200_000

    def busy_until_the_helper_is_done() -> None:
        deadline = time.monotonic() + 60
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.01)

    result = split_map(big, list(range(40)), min_items=2, meanwhile=busy_until_the_helper_is_done)
    assert done.exists(), "the helper stopped while this process was busy"
    assert result == [bytes([i]) * 200_000 for i in range(40)]
