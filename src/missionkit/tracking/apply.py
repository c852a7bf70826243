"""Apply a plan, change by change, exactly as it was printed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from missionkit.tracking.base import Tracker
from missionkit.tracking.desired import render_body
from missionkit.tracking.drift import keep_drift
from missionkit.tracking.model import Item, Key
from missionkit.tracking.plan import Change, Plan

SYNC_ACTOR = "missionkit-sync"


@dataclass
class SyncResult:
    applied: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    items: dict[Key, Item] = field(default_factory=dict)


def apply_plan(
    plan: Plan, tracker: Tracker, progress: Callable[[Change], None] | None = None
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
    result.warnings = [*plan.warnings, *tracker.warnings]
    return result


def _apply_one(
    change: Change,
    tracker: Tracker,
    items: dict[Key, Item],
    titles: dict[Key, str],
    link: Callable[[Key], str],
) -> None:
    action = change.action
    if action == "label":
        assert change.label is not None
        tracker.create_label(change.label)
        return
    assert change.key is not None
    key = change.key
    if action == "create":
        assert change.spec is not None and change.state is not None
        body = render_body(change.spec, link, titles)
        items[key] = tracker.create(change.spec, body, change.state)
    elif action == "update":
        assert change.spec is not None
        body = render_body(change.spec, link, titles)  # its marker records the files' side
        items[key] = tracker.update(items[key], keep_drift(change, items[key]), body)
    elif action in ("close", "reopen"):
        assert change.state is not None
        reason = (
            "task removed from the mission file (sync --prune)"
            if action == "close"
            else "task is back in the mission file"
        )
        items[key] = tracker.set_state(items[key], change.state, SYNC_ACTOR, reason)
    elif action == "link":
        assert change.target is not None
        tracker.add_child(items[change.target], items[key])
    elif action == "block":
        assert change.target is not None
        tracker.add_blocker(items[key], items[change.target])
    elif action == "unblock":
        assert change.target is not None
        tracker.remove_blocker(items[key], items[change.target])
