"""``POST /graphql``: documents validated against GitHub's public schema, then executed.

The schema is ``tests/data/github/schema.graphql`` (``@octokit/graphql-schema``); a document
that does not parse or validate is answered like GitHub answers it (200, ``errors``, no
``data``) and recorded as a validation problem.  A valid one runs with graphql-core on the same
in-memory state as the REST handlers, so both APIs see the same issues.  Only the fields
missionkit reads are resolved (others resolve to null): ``repository`` (``id``, ``labels``),
``user``, ``viewer``, and the mutations ``createIssue``, ``createLabel`` and ``addSubIssue``.
Copilot's ``suggestedActors`` check, which the public schema lacks, is answered by
:mod:`h_copilot` unvalidated.  Mutations run in document order; ``limit`` (a ``partial``
fault) applies only the first ``limit`` of them and skips the rest.
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    build_schema,
    execute,
    parse,
    validate,
)

from . import h_copilot as copilot
from .api import ApiResponse, Ctx
from .h_relations import MAX_DEPENDENCIES, MAX_SUB_ISSUES
from .models import Issue, node_id

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "github" / "schema.graphql"
#: GitHub's addBlockedBy, published in its docs' schema, not yet in the npm package's
EXTENSION_PATH = SCHEMA_PATH.with_name("schema-blocked-by.graphql")
TITLE_MAX = 256
BODY_MAX = 65536


@functools.lru_cache(maxsize=1)
def schema() -> GraphQLSchema:
    # GitHub's published SDL repeats a few fields and deprecates some interface fields only on
    # their implementations: graphql-core refuses both unless told the SDL is GitHub's own.
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    text += "\n" + EXTENSION_PATH.read_text(encoding="utf-8")
    return build_schema(text, assume_valid=True, assume_valid_sdl=True)


class Failure(Exception):
    """A field that GitHub answers with an error: ``kind`` is GitHub's error ``type``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def operation(document: Any) -> OperationDefinitionNode | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition
    return None


def mutation_count(query: str) -> int:
    """How many top-level fields a mutation document has (0 for a query or bad text)."""
    try:
        op = operation(parse(query))
    except GraphQLError:
        return 0
    if op is None or op.operation != OperationType.MUTATION:
        return 0
    return len(op.selection_set.selections)


def problems(query: str) -> list[GraphQLError]:
    try:
        document = parse(query)
    except GraphQLError as error:
        return [error]
    return list(validate(schema(), document))


def _formatted(error: GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = {"message": error.message}
    original = error.original_error
    if isinstance(original, Failure):
        out["type"] = original.kind
    if error.path:
        out["path"] = list(error.path)
    if error.locations:
        out["locations"] = [{"line": x.line, "column": x.column} for x in error.locations]
    return out


def handle(ctx: Ctx, limit: int | None = None) -> tuple[ApiResponse, list[str]]:
    """The answer, and the validation problems of a document the schema refuses."""
    body = ctx.body
    query = str(body.get("query") or "")
    variables = body.get("variables") or {}
    if "suggestedActors" in query:
        # Copilot's documented check; not in the public schema (15.26.1) yet, so not validated
        return copilot.graphql(ctx), []
    found = problems(query)
    if found:
        shown = [f"GraphQL refused: {e.message}" for e in found]
        return ApiResponse(200, {"errors": [_formatted(e) for e in found]}), shown
    result = execute(
        schema(), parse(query), root_value=_Root(ctx, limit), variable_values=variables
    )
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [_formatted(e) for e in result.errors]
    return ApiResponse(200, out), []


# ---------------------------------------------------------------------------- reading


def connection(items: list[Any], first: int | None, after: str | None) -> dict[str, Any]:
    start = int(base64.b64decode(after).decode()) + 1 if after else 0
    size = min(first or 100, 100)
    chunk = items[start : start + size]
    end = start + len(chunk) - 1
    return {
        "nodes": chunk,
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": start + size < len(items),
            "endCursor": base64.b64encode(str(end).encode()).decode() if chunk else None,
            "hasPreviousPage": start > 0,
            "startCursor": base64.b64encode(str(start).encode()).decode() if chunk else None,
        },
    }


