"""Missions as GitHub issues: found by label and hidden marker, never by title or search."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from github import Github, GithubException
from github.NamedUser import NamedUser
from github.Repository import Repository

from missionkit.lifecycle import (
    LifecycleEvent,
    MissionState,
    TaskEvent,
    TaskState,
    allows,
    is_finished,
    next_state,
)
from missionkit.tracking.base import Tracker
from missionkit.tracking.desired import render_body
from missionkit.tracking.drift import BodyParts, Synced
from missionkit.tracking.github.claims import ClaimRefs
from missionkit.tracking.github.client import (
    Ambiguous,
    Client,
    GitHubError,
    GitHubRefused,
    connect,
    default_write_delay,
)
from missionkit.tracking.github.drift import DriftLog
from missionkit.tracking.github.events import EventLog
from missionkit.tracking.github.issues import CREATE_ATTEMPTS, Issues, raw
from missionkit.tracking.github.readback import read_back
from missionkit.tracking.github.types import IssueTypes, create_issue
from missionkit.tracking.labels import Label
from missionkit.tracking.limits import MAX_SUB_ISSUES
from missionkit.tracking.model import Event, Item, Key, Spec
from missionkit.tracking.policy import item_assignees, item_labels

if TYPE_CHECKING:
    from missionkit.tracking.plan import Change, Plan


class GitHubTracker(Tracker):
    """A tracker on one repository's issues."""

    name = "github"
    proposes_changes = True
    sub_issue_limit = MAX_SUB_ISSUES

    def __init__(
        self, gh: Github, repository: str, client: Client, env: Mapping[str, str] | None = None
    ) -> None:
        super().__init__()
        self.gh = gh
        self.repo: Repository = gh.get_repo(repository)
        self.issues = Issues(self.repo, client)
        self.events_log = EventLog(self.issues, lambda: gh.get_user().login)
        self.claims = ClaimRefs(self.repo, client, self.warnings)
        self.drift_log = DriftLog(self.issues, self.events_log)
        self.types = IssueTypes(self.repo, client, os.environ if env is None else env)

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
        return cls(gh, repository, client, env)

    @property
    def client(self) -> Client:
        """The retrying client every call goes through (shared with the issues' helpers)."""
        return self.issues.client

    @client.setter
    def client(self, client: Client) -> None:
        self.issues.client = client

    def close(self) -> None:
        self.gh.close()

    # -- reading ---------------------------------------------------------------------------
    def read(self, mission_id: str) -> list[Item]:
        items: dict[Key, Item] = {}
        for found in self.issues.listed(mission_id):
            key = found.key
            if key in items:
                # Two issues claim one task (made by hand?): keep the oldest, tell the user.
                self.warnings.append(
                    f"{key}: issues #{items[key].number} and #{found.issue.number} "
                    "both carry its marker; using the older one"
                )
                continue
            items[key] = self.issues.to_item(found.issue, key, found.spec_hash, found.owner)
        return list(items.values())

    def label_names(self) -> set[str]:
        return self.client.call(
            lambda: {label.name for label in self.repo.get_labels()}, what="list labels"
        )

    def blockers(self, item: Item) -> list[int]:
        issue = self.issues.issue(item)
        return self.client.call(
            lambda: [i.id for i in issue.get_blocked_by()], what=f"list what blocks #{item.number}"
        )

    def children(self, item: Item) -> list[int]:
        issue = self.issues.issue(item)
        return self.client.call(
            lambda: [i.id for i in issue.get_sub_issues()],
            what=f"list sub-issues of #{item.number}",
        )

    def link(self, item: Item | None, key: Key) -> str:
        return f"#{item.number}" if item else f"`{key}` (not tracked yet)"

    # -- drift (see missionkit.tracking.drift) ------------------------------------------------
    def synced(self, item: Item) -> Synced | None:
        return Synced.parse(self.issues.issue(item).body)

    def body(self, item: Item) -> str:
        return self.issues.issue(item).body or ""

    def changed_by(self, item: Item, field: str) -> tuple[str | None, datetime | None]:
        return self.drift_log.changed_by(item, field)

    def foreign_children(self, item: Item, known: set[int]) -> list[tuple[int, str]]:
        return self.drift_log.foreign_children(item, known)

    def read_back(self, plan: Plan, applied: Sequence[Change], items: dict[Key, Item]) -> list[str]:
        """Warnings for the writes of a sync that GitHub dropped silently."""
        return read_back(self.issues, self.types, plan, applied, items)

    def unlinked_by(self, parent: Item, child: Item) -> tuple[str, datetime] | None:
        return self.drift_log.unlinked_by(parent, child)

    def adopt(self, number: int, plan: Plan, key: Key) -> None:
        """Make issue ``number``, which a person made, the item of ``key`` (``mission pull``):
        missionkit's marker, labels and owner."""
        issue = self.client.call(lambda: self.repo.get_issue(number), what=f"read #{number}")
        item = self.issues.to_item(issue, key, None, None)
        titles = {k: s.title for k, s in plan.specs.items()}
        spec = plan.specs[key]
        # the person's text stays above missionkit's part
        kept = BodyParts(before=(issue.body or "").rstrip() + "\n\n" if issue.body else "")
        body = render_body(spec, lambda k: self.link(plan.items.get(k), k), titles, kept)
        self.update(item, spec, body)

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

    def create(self, spec: Spec, body: str, state: str) -> Item:
        labels = item_labels((), spec.key, managed=spec.labels, state=state)
        assignees = list(spec.assignees)
        type_name = self.types.for_key(spec.key)
        for _ in range(CREATE_ATTEMPTS):
            try:
                issue = self.client.call(
                    lambda a=assignees: create_issue(  # type: ignore[misc]
                        self.repo, spec.title, body, labels, a, type_name
                    ),
                    idempotent=False,
                    what=f"create issue for {spec.key}",
                )
            except Ambiguous:
                found = self.issues.find(spec.key)
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
            return self.issues.to_item(issue, spec.key, spec.spec_hash, _owner(spec))
        raise GitHubError(f"create issue for {spec.key}: no answer after {CREATE_ATTEMPTS} tries")

    def update(self, item: Item, spec: Spec, body: str) -> Item:
        issue = self.issues.issue(item)
        assignees: list[NamedUser | str] = list(
            item_assignees(item.assignees, item.owner, spec.assignees)
        )
        labels = item_labels(item.labels, item.key, managed=spec.labels)
        self.client.call(
            lambda: issue.edit(title=spec.title, body=body, labels=labels, assignees=assignees),
            what=f"update #{item.number}",
        )
        return self.issues.to_item(issue, item.key, spec.spec_hash, _owner(spec))

    def _write_state(self, item: Item, state: str, actor: str, reason: str) -> Item:
        """Show ``state`` on the issue (labels, open or closed) and add it to the history."""
        issue = self.issues.issue(item)
        kwargs: dict[str, Any] = {"labels": item_labels(item.labels, item.key, state=state)}
        if state == TaskState.CANCELLED:
            kwargs.update(state="closed", state_reason="not_planned")
        elif is_finished(state) or state == MissionState.CLOSED:
            kwargs.update(state="closed", state_reason="completed")
        elif issue.state == "closed":
            kwargs.update(state="open", state_reason="reopened")
        self.client.call(lambda: issue.edit(**kwargs), what=f"set #{item.number} {state}")
        if item.state == TaskState.RUNNING and state != TaskState.RUNNING:
            self.claims.release(item.key)
        updated = self.issues.to_item(issue, item.key, item.spec_hash, item.owner)
        self.events_log.state(updated, item.state, state, actor, reason)
        return updated

    def add_child(self, parent: Item, child: Item) -> None:
        issue = self.issues.issue(parent)

        def add() -> None:
            try:
                issue.add_sub_issue(child.uid)
            except GithubException as exc:
                if exc.status != 422:
                    raise
                if child.uid in [i.id for i in issue.get_sub_issues()]:
                    return  # committed by an earlier attempt
                if "only have one parent" not in str(exc.data):
                    raise
                # moving under a phase parent (the mission passed 100 tasks)
                self.repo.requester.requestJsonAndCheck(
                    "POST",
                    f"{issue.url}/sub_issues",
                    input={"sub_issue_id": child.uid, "replace_parent": True},
                )

        self.client.call(add, what=f"add #{child.number} as sub-issue of #{parent.number}")

    def add_blocker(self, item: Item, blocker: Item) -> None:
        issue = self.issues.issue(item)
        other = self.issues.issue(blocker)
        if raw(other).get("pull_request"):
            self.warnings.append(
                f"{item.key}: #{blocker.number} is a pull request, which GitHub does not take "
                "as a blocker; not related"
            )
            return

        def add() -> None:
            try:
                issue.add_blocked_by(other)
            except GithubException as exc:
                if exc.status == 422 and blocker.uid in [i.id for i in issue.get_blocked_by()]:
                    return
                raise

        self.client.call(add, what=f"mark #{item.number} blocked by #{blocker.number}")

    def remove_blocker(self, item: Item, blocker: Item) -> None:
        issue = self.issues.issue(item)
        other = self.issues.issue(blocker)

        def remove() -> None:
            try:
                issue.remove_blocked_by(other)
            except GithubException as exc:
                if exc.status == 404:
                    return
                raise

        self.client.call(remove, what=f"unblock #{item.number} from #{blocker.number}")

    # -- execution -------------------------------------------------------------------------
    def transition(self, item: Item, event: LifecycleEvent, actor: str, reason: str) -> Item | None:
        next_state(item.state, event, str(item.key))
        fresh = self.issues.fresh(item)
        current = self.issues.to_item(fresh, item.key, item.spec_hash, item.owner)
        if not allows(current.state, event):
            return None
        return self._write_state(current, next_state(current.state, event), actor, reason)

    def observed(
        self, item: Item, shown: str, event: LifecycleEvent, actor: str, reason: str
    ) -> Item:
        """Record ``event``, which a person already made on GitHub (closing or reopening the
        issue), from the state the issue ``shown`` before; bring its labels in line."""
        state = next_state(shown, event, str(item.key))
        return self._write_state(replace(item, state=shown), state, actor, reason)

    def claim(self, item: Item, actor: str, lease_seconds: float) -> Item | None:
        """Ready → running, guarded by a claim ref that only one claimer can create."""
        next_state(item.state, TaskEvent.CLAIM, str(item.key))  # no ref for an unclaimable task
        if not self.claims.take(item.key, actor, lease_seconds):
            return None
        try:
            moved = self.transition(item, TaskEvent.CLAIM, actor, "claimed")
        except BaseException:
            self.claims.release(item.key)
            raise
        if moved is None:
            self.claims.release(item.key)
        return moved

    def propose_changes(
        self, item: Item, files: Mapping[str, bytes], *, title: str, body: str
    ) -> tuple[int, str] | None:
        from missionkit.tracking.github.changes import propose_changes

        return propose_changes(self.issues, item, files, title=title, body=body)

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
        self.issues.comment(item, body)

    def assign(self, item: Item, logins: Sequence[str]) -> list[str]:
        """Add assignees; GitHub silently drops logins it cannot assign, so compare after."""
        issue = self.issues.issue(item)
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


def _owner(spec: Spec) -> str | None:
    return spec.assignees[0] if spec.assignees else None
