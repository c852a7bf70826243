"""In-memory state of the emulated repository: users, labels, issues, comments, relations, git.

Everything here is plain data guarded by ``GitHubState.lock``; the HTTP layer holds the lock while
a handler runs, and tests may read (or seed) the state directly between requests.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from .git import GitStore, Signature

Permission = Literal["admin", "maintain", "write", "triage", "read", "none"]
PERMISSIONS: tuple[str, ...] = ("admin", "maintain", "write", "triage", "read", "none")

BOT_LOGIN = "missionkit-bot"
DEFAULT_WORKFLOWS: tuple[str, ...] = (
    "missions-pr.yml",
    "missions-sync.yml",
    "missions-dispatch.yml",
    "missions-site.yml",
)


def iso(moment: datetime | None) -> str | None:
    """GitHub's timestamp format: ``2026-01-31T12:00:00Z``."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id(prefix: str, number: int) -> str:
    """A GraphQL-looking global id, e.g. ``I_kwDOAbc...`` (opaque, unique per object)."""
    raw = number.to_bytes(8, "big").lstrip(b"\0") or b"\0"
    return prefix + "_kwDO" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass
class User:
    login: str
    id: int
    permission: Permission
    type: str = "User"

    @property
    def node_id(self) -> str:
        return node_id("U", self.id)

    @property
    def can_be_assigned(self) -> bool:
        return self.permission != "none"

    @property
    def can_push(self) -> bool:
        return self.permission in ("admin", "maintain", "write")


@dataclass
class Label:
    id: int
    name: str
    color: str = "ededed"
    description: str | None = None
    default: bool = False

    @property
    def node_id(self) -> str:
        return node_id("LA", self.id)


@dataclass
class Comment:
    id: int
    issue_number: int
    body: str
    user: str
    created_at: datetime
    updated_at: datetime

    @property
    def node_id(self) -> str:
        return node_id("IC", self.id)


@dataclass
class PullInfo:
    """Extra fields of an issue that is a pull request."""

    head: str  # branch names
    base: str
    draft: bool = False
    merged_at: datetime | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None


@dataclass
class Issue:
    id: int
    number: int
    title: str
    body: str | None
    user: str
    created_at: datetime
    updated_at: datetime
    state: Literal["open", "closed"] = "open"
    state_reason: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    label_ids: list[int] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    parent: int | None = None  # number of the parent issue
    children: list[int] = field(default_factory=list)  # numbers of sub-issues, in priority order
    blocked_by: list[int] = field(default_factory=list)  # numbers of the issues blocking this one
    type_id: int | None = None  # the issue type (see h_types), if the owner has types
    pull: PullInfo | None = None

    @property
    def node_id(self) -> str:
        return node_id("PR" if self.pull else "I", self.id)


@dataclass
class Dispatch:
    """A recorded ``workflow_dispatch`` event."""

    workflow: str
    ref: str
    inputs: dict[str, Any]
    at: datetime
    run_id: int


@dataclass
class RateLimit:
    limit: int = 5000
    remaining: int = 5000
    reset: int = 0  # epoch seconds
    used: int = 0


