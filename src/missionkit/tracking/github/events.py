"""History on GitHub: each transition is a short comment carrying a hidden event marker."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import TYPE_CHECKING

from missionkit.tracking.model import Event, Item, Key

if TYPE_CHECKING:
    from github.Issue import Issue

    from missionkit.tracking.github.tracker import GitHubTracker

EVENT_PREFIX = "<!-- missionkit-event "


def event_comment(event: Event) -> str:
    data = {
        "kind": event.kind,
        "from": event.from_state,
        "to": event.to_state,
        "actor": event.actor,
        "at": event.at.isoformat(),
        "reason": event.reason,
    }
    if event.to_state and event.from_state:
        arrow = f"`{event.from_state}` → `{event.to_state}`"
    elif event.to_state:
        arrow = f"→ `{event.to_state}`"
    else:
        arrow = event.kind
    text = f"**{arrow}** by {event.actor}: {event.reason}"
    payload = json.dumps(data, separators=(",", ":")).replace("--", "\\u002d\\u002d")
    return f"{text}\n\n{EVENT_PREFIX}{payload} -->\n"


def parse_event(key: Key, body: str, author: str, at: datetime) -> Event | None:
    start = body.rfind(EVENT_PREFIX)
    if start < 0:
        return None
    end = body.find("-->", start)
    try:
        data = json.loads(body[start + len(EVENT_PREFIX) : end])
        return Event(
            at=datetime.fromisoformat(data.get("at")) if data.get("at") else at,
            key=key,
            actor=str(data.get("actor") or author),
            kind=str(data["kind"]),
            from_state=data.get("from"),
            to_state=data.get("to"),
            reason=str(data.get("reason", "")),
        )
    except (ValueError, KeyError, TypeError, IndexError):
        return None


class EventLog:
    """Reads and writes the transition history of a mission's issues."""

    def __init__(self, tracker: GitHubTracker) -> None:
        self.tracker = tracker
        self._trusted: set[str] | None = None

    def created(self, item: Item, state: str) -> None:
        """Creation is already on record as the issue's creation time: nothing to write."""

    def state(self, item: Item, before: str, after: str, actor: str, reason: str) -> None:
        from missionkit import clock

        event = Event(clock.now(), item.key, actor, "state", before, after, reason)
        self.record(event, item)

    def record(self, event: Event, item: Item | None = None, note: str | None = None) -> None:
        tracker = self.tracker
        if item is None:
            found = tracker._find(event.key)
            if found is None:
                return
            item = found
        body = event_comment(event)
        if note:
            body = note.rstrip() + "\n\n" + body
        tracker.comment(item, body, event.actor)

    def trusted(self) -> set[str]:
        """Logins whose comments may carry events: the token's own user and the Actions bot.

        Anyone can paste an event marker into a comment; only these authors are believed.
        """
        if self._trusted is None:
            import os

            from github import GithubException

            logins = {os.environ.get("MISSIONKIT_BOT_LOGIN", "github-actions[bot]")}
            with contextlib.suppress(GithubException, Exception):
                logins.add(
                    self.tracker.client.call(
                        lambda: self.tracker.gh.get_user().login, what="read the token's user"
                    )
                )
            self._trusted = logins
        return self._trusted

    def _events(self, issue: Issue, key: Key) -> list[Event]:
        trusted = self.trusted()
        out: list[Event] = []
        comments = self.tracker.client.call(
            lambda: list(issue.get_comments()), what=f"read comments of #{issue.number}"
        )
        for comment in comments:
            if comment.user.login not in trusted:
                continue
            event = parse_event(key, comment.body or "", comment.user.login, comment.created_at)
            if event is not None:
                out.append(event)
        return out

    def for_item(self, item: Item) -> list[Event]:
        issue = self.tracker._issue(item)
        created = Event(
            issue.created_at,
            item.key,
            "missionkit-sync",
            "created",
            None,
            None,
            "issue created by sync",
        )
        return [created, *self._events(issue, item.key)]

    def history(self, mission_id: str) -> list[Event]:
        events: list[Event] = []
        for issue, key, _ in self.tracker._list(mission_id):
            events.append(
                Event(
                    issue.created_at,
                    key,
                    "missionkit-sync",
                    "created",
                    None,
                    None,
                    "issue created by sync",
                )
            )
            events.extend(self._events(issue, key))
        return sorted(events, key=lambda e: e.at)
