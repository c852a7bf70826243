"""``mission agent run``: claim if needed, run the agent and checks, record, close or escalate."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from missionkit.agents.base import Verdict
from missionkit.agents.copilot.agent import MERGED_ENV
from missionkit.agents.copilot.follow import AGENT as COPILOT
from missionkit.agents.copilot.follow import merge_record
from missionkit.errors import CheckFailed
from missionkit.execution.actions import answers, item_for
from missionkit.execution.claims import lease_for, runner_id
from missionkit.execution.escalation import escalate
from missionkit.execution.notify import Notifier
from missionkit.execution.runner import RunOutcome, run_task
from missionkit.execution.warnings import record_warnings
from missionkit.lifecycle import TaskEvent, TaskState, allows
from missionkit.llm.budget import tracker_budget
from missionkit.spec.model import Mission, Task
from missionkit.templating import render_template, render_text
from missionkit.tracking.base import ExecutionOps
from missionkit.tracking.model import Item, Key

AGENT_ACTOR = "missionkit-agent"
EVENT_FOR = {
    Verdict.DONE: TaskEvent.SUCCEED,
    Verdict.FAILED: TaskEvent.FAIL,
    Verdict.NEEDS_HUMAN: TaskEvent.ASK,
}


def start(tracker: ExecutionOps, mission: Mission, task: Task) -> Item:
    """The task's item, claimed for this runner if it was only ready."""
    if task.agent is None:
        raise CheckFailed(f"{mission.id}/{task.id} is done by a person, not an agent")
    item = item_for(tracker, Key(mission.id, task.id))
    if task.agent == COPILOT and tracker.name == "github" and merge_record(tracker, item) is None:
        raise CheckFailed(
            f"{mission.id}/{task.id} belongs to the Copilot coding agent: `mission dispatch` "
            "assigns it and follows its pull request; it runs here only to check the merged result"
        )
    if allows(item.state, TaskEvent.CLAIM):
        claimed = tracker.claim(item, runner_id(), lease_for(task))
        if claimed is None:
            raise CheckFailed(f"{item.key} was claimed by another runner")
        return claimed
    if item.state != TaskState.RUNNING:
        raise CheckFailed(f"{item.key} is {item.state}; only a ready or claimed task runs")
    return item


def copilot_env(tracker: ExecutionOps, task: Task, item: Item) -> dict[str, str]:
    """For a copilot task, the merge its run confirms (read from the tracker)."""
    merged = merge_record(tracker, item) if task.agent == COPILOT else None
    return {MERGED_ENV: merged} if merged else {}


def finish(
    tracker: ExecutionOps,
    notifier: Notifier,
    mission: Mission,
    task: Task,
    item: Item,
    outcome: RunOutcome,
    actor: str = AGENT_ACTOR,
    workspace: Path | None = None,
) -> Item | None:
    """Record the report, move the task to its verdict's state and escalate if needed."""
    tracker.comment(item, outcome.report, actor)
    event = EVENT_FOR[outcome.verdict]
    summary = outcome.summary
    proposed = None
    if outcome.verdict == Verdict.DONE and outcome.changed and tracker.proposes_changes:
        proposed = _propose(tracker, mission, task, item, outcome, workspace)
        if proposed is not None:
            event = TaskEvent.ASK
            summary = f"review and merge pull request #{proposed[0]}; merging it closes the task"
    moved = tracker.transition(item, event, actor, summary)
    if moved is None:
        return None  # someone else moved it (a person closed it meanwhile): keep theirs
    record_warnings(tracker, notifier, mission, task, moved, outcome.checks, actor)
    if proposed is not None:
        number, url = proposed
        text = render_text("notify/review.md.j2", {"task": task, "number": number, "url": url})
        escalate(tracker, notifier, mission, task, moved, "needs-human", text, actor)
    elif outcome.verdict == Verdict.NEEDS_HUMAN:
        escalate(
            tracker, notifier, mission, task, moved, "needs-human", outcome.question or "", actor
        )
    elif outcome.verdict == Verdict.FAILED:
        text = render_text(
            "notify/failed.md.j2", {"reasons": outcome.reasons, "run_dir": outcome.run_dir}
        )
        escalate(tracker, notifier, mission, task, moved, "failed", text, actor)
    return moved


def run_agent_task(
    tracker: ExecutionOps,
    notifier: Notifier,
    mission: Mission,
    task: Task,
    workspace: Path,
    env: Mapping[str, str] | None = None,
) -> tuple[RunOutcome, Item | None]:
    item = start(tracker, mission, task)
    env = {**(env or {}), **copilot_env(tracker, task, item)}
    budget = tracker_budget(tracker, mission.id, mission.spec.ai.budget)
    outcome = run_task(
        mission, task, workspace, answers=answers(tracker, item), env=env, budget=budget
    )
    return outcome, finish(tracker, notifier, mission, task, item, outcome, workspace=workspace)


def _propose(
    tracker: ExecutionOps,
    mission: Mission,
    task: Task,
    item: Item,
    outcome: RunOutcome,
    workspace: Path | None,
) -> tuple[int, str] | None:
    """Offer the files the agent wrote into the repository for review (GitHub: a pull request)."""
    root = (workspace or Path.cwd()).resolve()
    files: dict[str, bytes] = {}
    for path in outcome.changed:
        full = Path(path).resolve()
        if full.is_file() and full.is_relative_to(root):
            files[full.relative_to(root).as_posix()] = full.read_bytes()
    if not files:
        return None
    title = f"{mission.id}/{task.id}: {task.title}"
    body = render_template(
        "run/pull_request.md.j2",
        {"mission": mission, "task": task, "files": sorted(files), "report": outcome.report},
    )
    return tracker.propose_changes(item, files, title=title, body=body)
