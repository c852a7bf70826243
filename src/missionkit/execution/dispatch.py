"""The dispatcher: from the tracker's state, unblock, claim, notify, escalate, await sign-off."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from missionkit import clock
from missionkit.agents.copilot.follow import AGENT as COPILOT
from missionkit.agents.copilot.follow import CopilotOwner, owns
from missionkit.errors import CheckFailed, MissionkitError
from missionkit.execution.claims import lease_for, stale_reason
from missionkit.execution.criteria import may_await_signoff
from missionkit.execution.escalation import ESCALATED, escalate
from missionkit.execution.notify import Notice, Notifier, subject
from missionkit.graph.order import mission_order, task_order
from missionkit.lifecycle import (
    ESCALATING,
    LifecycleEvent,
    MissionEvent,
    TaskEvent,
    all_finished,
    allows,
    satisfies,
)
from missionkit.spec.model import Mission, Task
from missionkit.templating import render_template, render_text
from missionkit.tracking.base import ExecutionOps
from missionkit.tracking.model import Item, Key
from missionkit.warehouse import travel

DISPATCHER = "missionkit-dispatch"


DEFAULT_RUNNER = ("ubuntu-latest",)


@dataclass(frozen=True)
class Claim:
    mission: str
    task: str
    agent: str
    title: str
    runs_on: tuple[str, ...] = DEFAULT_RUNNER
    #: the agent job's concurrency group: the mission's while its warehouse is an embedded
    #: file that travels between jobs (they take turns), else the task's own
    queue: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "mission": self.mission,
            "task": self.task,
            "agent": self.agent,
            "title": self.title,
            "runs_on": list(self.runs_on),
            "queue": self.queue or f"missionkit-task-{self.mission}-{self.task}",
        }


def _shares_a_file(mission: Mission) -> bool:
    """Whether the mission's jobs work on its DuckDB file (and so take turns with it)."""
    try:
        return travel.travels(mission) is not None
    except CheckFailed:
        return True  # a DuckDB file all the same, which cannot travel


def claim_for(mission: Mission, task: Task) -> Claim:
    assert task.agent is not None
    embedded = _shares_a_file(mission)
    return Claim(
        mission.id,
        task.id,
        task.agent,
        task.title,
        tuple(task.runs_on or DEFAULT_RUNNER),
        f"missionkit-warehouse-{mission.id}" if embedded else "",
    )


@dataclass
class DispatchResult:
    claimed: list[Claim] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    #: ready agent tasks left unclaimed because the limit was reached (the next dispatch's)
    waiting: int = 0

    def note(self, line: str) -> None:
        self.lines.append(line)

    def matrix(self) -> dict[str, Any]:
        return {"include": [c.to_json() for c in self.claimed]}

    def matrix_json(self) -> str:
        return json.dumps(self.matrix(), separators=(",", ":"))


