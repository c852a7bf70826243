"""Handlers: list the repository's issue types; read and set ``type`` on issue bodies."""

from __future__ import annotations

from typing import Any

from .api import ApiResponse, Ctx, validation_failed
from .issue_types import render_type
from .models import Issue

DOC_TYPES = "https://docs.github.com/rest/issues/issue-types"


def type_from_body(ctx: Ctx, body: dict[str, Any]) -> int | None:
    """The type id named by ``body["type"]``; None for no type (or a null one)."""
    name = body.get("type")
    if name is None:
        return None
    for t in ctx.state.issue_types:
        if t.name.lower() == str(name).lower():
            return t.id
    raise validation_failed(
        {"resource": "Issue", "code": "invalid", "field": "type", "value": name}, doc=DOC_TYPES
    )


def set_type(ctx: Ctx, issue: Issue, body: dict[str, Any]) -> None:
    if "type" in body:
        issue.type_id = type_from_body(ctx, body)


def list_issue_types(ctx: Ctx) -> ApiResponse:
    return ApiResponse(200, [render_type(ctx.state, t.id) for t in ctx.state.issue_types])
