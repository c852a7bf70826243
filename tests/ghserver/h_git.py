"""Handlers: the Git Data API (refs, trees, commits, blobs) on the repository's ``GitStore``."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from typing import Any

from .api import ApiError, ApiResponse, Ctx, not_found
from .git import Commit, GitError, Signature
from .models import node_id

DOC_REFS = "https://docs.github.com/rest/git/refs"
DOC_TREES = "https://docs.github.com/rest/git/trees#create-a-tree"
DOC_COMMITS = "https://docs.github.com/rest/git/commits#create-a-commit"
DOC_BLOBS = "https://docs.github.com/rest/git/blobs#create-a-blob"
_BAD_REF = re.compile(r"(\.\.|@\{|//|[\x00-\x20~^:?*\[\\\x7f])|(^|/)\.|(\.lock|/|\.)$")


def _unprocessable(message: str, doc: str) -> ApiError:
    return ApiError(422, message, documentation_url=doc)


def object_node_id(prefix: str, sha: str) -> str:
    return node_id(prefix, int(sha[:12], 16))


# ---------------------------------------------------------------------------- rendering


def render_ref(ctx: Ctx, ref: str) -> dict[str, Any]:
    api = ctx.render.repo_api
    sha = ctx.state.git.refs[ref]
    return {
        "ref": ref,
        "node_id": object_node_id("REF", sha),
        "url": f"{api}/git/{ref}",
        "object": {"sha": sha, "type": "commit", "url": f"{api}/git/commits/{sha}"},
    }


def _person(signature: Signature) -> dict[str, Any]:
    date = signature.date.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"name": signature.name, "email": signature.email, "date": date}


def render_commit(ctx: Ctx, commit: Commit) -> dict[str, Any]:
    api, web = ctx.render.repo_api, ctx.render.repo_web
    return {
        "sha": commit.sha,
        "node_id": object_node_id("C", commit.sha),
        "url": f"{api}/git/commits/{commit.sha}",
        "html_url": f"{web}/commit/{commit.sha}",
        "author": _person(commit.author),
        "committer": _person(commit.committer),
        "message": commit.message,
        "tree": {"sha": commit.tree, "url": f"{api}/git/trees/{commit.tree}"},
        "parents": [
            {"sha": p, "url": f"{api}/git/commits/{p}", "html_url": f"{web}/commit/{p}"}
            for p in commit.parents
        ],
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": None,
        },
    }


def render_tree(ctx: Ctx, sha: str) -> dict[str, Any]:
    api = ctx.render.repo_api
    git = ctx.state.git
    entries: list[dict[str, Any]] = []
    for path, mode, kind, entry_sha in git.top_level(sha):
        entry: dict[str, Any] = {"path": path, "mode": mode, "type": kind, "sha": entry_sha}
        if kind == "blob":
            entry["size"] = len(git.blobs[entry_sha])
            entry["url"] = f"{api}/git/blobs/{entry_sha}"
        else:
            entry["url"] = f"{api}/git/trees/{entry_sha}"
        entries.append(entry)
    return {"sha": sha, "url": f"{api}/git/trees/{sha}", "tree": entries, "truncated": False}


def _created(body: dict[str, Any]) -> ApiResponse:
    return ApiResponse(201, body, {"Location": body["url"]})


# ---------------------------------------------------------------------------- refs


def _full_ref(ctx: Ctx) -> str:
    return "refs/" + ctx.request.params["ref"]


def get_ref(ctx: Ctx) -> ApiResponse:
    ref = _full_ref(ctx)
    if ref not in ctx.state.git.refs:
        raise not_found()
    return ApiResponse(200, render_ref(ctx, ref))


def _check_commit(ctx: Ctx, sha: Any) -> str:
    if not isinstance(sha, str) or sha not in ctx.state.git.commits:
        raise _unprocessable("Object does not exist", DOC_REFS)
    return sha


def create_ref(ctx: Ctx) -> ApiResponse:
    body = ctx.body
    ref = str(body.get("ref", ""))
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise _unprocessable(
            "Reference name must start with 'refs/' and have at least two slashes.", DOC_REFS
        )
    if _BAD_REF.search(ref[len("refs/") :]):
        raise _unprocessable(f"{ref} is not a valid ref name.", DOC_REFS)
    sha = _check_commit(ctx, body.get("sha"))
    git = ctx.state.git
    if ref in git.refs:
        raise _unprocessable("Reference already exists", DOC_REFS)
    git.refs[ref] = sha
    return _created(render_ref(ctx, ref))


def update_ref(ctx: Ctx) -> ApiResponse:
    ref = _full_ref(ctx)
    git = ctx.state.git
    if ref not in git.refs:
        raise _unprocessable("Reference does not exist", DOC_REFS)
    body = ctx.body
    sha = _check_commit(ctx, body.get("sha"))
    if body.get("force") is not True and git.refs[ref] not in git.ancestors(sha):
        raise _unprocessable("Update is not a fast forward", DOC_REFS)
    git.refs[ref] = sha
    return ApiResponse(200, render_ref(ctx, ref))


def delete_ref(ctx: Ctx) -> ApiResponse:
    ref = _full_ref(ctx)
    if ref not in ctx.state.git.refs:
        raise _unprocessable("Reference does not exist", DOC_REFS)
    del ctx.state.git.refs[ref]
    return ApiResponse(204, None)


# ---------------------------------------------------------------------------- trees, commits, blobs


def create_tree(ctx: Ctx) -> ApiResponse:
    body = ctx.body
    entries = body.get("tree")
    if not isinstance(entries, list):
        raise _unprocessable("Invalid tree info", DOC_TREES)
    base = body.get("base_tree")
    try:
        sha = ctx.state.git.make_tree(entries, str(base) if base else None)
    except GitError as error:
        raise _unprocessable(str(error), DOC_TREES) from None
    return _created(render_tree(ctx, sha))


def _signature(ctx: Ctx, given: Any, fallback: Signature | None) -> Signature:
    if isinstance(given, dict) and given.get("name") and given.get("email"):
        date = ctx.state.now()
        if given.get("date"):
            stamp = datetime.fromisoformat(str(given["date"]).replace("Z", "+00:00"))
            date = stamp.astimezone(UTC)
        return Signature(str(given["name"]), str(given["email"]), date)
    if fallback is not None:
        return fallback
    actor = ctx.request.actor
    email = f"{actor.id}+{actor.login}@users.noreply.github.com"
    return Signature(actor.login, email, ctx.state.now())


def create_commit(ctx: Ctx) -> ApiResponse:
    body = ctx.body
    author = _signature(ctx, body.get("author"), None)
    committer = _signature(ctx, body.get("committer"), author)
    try:
        commit = ctx.state.git.commit(
            str(body.get("tree", "")),
            [str(p) for p in body.get("parents") or []],
            str(body.get("message", "")),
            author,
            committer,
        )
    except GitError as error:
        raise _unprocessable(str(error), DOC_COMMITS) from None
    return _created(render_commit(ctx, commit))


def get_commit(ctx: Ctx) -> ApiResponse:
    commit = ctx.state.git.commits.get(ctx.request.params["commit_sha"])
    if commit is None:
        raise not_found()
    return ApiResponse(200, render_commit(ctx, commit))


def create_blob(ctx: Ctx) -> ApiResponse:
    body = ctx.body
    content, encoding = str(body.get("content", "")), body.get("encoding", "utf-8")
    if encoding == "utf-8":
        data = content.encode()
    elif encoding == "base64":
        try:
            data = base64.b64decode(content, validate=True)
        except binascii.Error:
            raise _unprocessable("content is not valid Base64", DOC_BLOBS) from None
    else:
        raise _unprocessable(f"encoding must be one of utf-8, base64; got {encoding}", DOC_BLOBS)
    sha = ctx.state.git.put_blob(data)
    return _created({"sha": sha, "url": f"{ctx.render.repo_api}/git/blobs/{sha}"})
