"""Handlers: issues (list, create, get, edit), their labels and their assignees."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import h_copilot as copilot
from .api import DOCS, ApiError, ApiResponse, Ctx, int_param, not_found, validation_failed
from .h_types import set_type, type_from_body
from .models import Issue

TITLE_MAX = 256
BODY_MAX = 65536
DOC_CREATE = "https://docs.github.com/rest/issues/issues#create-an-issue"
DOC_UPDATE = "https://docs.github.com/rest/issues/issues#update-an-issue"


def issue_or_404(ctx: Ctx, param: str = "issue_number") -> Issue:
    issue = ctx.state.issue(int_param(ctx.request, param))
    if issue is None:
        raise not_found()
    return issue


def names_of(items: Any, key: str = "name") -> list[str]:
    """Label names (or logins) given as strings or ``{"name": ...}`` objects."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise ApiError(
            422, f"Invalid request.\n\nFor 'properties/{key}s', {items!r} is not an array."
        )
    out: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get(key)
        if isinstance(item, (str, int)) and str(item).strip():
            out.append(str(item).strip())
    return out


def _check_text(title: Any, body: Any, doc: str) -> None:
    if title is not None and len(str(title)) > TITLE_MAX:
        raise validation_failed(
            {
                "resource": "Issue",
                "code": "custom",
                "field": "title",
                "message": f"title is too long (maximum is {TITLE_MAX} characters)",
            },
            doc=doc,
        )
    if isinstance(body, str) and len(body) > BODY_MAX:
        raise validation_failed(
            {
                "resource": "Issue",
                "code": "custom",
                "field": "body",
                "message": f"body is too long (maximum is {BODY_MAX} characters)",
            },
            doc=doc,
        )


def _check_assignees(ctx: Ctx, logins: list[str], doc: str) -> list[str]:
    invalid = [
        login for login in logins if not ((u := ctx.state.user(login)) and u.can_be_assigned)
    ]
    if invalid:
        raise validation_failed(
            *(
                {"value": login, "resource": "Issue", "field": "assignees", "code": "invalid"}
                for login in invalid
            ),
            doc=doc,
        )
    return ctx.state.canonical_logins(logins)


def _assignees_from(body: dict[str, Any]) -> list[str] | None:
    if "assignees" in body:
        return names_of(body["assignees"], "login")
    if "assignee" in body:
        return [body["assignee"]] if body["assignee"] else []
    return None


# ---------------------------------------------------------------------------- issues


def list_issues(ctx: Ctx) -> ApiResponse:
    q = ctx.request.query
    state = q.get("state", "open")
    if state not in ("open", "closed", "all"):
        raise validation_failed({"resource": "Issue", "field": "state", "code": "invalid"})
    wanted = [name.strip().lower() for name in q.get("labels", "").split(",") if name.strip()]
    since = _parse_since(q.get("since"))
    issues: list[Issue] = []
    for issue in ctx.state.issues.values():
        if state != "all" and issue.state != state:
            continue
        names = {name.lower() for name in ctx.state.label_names(issue)}
        if any(name not in names for name in wanted):
            continue
        if not _match_user(q.get("assignee"), issue.assignees) or not _match_user(
            q.get("creator"), [issue.user]
        ):
            continue
        if since is not None and issue.updated_at < since:
            continue
        issues.append(issue)
    sort = q.get("sort", "created")
    if sort not in ("created", "updated", "comments"):
        raise validation_failed({"resource": "Issue", "field": "sort", "code": "invalid"})
    keys = {
        "created": lambda i: (i.created_at, i.number),
        "updated": lambda i: (i.updated_at, i.number),
        "comments": lambda i: (len(ctx.state.comments_of(i.number)), i.number),
    }
    issues.sort(key=keys[sort], reverse=q.get("direction", "desc") != "asc")
    return ctx.page([ctx.render.issue(issue, full=False) for issue in issues])


def _match_user(wanted: str | None, logins: list[str]) -> bool:
    if wanted is None:
        return True
    if wanted == "none":
        return not logins
    if wanted == "*":
        return bool(logins)
    return wanted.lower() in (login.lower() for login in logins)


def _parse_since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise validation_failed(
            {"resource": "Issue", "field": "since", "code": "invalid"}
        ) from None


def create_issue(ctx: Ctx) -> ApiResponse:
    body = ctx.body
    title = body.get("title")
    if title is None or str(title).strip() == "":
        raise validation_failed(
            {"resource": "Issue", "code": "missing_field", "field": "title"}, doc=DOC_CREATE
        )
    text = body.get("body")
    _check_text(title, text, DOC_CREATE)
    labels = names_of(body.get("labels"))
    assignees = _assignees_from(body) or []
    type_id = type_from_body(ctx, body)
    if ctx.request.actor.can_push:
        assignees = _check_assignees(ctx, assignees, DOC_CREATE)
    else:  # like GitHub: silently dropped without push access
        labels, assignees, type_id = [], [], None
    issue = ctx.state.create_issue(
        str(title), text, labels=labels, assignees=assignees, user=ctx.request.actor.login
    )
    issue.type_id = type_id
    out = ctx.render.issue(issue)
    return ApiResponse(201, out, {"Location": out["url"]})


