"""Handlers: comments, sub-issues and issue dependencies ("blocked by").

Native relations take the issue's numeric ``id`` (``sub_issue_id``, ``issue_id``), never its
``number``; an id that names no issue answers 404 here.
"""

from __future__ import annotations

from typing import Any

from .api import ApiError, ApiResponse, Ctx, int_param, not_found, validation_failed
from .h_issues import BODY_MAX, issue_or_404
from .models import Comment, Issue

MAX_SUB_ISSUES = 100
MAX_DEPENDENCIES = 50
DOC_SUB = "https://docs.github.com/rest/issues/sub-issues#add-sub-issue"
DOC_DEP = (
    "https://docs.github.com/rest/issues/issue-dependencies#add-a-dependency-an-issue-is-blocked-by"
)


def _id_from_body(ctx: Ctx, key: str, doc: str) -> Issue:
    value = ctx.body.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise validation_failed(
            {
                "resource": "Issue",
                "code": "missing_field" if value is None else "invalid",
                "field": key,
            },
            doc=doc,
        )
    issue = ctx.state.issue_by_id(value)
    if issue is None:
        raise not_found()
    return issue


# ---------------------------------------------------------------------------- comments


def _comment_or_404(ctx: Ctx) -> Comment:
    comment = ctx.state.comments.get(int_param(ctx.request, "comment_id"))
    if comment is None:
        raise not_found()
    return comment


def _comment_body(ctx: Ctx) -> str:
    body = ctx.body.get("body")
    if not isinstance(body, str) or not body.strip():
        raise validation_failed(
            {"resource": "IssueComment", "code": "missing_field", "field": "body"}
        )
    if len(body) > BODY_MAX:
        raise validation_failed(
            {
                "resource": "IssueComment",
                "code": "custom",
                "field": "body",
                "message": f"body is too long (maximum is {BODY_MAX} characters)",
            }
        )
    return body


