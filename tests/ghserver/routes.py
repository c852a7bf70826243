"""The route table: (method, OpenAPI path template) -> handler.

Templates are spelled exactly as in GitHub's OpenAPI description so that each response can be
validated against the operation it answers.  Path parameters match one segment, except label
names and git refs, which match the rest of the path: PyGithub's ``Issue.remove_from_labels``
quotes names with ``/`` left as is, so a label ``area/x`` arrives as ``.../labels/area/x``, and
``Repository.get_git_ref("heads/a/b")`` asks for ``.../git/ref/heads/a/b``.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from . import h_actions as actions
from . import h_events as events
from . import h_git as git
from . import h_issues as issues
from . import h_pulls as pulls
from . import h_relations as rel
from . import h_repo as repo
from . import h_types as types
from .api import ApiResponse, Ctx

Handler = Callable[[Ctx], ApiResponse]

_R = "/repos/{owner}/{repo}"
_I = _R + "/issues/{issue_number}"
_GREEDY = {"name", "ref"}

ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/user", repo.get_authenticated_user),
    ("GET", "/users/{username}", repo.get_user),
    ("GET", "/rate_limit", repo.rate_limit),
    ("GET", _R, repo.get_repo),
    ("GET", _R + "/labels", repo.list_labels),
    ("POST", _R + "/labels", repo.create_label),
    ("GET", _R + "/labels/{name}", repo.get_label),
    ("PATCH", _R + "/labels/{name}", repo.edit_label),
    ("DELETE", _R + "/labels/{name}", repo.delete_label),
    ("GET", _R + "/issue-types", types.list_issue_types),
    ("GET", _R + "/issues", issues.list_issues),
    ("POST", _R + "/issues", issues.create_issue),
    ("GET", _R + "/issues/comments/{comment_id}", rel.get_comment),
    ("PATCH", _R + "/issues/comments/{comment_id}", rel.edit_comment),
    ("DELETE", _R + "/issues/comments/{comment_id}", rel.delete_comment),
    ("GET", _I, issues.get_issue),
    ("PATCH", _I, issues.edit_issue),
    ("GET", _I + "/labels", issues.list_issue_labels),
    ("POST", _I + "/labels", issues.add_issue_labels),
    ("PUT", _I + "/labels", issues.set_issue_labels),
    ("DELETE", _I + "/labels", issues.clear_issue_labels),
    ("DELETE", _I + "/labels/{name}", issues.remove_issue_label),
    ("POST", _I + "/assignees", issues.add_assignees),
    ("DELETE", _I + "/assignees", issues.remove_assignees),
    ("GET", _I + "/assignees/{assignee}", issues.check_issue_assignee),
    ("GET", _R + "/assignees", issues.list_assignees),
    ("GET", _R + "/assignees/{assignee}", issues.check_assignee),
    ("GET", _I + "/events", events.list_issue_events),
    ("GET", _I + "/comments", rel.list_comments),
    ("POST", _I + "/comments", rel.create_comment),
    ("GET", _I + "/sub_issues", rel.list_sub_issues),
    ("POST", _I + "/sub_issues", rel.add_sub_issue),
    ("DELETE", _I + "/sub_issue", rel.remove_sub_issue),
    ("PATCH", _I + "/sub_issues/priority", rel.reprioritize_sub_issue),
    ("GET", _I + "/parent", rel.get_parent),
    ("GET", _I + "/dependencies/blocked_by", rel.list_blocked_by),
    ("POST", _I + "/dependencies/blocked_by", rel.add_blocked_by),
    ("DELETE", _I + "/dependencies/blocked_by/{issue_id}", rel.remove_blocked_by),
    ("GET", _I + "/dependencies/blocking", rel.list_blocking),
    ("GET", _R + "/collaborators/{username}/permission", repo.collaborator_permission),
    ("GET", _R + "/actions/workflows/{workflow_id}", repo.get_workflow),
    ("POST", _R + "/actions/workflows/{workflow_id}/dispatches", repo.dispatch_workflow),
    ("GET", _R + "/actions/runs/{run_id}/artifacts", actions.list_run_artifacts),
    ("GET", _R + "/actions/artifacts/{artifact_id}", actions.get_artifact),
    ("GET", _R + "/actions/artifacts/{artifact_id}/{archive_format}", actions.download_artifact),
    ("GET", _R + "/pulls", pulls.list_pulls),
    ("POST", _R + "/pulls", pulls.create_pull),
    ("GET", _R + "/pulls/{pull_number}", pulls.get_pull),
    ("PATCH", _R + "/pulls/{pull_number}", pulls.edit_pull),
    ("PUT", _R + "/pulls/{pull_number}/merge", pulls.merge_pull),
    ("GET", _R + "/git/ref/{ref}", git.get_ref),
    ("POST", _R + "/git/refs", git.create_ref),
    ("PATCH", _R + "/git/refs/{ref}", git.update_ref),
    ("DELETE", _R + "/git/refs/{ref}", git.delete_ref),
    ("POST", _R + "/git/trees", git.create_tree),
    ("POST", _R + "/git/commits", git.create_commit),
    ("GET", _R + "/git/commits/{commit_sha}", git.get_commit),
    ("POST", _R + "/git/blobs", git.create_blob),
)


@dataclass(frozen=True)
class Match:
    template: str
    handler: Handler
    params: dict[str, str]


def _compile(template: str) -> re.Pattern[str]:
    def group(m: re.Match[str]) -> str:
        name = m.group(1)
        return f"(?P<{name}>.+)" if name in _GREEDY else f"(?P<{name}>[^/]+)"

    return re.compile(
        "^"
        + re.sub(r"\{(\w+)\}", group, re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
        + "$"
    )


_TABLE: tuple[tuple[str, str, re.Pattern[str], Handler], ...] = tuple(
    (method, template, _compile(template), handler) for method, template, handler in ROUTES
)


class Router:
    """Finds the operation for a method and an (encoded) API path."""

    def __init__(self, owner: str, repo: str) -> None:
        self.owner = owner.lower()
        self.repo = repo.lower()

    def match(self, method: str, path: str) -> tuple[Match | None, bool]:
        """``(match, path_known)``: the route, and whether the path exists for another method."""
        known = False
        for route_method, template, pattern, handler in _TABLE:
            m = pattern.match(path)
            if m is None:
                continue
            params = {k: urllib.parse.unquote(v) for k, v in m.groupdict().items()}
            if "owner" in params and (params["owner"].lower(), params["repo"].lower()) != (
                self.owner,
                self.repo,
            ):
                continue
            if route_method != method:
                known = True
                continue
            return Match(template, handler, params), True
        return None, known

    @staticmethod
    def operations() -> set[tuple[str, str]]:
        return {(template, method) for method, template, _ in ROUTES}
