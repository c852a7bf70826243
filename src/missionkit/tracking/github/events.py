"""History on GitHub: one "missionkit history" comment per issue, edited as things happen.

Editing a comment notifies nobody, so an issue's subscribers hear only what is meant for people
(agent reports, questions, mentions); the history comment still shows every transition as a
table, and a hidden marker holds the events as JSON. Only comments written by missionkit's own
login (the token's user, or the Actions bot) are believed: anyone can paste a marker.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from github import GithubException

from missionkit import clock
from missionkit.templating import render_template
from missionkit.tracking.github.issues import Issues
from missionkit.tracking.model import Event, Item, Key

if TYPE_CHECKING:
    from github.Issue import Issue
    from github.IssueComment import IssueComment

HISTORY_PREFIX = "<!-- missionkit-history "
MAX_BODY = 60_000  # GitHub keeps comments up to 65,536 characters: start a new one before


def _to_json(event: Event) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "kind": event.kind,
        "from": event.from_state,
        "to": event.to_state,
        "actor": event.actor,
        "reason": event.reason,
    }


def history_body(events: list[Event]) -> str:
    """The comment: a table people read, then the events as hidden JSON."""
    payload = json.dumps([_to_json(e) for e in events], separators=(",", ":"))
    payload = payload.replace("--", "\\u002d\\u002d")  # never end the HTML comment early
    table = render_template("issue/history.md.j2", {"events": events})
    return f"{table.rstrip()}\n\n{HISTORY_PREFIX}{payload} -->\n"


def parse_history(key: Key, body: str) -> list[Event] | None:
    start = body.rfind(HISTORY_PREFIX)
    if start < 0:
        return None
    end = body.find(" -->", start)
    try:
        raw = json.loads(body[start + len(HISTORY_PREFIX) : end])
        return [
            Event(
                at=datetime.fromisoformat(str(e["at"])),
                key=key,
                actor=str(e["actor"]),
                kind=str(e["kind"]),
                from_state=e.get("from"),
                to_state=e.get("to"),
                reason=str(e.get("reason", "")),
            )
            for e in raw
        ]
    except (ValueError, KeyError, TypeError):
        return None


class EventLog:
    """Reads and writes the transition history of a mission's issues."""

    def __init__(self, issues: Issues, own_login: Callable[[], str]) -> None:
        self.issues = issues
        self.own_login = own_login  # the token's user
        self._trusted: set[str] | None = None

    def state(self, item: Item, before: str, after: str, actor: str, reason: str) -> None:
        self.record(Event(clock.now(), item.key, actor, "state", before, after, reason), item)

    def record(self, event: Event, item: Item | None = None, note: str | None = None) -> None:
        """Add ``event`` to the issue's history comment; ``note`` is posted for people."""
        issues = self.issues
        if item is None:
            item = issues.find(event.key)
            if item is None:
                return
        if note:
            issues.comment(item, note)
        issue = issues.issue(item)
        comments = self._comments(issue)
        own = [c for c in comments if c.user.login in self.trusted()]
        last = next((c for c in reversed(own) if HISTORY_PREFIX in (c.body or "")), None)
        events = parse_history(item.key, last.body or "") if last is not None else None
        events = [*(events or []), event]
        body = history_body(events)
        if last is not None and len(body) <= MAX_BODY:
            issues.client.call(lambda: last.edit(body), what=f"update history of #{item.number}")
        else:
            issues.comment(item, history_body([event]))

    def trusted(self) -> set[str]:
        """Logins whose comments may carry history: the token's own user and the Actions bot."""
        if self._trusted is None:
            logins = {os.environ.get("MISSIONKIT_BOT_LOGIN", "github-actions[bot]")}
            with contextlib.suppress(GithubException, Exception):
                logins.add(self.issues.client.call(self.own_login, what="read the token's user"))
            self._trusted = logins
        return self._trusted

    def _comments(self, issue: Issue) -> list[IssueComment]:
        return self.issues.client.call(
            lambda: list(issue.get_comments()), what=f"read comments of #{issue.number}"
        )

    def _events(self, issue: Issue, key: Key) -> list[Event]:
        trusted = self.trusted()
        out: list[Event] = []
        for comment in self._comments(issue):
            if comment.user.login not in trusted:
                continue
            out.extend(parse_history(key, comment.body or "") or [])
        return out

    def for_item(self, item: Item) -> list[Event]:
        issue = self.issues.issue(item)
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
        for found in self.issues.listed(mission_id):
            issue, key = found.issue, found.key
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