def get_issue(ctx: Ctx) -> ApiResponse:
    return ApiResponse(200, ctx.render.issue(issue_or_404(ctx)))


def edit_issue(ctx: Ctx) -> ApiResponse:
    issue = issue_or_404(ctx)
    body = ctx.body
    state = ctx.state
    _check_text(body.get("title"), body.get("body"), DOC_UPDATE)
    if "title" in body and (body["title"] is None or str(body["title"]).strip() == ""):
        raise validation_failed(
            {"resource": "Issue", "code": "missing_field", "field": "title"}, doc=DOC_UPDATE
        )
    new_state = body.get("state")
    if new_state is not None and new_state not in ("open", "closed"):
        raise validation_failed(
            {"resource": "Issue", "code": "invalid", "field": "state", "value": new_state}
        )
    reason = body.get("state_reason")
    if reason is not None and reason not in ("completed", "not_planned", "duplicate", "reopened"):
        raise validation_failed(
            {"resource": "Issue", "code": "invalid", "field": "state_reason", "value": reason}
        )
    assignees = _assignees_from(body)
    if assignees is not None:
        assignees = _check_assignees(ctx, assignees, DOC_UPDATE)

    if "title" in body:
        issue.title = str(body["title"])
    if "body" in body:
        issue.body = body["body"]
    if "labels" in body:
        state.set_labels(issue, names_of(body["labels"]), touch=False)
    set_type(ctx, issue, body)
    if assignees is not None:
        issue.assignees = assignees
    if new_state == "closed" or (
        new_state is None and issue.state == "closed" and reason not in (None, "reopened")
    ):
        state.close(
            issue,
            reason if reason in ("completed", "not_planned", "duplicate") else "completed",
            ctx.request.actor.login,
        )
    elif new_state == "open":
        state.reopen(issue)
    state.touch(issue)
    return ApiResponse(200, ctx.render.issue(issue))


# ---------------------------------------------------------------------------- issue labels


def _label_list(ctx: Ctx, issue: Issue) -> list[dict[str, Any]]:
    return [ctx.render.label(label) for label in ctx.state.labels_of(issue)]


def _label_names_from_body(ctx: Ctx) -> list[str]:
    raw = ctx.request.body
    if isinstance(raw, dict):
        raw = raw.get("labels", [])
    return names_of(raw)


def list_issue_labels(ctx: Ctx) -> ApiResponse:
    return ctx.page(_label_list(ctx, issue_or_404(ctx)))


def add_issue_labels(ctx: Ctx) -> ApiResponse:
    issue = issue_or_404(ctx)
    ctx.state.add_labels(issue, _label_names_from_body(ctx))
    return ApiResponse(200, _label_list(ctx, issue))


def set_issue_labels(ctx: Ctx) -> ApiResponse:
    issue = issue_or_404(ctx)
    ctx.state.set_labels(issue, _label_names_from_body(ctx))
    return ApiResponse(200, _label_list(ctx, issue))


def clear_issue_labels(ctx: Ctx) -> ApiResponse:
    issue = issue_or_404(ctx)
    ctx.state.set_labels(issue, [])
    return ApiResponse(204)


def remove_issue_label(ctx: Ctx) -> ApiResponse:
    issue = issue_or_404(ctx)
    label = ctx.state.label(ctx.request.params["name"])
    if label is None or label.id not in issue.label_ids:
        raise ApiError(404, "Label does not exist", documentation_url=DOCS)
    issue.label_ids.remove(label.id)
    ctx.state.touch(issue)
    return ApiResponse(200, _label_list(ctx, issue))


# ---------------------------------------------------------------------------- assignees


def add_assignees(ctx: Ctx) -> ApiResponse:
    """Like GitHub, logins that cannot be assigned are silently ignored here (no 422)."""
    issue = issue_or_404(ctx)
    copilot.assign(ctx, issue)
    for login in names_of(ctx.body.get("assignees"), "login"):
        user = ctx.state.user(login)
        if (
            user
            and user.can_be_assigned
            and user.login not in issue.assignees
            and len(issue.assignees) < 10
        ):
            issue.assignees.append(user.login)
    ctx.state.touch(issue)
    return ApiResponse(201, ctx.render.issue(issue))


def remove_assignees(ctx: Ctx) -> ApiResponse:
    issue = issue_or_404(ctx)
    gone = {login.lower() for login in names_of(ctx.body.get("assignees"), "login")}
    issue.assignees = [login for login in issue.assignees if login.lower() not in gone]
    ctx.state.touch(issue)
    return ApiResponse(200, ctx.render.issue(issue))


def _assignable(ctx: Ctx, login: str) -> ApiResponse:
    user = ctx.state.user(login)
    if user is None or not user.can_be_assigned:
        raise not_found()
    return ApiResponse(204)


def check_assignee(ctx: Ctx) -> ApiResponse:
    return _assignable(ctx, ctx.request.params["assignee"])


def check_issue_assignee(ctx: Ctx) -> ApiResponse:
    issue_or_404(ctx)
    return _assignable(ctx, ctx.request.params["assignee"])


def list_assignees(ctx: Ctx) -> ApiResponse:
    users = sorted(
        (u for u in ctx.state.users.values() if u.can_be_assigned and u.type == "User"),
        key=lambda u: u.id,
    )
    return ctx.page([ctx.render.user(u.login) for u in users])
