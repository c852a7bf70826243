"""Dispatch, people's actions and ``mission run`` on the local tracker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from missionkit.cli.main import main
from missionkit.execution.dispatch import Dispatcher
from missionkit.execution.notify import Notifier
from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.plan import make_plan

from support import HEAD

FLOW = (
    HEAD
    + """tasks:
  - id: extract
    title: Extract
    agent: shell
    with: {command: "echo rows > extract.txt"}
    checks: [{file: extract.txt}]
  - id: review
    title: Review the extract
    owner: alex-kim
    depends_on: [extract]
  - id: load
    title: Load
    agent: shell
    with: {command: "cat extract.txt > loaded.txt"}
    depends_on: [review]
  - id: side
    title: Side job
    agent: shell
    with: {command: "echo side > side.txt"}
---
"""
)


def states(tracker: LocalTracker, mission: str = "m") -> dict[str, str]:
    return {i.key.task or "(mission)": i.state for i in tracker.read(mission)}


def test_dispatch_unblocks_claims_and_notifies(
    write_mission: Callable[[str, str], Path], local: LocalTracker
) -> None:
    write_mission("m", FLOW)
    missions = load_missions(["missions"])
    apply_plan(make_plan(missions, local), local)
    result = Dispatcher(local, Notifier({}), claimer="host:1").run(missions)
    assert [(c.task, c.agent) for c in result.claimed] == [("extract", "shell"), ("side", "shell")]
    assert states(local) == {
        "(mission)": "active",
        "extract": "running",
        "review": "blocked",
        "load": "blocked",
        "side": "running",
    }
    assert result.matrix() == {
        "include": [
            {
                "mission": "m",
                "task": "extract",
                "agent": "shell",
                "title": "Extract",
                "runs_on": ["ubuntu-latest"],
                "queue": "missionkit-task-m-extract",
            },
            {
                "mission": "m",
                "task": "side",
                "agent": "shell",
                "title": "Side job",
                "runs_on": ["ubuntu-latest"],
                "queue": "missionkit-task-m-side",
            },
        ]
    }
    again = Dispatcher(local, Notifier({}), claimer="host:2").run(missions)
    assert again.claimed == []


def test_dispatch_limit_claims_at_most_n(
    write_mission: Callable[[str, str], Path], local: LocalTracker
) -> None:
    write_mission("m", FLOW)
    missions = load_missions(["missions"])
    apply_plan(make_plan(missions, local), local)
    result = Dispatcher(local, Notifier({})).run(missions, limit=1)
    assert [c.task for c in result.claimed] == ["extract"]
    assert states(local)["side"] == "ready"


def test_run_pauses_for_people_and_resumes(
    write_mission: Callable[[str, str], Path],
    workspace: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_mission("m", FLOW)
    assert main(["run", "-q"]) == 0
    out = capsys.readouterr().out
    assert "waiting on @alex-kim: review (ready) — Review the extract" in out
    tracker = LocalTracker(".missionkit/tracker.db")
    assert states(tracker) == {
        "(mission)": "active",
        "extract": "done",
        "review": "ready",
        "load": "blocked",
        "side": "done",
    }
    assert (workspace / "extract.txt").exists() and not (workspace / "loaded.txt").exists()
    # Running again changes nothing while the person has not acted.
    assert main(["run", "-q"]) == 0
    assert states(tracker)["load"] == "blocked"
    assert main(["done", "m/review", "--as", "alex-kim"]) == 0
    assert main(["run", "-q"]) == 0
    out = capsys.readouterr().out
    assert "waiting on sign-off by dana-lee: mission approve m" in out
    assert states(tracker)["(mission)"] == "awaiting-signoff"
    assert (workspace / "loaded.txt").read_text() == "rows\n"
    assert main(["approve", "m", "--as", "alex-kim"]) == 1
    assert capsys.readouterr().err == "error: alex-kim may not sign off m; approvers: dana-lee\n"
    assert main(["approve", "m", "--as", "dana-lee"]) == 0
    assert states(tracker)["(mission)"] == "closed"
    log = [
        (e.key.task, e.from_state, e.to_state, e.actor)
        for e in tracker.history("m")
        if e.kind == "state"
    ]
    assert ("review", "ready", "done", "alex-kim") in log
    assert ("", "awaiting-signoff", "closed", "dana-lee") in log
    tracker.close()


def test_a_failed_task_s_dependents_never_run(
    write_mission: Callable[[str, str], Path], workspace: Path
) -> None:
    write_mission("m", FLOW.replace("echo rows > extract.txt", "exit 4"))
    assert main(["run", "-q"]) == 0
    tracker = LocalTracker(".missionkit/tracker.db")
    assert states(tracker)["extract"] == "failed"
    assert states(tracker)["review"] == "blocked"
    assert main(["run", "-q"]) == 0
    assert states(tracker)["review"] == "blocked"
    # Fix the command, re-queue, and the mission goes on.
    write_mission("m", FLOW)
    assert main(["retry", "m/extract"]) == 0
    assert main(["run", "-q"]) == 0
    assert states(tracker)["extract"] == "done"
    assert states(tracker)["review"] == "ready"
    tracker.close()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["done", "m/load"], "error: m/load is blocked; it waits on review\n"),
        (["done", "m/nope"], "error: mission m has no task 'nope'\n"),
        (["retry", "m/extract"], "error: m/extract is ready; only a failed task can be retried\n"),
        (
            ["answer", "m/extract", "yes"],
            "error: m/extract is ready; only a task that asked a question takes an answer\n",
        ),
        (
            ["approve", "m", "--as", "dana-lee"],
            "error: m is not ready for sign-off: 4 task(s) not done "
            "(extract, load, review, side)\n",
        ),
        (["done", "nope"], "error: expected MISSION/TASK, got 'nope'\n"),
    ],
)
def test_refused_actions_say_why(
    write_mission: Callable[[str, str], Path],
    local: LocalTracker,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    write_mission("m", FLOW)
    missions = load_missions(["missions"])
    apply_plan(make_plan(missions, local), local)
    Dispatcher(local, Notifier({}), claim=False).run(missions)
    code = main(argv)
    assert capsys.readouterr().err == message
    assert code == (2 if argv == ["done", "nope"] else 1)


def test_log_prints_every_transition(
    write_mission: Callable[[str, str], Path],
    workspace: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_mission("m", FLOW)
    main(["run", "-q"])
    capsys.readouterr()
    assert main(["log", "m"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split()[2:5] for line in lines]
    assert ["extract", "blocked", "→"] in rows
    assert any("claimed" in line and "extract" in line for line in lines)
    assert any("agent and checks passed" in line for line in lines)


def test_status_shows_what_tasks_wait_on(
    write_mission: Callable[[str, str], Path],
    workspace: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_mission("m", FLOW)
    main(["run", "-q"])
    capsys.readouterr()
    assert main(["status", "m", "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)[0]
    waits = {t["task"]: (t["state"], t["waits_on"], t["waits_on_kind"]) for t in data["tasks"]}
    assert waits == {
        "extract": ("done", None, None),
        "review": ("ready", "@alex-kim", "person"),
        "load": ("blocked", "review", "task"),
        "side": ("done", None, None),
    }
    assert data["progress"] == {"done": 2, "total": 4}