def list_comments(ctx: Ctx) -> ApiResponse:
    issue = issue_or_404(ctx)
    comments = ctx.state.comments_of(issue.number)
    since = ctx.request.query.get("since")
    if since:
        comments = [c for c in comments if (c.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ") >= since)]
    return ctx.page([ctx.render.comment(c) for c in comments])


def create_comment(ctx: Ctx) -> ApiResponse:
    issue = issue_or_404(ctx)
    comment = ctx.state.add_comment(issue.number, _comment_body(ctx), user=ctx.request.actor.login)
    out = ctx.render.comment(comment)
    return ApiResponse(201, out, {"Location": out["url"]})


def get_comment(ctx: Ctx) -> ApiResponse:
    return ApiResponse(200, ctx.render.comment(_comment_or_404(ctx)))


def edit_comment(ctx: Ctx) -> ApiResponse:
    comment = _comment_or_404(ctx)
    comment.body = _comment_body(ctx)
    comment.updated_at = ctx.state.now()
    return ApiResponse(200, ctx.render.comment(comment))


def delete_comment(ctx: Ctx) -> ApiResponse:
    comment = _comment_or_404(ctx)
    del ctx.state.comments[comment.id]
    return ApiResponse(204)


# ---------------------------------------------------------------------------- sub-issues


def list_sub_issues(ctx: Ctx) -> ApiResponse:
    parent = issue_or_404(ctx)
    children = [ctx.state.issues[n] for n in parent.children if n in ctx.state.issues]
    return ctx.page([ctx.render.issue(child, full=False) for child in children])


def add_sub_issue(ctx: Ctx) -> ApiResponse:
    """Answers the parent issue (the one in the URL), with its updated ``sub_issues_summary``."""
    parent = issue_or_404(ctx)
    child = _id_from_body(ctx, "sub_issue_id", DOC_SUB)
    replace = ctx.body.get("replace_parent") is True

    def fail(message: str) -> ApiError:
        return validation_failed(
            {"resource": "Issue", "code": "custom", "field": "sub_issue_id", "message": message},
            doc=DOC_SUB,
        )

    if child.number == parent.number:
        raise fail("Sub issue cannot be the same as the parent issue")
    if child.number in parent.children:
        raise fail("Issue may not contain duplicate sub-issues")
    if child.parent is not None and not replace:
        raise fail("Sub issue may only have one parent")
    ancestor = parent.parent
    while ancestor is not None:
        if ancestor == child.number:
            raise fail("Sub issue cannot be an ancestor of the parent issue")
        ancestor = ctx.state.issues[ancestor].parent if ancestor in ctx.state.issues else None
    if len(parent.children) >= MAX_SUB_ISSUES:
        raise fail(f"Parent issue cannot have more than {MAX_SUB_ISSUES} sub-issues")
    ctx.state.link_sub_issue(parent, child)
    out = ctx.render.issue(parent)
    return ApiResponse(201, out, {"Location": f"{out['url']}/sub_issues"})


def remove_sub_issue(ctx: Ctx) -> ApiResponse:
    parent = issue_or_404(ctx)
    child = _id_from_body(ctx, "sub_issue_id", DOC_SUB)
    if child.number not in parent.children:
        raise not_found()
    ctx.state.unlink_sub_issue(parent, child)
    out = ctx.render.issue(parent)
    return ApiResponse(200, out, {"Location": f"{out['url']}/sub_issue"})


def reprioritize_sub_issue(ctx: Ctx) -> ApiResponse:
    parent = issue_or_404(ctx)
    child = _id_from_body(ctx, "sub_issue_id", DOC_SUB)
    if child.number not in parent.children:
        raise not_found()
    order = [n for n in parent.children if n != child.number]
    body: dict[str, Any] = ctx.body
    anchor_id = body.get("after_id") if body.get("after_id") is not None else body.get("before_id")
    anchor = ctx.state.issue_by_id(anchor_id) if isinstance(anchor_id, int) else None
    if anchor_id is not None and (anchor is None or anchor.number not in order):
        raise validation_failed({"resource": "Issue", "code": "invalid", "field": "after_id"})
    if anchor is None:
        order.insert(0, child.number)
    else:
        at = order.index(anchor.number) + (1 if body.get("after_id") is not None else 0)
        order.insert(at, child.number)
    parent.children = order
    ctx.state.touch(parent)
    return ApiResponse(200, ctx.render.issue(parent))


def get_parent(ctx: Ctx) -> ApiResponse:
    child = issue_or_404(ctx)
    if child.parent is None or child.parent not in ctx.state.issues:
        raise not_found()
    return ApiResponse(200, ctx.render.issue(ctx.state.issues[child.parent]))


# ---------------------------------------------------------------------------- dependencies


def list_blocked_by(ctx: Ctx) -> ApiResponse:
    issue = issue_or_404(ctx)
    blockers = [ctx.state.issues[n] for n in issue.blocked_by if n in ctx.state.issues]
    return ctx.page([ctx.render.issue(b, full=False) for b in blockers])


def list_blocking(ctx: Ctx) -> ApiResponse:
    issue = issue_or_404(ctx)
    return ctx.page([ctx.render.issue(b, full=False) for b in ctx.state.blocking(issue.number)])


def add_blocked_by(ctx: Ctx) -> ApiResponse:
    """Answers the blocked issue (the one in the URL), with its ``issue_dependencies_summary``."""
    issue = issue_or_404(ctx)
    blocker = _id_from_body(ctx, "issue_id", DOC_DEP)

    def fail(message: str) -> ApiError:
        return validation_failed(
            {"resource": "Issue", "code": "custom", "field": "issue_id", "message": message},
            doc=DOC_DEP,
        )

    if blocker.number == issue.number:
        raise fail("An issue cannot be blocked by itself")
    if blocker.number in issue.blocked_by:
        raise fail("Issue is already blocked by this issue")
    if len(issue.blocked_by) >= MAX_DEPENDENCIES:
        raise fail(f"An issue cannot be blocked by more than {MAX_DEPENDENCIES} issues")
    if len(ctx.state.blocking(blocker.number)) >= MAX_DEPENDENCIES:
        raise fail(f"An issue cannot block more than {MAX_DEPENDENCIES} issues")
    if blocker.pull is not None or issue.pull is not None:
        raise fail("Issue dependencies can only be created between issues, not pull requests")
    issue.blocked_by.append(blocker.number)
    ctx.state.touch(issue)
    out = ctx.render.issue(issue)
    return ApiResponse(201, out, {"Location": f"{out['url']}/dependencies/blocked_by"})


def remove_blocked_by(ctx: Ctx) -> ApiResponse:
    issue = issue_or_404(ctx)
    blocker = ctx.state.issue_by_id(int_param(ctx.request, "issue_id"))
    if blocker is None or blocker.number not in issue.blocked_by:
        raise not_found()
    issue.blocked_by.remove(blocker.number)
    ctx.state.touch(issue)
    return ApiResponse(200, ctx.render.issue(issue))
