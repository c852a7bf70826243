"""Diffing, written once: compare mission files with a tracker and list the changes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from missionkit.graph.order import mission_order, task_order
from missionkit.lifecycle import MissionState, TaskEvent, TaskState, is_finished, next_state
from missionkit.spec.model import Mission
from missionkit.tracking.base import PlanReads
from missionkit.tracking.desired import specs_for
from missionkit.tracking.drift import (
    BodyParts,
    Drift,
    DriftSource,
    body_drift,
    field_drift,
    relation_drift,
    split_body,
    with_authors,
)
from missionkit.tracking.labels import Label, is_managed, label_for, status_label
from missionkit.tracking.limits import RelationBudget, is_phase, phase_specs, sub_issue_groups
from missionkit.tracking.model import Item, Key, Spec
from missionkit.tracking.policy import shows_status

ACTIONS = ("label", "create", "update", "close", "reopen", "link", "block", "unblock")
SYMBOLS = {
    "label": "+",
    "create": "+",
    "update": "~",
    "close": "-",
    "reopen": "↺",
    "link": "→",
    "block": "⧖",
    "unblock": "⧗",
}


class Change:
    """One write a sync will make; the subclasses say which (as octodns's Create/Update/Delete).

    Every change answers the same questions, with None where they do not apply, so a plan
    reads uniformly: ``action``, ``key``, ``target``, ``state``, ``spec``, ``label``.
    """

    action: ClassVar[str]
    key: Key | None = None
    target: Key | None = None
    state: str | None = None
    spec: Spec | None = None
    label: Label | None = None
    fields: tuple[str, ...] = ()
    number: int | None = None
    keep: tuple[str, ...] = ()  # drifted fields whose tracker-side value the update keeps

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.action]

    def describe(self) -> str:
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action}
        if self.key is not None:
            out["item"] = str(self.key)
        if self.number:
            out["number"] = self.number
        if self.label is not None:
            out["label"] = self.label.name
        if self.spec is not None and isinstance(self, Create | Update):
            out["title"] = self.spec.title
        if self.fields:
            out["fields"] = list(self.fields)
        if self.state:
            out["state"] = self.state
        if self.target is not None:
            out["target"] = str(self.target)
        return out

    def _ref(self) -> str:
        return f"#{self.number}" if self.number else ""


@dataclass(frozen=True)
class CreateLabel(Change):
    action: ClassVar[str] = "label"
    label: Label

    def describe(self) -> str:
        return f"{self.symbol} label   {self.label.name}"


@dataclass(frozen=True)
class Create(Change):
    """A new item, in its first state."""

    action: ClassVar[str] = "create"
    key: Key
    spec: Spec
    state: str

    def describe(self) -> str:
        return f"{self.symbol} create  {self.key}  “{self.spec.title}”"


@dataclass(frozen=True)
class Update(Change):
    """An item brought in line with its spec (its state kept)."""

    action: ClassVar[str] = "update"
    key: Key
    spec: Spec
    fields: tuple[str, ...]
    number: int
    keep: tuple[str, ...] = ()  # drifted fields whose tracker-side value the update keeps
    kept: BodyParts | None = None  # the body's parts it keeps: people's text, a hand edit

    def describe(self) -> str:
        return f"{self.symbol} update  {self.key} {self._ref()} ({', '.join(self.fields)})"


@dataclass(frozen=True)
class _Move(Change):
    """A lifecycle event a sync fires on an existing item."""

    key: Key
    number: int
    event: ClassVar[TaskEvent]
    reason: ClassVar[str]

    def describe(self) -> str:
        return f"{self.symbol} {self.action:<7} {self.key} {self._ref()} → {self.state}"


@dataclass(frozen=True)
class Delete(_Move):
    """A task gone from the mission file: its item is closed as not planned (``--prune``)."""

    action: ClassVar[str] = "close"
    state: str = next_state(TaskState.BLOCKED, TaskEvent.CANCEL)
    event: ClassVar[TaskEvent] = TaskEvent.CANCEL
    reason: ClassVar[str] = "task removed from the mission file (sync --prune)"


@dataclass(frozen=True)
class Restore(_Move):
    """A task back in the mission file: its cancelled item is reopened."""

    action: ClassVar[str] = "reopen"
    state: str = next_state(TaskState.CANCELLED, TaskEvent.REOPEN)
    event: ClassVar[TaskEvent] = TaskEvent.REOPEN
    reason: ClassVar[str] = "task is back in the mission file"


@dataclass(frozen=True)
class _Relation(Change):
    """A relation between two items: ``key`` ``phrase`` ``target``."""

    key: Key
    target: Key
    phrase: ClassVar[str]

    def describe(self) -> str:
        return f"{self.symbol} {self.action:<7} {self.key} {self.phrase} {self.target}"


@dataclass(frozen=True)
class Link(_Relation):
    """A task item hung under its mission's item (a sub-issue)."""

    action: ClassVar[str] = "link"
    phrase: ClassVar[str] = "under"


@dataclass(frozen=True)
class Block(_Relation):
    action: ClassVar[str] = "block"
    phrase: ClassVar[str] = "blocked by"


@dataclass(frozen=True)
class Unblock(_Relation):
    action: ClassVar[str] = "unblock"
    phrase: ClassVar[str] = "no longer blocked by"


@dataclass(frozen=True)
class Plan:
    """An immutable, ordered, printable list of changes, and what was read to make it."""

    tracker: str
    changes: tuple[Change, ...]
    items: dict[Key, Item] = field(compare=False)
    specs: dict[Key, Spec] = field(compare=False)
    warnings: tuple[str, ...] = ()
    missions: tuple[str, ...] = ()
    drift: tuple[Drift, ...] = ()
    overwrite: bool = False

    @property
    def empty(self) -> bool:
        return not self.changes

    def counts(self) -> dict[str, int]:
        return {a: sum(1 for c in self.changes if c.action == a) for a in ACTIONS}

    def summary(self) -> str:
        if self.empty:
            return "No changes: the tracker matches the mission files."
        counts = self.counts()
        parts = [f"{n} {a}" for a, n in counts.items() if n]
        return f"Plan: {', '.join(parts)}."

    def to_json(self) -> dict[str, Any]:
        return {
            "tracker": self.tracker,
            "missions": list(self.missions),
            "changes": [c.to_json() for c in self.changes],
            "counts": self.counts(),
            "warnings": list(self.warnings),
            "drift": [d.to_json() for d in self.drift],
        }

    def render(self) -> str:
        lines: list[str] = []
        for change in self.changes:
            lines.append("  " + change.describe())
        lines += [f"drift: {d.describe(self.overwrite)}" for d in self.drift]
        lines += [f"warning: {w}" for w in self.warnings]
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"


def _changed_fields(item: Item, spec: Spec) -> tuple[str, ...]:
    fields = []
    if item.title != spec.title:
        fields.append("title")
    managed = {x for x in item.labels if is_managed(x) and not x.startswith("status:")}
    if managed != set(spec.labels):
        fields.append("labels")
    if not set(spec.assignees) <= item.assignees:
        fields.append("assignees")
    fields.append("body")
    return tuple(fields)


def make_plan(
    missions: Iterable[Mission],
    tracker: PlanReads,
    *,
    prune: bool = False,
    overwrite: bool = False,
) -> Plan:
    """Read the tracker and list, in a safe order, every write a sync must make.

    Drift (changes people made on the tracker's side since the last sync) is listed; its
    tracker-side value is kept unless ``overwrite`` restores the files'."""
    active = [m for m in missions if m.spec.status != "draft"]
    ordered = mission_order(active)
    items: dict[Key, Item] = {}
    for mission in ordered:
        for found in tracker.read(mission.id):
            items.setdefault(found.key, found)
    specs: dict[Key, Spec] = {}
    limited = getattr(tracker, "sub_issue_limit", None) is not None
    phases: dict[str, list[Key]] = {}
    for mission in ordered:
        for spec in specs_for(mission):
            specs[spec.key] = spec
        if limited:
            task_keys = [Key(mission.id, t) for t in task_order(mission)]
            made = phase_specs(mission, specs[Key(mission.id)], task_keys, specs)
            specs.update((p.key, p) for p in made)
            phases[mission.id] = [p.key for p in made]
    budget = RelationBudget()

    creates: list[Create] = []
    updates: list[Update] = []
    states: list[Delete | Restore] = []
    links: list[Link] = []
    blocks: list[Block | Unblock] = []
    warnings: list[str] = []
    by_uid = {i.uid: i.key for i in items.values()}
    source = tracker if isinstance(tracker, DriftSource) else None
    drifts: list[Drift] = []
    synced = {k: source.synced(i) for k, i in items.items()} if source else {}

    for mission in ordered:
        mkey = Key(mission.id)
        task_keys = [Key(mission.id, t) for t in task_order(mission)]
        for key in [mkey, *phases.get(mission.id, ()), *task_keys]:
            spec = specs[key]
            item = items.get(key)
            if item is None:
                creates.append(Create(key, spec, _initial_state(key)))
                continue
            base = synced.get(key)
            parts = split_body(source.body(item)) if source and base else None
            drifted = field_drift(item, spec, base) if base else []
            drifted += body_drift(item, spec, base, parts) if base else []
            drifted = [d for d in drifted if not d.pulled]
            drifts += drifted
            keep = () if overwrite else tuple(d.field for d in drifted)
            if item.spec_hash != spec.spec_hash or (overwrite and drifted):
                fields = _changed_fields(item, spec)
                kept = parts.keeping("body" in keep) if parts and not overwrite else None
                updates.append(Update(key, spec, fields, item.number, keep, kept))
            if not key.is_mission and item.state == TaskState.CANCELLED:
                states.append(Restore(key, item.number))

        # Sub-issues: every task hangs under the mission's item (or, past GitHub's limit,
        # under one of its phase items).
        existing_tasks = [
            i
            for i in items.values()
            if i.key.mission == mission.id and i.key.task and not is_phase(i.key)
        ]
        groups = sub_issue_groups(mkey, task_keys) if limited else [(mkey, list(task_keys))]
        for parent_key, wanted_children in groups:
            parent = items.get(parent_key)
            expected = {k for k in wanted_children if k in items}
            if len(groups) == 1:  # tasks removed from the file may still hang there
                expected |= {i.key for i in existing_tasks}
            if parent is None:
                have: set[Key] = set()
            elif parent.sub_issue_count == len(expected):
                have = expected
            else:
                children = tracker.children(parent)
                have = {by_uid[u] for u in children if u in by_uid}
                foreign = [u for u in children if u not in by_uid]
                if source is not None and parent_key == mkey and foreign:
                    added = tuple(
                        f"#{n} {t}" for n, t in source.foreign_children(parent, set(by_uid))
                    )
                    if added:
                        drifts.append(Drift(mkey, parent.number, "sub_issues", (), added, ()))
            for key in wanted_children:
                if key in have:
                    continue
                child = items.get(key)
                taken = (
                    source.unlinked_by(parent, child)
                    if source and parent and child and synced.get(key) and not overwrite
                    else None
                )
                if taken is None or child is None:
                    links.append(Link(key, parent_key))
                else:  # a person took it out: keep that, show it
                    under = str(parent_key)
                    drifts.append(Drift(key, child.number, "parent", under, "", under, *taken))

        # Blocked-by relations mirror depends_on.
        for key in task_keys:
            spec = specs[key]
            want = [k for k in spec.blocked_by if k in specs or k in items]
            missing = [k for k in spec.blocked_by if k not in want]
            for k in missing:
                warnings.append(f"{key}: prerequisite {k} is not tracked (draft or not loaded)")
            if limited:
                want, over = budget.allow(key, want)
                warnings += over
            tracked = items.get(key)
            if tracked is None:
                current: set[Key] = set()
            elif tracked.blocked_by_count == len(want) and _same_after_labels(tracked, spec):
                current = set(want)
            else:
                current = {by_uid[u] for u in tracker.blockers(tracked) if u in by_uid}
            base = synced.get(key)
            hand = set() if base is None or overwrite else {Key.parse(k) for k in base.depends_on}
            if base is not None and tracked is not None:
                moved = relation_drift(tracked, spec, base, current)
                drifts += [moved] if moved and not moved.pulled else []
            for k in want:
                if k not in current and k not in hand:  # not removed by hand
                    blocks.append(Block(key, k))
            for k in sorted(current - set(want)):
                if base is None or overwrite or k in hand:  # not added by hand
                    blocks.append(Unblock(key, k))

        # Items whose task left the file.
        for gone in existing_tasks:
            if gone.key in specs or is_finished(gone.state):
                continue
            if prune:
                states.append(Delete(gone.key, gone.number))
            else:
                warnings.append(
                    f"{gone.key} (#{gone.number}) is no longer in the mission file; "
                    "sync --prune closes it as not planned"
                )

    changes: list[Change] = [*creates, *updates, *states, *links, *blocks]
    labels: list[Change] = []
    if creates or updates or states:
        specs_written = [c.spec for c in creates] + [c.spec for c in updates]
        wanted = {name for spec in specs_written for name in spec.labels}
        shown = [(c.key, c.state) for c in creates] + [(c.key, c.state) for c in states]
        wanted |= {status_label(state) for key, state in shown if shows_status(key, state)}
        wanted = {n for n in wanted if is_managed(n) and not n.startswith("after:")}
        wanted -= {name for item in items.values() for name in item.labels}  # surely exist
        if wanted:
            existing = tracker.label_names()
            labels = [CreateLabel(label_for(n)) for n in sorted(wanted - existing)]
    return Plan(
        tracker=tracker.name,
        changes=tuple(labels + changes),
        items=items,
        specs=specs,
        warnings=tuple(warnings),
        missions=tuple(m.id for m in ordered),
        drift=tuple(with_authors(drifts, items, tracker)),
        overwrite=overwrite,
    )


def _same_after_labels(item: Item, spec: Spec) -> bool:
    """The item's dependency labels still say what the file says (so its relations do too)."""
    return {x for x in item.labels if x.startswith("after:")} == {
        x for x in spec.labels if x.startswith("after:")
    }


def _initial_state(key: Key) -> str:
    return MissionState.ACTIVE if key.is_mission or is_phase(key) else TaskState.BLOCKED
