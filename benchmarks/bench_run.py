"""Time ``mission run`` on 1,000 ``shell`` tasks running ``true`` in a wide DAG.

Compared with the floor: 1,000 plain ``subprocess.run(["true"])`` calls, one after another.
Target: missionkit's overhead (run time minus the floor) is at most 2x the floor.
Also times dispatch passes over a 1,000-task mission on the local tracker.

    python benchmarks/bench_run.py [TASKS] [WORKERS]

Each task leaves a run folder (output.log, report.md, result.json), so on a slow or busy disk
the file system, not missionkit, sets the pace: set TMPDIR=/dev/shm to see missionkit's own
overhead apart from the disk's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from missionkit.execution.dispatch import Dispatcher
from missionkit.execution.localrun import LocalRun
from missionkit.execution.notify import Notifier
from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.plan import make_plan


def write(folder: Path, n: int, chains: int = 10) -> None:
    """``chains`` independent chains: task i waits on task i-chains (a wide DAG)."""
    lines = ["---", "title: Wide", "owner: dana-lee", "success_criteria: [All ran]", "tasks:"]
    for i in range(n):
        lines += [
            f"  - id: t{i}",
            f"    title: Task {i}",
            "    agent: shell",
            "    with: {command: 'true'}",
        ]
        if i >= chains:
            lines.append(f"    depends_on: [t{i - chains}]")
    (folder / "missions").mkdir()
    (folder / "missions" / "wide.md").write_text("\n".join([*lines, "---", ""]))


def floor(n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        subprocess.run(["true"], check=True)
    return time.perf_counter() - start


def one_run(n: int, workers: int) -> tuple[float, float, float, float, int, int]:
    """Sync, dispatch twice and run a fresh copy of the mission; return the timings."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write(root, n)
        os.chdir(root)
        missions = load_missions(["missions"])
        tracker = LocalTracker(root / ".missionkit" / "tracker.db")
        start = time.perf_counter()
        apply_plan(make_plan(missions, tracker), tracker)
        synced = time.perf_counter() - start
        start = time.perf_counter()
        Dispatcher(tracker, Notifier({}), claim=False).run(missions)
        dispatch_first = time.perf_counter() - start
        start = time.perf_counter()
        Dispatcher(tracker, Notifier({}), claim=False).run(missions)
        dispatch_idle = time.perf_counter() - start
        start = time.perf_counter()
        summary = LocalRun(missions, tracker, root, Notifier({}), workers=workers).run()
        ran = time.perf_counter() - start
        done = sum(1 for i in tracker.read("wide") if i.key.task and i.state == "done")
        tracker.close()
        os.chdir("/")
    return ran, synced, dispatch_first, dispatch_idle, done, summary.ran


def flat_dispatch(n: int) -> float:
    """One dispatch pass over n independent tasks: each is unblocked and claimed."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write(root, n, chains=n)
        os.chdir(root)
        missions = load_missions(["missions"])
        tracker = LocalTracker(root / ".missionkit" / "tracker.db")
        apply_plan(make_plan(missions, tracker), tracker)
        start = time.perf_counter()
        result = Dispatcher(tracker, Notifier({})).run(missions)
        took = time.perf_counter() - start
        assert len(result.claimed) == n
        tracker.close()
        os.chdir("/")
    return took


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else (os.cpu_count() or 2)
    repeats = 3
    # Best of three for both sides, taken in turn, so that a busy moment spoils neither.
    floors, runs = [], []
    for _ in range(repeats):
        floors.append(floor(n))
        runs.append(one_run(n, workers))
    base = min(floors)
    print(
        "runs:",
        " ".join(f"{r[0]:.2f}" for r in runs),
        " floors:",
        " ".join(f"{f:.2f}" for f in floors),
    )
    ran, synced, dispatch_first, dispatch_idle, done, ran_count = min(runs)
    summary_ran = ran_count
    overhead = ran - base
    print(f"tasks: {n}, workers: {workers}, done: {done}, ran: {summary_ran} (best of {repeats})")
    print(f"floor: {n} x subprocess.run(['true'])  {base:7.2f} s")
    print(
        f"mission run (agents + checks + tracker)  {ran:7.2f} s  "
        f"overhead {overhead:6.2f} s = {overhead / base:4.2f}x the floor"
    )
    print(f"sync of {n} tasks to the local tracker   {synced:7.2f} s")
    print(f"dispatch, first pass (10 unblocked)      {dispatch_first:7.2f} s")
    print(f"dispatch, {n} independent tasks: unblock and claim all {flat_dispatch(n):7.2f} s")
    print(f"dispatch, pass with nothing to do        {dispatch_idle:7.2f} s")
    ok = done == n and overhead <= 2 * base
    print(f"target (overhead <= 2x floor): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
