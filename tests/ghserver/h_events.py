"""Issue events: what GitHub's ``GET /issues/{n}/events`` lists, recorded as requests change things.

The server snapshots the facts people can change (title, assignees, labels, sub-issues and
blocked-by relations) of every issue before each write and compares after it, so each handler
stays as it is and every way of making a change (a PATCH, the labels endpoints, the sub-issue
and dependency endpoints) leaves the event GitHub would list: ``renamed``, ``assigned``,
``unassigned``, ``labeled``, ``unlabeled``, ``sub_issue_added``, ``sub_issue_removed``,
``blocked_by_added`` and ``blocked_by_removed``, each with its actor and time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .api import ApiResponse, Ctx
from .h_issues import issue_or_404
from .models import GitHubState, Issue, iso, node_id


@dataclass(frozen=True)
class Facts:
    title: str
    assignees: tuple[str, ...]
    labels: tuple[str, ...]
    children: tuple[int, ...]
    blocked_by: tuple[int, ...]


@dataclass
class IssueEvent:
    id: int
    issue: int
    event: str
    actor: str
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


def snapshot(state: GitHubState) -> dict[int, Facts]:
    return {
        number: Facts(
            issue.title,
            tuple(issue.assignees),
            tuple(sorted(state.label_names(issue))),
            tuple(issue.children),
            tuple(issue.blocked_by),
        )
        for number, issue in state.issues.items()
    }


def _log(state: GitHubState) -> list[IssueEvent]:
    log: list[IssueEvent] = state.__dict__.setdefault("issue_events", [])
    return log


def record(state: GitHubState, before: dict[int, Facts], actor: str) -> None:
    """Append the events that turn ``before`` into the current state."""
    log = _log(state)
    now = state.now()

    def add(number: int, event: str, **detail: Any) -> None:
        log.append(IssueEvent(60_000_000_000 + len(log), number, event, actor, now, detail))

    for number, after in snapshot(state).items():
        old = before.get(number)
        if old is None or old == after:
            continue
        if old.title != after.title:
            add(number, "renamed", rename={"from": old.title, "to": after.title})
        for login in after.assignees:
            if login not in old.assignees:
                add(number, "assigned", assignee=login)
        for login in old.assignees:
            if login not in after.assignees:
                add(number, "unassigned", assignee=login)
        for name in after.labels:
            if name not in old.labels:
                add(number, "labeled", label=name)
        for name in old.labels:
            if name not in after.labels:
                add(number, "unlabeled", label=name)
        for pair, (was, now_) in {
            "sub_issue": (old.children, after.children),
            "blocked_by": (old.blocked_by, after.blocked_by),
        }.items():
            for other in now_:
                if other not in was:
                    add(number, f"{pair}_added", **{pair: other})
            for other in was:
                if other not in now_:
                    add(number, f"{pair}_removed", **{pair: other})


def _reference(ctx: Ctx, number: int) -> dict[str, Any] | None:
    issue: Issue | None = ctx.state.issue(number)
    if issue is None:
        return None
    return {
        "number": issue.number,
        "title": issue.title,
        "state": issue.state,
        "state_reason": issue.state_reason,
        "repository": ctx.render.repository(full=False),
        "issue_type": None,
    }


def _render(ctx: Ctx, event: IssueEvent) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": event.id,
        "node_id": node_id("IE", event.id),
        "url": f"{ctx.render.repo_api}/issues/events/{event.id}",
        "actor": ctx.render.user(event.actor),
        "event": event.event,
        "commit_id": None,
        "commit_url": None,
        "created_at": iso(event.at),
        "performed_via_github_app": None,
    }
    detail = event.detail
    if "rename" in detail:
        out["rename"] = detail["rename"]
    if "assignee" in detail:
        out["assignee"] = ctx.render.user(detail["assignee"])
        out["assigner"] = ctx.render.user(event.actor)
    if "label" in detail:
        label = ctx.state.label(detail["label"])
        out["label"] = {"name": detail["label"], "color": label.color if label else "ededed"}
    for pair in ("sub_issue", "blocked_by"):
        if pair in detail:
            out[pair] = _reference(ctx, detail[pair])
    return out


def list_issue_events(ctx: Ctx) -> ApiResponse:
    issue = issue_or_404(ctx)
    events = [e for e in _log(ctx.state) if e.issue == issue.number]
    return ctx.page([_render(ctx, e) for e in events])
