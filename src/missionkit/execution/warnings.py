"""A task's ``warn`` checks: record what warned, and escalate a warning that keeps failing."""

from __future__ import annotations

from collections.abc import Sequence

from missionkit import clock
from missionkit.checks.records import CHECKED, WARNED, warn_streak
from missionkit.checks.run import CheckResult
from missionkit.execution.escalation import escalate
from missionkit.execution.notify import Notifier
from missionkit.spec.model import Mission, Task
from missionkit.templating import render_text
from missionkit.tracking.base import ExecutionOps
from missionkit.tracking.model import Event, Item

STREAK = 3  # failing runs in a row after which a warning escalates (once)


def record_warnings(
    tracker: ExecutionOps,
    notifier: Notifier,
    mission: Mission,
    task: Task,
    item: Item,
    checks: Sequence[CheckResult],
    actor: str,
) -> list[str]:
    """Record the run's warnings; escalate each that has now failed ``STREAK`` runs in a row.

    Returns the labels of the checks escalated.
    """
    if not any(c.check.severity == "warn" for c in checks):
        return []
    before = tracker.events(item)
    warned = [c for c in checks if c.warned]
    now = clock.now()
    for c in warned:
        tracker.record(Event(now, item.key, actor, WARNED, None, None, f"{c.label}: {c.detail}"))
    summary = f"{len(checks)} checks: {len(warned)} warning{'s' if len(warned) != 1 else ''}"
    tracker.record(Event(now, item.key, actor, CHECKED, None, None, summary))
    escalated = []
    for c in warned:
        if warn_streak(before, c.label) + 1 == STREAK:
            text = render_text("notify/warning.md.j2", {"check": c, "runs": STREAK})
            escalate(tracker, notifier, mission, task, item, "warning", text, actor)
            escalated.append(c.label)
    return escalated
