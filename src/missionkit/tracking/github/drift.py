"""Drift on GitHub: who changed an issue by hand, from its events, and sub-issues people added."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from missionkit.tracking.desired import parse_marker
from missionkit.tracking.model import Item

if TYPE_CHECKING:
    from missionkit.tracking.github.events import EventLog
    from missionkit.tracking.github.issues import Issues

#: The issue events that change each field drift looks at.
EVENTS = {
    "title": {"renamed"},
    "owner": {"assigned", "unassigned"},
    "labels": {"labeled", "unlabeled"},
    "depends_on": {"blocked_by_added", "blocked_by_removed"},
    "sub_issues": {"sub_issue_added", "sub_issue_removed"},
}


def _other(data: dict[str, Any] | None) -> int | None:
    """The number of the issue an event names (the JSON as listed, without another fetch)."""
    if not isinstance(data, dict):
        return None
    for name in ("sub_issue", "blocked_by"):
        ref = data.get(name)
        if isinstance(ref, dict) and isinstance(ref.get("number"), int):
            return int(ref["number"])
    return None


class DriftLog:
    """Reads an issue's events once per sync to tell who made a change and when."""

    def __init__(self, issues: Issues, events_log: EventLog) -> None:
        self.issues = issues
        self.events_log = events_log
        self._events: dict[int, list[tuple[str, str, datetime, int | None]]] = {}

    def _read(self, item: Item) -> list[tuple[str, str, datetime, int | None]]:
        """(event, actor, when, the other issue's number) of each event of ``item``."""
        if item.number not in self._events:
            issue = self.issues.issue(item)
            self._events[item.number] = self.issues.client.call(
                lambda: [
                    (
                        e.event,
                        e.actor.login if e.actor else "",
                        e.created_at,
                        _other(getattr(e, "_rawData", None)),
                    )
                    for e in issue.get_events()
                ],
                what=f"read the events of #{item.number}",
            )
        return self._events[item.number]

    def unlinked_by(self, parent: Item, child: Item) -> tuple[str, datetime] | None:
        """Who removed ``child`` from ``parent``'s sub-issues by hand, and when, if someone did."""
        own = self.events_log.trusted()
        for kind, actor, at, other in reversed(self._read(parent)):
            if other != child.number or kind not in EVENTS["sub_issues"]:
                continue
            if kind == "sub_issue_removed" and actor not in own:
                return actor, at
            return None
        return None

    def changed_by(self, item: Item, field: str) -> tuple[str | None, datetime | None]:
        kinds = EVENTS.get(field, set())
        own = self.events_log.trusted()
        for kind, actor, at, _ in reversed(self._read(item)):
            if kind in kinds and actor not in own:
                return actor, at
        return None, None

    def foreign_children(self, item: Item, known: set[int]) -> list[tuple[int, str]]:
        issue = self.issues.issue(item)
        return self.issues.client.call(
            lambda: [
                (child.number, child.title)
                for child in issue.get_sub_issues()
                if child.id not in known and parse_marker(child.body) is None
            ],
            what=f"list sub-issues of #{item.number}",
        )