class Dispatcher:
    """One reconciliation pass over every active mission."""

    def __init__(
        self,
        tracker: ExecutionOps,
        notifier: Notifier,
        *,
        actor: str = DISPATCHER,
        claim: bool = True,
        claimer: str | None = None,
        workspace: Path | None = None,
        download: travel.Download | None = None,
    ) -> None:
        self.tracker = tracker
        self.workspace = workspace or Path.cwd()  # where success criteria's checks run
        # where the mission's DuckDB file travels as an artifact (GitHub), how it is fetched
        # before the success criteria's checks run
        self.download = download
        self.notifier = notifier
        self.actor = actor
        self.claim = claim
        # A dispatch claims for a job that starts later (a matrix job), so its claim names no
        # process whose death would free it; it lasts until its lease runs out.
        self.claimer = claimer or f"dispatch@{socket.gethostname()}"
        self._indexes: dict[str, tuple[Mission, dict[str, Task], dict[str, int]]] = {}
        self._copilot: CopilotOwner | None = None

    def _remote(self, task: Task) -> CopilotOwner | None:
        """Who owns a task done outside missionkit's runners (the Copilot coding agent)."""
        if task.agent != COPILOT:
            return None
        if self._copilot is None:
            from missionkit.tracking.github.tracker import GitHubTracker

            if not isinstance(self.tracker, GitHubTracker):
                return None  # elsewhere the agent runs like any other and asks a person
            self._copilot = CopilotOwner(self.tracker, self.notifier)
        return self._copilot

    def read(self, missions: Iterable[Mission]) -> tuple[list[Mission], dict[Key, Item]]:
        active = mission_order([m for m in missions if m.spec.status == "active"])
        items: dict[Key, Item] = {}
        for mission in active:
            items.update({i.key: i for i in self.tracker.read(mission.id)})
        return active, items

    def run(self, missions: Iterable[Mission], limit: int | None = None) -> DispatchResult:
        """A full pass: read every active mission and reconcile every task."""
        return self.reconcile(*self.read(missions), limit=limit)

    def reconcile(
        self, active: list[Mission], items: dict[Key, Item], limit: int | None = None
    ) -> DispatchResult:
        """Reconcile every task of ``active`` against ``items`` (kept up to date in place)."""
        result = DispatchResult()
        for mission in active:
            self._mission(mission, items, result, limit, None)
        return result

    def step(
        self,
        missions: Iterable[Mission],
        items: dict[Key, Item],
        keys: set[Key],
        limit: int | None = None,
    ) -> DispatchResult:
        """Reconcile only ``keys`` against a cache of items (kept up to date in place)."""
        result = DispatchResult()
        touched = {k.mission for k in keys}
        for mission in missions:
            if mission.id in touched and mission.spec.status == "active":
                self._mission(
                    mission, items, result, limit, {k.task for k in keys if k.mission == mission.id}
                )
        return result

    def _index(self, mission: Mission) -> tuple[dict[str, Task], dict[str, int]]:
        """The mission's tasks by id and their topological rank (computed once)."""
        cached = self._indexes.get(mission.id)
        if cached is None or cached[0] is not mission:
            order = task_order(mission)
            cached = (
                mission,
                {t.id: t for t in mission.tasks},
                {t: i for i, t in enumerate(order)},
            )
            self._indexes[mission.id] = cached
        return cached[1], cached[2]

    def _state(self, items: dict[Key, Item], key: Key) -> str | None:
        item = items.get(key)
        return item.state if item else None

    def _deps_done(self, mission: Mission, task: Task, items: dict[Key, Item]) -> bool:
        return all(satisfies(self._state(items, dep)) for dep in mission.prerequisites(task))

    def _move(
        self, items: dict[Key, Item], item: Item, event: LifecycleEvent, reason: str
    ) -> Item | None:
        moved = self.tracker.transition(item, event, self.actor, reason)
        if moved is not None:
            items[item.key] = moved
        return moved

    def _mission(
        self,
        mission: Mission,
        items: dict[Key, Item],
        result: DispatchResult,
        limit: int | None,
        only: set[str] | None,
    ) -> None:
        now = clock.now()
        mission_item = items.get(Key(mission.id))
        if mission_item is None:
            result.note(f"{mission.id}: not synced yet; run `mission sync` first")
            return
        tasks, rank = self._index(mission)
        order = list(rank) if only is None else sorted(only & rank.keys(), key=rank.__getitem__)
        for task_id in order:
            task = tasks[task_id]
            key = Key(mission.id, task_id)
            item = items.get(key)
            if item is None:
                continue
            remote = self._remote(task)
            if remote is not None and owns(item):
                items[key], line = remote.follow(mission, task, item)
                if line:
                    result.note(line)
                item = items[key]
                if not allows(item.state, TaskEvent.CLAIM):  # merged: claimed below for checks
                    continue
            if allows(item.state, TaskEvent.RELEASE):
                why = stale_reason(item, task, now)
                if why and self._move(items, item, TaskEvent.RELEASE, f"back to ready: {why}"):
                    result.note(f"{key}: recovered, {why}")
                    item = items[key]
            if allows(item.state, TaskEvent.UNBLOCK) and self._deps_done(mission, task, items):
                reason = "all dependencies done" if task.depends_on else "no dependencies"
                moved = self._move(items, item, TaskEvent.UNBLOCK, reason)
                if moved is None:
                    continue
                item = moved
                result.note(f"{key}: ready ({reason})")
                if task.agent is None:
                    self._notify_owner(mission, task, item, result)
            elif allows(item.state, TaskEvent.BLOCK) and not self._deps_done(mission, task, items):
                self._move(items, item, TaskEvent.BLOCK, "a dependency is no longer done")
                result.note(f"{key}: blocked again (a dependency is no longer done)")
                continue
            claimable = allows(item.state, TaskEvent.CLAIM) and task.agent is not None
            if claimable and self.claim and limit is not None and len(result.claimed) >= limit:
                result.waiting += 1
            elif claimable and self.claim:
                claimed = self.tracker.claim(item, self.claimer, lease_for(task))
                if claimed is not None and remote is not None:
                    # Copilot's: assigned to it, or (merged) claimed for a job running its checks
                    items[key], line, run = remote.start(mission, task, claimed)
                    result.note(line)
                elif claimed is not None:
                    items[key], run = claimed, True
                    result.note(f"{key}: claimed for agent {task.agent}")
                if claimed is not None and run:
                    result.claimed.append(claim_for(mission, task))
            if item.state in ESCALATING:
                self._reescalate(mission, task, item, result)
        self._signoff(mission, items, result)

    def _notify_owner(
        self, mission: Mission, task: Task, item: Item, result: DispatchResult
    ) -> None:
        owner = mission.owner_of(task)
        self.tracker.assign(item, [owner])
        text = render_template(
            "notify/ready.md.j2", {"mission": mission, "task": task, "owner": owner}
        )
        self.tracker.comment(item, text, self.actor)
        channels = self.notifier.send(
            Notice(
                "ready", mission, subject("ready", task=task, owner=owner), text, (owner,), item.url
            )
        )
        result.note(f"{item.key}: @{owner} notified ({'; '.join(channels)})")

    def _reescalate(self, mission: Mission, task: Task, item: Item, result: DispatchResult) -> None:
        after = mission.spec.escalation.after
        events = [e for e in self.tracker.events(item) if e.kind == ESCALATED]
        last = events[-1].at if events else None
        now = clock.now()
        if last is not None and now - last < after:
            return
        text = render_text("notify/reminder.md.j2", {"item": item})
        escalate(
            self.tracker,
            self.notifier,
            mission,
            task,
            item,
            str(item.state),
            text,
            self.actor,
            again=last is not None,
        )
        result.note(f"{item.key}: {'re-' if last else ''}escalated ({item.state})")

    def _signoff(self, mission: Mission, items: dict[Key, Item], result: DispatchResult) -> None:
        mission_item = items[Key(mission.id)]
        if not allows(mission_item.state, MissionEvent.TASKS_FINISHED):
            return
        _, rank = self._index(mission)
        # The last tasks in dependency order are the likeliest unfinished: test them first.
        states = (self._state(items, Key(mission.id, t)) or "" for t in reversed(rank))
        if not all_finished(states):
            return
        if self.download is not None and any(c.checks for c in mission.criteria):
            try:
                line = travel.fetch(self.tracker, mission, self.workspace, self.download)
            except (MissionkitError, OSError) as exc:
                line = f"{mission.id}: the warehouse artifact is not taken: {exc}"
            if line:
                result.note(line)
        ready, criteria = may_await_signoff(
            self.tracker, self.notifier, mission, mission_item, self.workspace, self.actor
        )
        if not ready:
            result.note(f"{mission.id}: success criteria fail their checks; it stays active")
            return
        moved = self._move(
            items, mission_item, MissionEvent.TASKS_FINISHED, "every task is done or cancelled"
        )
        if moved is None:
            return
        text = render_template("notify/signoff.md.j2", {"mission": mission, "criteria": criteria})
        self.tracker.assign(moved, mission.approvers)
        self.tracker.comment(moved, text, self.actor)
        channels = self.notifier.send(
            Notice(
                "awaiting-signoff",
                mission,
                subject("awaiting-signoff"),
                text,
                tuple(mission.approvers),
                moved.url,
            )
        )
        result.note(
            f"{mission.id}: awaiting sign-off by {', '.join(mission.approvers)} "
            f"({'; '.join(channels)})"
        )
