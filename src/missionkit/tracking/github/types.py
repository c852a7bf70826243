"""Issue types: a mission's issue gets a "Mission"-like type, a task's a "Task"-like one.

Types belong to the repository's owner (an organization defines them); they are discovered once
per run from ``GET /repos/{owner}/{repo}/issue-types``.  The names wanted are configurable:
``MISSIONKIT_MISSION_TYPE`` and ``MISSIONKIT_TASK_TYPE``, each a comma-separated list tried in
order (defaults below); the first the owner has is used, matched without regard to case.  Where
the owner has none, nothing is set: the labels say it, as always.  The type is set when the
issue is created; GitHub drops it silently for a token without push access, which the read-back
after sync reports.
"""

from __future__ import annotations

from collections.abc import Mapping

from github import GithubException
from github.Issue import Issue
from github.Repository import Repository

from missionkit.tracking.github.client import Client
from missionkit.tracking.limits import is_phase
from missionkit.tracking.model import Key

MISSION_TYPES = ("Mission", "Epic", "Initiative", "Feature")
TASK_TYPES = ("Task",)


def _names(env: Mapping[str, str], var: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(var, "")
    names = tuple(n.strip() for n in raw.split(",") if n.strip())
    return names or default


class IssueTypes:
    """Which type, if any, an item's issue gets in one repository."""

    def __init__(self, repo: Repository, client: Client, env: Mapping[str, str]) -> None:
        self.repo = repo
        self.client = client
        self.mission_names = _names(env, "MISSIONKIT_MISSION_TYPE", MISSION_TYPES)
        self.task_names = _names(env, "MISSIONKIT_TASK_TYPE", TASK_TYPES)
        self._available: dict[str, str] | None = None  # casefolded → as the owner spells it

    def available(self) -> dict[str, str]:
        if self._available is None:

            def read() -> dict[str, str]:
                try:
                    _, data = self.repo.requester.requestJsonAndCheck(
                        "GET", f"{self.repo.url}/issue-types"
                    )
                except GithubException as exc:
                    if exc.status in (403, 404, 410):  # no types here, or not visible
                        return {}
                    raise
                return {
                    str(t["name"]).casefold(): str(t["name"])
                    for t in (data if isinstance(data, list) else [])
                    if isinstance(t, dict) and t.get("name")
                }

            self._available = self.client.call(read, what="list the issue types")
        return self._available

    def for_key(self, key: Key) -> str | None:
        """The type name for ``key``'s issue, or None where the owner has no fitting type."""
        wanted = self.mission_names if key.is_mission or is_phase(key) else self.task_names
        have = self.available()
        for name in wanted:
            if name.casefold() in have:
                return have[name.casefold()]
        return None


def create_issue(
    repo: Repository,
    title: str,
    body: str,
    labels: list[str],
    assignees: list[str],
    type_name: str | None,
) -> Issue:
    """``POST /issues`` with its ``type`` (PyGithub's ``create_issue`` has no such argument)."""
    if type_name is None:
        return repo.create_issue(title, body, labels=labels, assignees=assignees)
    payload = {
        "title": title,
        "body": body,
        "labels": labels,
        "assignees": assignees,
        "type": type_name,
    }
    headers, data = repo.requester.requestJsonAndCheck("POST", f"{repo.url}/issues", input=payload)
    return Issue(repo.requester, headers, data, completed=True)
