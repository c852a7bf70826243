"""Apply a plan, change by change, exactly as it was printed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from missionkit.errors import CheckFailed
from missionkit.tracking.base import ApplyWrites
from missionkit.tracking.desired import render_body
from missionkit.tracking.drift import keep_drift
from missionkit.tracking.model import Item, Key
from missionkit.tracking.plan import (
    Block,
    Change,
    Create,
    CreateLabel,
    Delete,
    Link,
    Plan,
    Restore,
    Unblock,
    Update,
)

SYNC_ACTOR = "missionkit-sync"


@dataclass
class SyncResult:
    applied: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    items: dict[Key, Item] = field(default_factory=dict)


def apply_plan(
    plan: Plan, tracker: ApplyWrites, progress: Callable[[Change], None] | None = None
) -> SyncResult:
    """Make each change of ``plan`` in order; stop at the first error (a re-run converges)."""
    items = dict(plan.items)
    titles = {k: s.title for k, s in plan.specs.items()}
    result = SyncResult(items=items)

    def link(key: Key) -> str:
        return tracker.link(items.get(key), key)

    for change in plan.changes:
        _apply_one(change, tracker, items, titles, link)
        result.applied.append(change)
        if progress is not None:
            progress(change)
    read_back = getattr(tracker, "read_back", None)  # writes the tracker may drop silently
    dropped = read_back(plan, result.applied, items) if read_back and result.applied else []
    result.warnings = [*plan.warnings, *tracker.warnings, *dropped]
    return result


def _apply_one(
    change: Change,
    tracker: ApplyWrites,
    items: dict[Key, Item],
    titles: dict[Key, str],
    link: Callable[[Key], str],
) -> None:
    match change:
        case CreateLabel(label=label):
            tracker.create_label(label)
        case Create(key=key, spec=spec, state=state):
            items[key] = tracker.create(spec, render_body(spec, link, titles), state)
        case Update(key=key, spec=spec):
            # its marker records the files' side; people's text in the body stays
            body = render_body(spec, link, titles, change.kept)
            items[key] = tracker.update(items[key], keep_drift(change, items[key]), body)
        case Delete(key=key) | Restore(key=key):
            moved = tracker.transition(items[key], change.event, SYNC_ACTOR, change.reason)
            if moved is None:
                raise CheckFailed(f"{key} changed while syncing; run `mission sync` again")
            items[key] = moved
        case Link(key=key, target=target):
            tracker.add_child(items[target], items[key])
        case Block(key=key, target=target):
            tracker.add_blocker(items[key], items[target])
        case Unblock(key=key, target=target):
            tracker.remove_blocker(items[key], items[target])
        case _:
            raise AssertionError(f"unknown change {change!r}")
