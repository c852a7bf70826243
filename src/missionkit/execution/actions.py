"""What people do: finish a task, answer an agent, re-queue a failed task, sign a mission off."""

from __future__ import annotations

from missionkit import clock
from missionkit.errors import CheckFailed
from missionkit.execution.notify import Notice, Notifier
from missionkit.graph.dag import split_ref
from missionkit.spec.model import Mission, TaskState
from missionkit.tracking.base import Tracker
from missionkit.tracking.model import (
    MISSION_ACTIVE,
    MISSION_AWAITING,
    MISSION_CLOSED,
    Event,
    Item,
    Key,
)

ANSWER = "answer"


class Refused(CheckFailed):
    """A person's action that the current state or their role does not allow."""


def item_for(tracker: Tracker, key: Key) -> Item:
    for item in tracker.read(key.mission):
        if item.key == key:
            return item
    raise CheckFailed(f"{key} is not tracked yet; run `mission sync` first")


def _task(mission: Mission, task_id: str) -> None:
    if task_id not in {t.id for t in mission.tasks}:
        raise Refused(f"mission {mission.id} has no task '{task_id}'")


def complete(
    tracker: Tracker, mission: Mission, task_id: str, actor: str, reason: str = ""
) -> Item:
    """A person marks a task done."""
    _task(mission, task_id)
    key = Key(mission.id, task_id)
    item = item_for(tracker, key)
    if item.state == TaskState.DONE:
        raise Refused(f"{key} is already done")
    if item.state in (TaskState.BLOCKED, TaskState.CANCELLED):
        waiting = [r for r in mission.task(task_id).depends_on]
        more = (
            f"; it waits on {', '.join(waiting)}"
            if waiting and item.state == TaskState.BLOCKED
            else ""
        )
        raise Refused(f"{key} is {item.state}{more}")
    allowed = [TaskState.READY, TaskState.RUNNING, TaskState.NEEDS_HUMAN, TaskState.FAILED]
    moved = tracker.transition(
        item, allowed, TaskState.DONE, actor, reason or f"marked done by {actor}"
    )
    if moved is None:
        raise Refused(f"{key} changed while marking it done; try again")
    return moved


def answer(tracker: Tracker, mission: Mission, task_id: str, actor: str, text: str) -> Item:
    """A person answers an agent's question; the task goes back to ready to run again."""
    _task(mission, task_id)
    key = Key(mission.id, task_id)
    if not text.strip():
        raise Refused("the answer is empty")
    item = item_for(tracker, key)
    if item.state != TaskState.NEEDS_HUMAN:
        raise Refused(f"{key} is {item.state}; only a task that asked a question takes an answer")
    tracker.record(Event(clock.now(), key, actor, ANSWER, None, None, text.strip()))
    moved = tracker.transition(
        item, [TaskState.NEEDS_HUMAN], TaskState.READY, actor, f"answered by {actor}"
    )
    if moved is None:
        raise Refused(f"{key} changed while answering; try again")
    return moved


def answers(tracker: Tracker, item: Item) -> tuple[str, ...]:
    return tuple(e.reason for e in tracker.events(item) if e.kind == ANSWER)


def retry(tracker: Tracker, mission: Mission, task_id: str, actor: str) -> Item:
    """Re-queue a failed task."""
    _task(mission, task_id)
    key = Key(mission.id, task_id)
    item = item_for(tracker, key)
    if item.state != TaskState.FAILED:
        raise Refused(f"{key} is {item.state}; only a failed task can be retried")
    moved = tracker.transition(
        item, [TaskState.FAILED], TaskState.READY, actor, f"retry asked by {actor}"
    )
    if moved is None:
        raise Refused(f"{key} changed while re-queueing it; try again")
    return moved


def is_approver(mission: Mission, login: str) -> bool:
    """GitHub logins are case-insensitive."""
    return login.casefold() in {a.casefold() for a in mission.approvers}


def approve(tracker: Tracker, notifier: Notifier, mission: Mission, actor: str) -> Item:
    """An approver signs the mission off once every task is done."""
    if not is_approver(mission, actor):
        raise Refused(
            f"{actor} may not sign off {mission.id}; approvers: {', '.join(mission.approvers)}"
        )
    item = item_for(tracker, Key(mission.id))
    if item.state == MISSION_CLOSED:
        raise Refused(f"{mission.id} is already signed off")
    if item.state == MISSION_ACTIVE:
        open_tasks = [
            i.key.task
            for i in tracker.read(mission.id)
            if i.key.task and i.state not in (TaskState.DONE, TaskState.CANCELLED)
        ]
        raise Refused(
            f"{mission.id} is not ready for sign-off: {len(open_tasks)} task(s) not done"
            + (f" ({', '.join(sorted(open_tasks)[:5])})" if open_tasks else "")
        )
    moved = tracker.transition(
        item, [MISSION_AWAITING], MISSION_CLOSED, actor, f"signed off by {actor}"
    )
    if moved is None:
        raise Refused(f"{mission.id} changed while signing off; try again")
    announce_signoff(notifier, mission, moved, actor)
    return moved


def announce_signoff(notifier: Notifier, mission: Mission, item: Item, actor: str) -> None:
    """Tell the stakeholders the mission is closed."""
    notifier.send(
        Notice(
            "closed",
            mission,
            f"signed off by {actor}",
            f"{mission.spec.title} is closed: {actor} signed it off.",
            tuple(mission.spec.stakeholders),
            item.url,
        )
    )


def parse_target(text: str) -> tuple[str, str]:
    """``mission/task`` → its two ids, or a usage error."""
    from missionkit.errors import UsageError

    if "/" not in text:
        raise UsageError(f"expected MISSION/TASK, got '{text}'")
    return split_ref("", text)
