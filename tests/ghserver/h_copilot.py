"""The Copilot coding agent on the test server: assignment through REST and the GraphQL check.

``state.copilot`` (a :class:`CopilotSettings`) says whether Copilot is enabled; when it is, the
GraphQL query ``suggestedActors(capabilities: [CAN_BE_ASSIGNED])`` lists ``copilot-swe-agent``
for a user with write access, and "Add assignees to an issue" with ``copilot-swe-agent[bot]``
and an ``agent_assignment`` assigns the bot ``Copilot`` and records the payload in
``state.copilot.assignments``. The payload is checked against the documented shape
(``tests/data/github/copilot-assignment.schema.json``); a mismatch is a 422 and a recorded
validation problem. As on GitHub, an installation token (the Actions bot) cannot assign Copilot:
the assignee is silently dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from .api import ApiError, ApiResponse, Ctx
from .models import Issue, node_id

ASSIGNEE = "copilot-swe-agent[bot]"
BOT = "Copilot"
ACTOR = "copilot-swe-agent"
SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[1] / "data" / "github" / "copilot-assignment.schema.json"
    ).read_text(encoding="utf-8")
)


@dataclass
class Assignment:
    issue: int
    actor: str
    body: dict[str, Any]


@dataclass
class CopilotSettings:
    enabled: bool = False
    assignments: list[Assignment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def problems_of(body: Any) -> list[str]:
    validator = Draft202012Validator(SCHEMA)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(body)]


def assign(ctx: Ctx, issue: Issue) -> bool:
    """Handle Copilot in an "Add assignees" body; True when the request named Copilot."""
    body = ctx.body
    logins = [str(a) for a in body.get("assignees") or [] if isinstance(a, str)]
    if ASSIGNEE not in logins and "agent_assignment" not in body:
        return False
    problems = problems_of(body)
    settings: CopilotSettings = ctx.state.copilot
    if problems:
        settings.problems.extend(problems)
        raise ApiError(422, "Invalid request.\n\n" + "\n".join(problems))
    actor = ctx.request.actor
    settings.assignments.append(Assignment(issue.number, actor.login, body))
    user_token = actor.login.lower() != ctx.state.bot_login.lower() and actor.can_push
    if settings.enabled and user_token and BOT not in issue.assignees:
        issue.assignees.append(BOT)
    return True


def graphql(ctx: Ctx) -> ApiResponse:
    """Only the documented ``suggestedActors`` query is understood."""
    body = ctx.body if isinstance(ctx.body, dict) else {}
    query = str(body.get("query") or "")
    variables = body.get("variables") or {}
    if "suggestedActors" not in query:
        return ApiResponse(
            200,
            {"errors": [{"message": "this test server answers only the suggestedActors query"}]},
        )
    state = ctx.state
    if (str(variables.get("owner", "")).lower(), str(variables.get("name", "")).lower()) != (
        state.owner.lower(),
        state.repo.lower(),
    ):
        return ApiResponse(
            200,
            {
                "data": {"repository": None},
                "errors": [{"type": "NOT_FOUND", "message": "Could not resolve to a Repository"}],
            },
        )
    nodes: list[dict[str, Any]] = []
    actor = ctx.request.actor
    if state.copilot.enabled and actor.can_push and actor.login != state.bot_login:
        nodes.append({"login": ACTOR, "__typename": "Bot", "id": node_id("BOT", 198982749)})
    for user in sorted(state.users.values(), key=lambda u: u.id):
        if user.type == "User" and user.can_be_assigned:
            nodes.append({"login": user.login, "__typename": "User", "id": user.node_id})
    return ApiResponse(200, {"data": {"repository": {"suggestedActors": {"nodes": nodes}}}})


def open_pull(state: Any, issue: int, files: dict[str, bytes], *, title: str | None = None) -> int:
    """What Copilot does once assigned: a branch with one commit and a draft pull request whose
    body says ``Fixes #<issue>``. Returns the pull request's number."""
    from .git import Signature
    from .models import PullInfo

    with state.lock:
        git = state.git
        base = git.branch(git.default_branch)
        blobs = {path: ("100644", git.put_blob(data)) for path, data in files.items()}
        tree = git.write_tree({**git.files_of(base), **blobs})
        author = Signature(BOT, "198982749+Copilot@users.noreply.github.com", state.now())
        made = git.commit(tree, (base,), f"Work on #{issue}", author)
        branch = f"copilot/fix-{issue}"
        git.set_branch(branch, made.sha)
        pull = state.create_issue(
            title or f"[WIP] Fix #{issue}",
            f"Copilot's work on the task.\n\nFixes #{issue}",
            user=BOT,
            pull=PullInfo(head=branch, base=git.default_branch, draft=True),
        )
        return int(pull.number)


def enable(state: Any) -> None:
    """Copilot coding agent enabled for the repository (and its bot user present)."""
    with state.lock:
        state.copilot.enabled = True
        if state.user(BOT) is None:
            state.add_user(BOT, "write", type_="Bot")
