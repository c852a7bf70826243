"""A repository's missionkit issues: found by label and hidden marker, read into items.

The tracker, the history log and the pull-request helper all go through :class:`Issues`:
one cache of the issues read, one way to list a mission's, one way to post a comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from github.Issue import Issue
from github.Repository import Repository

from missionkit.lifecycle import TaskState
from missionkit.tracking.desired import parse_marker
from missionkit.tracking.drift import Synced
from missionkit.tracking.github.client import Client
from missionkit.tracking.labels import state_from_labels, status_label
from missionkit.tracking.model import (
    MISSION_ACTIVE,
    MISSION_AWAITING,
    MISSION_CLOSED,
    Comment,
    Item,
    Key,
)

CREATE_ATTEMPTS = 4  # tries of a create that is not idempotent (an issue, a pull request)


def state_of(issue: Issue, key: Key) -> str:
    """The lifecycle state an issue shows: closed or open, and its ``status:`` label."""
    labels = {label.name for label in issue.labels}
    if key.is_mission:
        if issue.state == "closed":
            return MISSION_CLOSED
        return MISSION_AWAITING if status_label(MISSION_AWAITING) in labels else MISSION_ACTIVE
    if issue.state == "closed":
        return TaskState.CANCELLED if issue.state_reason == "not_planned" else TaskState.DONE
    return state_from_labels(labels, TaskState.BLOCKED)


def raw(issue: Issue) -> dict[str, Any]:
    """The JSON the issue was built from, without PyGithub fetching the issue again."""
    data = getattr(issue, "_rawData", None)
    return data if isinstance(data, dict) else {}


def _summary(issue: Issue, name: str, field: str) -> int | None:
    data = raw(issue).get(name)
    if isinstance(data, dict) and isinstance(data.get(field), int):
        return int(data[field])
    return None


@dataclass(frozen=True)
class Found:
    """A mission's issue as listed: the issue, and what its hidden marker says."""

    issue: Issue
    key: Key
    spec_hash: str
    owner: str | None  # the owner the last sync assigned (see missionkit.tracking.drift)


class Issues:
    """The missionkit issues of one repository, read through a retrying client."""

    def __init__(self, repo: Repository, client: Client) -> None:
        self.repo = repo
        self.client = client
        self.cache: dict[int, Issue] = {}

    def to_item(self, issue: Issue, key: Key, spec_hash: str | None, owner: str | None) -> Item:
        self.cache[issue.number] = issue
        return Item(
            key=key,
            number=issue.number,
            uid=issue.id,
            title=issue.title,
            state=state_of(issue, key),
            labels=frozenset(label.name for label in issue.labels),
            assignees=frozenset(a.login for a in issue.assignees),
            spec_hash=spec_hash,
            url=issue.html_url,
            owner=owner,
            blocked_by_count=_summary(issue, "issue_dependencies_summary", "total_blocked_by"),
            sub_issue_count=_summary(issue, "sub_issues_summary", "total"),
            updated_at=issue.updated_at,
        )

    def listed(self, mission_id: str) -> list[Found]:
        """Every issue labelled ``mission:<id>`` whose marker names that mission."""

        def fetch() -> list[Found]:
            found = []
            for issue in self.repo.get_issues(state="all", labels=[f"mission:{mission_id}"]):
                if raw(issue).get("pull_request"):
                    continue
                marker = parse_marker(issue.body)
                if marker is None or marker[0].mission != mission_id:
                    continue
                synced = Synced.parse(issue.body)
                owner = synced.owner if synced and synced.owner else None
                found.append(Found(issue, marker[0], marker[1], owner))
            return found

        return self.client.call(fetch, what=f"list issues of mission {mission_id}")

    def find(self, key: Key) -> Item | None:
        for found in self.listed(key.mission):
            if found.key == key:
                return self.to_item(found.issue, key, found.spec_hash, found.owner)
        return None

    def issue(self, item: Item) -> Issue:
        """The item's issue, read once."""
        issue = self.cache.get(item.number)
        if issue is None:
            issue = self.fresh(item)
        return issue

    def fresh(self, item: Item) -> Issue:
        """The item's issue as GitHub holds it now."""
        issue = self.client.call(
            lambda: self.repo.get_issue(item.number), what=f"read issue #{item.number}"
        )
        self.cache[item.number] = issue
        return issue

    def comments(self, item: Item) -> list[Comment]:
        """What was said on the item's issue, oldest first."""
        issue = self.issue(item)
        return self.client.call(
            lambda: [
                Comment(item.key, c.created_at, c.user.login, c.body) for c in issue.get_comments()
            ],
            what=f"read comments of #{item.number}",
        )

    def comment(self, item: Item, body: str) -> None:
        issue = self.issue(item)
        self.client.call(
            lambda: issue.create_comment(body), idempotent=False, what=f"comment on #{item.number}"
        )
