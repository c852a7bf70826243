"""Handlers: repository, users, rate limit, labels, permissions and workflows."""

from __future__ import annotations

import re
from typing import Any

from .api import ApiError, ApiResponse, Ctx, not_found, validation_failed
from .models import Label, iso, node_id

LABEL_NAME_MAX = 50
LABEL_DESCRIPTION_MAX = 100
_COLOR = re.compile(r"^[0-9a-fA-F]{6}$")
DOC_LABEL = "https://docs.github.com/rest/issues/labels#create-a-label"
#: The labels GitHub creates in a new repository (``default_labels=True``).
DEFAULT_LABELS = (
    ("bug", "d73a4a", "Something isn't working"),
    ("documentation", "0075ca", "Improvements or additions to documentation"),
    ("duplicate", "cfd3d7", "This issue or pull request already exists"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("good first issue", "7057ff", "Good for newcomers"),
    ("help wanted", "008672", "Extra attention is needed"),
    ("invalid", "e4e669", "This doesn't seem right"),
    ("question", "d876e3", "Further information is requested"),
    ("wontfix", "ffffff", "This will not be worked on"),
)


# ---------------------------------------------------------------------------- repository & users


def get_repo(ctx: Ctx) -> ApiResponse:
    return ApiResponse(200, ctx.render.repository())


def get_authenticated_user(ctx: Ctx) -> ApiResponse:
    return ApiResponse(200, ctx.render.private_user(ctx.request.actor.login))


def get_user(ctx: Ctx) -> ApiResponse:
    user = ctx.state.user(ctx.request.params["username"])
    if user is None:
        raise not_found()
    return ApiResponse(200, ctx.render.public_user(user.login))


def rate_limit(ctx: Ctx) -> ApiResponse:
    r = ctx.state.rate
    core = {"limit": r.limit, "remaining": r.remaining, "reset": r.reset, "used": r.used}
    other = {"limit": 30, "remaining": 30, "reset": r.reset, "used": 0}
    graphql = {"limit": 5000, "remaining": 5000, "reset": r.reset, "used": 0}
    body = {"resources": {"core": core, "search": other, "graphql": graphql}, "rate": core}
    return ApiResponse(200, body)


def collaborator_permission(ctx: Ctx) -> ApiResponse:
    user = ctx.state.user(ctx.request.params["username"])
    if user is None or user.type != "User":
        raise ApiError(404, f"{ctx.request.params['username']} is not a user")
    return ApiResponse(200, ctx.render.permission(user))


# ---------------------------------------------------------------------------- labels


def _label_or_404(ctx: Ctx) -> Label:
    label = ctx.state.label(ctx.request.params["name"])
    if label is None:
        raise not_found()
    return label


def _check_label(
    ctx: Ctx, name: str | None, color: str | None, description: str | None, *, skip: Label | None
) -> None:
    errors: list[dict[str, Any]] = []
    if name is not None:
        if not name.strip():
            errors.append({"resource": "Label", "code": "missing_field", "field": "name"})
        elif len(name) > LABEL_NAME_MAX:
            errors.append(
                {
                    "resource": "Label",
                    "code": "custom",
                    "field": "name",
                    "message": f"name is too long (maximum is {LABEL_NAME_MAX} characters)",
                }
            )
        else:
            existing = ctx.state.label(name)
            if existing is not None and existing is not skip:
                errors.append({"resource": "Label", "code": "already_exists", "field": "name"})
    if color is not None and not _COLOR.match(color.lstrip("#")):
        errors.append({"resource": "Label", "code": "invalid", "field": "color"})
    if description is not None and len(description) > LABEL_DESCRIPTION_MAX:
        errors.append(
            {
                "resource": "Label",
                "code": "custom",
                "field": "description",
                "message": f"description is too long "
                f"(maximum is {LABEL_DESCRIPTION_MAX} characters)",
            }
        )
    if errors:
        raise validation_failed(*errors, doc=DOC_LABEL)


def list_labels(ctx: Ctx) -> ApiResponse:
    labels = sorted(ctx.state.labels.values(), key=lambda label: label.id)
    return ctx.page([ctx.render.label(label) for label in labels])


def create_label(ctx: Ctx) -> ApiResponse:
    body = ctx.body
    name = body.get("name")
    if not isinstance(name, str):
        raise validation_failed(
            {"resource": "Label", "code": "missing_field", "field": "name"}, doc=DOC_LABEL
        )
    color, description = body.get("color"), body.get("description")
    _check_label(ctx, name, color, description, skip=None)
    label = ctx.state.create_label(name, color or "ededed", description or None)
    out = ctx.render.label(label)
    return ApiResponse(201, out, {"Location": out["url"]})


def get_label(ctx: Ctx) -> ApiResponse:
    return ApiResponse(200, ctx.render.label(_label_or_404(ctx)))


def edit_label(ctx: Ctx) -> ApiResponse:
    label = _label_or_404(ctx)
    body = ctx.body
    new_name = body.get("new_name", body.get("name"))
    _check_label(ctx, new_name, body.get("color"), body.get("description"), skip=label)
    if new_name is not None:
        label.name = new_name
    if body.get("color") is not None:
        label.color = str(body["color"]).lstrip("#").lower()
    if "description" in body:
        label.description = body["description"] or None
    return ApiResponse(200, ctx.render.label(label))


def delete_label(ctx: Ctx) -> ApiResponse:
    ctx.state.delete_label(_label_or_404(ctx))
    return ApiResponse(204)


# ---------------------------------------------------------------------------- workflows


def _workflow(ctx: Ctx) -> tuple[str, int]:
    key = ctx.request.params["workflow_id"]
    for name, workflow_id in ctx.state.workflows.items():
        if key in (name, str(workflow_id)):
            return name, workflow_id
    raise not_found()


def get_workflow(ctx: Ctx) -> ApiResponse:
    name, workflow_id = _workflow(ctx)
    created = iso(ctx.state.created_at)
    path = f".github/workflows/{name}"
    repo_web = ctx.render.repo_web
    return ApiResponse(
        200,
        {
            "id": workflow_id,
            "node_id": node_id("W", workflow_id),
            "name": name.rsplit(".", 1)[0],
            "path": path,
            "state": "active",
            "created_at": created,
            "updated_at": created,
            "url": f"{ctx.render.repo_api}/actions/workflows/{workflow_id}",
            "html_url": f"{repo_web}/blob/main/{path}",
            "badge_url": f"{repo_web}/workflows/{name}/badge.svg",
        },
    )


def dispatch_workflow(ctx: Ctx) -> ApiResponse:
    name, _ = _workflow(ctx)
    body = ctx.body
    ref = body.get("ref")
    if not isinstance(ref, str) or not ref:
        raise validation_failed(
            {"resource": "WorkflowDispatch", "code": "missing_field", "field": "ref"}
        )
    inputs = body.get("inputs") or {}
    if not isinstance(inputs, dict) or len(inputs) > 25:
        raise ApiError(
            422,
            "Invalid request.\n\nFor 'properties/inputs', "
            "the value is not an object of at most 25 properties.",
        )
    dispatch = ctx.state.record_dispatch(name, ref, dict(inputs))
    if body.get("return_run_details") is True:
        run_api = f"{ctx.render.repo_api}/actions/runs/{dispatch.run_id}"
        return ApiResponse(
            200,
            {
                "workflow_run_id": dispatch.run_id,
                "run_url": run_api,
                "html_url": f"{ctx.render.repo_web}/actions/runs/{dispatch.run_id}",
            },
        )
    return ApiResponse(204)
