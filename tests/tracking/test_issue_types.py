"""Issue types set at creation where the owner has them, and the read-back of dropped writes."""

from __future__ import annotations

from pathlib import Path

from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.github.tracker import GitHubTracker
from missionkit.tracking.plan import make_plan

from ghserver import GitHubTestServer
from ghserver.issue_types import add_issue_type
from support import HEAD

MISSION = (
    HEAD
    + """tasks:
  - id: extract
    title: Extract
  - id: review
    title: Review
    owner: alex-kim
    depends_on: [extract]
---
"""
)


def sync(
    server: GitHubTestServer, folder: Path, env: dict[str, str] | None = None, token: str = "t"
) -> list[str]:
    tracker = GitHubTracker.connect(server.url, "acme/data", token, env=env or {})
    result = apply_plan(make_plan(load_missions([folder]), tracker), tracker)
    tracker.close()
    return result.warnings


def types(server: GitHubTestServer) -> dict[str, str | None]:
    with server.state.lock:
        names = {t.id: t.name for t in server.state.issue_types}
        return {i.title: names.get(i.type_id or 0) for i in server.state.issues.values()}


def test_mission_and_task_issues_get_the_owners_types(
    github_server: GitHubTestServer, tmp_path: Path
) -> None:
    for name in ("Bug", "Epic", "task"):
        add_issue_type(github_server.state, name)
    (tmp_path / "m.md").write_text(MISSION, encoding="utf-8")
    assert sync(github_server, tmp_path) == []
    assert types(github_server) == {"Test mission": "Epic", "Extract": "task", "Review": "task"}


def test_type_names_are_configurable(github_server: GitHubTestServer, tmp_path: Path) -> None:
    for name in ("Initiative", "Chore", "Task"):
        add_issue_type(github_server.state, name)
    (tmp_path / "m.md").write_text(MISSION, encoding="utf-8")
    env = {"MISSIONKIT_MISSION_TYPE": "Programme, Initiative", "MISSIONKIT_TASK_TYPE": "Chore"}
    assert sync(github_server, tmp_path, env) == []
    assert types(github_server) == {
        "Test mission": "Initiative",
        "Extract": "Chore",
        "Review": "Chore",
    }


def test_without_types_only_labels(github_server: GitHubTestServer, tmp_path: Path) -> None:
    (tmp_path / "m.md").write_text(MISSION, encoding="utf-8")
    assert sync(github_server, tmp_path) == []
    assert set(types(github_server).values()) == {None}
    with github_server.state.lock:
        bodies = [r for r in github_server.requests if r.path.endswith("/issues") and r.body]
    assert all("type" not in r.body for r in bodies)


def test_writes_github_drops_silently_are_read_back_and_reported(tmp_path: Path) -> None:
    users = {"dana-lee": "admin", "alex-kim": "write", "triager": "triage"}
    with GitHubTestServer(users=users, tokens={"tok": "triager"}) as server:
        add_issue_type(server.state, "Epic")
        add_issue_type(server.state, "Task")
        with server.state.lock:  # labels exist: a triager may apply, not create them
            for name in ("mission", "mission:m", "owner:person", "status:blocked", "after:extract"):
                server.state.create_label(name, "ededed", None)
        (tmp_path / "m.md").write_text(MISSION, encoding="utf-8")
        warnings = sync(server, tmp_path, token="tok")
    assert "m #1: GitHub did not keep the issue type “Epic” (setting a type needs push access)" in (
        warnings
    )
    assert (
        "m/review #3: GitHub did not keep the assignee @alex-kim "
        "(assigning needs push access, and the login access to the repository)" in warnings
    )
    assert len([w for w in warnings if "issue type" in w]) == 3
