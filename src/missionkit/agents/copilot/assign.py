"""Assigning an issue to the Copilot coding agent, as GitHub documents it.

First the check GitHub's documentation asks for: the repository's ``suggestedActors`` with the
``CAN_BE_ASSIGNED`` capability (GraphQL) must include ``copilot-swe-agent`` for the token's user.
Then the REST call "Add assignees to an issue" with an ``agent_assignment``::

    POST /repos/OWNER/REPO/issues/ISSUE_NUMBER/assignees
    {"assignees": ["copilot-swe-agent[bot]"],
     "agent_assignment": {"target_repo": "OWNER/REPO", "base_branch": "main",
                          "custom_instructions": "", "custom_agent": "", "model": ""}}

(docs.github.com, "Asking GitHub Copilot to create a pull request", section "Using the REST
API"). Both need a user token (a fine-grained token with read access to metadata and read and
write access to actions, contents, issues and pull requests, or a classic token with ``repo``):
an installation token such as the workflow's ``GITHUB_TOKEN`` cannot assign Copilot.
"""

from __future__ import annotations

from typing import Any

from github import Github, GithubException

from missionkit.agents.copilot.inputs import CopilotInputs
from missionkit.spec.model import Mission, Task
from missionkit.templating import render_template

ASSIGNEE = "copilot-swe-agent[bot]"
ACTOR_LOGIN = "copilot-swe-agent"
#: Logins GitHub shows for Copilot on an issue it was assigned.
LOGINS = frozenset({"copilot", "copilot-swe-agent", "copilot-swe-agent[bot]"})
SUGGESTED_ACTORS = """
query($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) {
    suggestedActors(capabilities: [CAN_BE_ASSIGNED], first: 100) {
      nodes { login __typename ... on Bot { id } ... on User { id } }
    }
  }
}
"""


class NotAssigned(Exception):
    """Copilot could not be assigned; the message says why, for a person."""


def instructions(mission: Mission, task: Task, inputs: CopilotInputs) -> str:
    """The custom instructions: the task's description, acceptance criteria and checks."""
    return render_template(
        "copilot/instructions.md.j2", {"mission": mission, "task": task, "inputs": inputs}
    ).strip()


def payload(
    repository: str, base_branch: str, mission: Mission, task: Task, inputs: CopilotInputs
) -> dict[str, Any]:
    """The documented request body of "Add assignees to an issue" for Copilot."""
    return {
        "assignees": [ASSIGNEE],
        "agent_assignment": {
            "target_repo": inputs.target_repo or repository,
            "base_branch": inputs.base_branch or base_branch,
            "custom_instructions": instructions(mission, task, inputs),
            "custom_agent": inputs.custom_agent or "",
            "model": inputs.model or "",
        },
    }


def _why(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    return f"HTTP {exc.status}: {data.get('message') or exc.data or 'no message'}"


def check_assignable(gh: Github, repository: str) -> None:
    """Raise :class:`NotAssigned` unless Copilot is among the repository's suggested actors."""
    owner, _, name = repository.partition("/")
    try:
        _, data = gh.requester.graphql_query(SUGGESTED_ACTORS, {"owner": owner, "name": name})
    except GithubException as exc:
        raise NotAssigned(
            f"could not ask GitHub whether Copilot can be assigned in {repository} ({_why(exc)})"
        ) from None
    repo = (data.get("data") or {}).get("repository") or {}
    nodes = (repo.get("suggestedActors") or {}).get("nodes") or []
    if not any(str(n.get("login", "")).lower() == ACTOR_LOGIN for n in nodes):
        raise NotAssigned(
            f"the Copilot coding agent cannot be assigned in {repository}: it is not among the "
            "repository's suggested actors for the token's user (is Copilot coding agent "
            "enabled for the repository and the user's plan?)"
        )


def assign(
    gh: Github, repository: str, number: int, body: dict[str, Any], *, again: bool = False
) -> list[str]:
    """Send the assignment; return the issue's assignees as GitHub answered them. ``again``:
    Copilot is still assigned from an earlier attempt, so it is unassigned first (a new
    assignment is what starts a new session)."""
    url = f"{gh.requester.base_url}/repos/{repository}/issues/{number}/assignees"
    if again:
        try:
            gh.requester.requestJsonAndCheck(
                "DELETE", url, input={"assignees": [ASSIGNEE, *sorted(LOGINS - {ASSIGNEE})]}
            )
        except GithubException as exc:
            raise NotAssigned(f"could not unassign Copilot from #{number} ({_why(exc)})") from None
    try:
        _, data = gh.requester.requestJsonAndCheck("POST", url, input=body)
    except GithubException as exc:
        raise NotAssigned(f"GitHub refused to assign Copilot to #{number} ({_why(exc)})") from None
    assignees = data.get("assignees") if isinstance(data, dict) else None
    logins = [str(a.get("login", "")) for a in assignees or [] if isinstance(a, dict)]
    if not any(login.lower() in LOGINS for login in logins):
        raise NotAssigned(
            f"GitHub accepted the request but #{number} is not assigned to Copilot "
            "(GitHub silently drops an assignee it cannot assign)"
        )
    return logins