def issue_node(ctx: Ctx, issue: Issue) -> dict[str, Any]:
    state = ctx.state
    rest = ctx.render.issue(issue)
    parent = state.issues.get(issue.parent) if issue.parent is not None else None
    labels = [_label(x) for x in state.labels_of(issue)]
    users = [_user(u) for login in issue.assignees if (u := state.user(login)) is not None]
    return {
        "__typename": "Issue",
        "id": issue.node_id,
        "databaseId": issue.id if issue.id < 2**31 else None,  # GitHub's Int is 32-bit
        "fullDatabaseId": str(issue.id),  # BigInt: a string
        "number": issue.number,
        "title": issue.title,
        "body": issue.body or "",
        "url": rest["html_url"],
        "state": issue.state.upper(),
        "stateReason": issue.state_reason.upper() if issue.state_reason else None,
        "createdAt": rest["created_at"],
        "updatedAt": rest["updated_at"],
        "labels": lambda _info, first=None, after=None, **_: connection(labels, first, after),
        "assignees": lambda _info, first=None, after=None, **_: connection(users, first, after),
        "parent": issue_node(ctx, parent) if parent is not None else None,
        "subIssuesSummary": {"total": len(issue.children), "completed": 0, "percentCompleted": 0},
    }


def _label(label: Any) -> dict[str, Any]:
    return {
        "__typename": "Label",
        "id": label.node_id,
        "name": label.name,
        "color": label.color,
        "description": label.description,
    }


def _user(user: Any) -> dict[str, Any]:
    return {"__typename": "User", "id": user.node_id, "login": user.login}


