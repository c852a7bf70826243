"""``mission agent run``: claim if needed, run the agent and checks, record, close or escalate."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from missionkit.agents.base import Verdict
from missionkit.errors import CheckFailed
from missionkit.execution.actions import answers, item_for
from missionkit.execution.claims import lease_for, runner_id
from missionkit.execution.escalation import escalate
from missionkit.execution.notify import Notifier
from missionkit.execution.runner import RunOutcome, run_task
from missionkit.model import Mission, Task, TaskState
from missionkit.tracking.base import Tracker
from missionkit.tracking.model import Item, Key

AGENT_ACTOR = "missionkit-agent"
STATE_FOR = {
    Verdict.DONE: TaskState.DONE,
    Verdict.FAILED: TaskState.FAILED,
    Verdict.NEEDS_HUMAN: TaskState.NEEDS_HUMAN,
}


def start(tracker: Tracker, mission: Mission, task: Task) -> Item:
    """The task's item, claimed for this runner if it was only ready."""
    if task.agent is None:
        raise CheckFailed(f"{mission.id}/{task.id} is done by a person, not an agent")
    item = item_for(tracker, Key(mission.id, task.id))
    if item.state == TaskState.READY:
        claimed = tracker.claim(item, runner_id(), lease_for(task))
        if claimed is None:
            raise CheckFailed(f"{item.key} was claimed by another runner")
        return claimed
    if item.state != TaskState.RUNNING:
        raise CheckFailed(f"{item.key} is {item.state}; only a ready or claimed task runs")
    return item


def finish(
    tracker: Tracker,
    notifier: Notifier,
    mission: Mission,
    task: Task,
    item: Item,
    outcome: RunOutcome,
    actor: str = AGENT_ACTOR,
) -> Item | None:
    """Record the report, move the task to its verdict's state and escalate if needed."""
    tracker.comment(item, outcome.report, actor)
    state = STATE_FOR[outcome.verdict]
    moved = tracker.transition(item, [TaskState.RUNNING], state, actor, outcome.summary)
    if moved is None:
        return None  # someone else moved it (a person closed it meanwhile): keep theirs
    if outcome.verdict == Verdict.NEEDS_HUMAN:
        escalate(
            tracker, notifier, mission, task, moved, "needs-human", outcome.question or "", actor
        )
    elif outcome.verdict == Verdict.FAILED:
        text = "\n".join(f"- {r}" for r in outcome.reasons) + f"\n\nRun folder: `{outcome.run_dir}`"
        escalate(tracker, notifier, mission, task, moved, "failed", text, actor)
    return moved


def run_agent_task(
    tracker: Tracker,
    notifier: Notifier,
    mission: Mission,
    task: Task,
    workspace: Path,
    env: Mapping[str, str] | None = None,
) -> tuple[RunOutcome, Item | None]:
    item = start(tracker, mission, task)
    outcome = run_task(mission, task, workspace, answers=answers(tracker, item), env=env)
    return outcome, finish(tracker, notifier, mission, task, item, outcome)
