"""Missions as GitHub issues: found by label and hidden marker, never by title or search."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from github import Github, GithubException
from github.Issue import Issue
from github.NamedUser import NamedUser
from github.Repository import Repository

from missionkit.spec.model import TaskState
from missionkit.tracking.base import Tracker
from missionkit.tracking.desired import parse_marker
from missionkit.tracking.drift import Synced
from missionkit.tracking.github.claims import ClaimRefs
from missionkit.tracking.github.client import (
    Ambiguous,
    Client,
    GitHubError,
    GitHubRefused,
    connect,
    default_write_delay,
)
from missionkit.tracking.github.drift import DriftLog, adopt
from missionkit.tracking.github.events import EventLog
from missionkit.tracking.labels import Label, is_managed, state_from_labels, status_label
from missionkit.tracking.model import (
    MISSION_ACTIVE,
    MISSION_AWAITING,
    MISSION_CLOSED,
    Comment,
    Event,
    Item,
    Key,
    Spec,
)

if TYPE_CHECKING:
    from missionkit.tracking.plan import Plan

CREATE_ATTEMPTS = 4


def _state_of(issue: Issue, key: Key) -> str:
    labels = {label.name for label in issue.labels}
    if key.is_mission:
        if issue.state == "closed":
            return MISSION_CLOSED
        return MISSION_AWAITING if status_label(MISSION_AWAITING) in labels else MISSION_ACTIVE
    if issue.state == "closed":
        return TaskState.CANCELLED if issue.state_reason == "not_planned" else TaskState.DONE
    return state_from_labels(labels, TaskState.BLOCKED)


def _raw(issue: Issue) -> dict[str, Any]:
    """The JSON the issue was built from, without PyGithub fetching the issue again."""
    raw = getattr(issue, "_rawData", None)
    return raw if isinstance(raw, dict) else {}


def _summary(issue: Issue, name: str, field: str) -> int | None:
    raw = _raw(issue).get(name)
    if isinstance(raw, dict) and isinstance(raw.get(field), int):
        return int(raw[field])
    return None


def _shows_status(key: Key, state: str) -> bool:
    """Open tasks carry a ``status:`` label; a mission only while it awaits sign-off."""
    if key.task:
        return state not in (TaskState.DONE, TaskState.CANCELLED)
    return state == MISSION_AWAITING


class GitHubTracker(Tracker):
    """A tracker on one repository's issues."""

    name = "github"
    proposes_changes = True

    def __init__(self, gh: Github, repository: str, client: Client) -> None:
        super().__init__()
        self.gh = gh
        self.repo: Repository = gh.get_repo(repository)
        self.client = client
        self.issues: dict[int, Issue] = {}
        self.events_log = EventLog(self)
        self.claims = ClaimRefs(self.repo, client, self.warnings)
        self.drift_log = DriftLog(self)

    @classmethod
    def connect(
        cls, api_url: str, repository: str, token: str, env: Mapping[str, str] | None = None
    ) -> GitHubTracker:
        env = os.environ if env is None else env
        delay = default_write_delay(api_url, env)
        gh = connect(api_url, token, delay)
        client = Client(
            gh,
            backoff=float(env.get("MISSIONKIT_RETRY_BACKOFF", "1.0")),
            secondary_wait=float(env.get("MISSIONKIT_SECONDARY_WAIT", "60")),
        )
        return cls(gh, repository, client)

    def close(self) -> None:
        self.gh.close()

    # -- reading ---------------------------------------------------------------------------
    def _to_item(self, issue: Issue, key: Key, spec_hash: str | None) -> Item:
        self.issues[issue.number] = issue
        return Item(
            key=key,
            number=issue.number,
            uid=issue.id,
            title=issue.title,
            state=_state_of(issue, key),
            labels=frozenset(label.name for label in issue.labels),
            assignees=frozenset(a.login for a in issue.assignees),
            spec_hash=spec_hash,
            url=issue.html_url,
            blocked_by_count=_summary(issue, "issue_dependencies_summary", "total_blocked_by"),
            sub_issue_count=_summary(issue, "sub_issues_summary", "total"),
            updated_at=issue.updated_at,
        )

    def _list(self, mission_id: str) -> list[tuple[Issue, Key, str]]:
        def fetch() -> list[tuple[Issue, Key, str]]:
            found = []
            for issue in self.repo.get_issues(state="all", labels=[f"mission:{mission_id}"]):
                if _raw(issue).get("pull_request"):
                    continue
                marker = parse_marker(issue.body)
                if marker is None or marker[0].mission != mission_id:
                    continue
                found.append((issue, marker[0], marker[1]))
            return found

        return self.client.call(fetch, what=f"list issues of mission {mission_id}")

    def read(self, mission_id: str) -> list[Item]:
        items: dict[Key, Item] = {}
        for issue, key, spec_hash in self._list(mission_id):
            if key in items:
                # Two issues claim one task (made by hand?): keep the oldest, tell the user.
                self.warnings.append(
                    f"{key}: issues #{items[key].number} and #{issue.number} "
                    "both carry its marker; using the older one"
                )
                continue
            items[key] = self._to_item(issue, key, spec_hash)
        return list(items.values())

    def label_names(self) -> set[str]:
        return self.client.call(
            lambda: {label.name for label in self.repo.get_labels()}, what="list labels"
        )

    def _issue(self, item: Item) -> Issue:
        issue = self.issues.get(item.number)
        if issue is None:
            issue = self.client.call(
                lambda: self.repo.get_issue(item.number), what=f"read issue #{item.number}"
            )
            self.issues[item.number] = issue
        return issue

    def blockers(self, item: Item) -> list[int]:
        issue = self._issue(item)
        return self.client.call(
            lambda: [i.id for i in issue.get_blocked_by()], what=f"list what blocks #{item.number}"
        )

    def children(self, item: Item) -> list[int]:
        issue = self._issue(item)
        return self.client.call(
            lambda: [i.id for i in issue.get_sub_issues()],
            what=f"list sub-issues of #{item.number}",
        )

    def link(self, item: Item | None, key: Key) -> str:
        return f"#{item.number}" if item else f"`{key}` (not tracked yet)"

    # -- drift (see missionkit.tracking.drift) ------------------------------------------------
    def synced(self, item: Item) -> Synced | None:
        return Synced.parse(self._issue(item).body)

    def changed_by(self, item: Item, field: str) -> tuple[str | None, datetime | None]:
        return self.drift_log.changed_by(item, field)

    def foreign_children(self, item: Item, known: set[int]) -> list[tuple[int, str]]:
        return self.drift_log.foreign_children(item, known)

    def adopt(self, number: int, plan: Plan, key: Key) -> None:
        """Write missionkit's marker into an issue a person made (``mission pull``)."""
        adopt(self, number, plan, key)

    # -- single changes --------------------------------------------------------------------
    def create_label(self, label: Label) -> None:
        def make() -> None:
            try:
                self.repo.create_label(label.name, label.color, label.description)
            except GithubException as exc:
                if exc.status == 422 and "already_exists" in str(exc.data):
                    return
                raise

        self.client.call(make, what=f"create label {label.name}")

    def _find(self, key: Key) -> Item | None:
        for issue, found, spec_hash in self._list(key.mission):
            if found == key:
                return self._to_item(issue, key, spec_hash)
        return None

    def create(self, spec: Spec, body: str, state: str) -> Item:
        labels = list(spec.labels)
        if spec.key.task:
            labels.append(status_label(state))
        assignees = list(spec.assignees)
        for _ in range(CREATE_ATTEMPTS):
            try:
                issue = self.client.call(
                    lambda a=assignees: self.repo.create_issue(  # type: ignore[misc]
                        spec.title, body, labels=labels, assignees=a
                    ),
                    idempotent=False,
                    what=f"create issue for {spec.key}",
                )
            except Ambiguous:
                found = self._find(spec.key)
                if found is not None:
                    return found
                continue
            except GitHubRefused as exc:
                if exc.status == 422 and assignees and "assignee" in str(exc.data).lower():
                    self.warnings.append(
                        f"{spec.key}: GitHub did not accept assignee(s) "
                        f"{', '.join(assignees)}; created the issue unassigned"
                    )
                    assignees = []
                    continue
                raise
            item = self._to_item(issue, spec.key, spec.spec_hash)
            self.events_log.created(item, state)
            return item
        raise GitHubError(f"create issue for {spec.key}: no answer after {CREATE_ATTEMPTS} tries")

    def _labels_for(self, item: Item, spec: Spec | None, state: str | None) -> list[str]:
        keep = [x for x in item.labels if not is_managed(x)]
        managed = (
            list(spec.labels)
            if spec
            else [x for x in item.labels if is_managed(x) and not x.startswith("status:")]
        )
        if state is None:
            status = [x for x in item.labels if x.startswith("status:")]
        elif _shows_status(item.key, state):
            status = [status_label(state)]
        else:
            status = []
        return sorted(set(keep) | set(managed) | set(status))

    def update(self, item: Item, spec: Spec, body: str) -> Item:
        issue = self._issue(item)
        assignees: list[NamedUser | str] = list(sorted(set(item.assignees) | set(spec.assignees)))
        labels = self._labels_for(item, spec, None)
        self.client.call(
            lambda: issue.edit(title=spec.title, body=body, labels=labels, assignees=assignees),
            what=f"update #{item.number}",
        )
        return self._to_item(issue, item.key, spec.spec_hash)

    def set_state(self, item: Item, state: str, actor: str, reason: str) -> Item:
        issue = self._issue(item)
        labels = self._labels_for(item, None, state)
        kwargs: dict[str, Any] = {"labels": labels}
        if state in (TaskState.DONE, MISSION_CLOSED):
            kwargs.update(state="closed", state_reason="completed")
        elif state == TaskState.CANCELLED:
            kwargs.update(state="closed", state_reason="not_planned")
        elif issue.state == "closed":
            kwargs.update(state="open", state_reason="reopened")
        self.client.call(lambda: issue.edit(**kwargs), what=f"set #{item.number} {state}")
        if item.state == TaskState.RUNNING and state != TaskState.RUNNING:
            self.claims.release(item.key)
        updated = self._to_item(issue, item.key, item.spec_hash)
        self.events_log.state(updated, item.state, state, actor, reason)
        return updated

    def add_child(self, parent: Item, child: Item) -> None:
        issue = self._issue(parent)

        def add() -> None:
            try:
                issue.add_sub_issue(child.uid)
            except GithubException as exc:
                if exc.status == 422 and child.uid in [i.id for i in issue.get_sub_issues()]:
                    return  # committed by an earlier attempt
                raise

        self.client.call(add, what=f"add #{child.number} as sub-issue of #{parent.number}")

    def add_blocker(self, item: Item, blocker: Item) -> None:
        issue = self._issue(item)
        other = self._issue(blocker)

        def add() -> None:
            try:
                issue.add_blocked_by(other)
            except GithubException as exc:
                if exc.status == 422 and blocker.uid in [i.id for i in issue.get_blocked_by()]:
                    return
                raise

        self.client.call(add, what=f"mark #{item.number} blocked by #{blocker.number}")

    def remove_blocker(self, item: Item, blocker: Item) -> None:
        issue = self._issue(item)
        other = self._issue(blocker)

        def remove() -> None:
            try:
                issue.remove_blocked_by(other)
            except GithubException as exc:
                if exc.status == 404:
                    return
                raise

        self.client.call(remove, what=f"unblock #{item.number} from #{blocker.number}")

    # -- execution -------------------------------------------------------------------------
    def transition(
        self, item: Item, expected: Sequence[str], state: str, actor: str, reason: str
    ) -> Item | None:
        fresh = self.client.call(
            lambda: self.repo.get_issue(item.number), what=f"read issue #{item.number}"
        )
        self.issues[item.number] = fresh
        current = self._to_item(fresh, item.key, item.spec_hash)
        if current.state not in expected:
            return None
        return self.set_state(current, state, actor, reason)

    def claim(self, item: Item, actor: str, lease_seconds: float) -> Item | None:
        """Ready → running, guarded by a claim ref that only one claimer can create."""
        if not self.claims.take(item.key, actor, lease_seconds):
            return None
        moved = self.transition(item, [TaskState.READY], TaskState.RUNNING, actor, "claimed")
        if moved is None:
            self.claims.release(item.key)
        return moved

    def propose_changes(
        self, item: Item, files: Mapping[str, bytes], *, title: str, body: str
    ) -> tuple[int, str] | None:
        from missionkit.tracking.github.changes import propose_changes

        return propose_changes(self, item, files, title=title, body=body)

    def permission(self, login: str) -> str:
        """The user's permission on the repository: admin, maintain, write, triage, read or none."""
        try:
            return str(
                self.client.call(
                    lambda: self.repo.get_collaborator_permission(login),
                    what=f"read the permission of {login}",
                )
            )
        except GitHubRefused as exc:
            if exc.status == 404:
                return "none"
            raise

    def events(self, item: Item) -> list[Event]:
        return self.events_log.for_item(item)

    def comment(self, item: Item, body: str, author: str) -> None:
        issue = self._issue(item)
        self.client.call(
            lambda: issue.create_comment(body), idempotent=False, what=f"comment on #{item.number}"
        )

    def comments(self, item: Item) -> list[Comment]:
        issue = self._issue(item)
        return self.client.call(
            lambda: [
                Comment(item.key, c.created_at, c.user.login, c.body) for c in issue.get_comments()
            ],
            what=f"read comments of #{item.number}",
        )

    def assign(self, item: Item, logins: Sequence[str]) -> list[str]:
        """Add assignees; GitHub silently drops logins it cannot assign, so compare after."""
        issue = self._issue(item)
        wanted = [x for x in logins if x.casefold() not in {a.casefold() for a in item.assignees}]
        if not wanted:
            return []
        try:
            self.client.call(
                lambda: issue.add_to_assignees(*wanted),
                what=f"assign {', '.join(wanted)} to #{item.number}",
            )
        except GitHubRefused:
            return wanted
        now = {a.login.casefold() for a in issue.assignees}
        return [x for x in wanted if x.casefold() not in now]

    def history(self, mission_id: str) -> list[Event]:
        return self.events_log.history(mission_id)

    def record(self, event: Event, note: str | None = None) -> None:
        self.events_log.record(event, note=note)