class _Root:
    """Query and Mutation fields, resolved by graphql-core's default resolver."""

    def __init__(self, ctx: Ctx, limit: int | None) -> None:
        self.ctx = ctx
        self.limit = limit
        self.mutations = 0

    @property
    def repo_node_id(self) -> str:
        return node_id("R", self.ctx.state.repo_id)

    def repository(self, _info: Any, owner: str, name: str, **_: Any) -> dict[str, Any]:
        state = self.ctx.state
        if (owner.lower(), name.lower()) != (state.owner.lower(), state.repo.lower()):
            raise Failure("NOT_FOUND", f"Could not resolve to a Repository with the name '{name}'.")
        labels = [_label(x) for x in sorted(state.labels.values(), key=lambda x: x.name.lower())]
        return {
            "__typename": "Repository",
            "id": self.repo_node_id,
            "name": state.repo,
            "nameWithOwner": f"{state.owner}/{state.repo}",
            "labels": lambda _info, first=None, after=None, **_: connection(labels, first, after),
        }

    def user(self, _info: Any, login: str) -> dict[str, Any]:
        user = self.ctx.state.user(login)
        if user is None or user.type != "User":
            raise Failure("NOT_FOUND", f"Could not resolve to a User with the login of '{login}'.")
        return _user(user)

    def viewer(self, _info: Any) -> dict[str, Any]:
        return _user(self.ctx.request.actor)

    # -- mutations -------------------------------------------------------------------------
    def _admit(self) -> bool:
        """Count a mutation; False once a partial fault's limit is reached (then it is skipped)."""
        self.mutations += 1
        return self.limit is None or self.mutations <= self.limit

    def _repository(self, repository_id: str) -> None:
        if repository_id != self.repo_node_id:
            raise Failure(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{repository_id}'"
            )

    def _issue(self, global_id: str) -> Issue:
        for issue in self.ctx.state.issues.values():
            if issue.node_id == global_id and issue.pull is None:
                return issue
        raise Failure(
            "NOT_FOUND", f"Could not resolve to a node with the global id of '{global_id}'"
        )

    def createLabel(self, _info: Any, input: dict[str, Any]) -> dict[str, Any] | None:
        if not self._admit():
            return None
        self._repository(input["repositoryId"])
        state = self.ctx.state
        if not self.ctx.request.actor.can_push:
            raise Failure("FORBIDDEN", "Resource not accessible by integration")
        if state.label(input["name"]) is not None:
            raise Failure("UNPROCESSABLE", "Name has already been taken")
        made = state.create_label(input["name"], input["color"], input.get("description"))
        return {"label": _label(made), "clientMutationId": input.get("clientMutationId")}

    def createIssue(self, _info: Any, input: dict[str, Any]) -> dict[str, Any] | None:
        if not self._admit():
            return None
        self._repository(input["repositoryId"])
        state = self.ctx.state
        title, body = str(input["title"]), input.get("body")
        if not title.strip():
            raise Failure("UNPROCESSABLE", "Title can't be blank")
        if len(title) > TITLE_MAX or (isinstance(body, str) and len(body) > BODY_MAX):
            raise Failure("UNPROCESSABLE", "Title or body is too long")
        by_node = {x.node_id: x for x in state.labels.values()}
        labels = []
        for wanted in input.get("labelIds") or []:
            if wanted not in by_node:
                raise Failure(
                    "NOT_FOUND", f"Could not resolve to a node with the global id of '{wanted}'"
                )
            labels.append(by_node[wanted].name)
        users = {u.node_id: u for u in state.users.values()}
        assignees = []
        for wanted in input.get("assigneeIds") or []:
            if wanted not in users:
                raise Failure(
                    "NOT_FOUND", f"Could not resolve to a node with the global id of '{wanted}'"
                )
            if users[wanted].can_be_assigned:  # GitHub drops a login it cannot assign
                assignees.append(users[wanted].login)
        parent = self._issue(input["parentIssueId"]) if input.get("parentIssueId") else None
        if parent is not None and len(parent.children) >= MAX_SUB_ISSUES:
            raise Failure(
                "UNPROCESSABLE", f"Parent issue cannot have more than {MAX_SUB_ISSUES} sub-issues"
            )
        if not self.ctx.request.actor.can_push:  # like REST: silently dropped
            labels, assignees = [], []
        issue = state.create_issue(
            title, body, labels=labels, assignees=assignees, user=self.ctx.request.actor.login
        )
        if parent is not None:
            state.link_sub_issue(parent, issue)
        return {
            "issue": issue_node(self.ctx, issue),
            "clientMutationId": input.get("clientMutationId"),
        }

    def addBlockedBy(self, _info: Any, input: dict[str, Any]) -> dict[str, Any] | None:
        """As REST's ``POST …/dependencies/blocked_by``, with its limits and messages."""
        if not self._admit():
            return None
        issue = self._issue(input["issueId"])
        blocker = self._issue(input["blockingIssueId"])
        if blocker.number == issue.number:
            raise Failure("UNPROCESSABLE", "An issue cannot be blocked by itself")
        if blocker.number in issue.blocked_by:
            raise Failure("UNPROCESSABLE", "Issue is already blocked by this issue")
        if len(issue.blocked_by) >= MAX_DEPENDENCIES:
            raise Failure(
                "UNPROCESSABLE",
                f"An issue cannot be blocked by more than {MAX_DEPENDENCIES} issues",
            )
        if len(self.ctx.state.blocking(blocker.number)) >= MAX_DEPENDENCIES:
            raise Failure(
                "UNPROCESSABLE", f"An issue cannot block more than {MAX_DEPENDENCIES} issues"
            )
        issue.blocked_by.append(blocker.number)
        self.ctx.state.touch(issue)
        return {
            "issue": issue_node(self.ctx, issue),
            "blockingIssue": issue_node(self.ctx, blocker),
            "clientMutationId": input.get("clientMutationId"),
        }

    def addSubIssue(self, _info: Any, input: dict[str, Any]) -> dict[str, Any] | None:
        if not self._admit():
            return None
        parent = self._issue(input["issueId"])
        child = self._issue(str(input.get("subIssueId") or ""))
        if child.number in parent.children:
            raise Failure("UNPROCESSABLE", "Issue may not contain duplicate sub-issues")
        if child.parent is not None and not input.get("replaceParent"):
            raise Failure("UNPROCESSABLE", "Sub issue may only have one parent")
        if len(parent.children) >= MAX_SUB_ISSUES:
            raise Failure(
                "UNPROCESSABLE", f"Parent issue cannot have more than {MAX_SUB_ISSUES} sub-issues"
            )
        self.ctx.state.link_sub_issue(parent, child)
        return {
            "issue": issue_node(self.ctx, parent),
            "subIssue": issue_node(self.ctx, child),
            "clientMutationId": input.get("clientMutationId"),
        }
