"""Ask a person: assign, post the question with its context, notify the mission's channels."""

from __future__ import annotations

from missionkit import clock
from missionkit.execution.notify import Notice, Notifier, subject
from missionkit.spec.model import Mission, Task
from missionkit.templating import render_template
from missionkit.tracking.base import ExecutionOps
from missionkit.tracking.model import Event, Item

ESCALATED = "escalated"


def targets_for(mission: Mission, task: Task) -> list[str]:
    people = ([task.owner] if task.owner else []) + mission.escalation_targets
    return list(dict.fromkeys(people))


def escalate(
    tracker: ExecutionOps,
    notifier: Notifier,
    mission: Mission,
    task: Task,
    item: Item,
    kind: str,
    text: str,
    actor: str,
    *,
    again: bool = False,
) -> list[str]:
    """Run every escalation step; return what the channels said."""
    people = targets_for(mission, task)
    refused = tracker.assign(item, people)
    note = render_template(
        "notify/escalation.md.j2",
        {
            "mission": mission,
            "task": task,
            "kind": kind,
            "text": text,
            "people": people,
            "again": again,
            "refused": refused,
        },
    )
    title = subject(kind, task=task, again=again)
    results = notifier.send(Notice(kind, mission, title, text, tuple(people), item.url))
    reason = f"{'re-escalated' if again else 'escalated'} to {', '.join(people)}: " + "; ".join(
        results
    )
    tracker.record(Event(clock.now(), item.key, actor, ESCALATED, None, None, reason), note=note)
    return results
