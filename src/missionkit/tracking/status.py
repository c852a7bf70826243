"""The state of every task, read from a tracker, and what each one waits on."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from missionkit.checks.records import CriteriaRecord, latest_criteria, latest_warnings
from missionkit.lifecycle import ESCALATING, TaskState, awaits_signoff, is_finished, satisfies
from missionkit.spec.model import Mission
from missionkit.tracking.base import Items, ReportReads
from missionkit.tracking.model import (
    MISSION_ACTIVE,
    MISSION_AWAITING,
    MISSION_CLOSED,
    Event,
    Item,
    Key,
)

UNTRACKED = "untracked"


@dataclass(frozen=True)
class TaskStatus:
    mission: str
    task: str
    title: str
    state: str
    owner: str
    agent: str | None
    url: str | None
    number: int | None
    waits_on: str
    waits_on_kind: str  # "task", "person", "agent" or ""
    waits_on_refs: tuple[str, ...] = ()  # the task references behind waits_on, if any
    reason: str = ""  # why a failed task failed (from its history; see with_reasons)
    warnings: tuple[str, ...] = ()  # the warn checks that failed in the latest run

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "title": self.title,
            "state": self.state,
            "owner": self.owner,
            "agent": self.agent,
            "issue": self.number,
            "url": self.url,
            "waits_on": self.waits_on or None,
            "waits_on_kind": self.waits_on_kind or None,
            "waits_on_refs": list(self.waits_on_refs),
            "reason": self.reason or None,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class MissionStatus:
    mission: Mission
    state: str
    tasks: tuple[TaskStatus, ...]
    url: str | None
    criteria: CriteriaRecord | None = None  # the latest run of the success criteria's checks

    @property
    def done(self) -> int:
        return sum(1 for t in self.tasks if is_finished(t.state))

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in self.tasks:
            out[t.state] = out.get(t.state, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "mission": self.mission.id,
            "title": self.mission.spec.title,
            "owner": self.mission.spec.owner,
            "state": self.state,
            "url": self.url,
            "progress": {"done": self.done, "total": len(self.tasks)},
            "counts": self.counts(),
            "tasks": [t.to_json() for t in self.tasks],
            "criteria": _criteria_json(self.mission, self.criteria),
        }


def with_reasons(status: MissionStatus, tracker: ReportReads) -> MissionStatus:
    """``status`` with what only the history says: the recorded reason of each failed task, the
    warnings of each task's latest checked run and the latest results of the success criteria.
    """
    failed = {t.task for t in status.tasks if t.state == TaskState.FAILED}
    checked = any(c.checks for c in status.mission.criteria) or any(
        c.severity == "warn" for t in status.mission.tasks for c in t.checks
    )
    if not failed and not checked:
        return status
    reasons: dict[str, str] = {}
    events: dict[Key, list[Event]] = {}
    for event in tracker.history(status.mission.id):
        events.setdefault(event.key, []).append(event)
        if event.key.task in failed and event.to_state == TaskState.FAILED:
            reasons[event.key.task] = event.reason
    tasks = tuple(
        replace(
            t,
            reason=reasons.get(t.task, ""),
            warnings=tuple(latest_warnings(events.get(Key(t.mission, t.task), []))),
        )
        for t in status.tasks
    )
    criteria = latest_criteria(events.get(Key(status.mission.id), []))
    return replace(status, tasks=tasks, criteria=criteria)


def _criteria_json(mission: Mission, record: CriteriaRecord | None) -> list[dict[str, Any]]:
    found = {c.text: c for c in record.criteria} if record else {}
    out = []
    for criterion in mission.criteria:
        shown = found.get(criterion.text.replace(": ", " - "))
        out.append(
            {
                "text": criterion.text,
                "checked": bool(criterion.checks),
                "status": shown.status if shown else ("pending" if criterion.checks else None),
                "detail": shown.detail if shown else None,
            }
        )
    return out


def task_states(items: list[Item]) -> dict[str, str]:
    return {i.key.task: i.state for i in items if i.key.task}


def mission_status(mission: Mission, tracker: Items) -> MissionStatus:
    items = {i.key: i for i in tracker.read(mission.id)}
    external: dict[str, str] = {}
    for task in mission.tasks:
        for ref, (other, dep) in zip(task.depends_on, mission.prerequisites(task), strict=True):
            if other != mission.id and ref not in external:
                found = {i.key: i for i in tracker.read(other)}.get(Key(other, dep))
                external[ref] = found.state if found else UNTRACKED
    states = {k.task: i.state for k, i in items.items() if k.task}
    rows = []
    for task in mission.tasks:
        item = items.get(Key(mission.id, task.id))
        state = item.state if item else UNTRACKED
        waits, kind, refs = _waits_on(mission, task.id, state, states, external)
        rows.append(
            TaskStatus(
                mission=mission.id,
                task=task.id,
                title=task.title,
                state=state,
                owner=mission.owner_of(task),
                agent=task.agent,
                url=item.url if item else None,
                number=item.number if item else None,
                waits_on=waits,
                waits_on_kind=kind,
                waits_on_refs=refs,
            )
        )
    mission_item = items.get(Key(mission.id))
    state = mission_item.state if mission_item else UNTRACKED
    checked = any(c.checks for c in mission.criteria)  # those wait for their checks
    if awaits_signoff(state, (r.state for r in rows)) and not checked:
        state = MISSION_AWAITING
    url = mission_item.url if mission_item else None
    return MissionStatus(mission, state, tuple(rows), url)


def _waits_on(
    mission: Mission,
    task_id: str,
    state: str,
    states: dict[str, str],
    external: dict[str, str],
) -> tuple[str, str, tuple[str, ...]]:
    """What the task waits on (as shown), what kind of thing that is, and its task refs."""
    task = mission.task(task_id)
    if state == TaskState.BLOCKED or state == UNTRACKED:
        pending = []
        for ref, (other, dep) in zip(task.depends_on, mission.prerequisites(task), strict=True):
            dep_state = states.get(dep) if other == mission.id else external.get(ref)
            if not satisfies(dep_state):
                pending.append(ref)
        if pending:
            return ", ".join(pending), "task", tuple(pending)
        return ("dispatch", "agent", ()) if state == TaskState.BLOCKED else ("sync", "", ())
    if state == TaskState.READY:
        if task.agent:
            return f"agent {task.agent}", "agent", ()
        return f"@{mission.owner_of(task)}", "person", ()
    if state == TaskState.RUNNING:
        who = f"agent {task.agent}" if task.agent else f"@{mission.owner_of(task)}"
        return who, "agent", ()
    if state in ESCALATING:
        people = (task.owner and [task.owner]) or mission.escalation_targets
        return ", ".join(f"@{p}" for p in people), "person", ()
    return "", "", ()


def mission_label(state: str) -> str:
    names: dict[str, str] = {
        MISSION_ACTIVE: "active",
        MISSION_AWAITING: "awaiting sign-off",
        MISSION_CLOSED: "closed",
    }
    return names.get(state, state)
