"""Workflow artifacts: read one, and download its zip as GitHub does, through a redirect.

``GET .../actions/artifacts/{id}/zip`` answers 302 to a blob URL on another host name
(``localhost`` for the server's ``127.0.0.1``), as GitHub sends to its storage: a client must
follow it without the token. The blob itself is served by :func:`blob`, outside the API.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from .api import ApiError, ApiResponse, Ctx, not_found
from .models import GitHubState, iso, node_id

BLOBS = "/_blobs/artifacts/"


@dataclass
class Artifact:
    id: int
    name: str
    zipped: bytes
    run_id: int
    head_branch: str
    expired: bool = False

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.zipped).hexdigest()


def add_artifact(
    state: GitHubState,
    name: str,
    files: dict[str, bytes],
    *,
    run_id: int = 0,
    head_branch: str = "main",
) -> Artifact:
    """An artifact as upload-artifact leaves it: ``files`` zipped, under a new id."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    with state.lock:
        artifacts: dict[int, Artifact] = state.artifacts
        artifact = Artifact(
            4_200_000_000 + len(artifacts), name, buffer.getvalue(), run_id or 1, head_branch
        )
        artifacts[artifact.id] = artifact
    return artifact


def _artifact(ctx: Ctx) -> Artifact:
    try:
        found: Artifact | None = ctx.state.artifacts.get(int(ctx.request.params["artifact_id"]))
    except ValueError:
        found = None
    if found is None:
        raise not_found()
    return found


def get_artifact(ctx: Ctx) -> ApiResponse:
    a = _artifact(ctx)
    created = ctx.state.now()
    url = f"{ctx.render.repo_api}/actions/artifacts/{a.id}"
    body: dict[str, Any] = {
        "id": a.id,
        "node_id": node_id("AR", a.id),
        "name": a.name,
        "size_in_bytes": len(a.zipped),
        "url": url,
        "archive_download_url": url + "/zip",
        "expired": a.expired,
        "created_at": iso(created),
        "expires_at": iso(created + timedelta(days=30)),
        "updated_at": iso(created),
        "digest": a.digest,
        "workflow_run": {
            "id": a.run_id,
            "repository_id": ctx.state.repo_id,
            "head_repository_id": ctx.state.repo_id,
            "head_branch": a.head_branch,
            "head_sha": "0" * 40,
        },
    }
    return ApiResponse(200, body)


def download_artifact(ctx: Ctx) -> ApiResponse:
    a = _artifact(ctx)
    if ctx.request.params["archive_format"] != "zip":
        raise not_found()
    if a.expired:
        raise ApiError(410, "Artifact has expired")
    web = ctx.request.web_root.replace("://127.0.0.1:", "://localhost:", 1)
    return ApiResponse(302, None, {"Location": f"{web}{BLOBS}{a.id}.zip?sig=signed"})


def blob(state: GitHubState, path: str) -> bytes | None:
    """The zip a blob URL names, or None."""
    name = path[len(BLOBS) :].removesuffix(".zip")
    with state.lock:
        found: Artifact | None = state.artifacts.get(int(name)) if name.isdigit() else None
    return None if found is None else found.zipped
