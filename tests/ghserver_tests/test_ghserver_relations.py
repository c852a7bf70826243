"""Comments, sub-issues and dependencies through PyGithub: relations take numeric ids."""

from __future__ import annotations

import pytest
from github import GithubException, UnknownObjectException
from github.Repository import Repository

from ghserver import GitHubTestServer
from ghserver.client import raw_request


def test_comments(repo: Repository, github_server: GitHubTestServer) -> None:
    issue = repo.create_issue("t")
    for i in range(35):
        github_server.state.add_comment(1, f"c{i}", user="dana-lee")
    comment = issue.create_comment("hello")
    assert comment.user.login == "missionkit-bot" and comment.html_url.endswith(
        f"#issuecomment-{comment.id}"
    )
    bodies = [c.body for c in issue.get_comments()]
    assert len(bodies) == 36 and bodies[-1] == "hello"
    assert repo.get_issue(1).comments == 36
    comment.edit("edited")
    assert issue.get_comment(comment.id).body == "edited"
    comment.delete()
    with pytest.raises(UnknownObjectException):
        issue.get_comment(comment.id)
    assert len(github_server.state.comments) == 35


def test_sub_issues_take_ids(repo: Repository, github_server: GitHubTestServer) -> None:
    parent = repo.create_issue("mission")
    kids = [repo.create_issue(f"task {i}") for i in range(3)]
    for kid in kids:
        parent.add_sub_issue(kid)  # PyGithub sends kid.id
    sent = [r.body for r in github_server.requests if r.path.endswith("/sub_issues")]
    assert sent == [{"sub_issue_id": kid.id} for kid in kids]
    assert [s.number for s in parent.get_sub_issues()] == [2, 3, 4]
    assert github_server.state.issues[2].parent == 1 and github_server.state.issues[1].children == [
        2,
        3,
        4,
    ]
    assert repo.get_issue(2).parent_issue_url.endswith("/issues/1")
    with pytest.raises(UnknownObjectException):
        parent.add_sub_issue(kids[0].number)  # a number is not an id
    other = repo.create_issue("other mission")
    with pytest.raises(GithubException) as taken:
        other.add_sub_issue(kids[0])
    assert (
        taken.value.status == 422
        and "only have one parent" in taken.value.data["errors"][0]["message"]
    )
    github_server.state.close(github_server.state.issues[3])
    summary = repo.get_issue(1).raw_data["sub_issues_summary"]
    assert summary == {"total": 3, "completed": 1, "percent_completed": 33}
    parent.remove_sub_issue(kids[1])
    assert [s.number for s in parent.get_sub_issues()] == [2, 4]
    assert github_server.state.issues[3].parent is None
    status, _, _ = raw_request(
        github_server,
        "POST",
        "/repos/acme/data/issues/5/sub_issues",
        {"sub_issue_id": kids[0].id, "replace_parent": True},
    )
    assert (
        status == 201
        and github_server.state.issues[2].parent == 5
        and github_server.state.issues[1].children == [4]
    )
    assert raw_request(github_server, "GET", "/repos/acme/data/issues/2/parent")[2]["number"] == 5
    assert raw_request(github_server, "GET", "/repos/acme/data/issues/1/parent")[0] == 404


def test_sub_issue_priority(repo: Repository, github_server: GitHubTestServer) -> None:
    parent = repo.create_issue("mission")
    kids = [repo.create_issue(f"task {i}") for i in range(3)]
    for kid in kids:
        parent.add_sub_issue(kid)
    parent.prioritize_sub_issue(kids[2], kids[0])
    assert github_server.state.issues[1].children == [2, 4, 3]


def test_blocked_by_takes_ids(repo: Repository, github_server: GitHubTestServer) -> None:
    first, second, third = (repo.create_issue(t) for t in ("ingest", "map", "model"))
    third.add_blocked_by(first)
    third.add_blocked_by(second)
    sent = [r.body for r in github_server.requests if r.path.endswith("/blocked_by")]
    assert sent == [{"issue_id": first.id}, {"issue_id": second.id}]
    assert (
        third.number == 3
    )  # PyGithub refreshes `third` from the response: it must be the blocked issue
    assert [i.number for i in third.get_blocked_by()] == [1, 2]
    assert [i.number for i in first.get_blocking()] == [3]
    assert github_server.state.issues[3].blocked_by == [1, 2]
    summary = repo.get_issue(3).raw_data["issue_dependencies_summary"]
    assert summary == {"blocked_by": 2, "total_blocked_by": 2, "blocking": 0, "total_blocking": 0}
    with pytest.raises(GithubException) as dup:
        third.add_blocked_by(first)
    assert dup.value.status == 422
    third.remove_blocked_by(first)
    assert github_server.state.issues[3].blocked_by == [2]
    assert any(
        r.path == f"/repos/acme/data/issues/3/dependencies/blocked_by/{first.id}"
        for r in github_server.requests
    )
    status, _, _ = raw_request(
        github_server, "POST", "/repos/acme/data/issues/3/dependencies/blocked_by", {"issue_id": 1}
    )
    assert status == 404  # a number is not an id


def test_state_snapshot(repo: Repository, github_server: GitHubTestServer) -> None:
    parent = repo.create_issue("mission", labels=["mission:m"])
    child = repo.create_issue("task", labels=["mission:m", "status:ready"], assignees=["alex-kim"])
    parent.add_sub_issue(child)
    child.add_blocked_by(parent)
    child.create_comment("note")
    snap = github_server.state.snapshot()
    assert snap[2] == {
        "id": child.id,
        "title": "task",
        "body": None,
        "state": "open",
        "state_reason": None,
        "labels": ["mission:m", "status:ready"],
        "assignees": ["alex-kim"],
        "comments": ["note"],
        "parent": 1,
        "children": [],
        "blocked_by": [1],
        "pull": False,
    }
    assert snap[1]["children"] == [2]
