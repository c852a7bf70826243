"""What people do: finish a task, answer an agent, re-queue a failed task, sign a mission off."""

from __future__ import annotations

from missionkit import clock
from missionkit.errors import CheckFailed
from missionkit.execution.notify import Notice, Notifier, subject
from missionkit.lifecycle import (
    MissionEvent,
    MissionState,
    TaskEvent,
    TaskState,
    allows,
    is_finished,
)
from missionkit.lifecycle import is_approver as _is_approver
from missionkit.spec.model import Mission
from missionkit.templating import render_text
from missionkit.tracking.base import ExecutionOps
from missionkit.tracking.model import Event, Item, Key

ANSWER = "answer"


class Refused(CheckFailed):
    """A person's action that the current state or their role does not allow."""


def item_for(tracker: ExecutionOps, key: Key) -> Item:
    for item in tracker.read(key.mission):
        if item.key == key:
            return item
    raise CheckFailed(f"{key} is not tracked yet; run `mission sync` first")


def _task(mission: Mission, task_id: str) -> None:
    if task_id not in {t.id for t in mission.tasks}:
        raise Refused(f"mission {mission.id} has no task '{task_id}'")


def complete(
    tracker: ExecutionOps, mission: Mission, task_id: str, actor: str, reason: str = ""
) -> Item:
    """A person marks a task done."""
    _task(mission, task_id)
    key = Key(mission.id, task_id)
    item = item_for(tracker, key)
    if not allows(item.state, TaskEvent.COMPLETE):
        raise Refused(_not_completable(mission, key, item.state))
    moved = tracker.transition(item, TaskEvent.COMPLETE, actor, reason or f"marked done by {actor}")
    if moved is None:
        raise Refused(f"{key} changed while marking it done; try again")
    return moved


def _not_completable(mission: Mission, key: Key, state: str) -> str:
    if state == TaskState.DONE:
        return f"{key} is already done"
    waiting = mission.task(key.task).depends_on if state == TaskState.BLOCKED else []
    return f"{key} is {state}" + (f"; it waits on {', '.join(waiting)}" if waiting else "")


def answer(tracker: ExecutionOps, mission: Mission, task_id: str, actor: str, text: str) -> Item:
    """A person answers an agent's question; the task goes back to ready to run again."""
    _task(mission, task_id)
    key = Key(mission.id, task_id)
    if not text.strip():
        raise Refused("the answer is empty")
    item = item_for(tracker, key)
    if not allows(item.state, TaskEvent.ANSWER):
        raise Refused(f"{key} is {item.state}; only a task that asked a question takes an answer")
    tracker.record(Event(clock.now(), key, actor, ANSWER, None, None, text.strip()))
    moved = tracker.transition(item, TaskEvent.ANSWER, actor, f"answered by {actor}")
    if moved is None:
        raise Refused(f"{key} changed while answering; try again")
    return moved


def answers(tracker: ExecutionOps, item: Item) -> tuple[str, ...]:
    return tuple(e.reason for e in tracker.events(item) if e.kind == ANSWER)


def retry(tracker: ExecutionOps, mission: Mission, task_id: str, actor: str) -> Item:
    """Re-queue a failed task."""
    _task(mission, task_id)
    key = Key(mission.id, task_id)
    item = item_for(tracker, key)
    if not allows(item.state, TaskEvent.RETRY):
        raise Refused(f"{key} is {item.state}; only a failed task can be retried")
    moved = tracker.transition(item, TaskEvent.RETRY, actor, f"retry asked by {actor}")
    if moved is None:
        raise Refused(f"{key} changed while re-queueing it; try again")
    return moved


def is_approver(mission: Mission, login: str) -> bool:
    """Whether ``login`` may sign ``mission`` off (logins ignore case)."""
    return _is_approver(login, mission.approvers)


def approve(tracker: ExecutionOps, notifier: Notifier, mission: Mission, actor: str) -> Item:
    """An approver signs the mission off once every task is done."""
    if not is_approver(mission, actor):
        raise Refused(
            f"{actor} may not sign off {mission.id}; approvers: {', '.join(mission.approvers)}"
        )
    item = item_for(tracker, Key(mission.id))
    if item.state == MissionState.CLOSED:
        raise Refused(f"{mission.id} is already signed off")
    if not allows(item.state, MissionEvent.SIGN_OFF):
        open_tasks = [
            i.key.task for i in tracker.read(mission.id) if i.key.task and not is_finished(i.state)
        ]
        if not open_tasks and any(c.checks for c in mission.criteria):
            raise Refused(
                f"{mission.id} is not ready for sign-off: its success criteria's checks "
                "have not passed (see `mission status`)"
            )
        raise Refused(
            f"{mission.id} is not ready for sign-off: {len(open_tasks)} task(s) not done"
            + (f" ({', '.join(sorted(open_tasks)[:5])})" if open_tasks else "")
        )
    moved = tracker.transition(item, MissionEvent.SIGN_OFF, actor, f"signed off by {actor}")
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
            subject("closed", actor=actor),
            render_text("notify/closed.md.j2", {"mission": mission, "actor": actor}),
            tuple(mission.spec.stakeholders),
            item.url,
        )
    )


def parse_target(text: str) -> tuple[str, str]:
    """``mission/task`` → its two ids, or a usage error."""
    from missionkit.errors import UsageError

    if "/" not in text:
        raise UsageError(f"expected MISSION/TASK, got '{text}'")
    return Key.of_ref("", text)