class GitHubState:
    """The repository ``owner/repo`` with its collaborators, labels, issues and comments."""

    def __init__(
        self,
        owner: str,
        repo: str,
        users: Mapping[str, str],
        *,
        bot_login: str = BOT_LOGIN,
        workflows: Iterable[str] = DEFAULT_WORKFLOWS,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.owner = owner
        self.repo = repo
        self.repo_id = 700_000_123
        self.bot_login = bot_login
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.created_at = self.now()
        self.users: dict[str, User] = {}
        self._next_user_id = 1001
        if owner.lower() not in {login.lower() for login in users}:
            self.add_user(owner, "admin", type_="Organization")
        for login, permission in users.items():
            self.add_user(login, permission)
        if bot_login.lower() not in self.users:
            self.add_user(bot_login, "admin")
        self.labels: dict[int, Label] = {}
        self.issue_types: list[Any] = []  # h_types.IssueType; empty: the owner has no types
        self.issues: dict[int, Issue] = {}
        self.comments: dict[int, Comment] = {}
        self.dispatches: list[Dispatch] = []
        self.artifacts: dict[int, Any] = {}  # h_artifacts.Artifact by id
        from .h_copilot import CopilotSettings

        self.copilot = CopilotSettings()
        self.workflows: dict[str, int] = {name: 160_000_000 + i for i, name in enumerate(workflows)}
        self.rate = RateLimit(reset=int(time.time()) + 3600)
        first = Signature(owner, f"{owner.lower()}@users.noreply.github.com", self.created_at)
        self.git = GitStore(self.now, first, files={"README.md": f"# {repo}\n".encode()})
        self._next_issue_id = 3_141_500_000
        self._next_label_id = 7_100_000_000
        self._next_comment_id = 2_718_200_000
        self._next_run_id = 19_000_000_000

    # ----------------------------------------------------------------- helpers

    def now(self) -> datetime:
        return self.clock().astimezone(UTC).replace(microsecond=0)

    def add_user(self, login: str, permission: str, *, type_: str = "User") -> User:
        if permission not in PERMISSIONS:
            raise ValueError(
                f"permission of {login!r} must be one of {PERMISSIONS}, not {permission!r}"
            )
        user = User(login=login, id=self._next_user_id, permission=permission, type=type_)  # type: ignore[arg-type]
        self._next_user_id += 1
        self.users[login.lower()] = user
        return user

    def user(self, login: str) -> User | None:
        return self.users.get(login.lower())

    def label(self, name: str) -> Label | None:
        wanted = name.lower()
        for label in self.labels.values():
            if label.name.lower() == wanted:
                return label
        return None

    def issue(self, number: int) -> Issue | None:
        return self.issues.get(number)

    def issue_by_id(self, issue_id: int) -> Issue | None:
        for issue in self.issues.values():
            if issue.id == issue_id:
                return issue
        return None

    def issue_by_title(self, title: str) -> list[Issue]:
        return [issue for issue in self.issues.values() if issue.title == title]

    def labels_of(self, issue: Issue) -> list[Label]:
        labels = [self.labels[i] for i in issue.label_ids if i in self.labels]
        return sorted(labels, key=lambda label: label.name.lower())

    def label_names(self, issue: Issue) -> list[str]:
        return [label.name for label in self.labels_of(issue)]

    def comments_of(self, number: int) -> list[Comment]:
        return sorted(
            (c for c in self.comments.values() if c.issue_number == number), key=lambda c: c.id
        )

    def blocking(self, number: int) -> list[Issue]:
        """Issues that ``number`` blocks (the reverse of ``blocked_by``)."""
        return [issue for issue in self.issues.values() if number in issue.blocked_by]

    def snapshot(self) -> dict[int, dict[str, Any]]:
        """Issues as plain data, for assertions: number -> title, state, labels, relations..."""
        with self.lock:
            return {
                issue.number: {
                    "id": issue.id,
                    "title": issue.title,
                    "body": issue.body,
                    "state": issue.state,
                    "state_reason": issue.state_reason,
                    "labels": self.label_names(issue),
                    "assignees": list(issue.assignees),
                    "comments": [c.body for c in self.comments_of(issue.number)],
                    "parent": issue.parent,
                    "children": list(issue.children),
                    "blocked_by": list(issue.blocked_by),
                    "pull": issue.pull is not None,
                }
                for issue in sorted(self.issues.values(), key=lambda i: i.number)
            }

    # ----------------------------------------------------------------- mutations (also for seeding)

    def create_label(
        self, name: str, color: str = "ededed", description: str | None = None
    ) -> Label:
        label = Label(
            id=self._next_label_id,
            name=name,
            color=color.lower().lstrip("#"),
            description=description,
        )
        self._next_label_id += 17
        self.labels[label.id] = label
        return label

    def ensure_label(self, name: str) -> Label:
        return self.label(name) or self.create_label(name)

    def create_issue(
        self,
        title: str,
        body: str | None = None,
        *,
        labels: Iterable[str] = (),
        assignees: Iterable[str] = (),
        user: str | None = None,
        pull: PullInfo | None = None,
    ) -> Issue:
        now = self.now()
        number = max(self.issues, default=0) + 1
        issue = Issue(
            id=self._next_issue_id,
            number=number,
            title=title,
            body=body,
            user=user or self.bot_login,
            created_at=now,
            updated_at=now,
            pull=pull,
        )
        self._next_issue_id += 13
        self.set_labels(issue, labels, touch=False)
        issue.assignees = self.canonical_logins(assignees)
        self.issues[number] = issue
        return issue

    def canonical_logins(self, logins: Iterable[str]) -> list[str]:
        out: list[str] = []
        for login in logins:
            user = self.user(login)
            name = user.login if user else login
            if name not in out:
                out.append(name)
        return out

    def set_labels(self, issue: Issue, names: Iterable[str], *, touch: bool = True) -> None:
        ids: list[int] = []
        for name in names:
            label = self.ensure_label(name)
            if label.id not in ids:
                ids.append(label.id)
        issue.label_ids = ids
        if touch:
            self.touch(issue)

    def add_labels(self, issue: Issue, names: Iterable[str]) -> None:
        self.set_labels(issue, [*self.label_names(issue), *names])

    def touch(self, issue: Issue) -> None:
        issue.updated_at = self.now()

    def close(self, issue: Issue, reason: str = "completed", actor: str | None = None) -> None:
        if issue.state != "closed":
            issue.closed_at = self.now()
            issue.closed_by = actor or self.bot_login
        issue.state = "closed"
        issue.state_reason = reason
        self.touch(issue)

    def reopen(self, issue: Issue) -> None:
        if issue.state == "closed":
            issue.state = "open"
            issue.state_reason = "reopened"
            issue.closed_at = None
            issue.closed_by = None
        self.touch(issue)

    def add_comment(self, number: int, body: str, *, user: str | None = None) -> Comment:
        now = self.now()
        comment = Comment(
            id=self._next_comment_id,
            issue_number=number,
            body=body,
            user=user or self.bot_login,
            created_at=now,
            updated_at=now,
        )
        self._next_comment_id += 11
        self.comments[comment.id] = comment
        self.touch(self.issues[number])
        return comment

    def link_sub_issue(self, parent: Issue, child: Issue) -> None:
        if child.parent is not None and child.parent in self.issues:
            old = self.issues[child.parent]
            old.children = [n for n in old.children if n != child.number]
        child.parent = parent.number
        parent.children.append(child.number)
        self.touch(parent)
        self.touch(child)

    def unlink_sub_issue(self, parent: Issue, child: Issue) -> None:
        parent.children = [n for n in parent.children if n != child.number]
        child.parent = None
        self.touch(parent)
        self.touch(child)

    def record_dispatch(self, workflow: str, ref: str, inputs: dict[str, Any]) -> Dispatch:
        dispatch = Dispatch(
            workflow=workflow, ref=ref, inputs=inputs, at=self.now(), run_id=self._next_run_id
        )
        self._next_run_id += 1
        self.dispatches.append(dispatch)
        return dispatch

    def delete_label(self, label: Label) -> None:
        del self.labels[label.id]
        for issue in self.issues.values():
            if label.id in issue.label_ids:
                issue.label_ids.remove(label.id)

    # ----------------------------------------------------------------- rate limit

    def count_request(self) -> bool:
        """Account one request against the primary limit; False when it is exhausted."""
        now = int(time.time())
        if now >= self.rate.reset:
            self.rate.remaining = self.rate.limit
            self.rate.used = 0
            self.rate.reset = now + 3600
        if self.rate.remaining <= 0:
            return False
        self.rate.remaining -= 1
        self.rate.used += 1
        return True
