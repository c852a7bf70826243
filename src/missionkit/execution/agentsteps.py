"""``mission agent run`` in three steps, so that task code never runs beside a token.

``prepare`` (tracker) → ``execute`` (no tracker, no secret) → ``record`` (tracker, no task
code); the files between them are described in :mod:`missionkit.execution.handoff`.
``mission agent run`` without options still does all three in one process, for local use.
"""

from __future__ import annotations

import os
from pathlib import Path

from missionkit.agents.copilot.agent import MERGED_ENV
from missionkit.agents.copilot.follow import AGENT as COPILOT
from missionkit.agents.llm.ask import REPLAY, prefetch
from missionkit.errors import CheckFailed
from missionkit.execution import handoff
from missionkit.execution.actions import answers, item_for
from missionkit.execution.agentrun import copilot_env, finish, start
from missionkit.execution.notify import Notifier
from missionkit.execution.runner import RunOutcome, run_task
from missionkit.llm.budget import Budget, deferred_budget, recorder, tracker_budget
from missionkit.spec.model import Mission, Task, TaskState
from missionkit.tracking.base import Tracker
from missionkit.tracking.model import Item, Key
from missionkit.warehouse import travel

LLM_ANSWER = "llm-answer.json"
COPILOT_MERGE = "copilot-merge.txt"  # the merge a copilot task's run confirms


def prepare(
    tracker: Tracker, mission: Mission, task: Task, out: Path, workspace: Path | None = None
) -> Item:
    """Check (or take) the claim and write what the execute step needs from the tracker; an
    ``llm`` task's question is asked here, where the key is, and its answer handed on."""
    item = start(tracker, mission, task)
    if task.agent == "llm":
        budget = tracker_budget(tracker, mission.id, mission.spec.ai.budget)
        root = workspace or Path.cwd()
        fetched = prefetch(mission, task, root, answers(tracker, item), os.environ, budget)
        handoff._folder(out)
        (out / LLM_ANSWER).unlink(missing_ok=True)
        if fetched is not None:
            handoff._write(out / LLM_ANSWER, fetched)
    merged = copilot_env(tracker, task, item).get(MERGED_ENV)
    handoff._folder(out)
    (out / COPILOT_MERGE).unlink(missing_ok=True)
    if merged:
        handoff._write(out / COPILOT_MERGE, merged.encode("utf-8"))
    used = deferred_budget(tracker, mission.id, mission.spec.ai.budget).used
    handoff.write_input(out, mission, task, answers(tracker, item), used)
    (out / travel.FILE).unlink(missing_ok=True)
    path = travel.travels(mission)
    if path is not None:
        travel.write_plan(out, path, travel.latest(tracker, mission.id))
    return item


def execute(
    mission: Mission, task: Task, workspace: Path, out: Path, warehouse_from: Path | None = None
) -> RunOutcome:
    """Run the agent and checks with no tracker at all; leave the outcome in ``out``. The
    mission's DuckDB file is first taken from ``warehouse_from`` (a downloaded artifact) when
    ``prepare`` named one, and only if it is the file missionkit recorded."""
    handoff.clear_outcome(out)  # an outcome left from before is never recorded as this one's
    given, used = handoff.read_input(out, mission, task)
    plan = travel.read_plan(out, mission)
    artifact = plan[1] if plan is not None else None
    if plan is not None and artifact is not None:
        path = plan[0]
        try:
            if warehouse_from is None:
                raise CheckFailed(f"warehouse artifact {artifact.id} was not downloaded")
            travel.take(warehouse_from, artifact, workspace / path)
        except CheckFailed as exc:
            outcome = handoff.failed_outcome(str(exc), mission, task)
            handoff.write_outcome(outcome, mission, task, workspace, out, [])
            return outcome
    budget = Budget(mission.spec.ai.budget, used)  # its requests wait for `record`
    fetched, merge = out / LLM_ANSWER, out / COPILOT_MERGE
    env = {REPLAY: str(fetched)} if task.agent == "llm" and fetched.is_file() else {}
    if task.agent == COPILOT and merge.is_file() and not merge.is_symlink():
        env[MERGED_ENV] = merge.read_text(encoding="utf-8")[:200]
    outcome = run_task(mission, task, workspace, answers=given, env=env, budget=budget)
    handoff.write_outcome(outcome, mission, task, workspace, out, budget.pending)
    return outcome


def record(
    tracker: Tracker,
    notifier: Notifier,
    mission: Mission,
    task: Task,
    out: Path,
    uploaded: tuple[int, int, str] | None = None,
    workspace: Path | None = None,
) -> tuple[RunOutcome, Item | None]:
    """Record the outcome in ``out`` (untrusted files: checked, never run) on the tracker;
    ``uploaded`` is the warehouse artifact the job uploaded (id, run, digest)."""
    item = item_for(tracker, Key(mission.id, task.id))
    if item.state != TaskState.RUNNING:
        raise CheckFailed(f"{item.key} is {item.state}; only a claimed task's outcome is recorded")
    _note_warehouse(tracker, mission, item, out, uploaded, workspace or Path.cwd())
    note = recorder(tracker, mission.id)
    for request in handoff.llm_requests(out, mission):
        note(request)
    try:
        outcome = handoff.read_outcome(out, mission, task)
    except handoff.BadHandoff as exc:
        outcome = handoff.failed_outcome(str(exc), mission, task)
    moved = finish(tracker, notifier, mission, task, item, outcome, workspace=out / handoff.CHANGED)
    return outcome, moved


def _note_warehouse(
    tracker: Tracker,
    mission: Mission,
    item: Item,
    out: Path,
    uploaded: tuple[int, int, str] | None,
    workspace: Path,
) -> None:
    """The task's history says which warehouse artifact it read (the ledger's newest, which
    ``prepare`` named) and which it wrote."""
    path = travel.travels(mission)
    if path is None:
        return
    read = travel.latest(tracker, mission.id)
    plan = travel.read_plan(out, mission)
    if read is not None and plan is not None and plan[1] == read:
        travel.note(tracker, item, read, "read")
    target = workspace / path
    if uploaded is not None and target.is_file():
        artifact_id, run_id, digest = uploaded
        wrote = travel.Artifact(artifact_id, run_id, digest, travel.file_sha256(target))
        travel.note(tracker, item, wrote, "wrote")
