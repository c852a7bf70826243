"""Handlers: a workflow run's artifacts (listed, read, and downloaded through a redirect).

``GET .../actions/artifacts/{id}/zip`` answers 302 to a blob URL outside the API, as GitHub sends
to its storage: a client must follow it without the token (the server reports one sent).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .api import ApiResponse, Ctx, not_found
from .artifacts import BLOB_PREFIX, StoredArtifact
from .models import iso, node_id

RETENTION = timedelta(days=30)


def _render(ctx: Ctx, artifact: StoredArtifact) -> dict[str, Any]:
    url = f"{ctx.render.repo_api}/actions/artifacts/{artifact.id}"
    return {
        "id": artifact.id,
        "node_id": node_id("A", artifact.id),
        "name": artifact.name,
        "size_in_bytes": artifact.size,
        "url": url,
        "archive_download_url": f"{url}/zip",
        "expired": False,
        "digest": artifact.digest,
        "created_at": iso(artifact.created_at),
        "updated_at": iso(artifact.created_at),
        "expires_at": iso(artifact.created_at + RETENTION),
        "workflow_run": {
            "id": artifact.run_id,
            "repository_id": ctx.state.repo_id,
            "head_repository_id": ctx.state.repo_id,
            "head_branch": "main",
            "head_sha": "0" * 40,
        },
    }


def list_run_artifacts(ctx: Ctx) -> ApiResponse:
    store = ctx.state.artifacts
    found = store.of_run(int(ctx.request.params["run_id"])) if store is not None else []
    per_page = min(int(ctx.request.query.get("per_page", "30")), 100)
    page = max(int(ctx.request.query.get("page", "1")), 1)
    shown = found[(page - 1) * per_page : page * per_page]
    body = {"total_count": len(found), "artifacts": [_render(ctx, a) for a in shown]}
    return ApiResponse(200, body)


def _artifact(ctx: Ctx) -> StoredArtifact:
    store = ctx.state.artifacts
    raw_id = ctx.request.params["artifact_id"]
    artifact = store.get(int(raw_id)) if store is not None and raw_id.isdigit() else None
    if artifact is None:
        raise not_found()
    return artifact


def get_artifact(ctx: Ctx) -> ApiResponse:
    return ApiResponse(200, _render(ctx, _artifact(ctx)))


def download_artifact(ctx: Ctx) -> ApiResponse:
    artifact = _artifact(ctx)
    if ctx.request.params["archive_format"] != "zip":
        raise not_found()
    location = f"{ctx.request.web_root}{BLOB_PREFIX}{artifact.id}"
    # no JSON body, as GitHub answers a redirect (a client would parse an empty JSON one)
    return ApiResponse(
        302, None, {"Location": location, "Content-Type": "text/html; charset=utf-8"}
    )
