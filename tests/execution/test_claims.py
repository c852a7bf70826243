"""Claims: concurrent dispatches never claim a task twice; interrupted runs leave nothing stuck."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from missionkit.execution.dispatch import Dispatcher
from missionkit.execution.notify import Notifier
from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.plan import make_plan

from support import HEAD

MISSION_BIN = str(Path(sys.executable).parent / "mission")


def wide(n: int) -> str:
    tasks = "".join(
        f"  - id: t{i}\n    title: T{i}\n    agent: shell\n    with: {{command: 'true'}}\n"
        for i in range(n)
    )
    return HEAD + "tasks:\n" + tasks + "---\n"


def synced(workspace: Path, text: str) -> None:
    (workspace / "missions" / "m.md").write_text(text)
    tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
    apply_plan(make_plan(load_missions(["missions"]), tracker), tracker)
    Dispatcher(tracker, Notifier({}), claim=False).run(load_missions(["missions"]))
    tracker.close()


def test_two_dispatch_processes_claim_each_task_once(workspace: Path) -> None:
    for round_ in range(3):
        if round_:
            (workspace / ".missionkit").rename(workspace / f"old-{round_}")
        synced(workspace, wide(40))
        procs = [
            subprocess.Popen(
                [MISSION_BIN, "dispatch", "--matrix-out", f"m{i}.json"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for i in range(2)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
        claims = [
            [c["task"] for c in json.loads((workspace / f"m{i}.json").read_text())["include"]]
            for i in range(2)
        ]
        assert sorted(claims[0] + claims[1]) == sorted(f"t{i}" for i in range(40)), (round_, claims)
        assert not set(claims[0]) & set(claims[1])


def test_two_dispatchers_started_together_in_threads(workspace: Path) -> None:
    synced(workspace, wide(60))
    missions = load_missions(["missions"])
    barrier = threading.Barrier(2)
    claimed: list[list[str]] = [[], []]

    def work(i: int) -> None:
        tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
        dispatcher = Dispatcher(tracker, Notifier({}), claimer=f"host:{i}")
        _, items = dispatcher.read(missions)  # both see every task ready
        barrier.wait()
        for key, item in items.items():
            if key.task and tracker.claim(item, f"host:{i}", 60) is not None:
                claimed[i].append(key.task)
        tracker.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed[0] + claimed[1]) == sorted(f"t{i}" for i in range(60))
    assert not set(claimed[0]) & set(claimed[1])


SLOW = (
    HEAD
    + """tasks:
  - id: slow
    title: Slow
    agent: shell
    with: {command: "test -f first-done || { touch started; sleep 30; }; touch finished"}
---
"""
)


def _start_run(workspace: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [MISSION_BIN, "run", "-q"], cwd=workspace, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while not (workspace / "started").exists():
        assert time.monotonic() < deadline, "the task never started"
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    return proc


def _state(workspace: Path) -> tuple[str, str | None]:
    tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
    item = {i.key.task: i for i in tracker.read("m")}["slow"]
    tracker.close()
    return item.state, item.claimed_by


def test_ctrl_c_puts_running_tasks_back(workspace: Path) -> None:
    (workspace / "missions" / "m.md").write_text(SLOW)
    proc = _start_run(workspace)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=20)
    assert proc.returncode == 130
    assert _state(workspace) == ("ready", None)
    assert not (workspace / "finished").exists()  # the command was stopped, not left behind
    (workspace / "first-done").touch()
    subprocess.run([MISSION_BIN, "run", "-q"], cwd=workspace, check=True, timeout=60)
    assert _state(workspace)[0] == "done"


def test_a_killed_run_is_recovered_by_the_next(workspace: Path) -> None:
    (workspace / "missions" / "m.md").write_text(SLOW)
    proc = _start_run(workspace)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=20)
    state, claimer = _state(workspace)
    assert state == "running" and claimer is not None and claimer.endswith(f":{proc.pid}")
    (workspace / "first-done").touch()
    subprocess.run([MISSION_BIN, "run", "-q"], cwd=workspace, check=True, timeout=60)
    assert _state(workspace)[0] == "done"
    tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
    reasons = [e.reason for e in tracker.history("m") if e.to_state == "ready"]
    tracker.close()
    assert f"back to ready: the runner that claimed it (process {proc.pid}) is gone" in reasons


def test_a_wave_wider_than_a_matrix_goes_over_several_matrix_runs(workspace: Path) -> None:
    synced(workspace, wide(300))
    counts, outputs = [], []
    for run in range(3):
        done = subprocess.run(
            [MISSION_BIN, "dispatch", "--matrix-out", f"m{run}.json"],
            cwd=workspace,
            capture_output=True,
            text=True,
            check=True,
        )
        matrix = json.loads((workspace / f"m{run}.json").read_text())
        counts.append(len(matrix["include"]))
        outputs.append(done.stdout)
    assert counts == [256, 44, 0]
    assert "44 more ready agent task(s) wait for the next dispatch" in outputs[0]
    assert "wait for the next dispatch" not in outputs[1]
    claimed = [json.loads((workspace / f"m{r}.json").read_text())["include"] for r in (0, 1)]
    assert sorted(e["task"] for m in claimed for e in m) == sorted(f"t{i}" for i in range(300))
