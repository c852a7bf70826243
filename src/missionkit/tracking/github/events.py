"""History on GitHub: each transition is a short comment carrying a hidden event marker."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from missionkit.tracking.model import Event, Item, Key

if TYPE_CHECKING:
    from missionkit.tracking.github.tracker import GitHubTracker

EVENT_PREFIX = "<!-- missionkit-event "


def event_comment(event: Event) -> str:
    data = {
        "kind": event.kind,
        "from": event.from_state,
        "to": event.to_state,
        "actor": event.actor,
        "at": event.at.isoformat(),
    }
    arrow = f"`{event.from_state}` → `{event.to_state}`" if event.to_state else event.kind
    text = f"**{arrow}** by {event.actor}: {event.reason}"
    return f"{text}\n\n{EVENT_PREFIX}{json.dumps(data, separators=(',', ':'))} -->\n"


def parse_event(key: Key, body: str, author: str, at: datetime) -> Event | None:
    start = body.rfind(EVENT_PREFIX)
    if start < 0:
        return None
    end = body.find("-->", start)
    try:
        data = json.loads(body[start + len(EVENT_PREFIX) : end])
        first_line = body[:start].strip().splitlines()[0] if body[:start].strip() else ""
        reason = first_line.split(": ", 1)[1] if ": " in first_line else first_line
        return Event(
            at=datetime.fromisoformat(data.get("at")) if data.get("at") else at,
            key=key,
            actor=str(data.get("actor") or author),
            kind=str(data["kind"]),
            from_state=data.get("from"),
            to_state=data.get("to"),
            reason=reason,
        )
    except (ValueError, KeyError, TypeError, IndexError):
        return None


class EventLog:
    """Reads and writes the transition history of a mission's issues."""

    def __init__(self, tracker: GitHubTracker) -> None:
        self.tracker = tracker

    def created(self, item: Item, state: str) -> None:
        """Creation is already on record as the issue's creation time: nothing to write."""

    def state(self, item: Item, before: str, after: str, actor: str, reason: str) -> None:
        from missionkit import clock

        event = Event(clock.now(), item.key, actor, "state", before, after, reason)
        self.record(event, item)

    def record(self, event: Event, item: Item | None = None) -> None:
        tracker = self.tracker
        if item is None:
            found = tracker._find(event.key)
            if found is None:
                return
            item = found
        tracker.comment(item, event_comment(event), event.actor)

    def history(self, mission_id: str) -> list[Event]:
        tracker = self.tracker
        events: list[Event] = []
        for issue, key, _ in tracker._list(mission_id):
            events.append(
                Event(
                    issue.created_at,
                    key,
                    issue.user.login if issue.user else "",
                    "created",
                    None,
                    None,
                    "issue created by sync",
                )
            )
            for comment in tracker.client.call(
                lambda i=issue: list(i.get_comments()),  # type: ignore[misc]
                what=f"read comments of #{issue.number}",
            ):
                event = parse_event(key, comment.body or "", comment.user.login, comment.created_at)
                if event is not None:
                    events.append(event)
        return sorted(events, key=lambda e: e.at)
