"""The emulator driven by unmodified PyGithub over HTTP: endpoints and GitHub-like behaviour."""

from __future__ import annotations

import pytest
from github import Github, GithubException, UnknownObjectException
from github.Repository import Repository

from ghserver import GitHubTestServer
from ghserver.client import github_client, raw_request

# ---------------------------------------------------------------------------- basics


def test_repo_user_and_both_base_urls(github_server: GitHubTestServer) -> None:
    for prefix in ("", "/api/v3"):
        client = github_client(github_server, prefix=prefix)
        repo = client.get_repo("acme/data")
        assert repo.full_name == "acme/data"
        assert repo.url == f"{github_server.url}{prefix}/repos/acme/data"
        assert repo.html_url == f"{github_server.url}/acme/data"
        assert client.get_user().login == "missionkit-bot"
        issue = repo.create_issue(f"via {prefix or 'root'}")
        assert issue.url == f"{github_server.url}{prefix}/repos/acme/data/issues/{issue.number}"
        assert repo.get_issue(issue.number).title == f"via {prefix or 'root'}"
        client.close()


def test_headers_auth_and_errors(github_server: GitHubTestServer) -> None:
    status, headers, body = raw_request(github_server, "GET", "/repos/acme/data")
    assert status == 200
    lower = {k.lower(): v for k, v in headers.items()}
    for name in (
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-used",
        "x-ratelimit-resource",
        "x-github-request-id",
    ):
        assert name in lower
    assert lower["content-type"].startswith("application/json")
    assert raw_request(github_server, "GET", "/repos/acme/data", token=None)[0] == 401
    status, _, body = raw_request(github_server, "GET", "/repos/acme/nope")
    assert status == 404 and body["message"] == "Not Found" and "documentation_url" in body
    assert raw_request(github_server, "GET", "/no/such/route")[0] == 404


def test_tokens_map_to_users(github_server: GitHubTestServer) -> None:
    server = GitHubTestServer(users={"dana-lee": "admin"}, tokens={"tok-dana": "dana-lee"}).start()
    try:
        client = github_client(server, token="tok-dana")
        issue = client.get_repo("acme/data").create_issue("hi")
        assert issue.user.login == "dana-lee"
        comment = issue.create_comment("/approve")
        assert comment.user.login == "dana-lee"
        assert raw_request(server, "GET", "/user", token="wrong")[2]["message"] == "Bad credentials"
    finally:
        server.stop()
    assert server.validation_errors == []


def test_rate_limit_counts_requests(
    gh: Github, repo: Repository, github_server: GitHubTestServer
) -> None:
    before = gh.get_rate_limit().resources.core.remaining
    assert repo.get_labels().totalCount == 0
    after = gh.get_rate_limit().resources.core.remaining
    assert after == before - 1


# ---------------------------------------------------------------------------- labels


def test_labels_crud_with_special_names(repo: Repository, github_server: GitHubTestServer) -> None:
    made = repo.create_label("mission:healthcare", "0e8a16", "Mission healthcare")
    repo.create_label("area/ingest", "c5def5")
    assert made.url.endswith("/labels/mission%3Ahealthcare")
    assert repo.get_label("mission:healthcare").description == "Mission healthcare"
    assert repo.get_label("MISSION:HEALTHCARE").name == "mission:healthcare"  # case-insensitive
    assert repo.get_label("area/ingest").color == "c5def5"
    with pytest.raises(GithubException) as dup:
        repo.create_label("Mission:Healthcare", "ffffff")
    assert dup.value.status == 422
    assert dup.value.data["errors"] == [
        {"resource": "Label", "code": "already_exists", "field": "name"}
    ]
    made.edit("mission:hc", "000000", "renamed")
    assert repo.get_label("mission:hc").color == "000000"
    with pytest.raises(UnknownObjectException):
        repo.get_label("mission:healthcare")
    repo.get_label("area/ingest").delete()
    assert [label.name for label in repo.get_labels()] == ["mission:hc"]
    assert [r.method for r in github_server.requests].count("POST") == 3


def test_label_limits(repo: Repository) -> None:
    with pytest.raises(GithubException) as long_name:
        repo.create_label("x" * 51, "ffffff")
    assert long_name.value.status == 422
    with pytest.raises(GithubException) as bad_color:
        repo.create_label("ok", "not-a-color")
    assert bad_color.value.data["errors"][0]["field"] == "color"


def test_labels_paginate(gh: Github, repo: Repository, github_server: GitHubTestServer) -> None:
    for i in range(45):
        github_server.state.create_label(f"l{i:02}")
    assert len(list(repo.get_labels())) == 45  # 30 + 15 with the default per_page
    assert [r.query.get("page") for r in github_server.requests] == [None, "2"]


# ---------------------------------------------------------------------------- issues


def test_create_issue_auto_creates_labels_and_validates_assignees(
    repo: Repository, github_server: GitHubTestServer
) -> None:
    issue = repo.create_issue(
        "Ingest",
        body="body",
        labels=["mission:hc", "status:ready"],
        assignees=["alex-kim", "sam-okafor"],
    )
    assert issue.number == 1 and issue.id > 1_000_000_000 and issue.id != issue.number
    assert issue.node_id.startswith("I_")
    assert [label.name for label in issue.labels] == ["mission:hc", "status:ready"]
    assert {label.name for label in repo.get_labels()} == {"mission:hc", "status:ready"}
    assert [a.login for a in issue.assignees] == ["alex-kim", "sam-okafor"]
    for bad in ("outsider", "nobody-at-all"):
        with pytest.raises(GithubException) as err:
            repo.create_issue("x", assignees=[bad])
        assert err.value.status == 422
        assert err.value.data["message"] == "Validation Failed"
        assert err.value.data["errors"] == [
            {"value": bad, "resource": "Issue", "field": "assignees", "code": "invalid"}
        ]
    assert len(github_server.state.issues) == 1
    with pytest.raises(GithubException) as long_body:
        repo.create_issue("x", body="b" * 65537)
    assert long_body.value.status == 422


def test_list_by_labels_and_state_with_pagination(
    gh: Github, repo: Repository, github_server: GitHubTestServer
) -> None:
    state = github_server.state
    for i in range(250):
        labels = ["mission:big", "status:ready"] if i % 5 else ["mission:big", "status:done"]
        issue = state.create_issue(f"task {i}", labels=labels)
        if i % 5 == 0:
            state.close(issue)
    state.create_issue("other", labels=["mission:other"])
    client = github_client(github_server, per_page=100)
    issues = client.get_repo("acme/data").get_issues(
        state="all", labels=[client.get_repo("acme/data").get_label("mission:big")]
    )
    github_server.reset_log()
    got = list(issues)
    assert len(got) == 250
    assert [r.query.get("page") for r in github_server.requests] == [None, "2", "3"]
    assert all(
        r.query["labels"] == "mission:big" and r.query["per_page"] == "100"
        for r in github_server.requests
    )
    assert got[0].number == 250  # newest first by default
    open_ready = list(
        client.get_repo("acme/data").get_issues(
            state="open", labels=["mission:big", "status:ready"]
        )
    )
    assert len(open_ready) == 200
    assert list(client.get_repo("acme/data").get_issues(state="all", labels=["mission:none"])) == []
    client.close()


def test_link_header_format(github_server: GitHubTestServer) -> None:
    for i in range(250):
        github_server.state.create_issue(f"t{i}", labels=["mission:a"])
    _, headers, body = raw_request(
        github_server,
        "GET",
        "/repos/acme/data/issues?state=all&labels=mission%3Aa&per_page=100&page=2",
    )
    issues = f"{github_server.url}/repositories/{github_server.state.repo_id}/issues"
    base = f"{issues}?state=all&labels=mission%3Aa&per_page=100"
    assert headers["Link"] == (
        f'<{base}&page=1>; rel="prev", <{base}&page=3>; rel="next", '
        f'<{base}&page=3>; rel="last", <{base}&page=1>; rel="first"'
    )
    assert len(body) == 100
    _, first, _ = raw_request(github_server, "GET", "/repos/acme/data/issues?per_page=100")
    assert first["Link"] == (
        f'<{issues}?per_page=100&page=2>; rel="next", <{issues}?per_page=100&page=3>; rel="last"'
    )
    _, last, body = raw_request(github_server, "GET", "/repos/acme/data/issues?per_page=100&page=3")
    assert 'rel="next"' not in last["Link"] and 'rel="prev"' in last["Link"] and len(body) == 50
    _, single, _ = raw_request(github_server, "GET", "/repos/acme/data/labels")
    assert "Link" not in single
    _, _, capped = raw_request(github_server, "GET", "/repos/acme/data/issues?per_page=500")
    assert len(capped) == 100


def test_total_count_uses_last_link(repo: Repository, github_server: GitHubTestServer) -> None:
    for i in range(75):
        github_server.state.create_issue(f"t{i}")
    assert repo.get_issues().totalCount == 75


def test_edit_close_reopen_and_state_reason(
    repo: Repository, github_server: GitHubTestServer
) -> None:
    issue = repo.create_issue("Task", labels=["status:ready"])
    issue.edit(title="Task v2", body="new body", labels=["status:running"], assignees=["dana-lee"])
    assert (issue.title, issue.body, [label.name for label in issue.labels]) == (
        "Task v2",
        "new body",
        ["status:running"],
    )
    issue.edit(state="closed", state_reason="not_planned")
    assert (
        issue.state == "closed"
        and issue.state_reason == "not_planned"
        and issue.closed_at is not None
    )
    assert issue.closed_by is not None and issue.closed_by.login == "missionkit-bot"
    stored = github_server.state.issues[issue.number]
    assert (stored.state, stored.state_reason) == ("closed", "not_planned")
    issue.edit(state="open")
    assert issue.state == "open" and issue.state_reason == "reopened" and issue.closed_at is None
    issue.edit(state="closed")
    assert issue.state_reason == "completed"
    assert repo.get_issues(state="closed")[0].number == issue.number
    with pytest.raises(GithubException) as bad:
        issue.edit(assignees=["outsider"])
    assert bad.value.status == 422


def test_issue_labels_endpoints(repo: Repository, github_server: GitHubTestServer) -> None:
    issue = repo.create_issue("t", labels=["a"])
    issue.add_to_labels("b", "after:x/y")
    assert [label.name for label in issue.get_labels()] == ["a", "after:x/y", "b"]
    issue.remove_from_labels("after:x/y")  # PyGithub leaves '/' unquoted here
    issue.remove_from_labels("a")
    assert github_server.state.label_names(github_server.state.issues[1]) == ["b"]
    with pytest.raises(GithubException) as missing:
        issue.remove_from_labels("a")
    assert (missing.value.status, missing.value.data["message"]) == (404, "Label does not exist")
    issue.set_labels("c", "d")
    assert github_server.state.label_names(github_server.state.issues[1]) == ["c", "d"]
    issue.delete_labels()
    assert github_server.state.issues[1].label_ids == []


def test_assignees(repo: Repository, github_server: GitHubTestServer) -> None:
    issue = repo.create_issue("t")
    issue.add_to_assignees("alex-kim", "outsider")  # GitHub ignores non-assignable users here
    assert github_server.state.issues[1].assignees == ["alex-kim"]
    issue.remove_from_assignees("alex-kim")
    assert github_server.state.issues[1].assignees == []
    assert repo.has_in_assignees("sam-okafor") is True
    assert repo.has_in_assignees("outsider") is False
    assert {u.login for u in repo.get_assignees()} >= {"dana-lee", "alex-kim", "sam-okafor"}


# ------------------------------------------------------------ permissions, workflows, pulls


@pytest.mark.parametrize(
    ("login", "permission"),
    [("dana-lee", "admin"), ("alex-kim", "write"), ("sam-okafor", "read"), ("outsider", "none")],
)
def test_collaborator_permission(repo: Repository, login: str, permission: str) -> None:
    assert repo.get_collaborator_permission(login) == permission


def test_collaborator_permission_unknown_user(repo: Repository) -> None:
    with pytest.raises(GithubException) as err:
        repo.get_collaborator_permission("ghost-user")
    assert (err.value.status, err.value.data["message"]) == (404, "ghost-user is not a user")


def test_workflow_dispatch_is_recorded(repo: Repository, github_server: GitHubTestServer) -> None:
    workflow = repo.get_workflow("missions-dispatch.yml")
    assert workflow.create_dispatch("main", {"mission": "hc"}, throw=True) is True
    assert workflow.path == ".github/workflows/missions-dispatch.yml"
    [dispatch] = github_server.state.dispatches
    assert (dispatch.workflow, dispatch.ref, dispatch.inputs) == (
        "missions-dispatch.yml",
        "main",
        {"mission": "hc"},
    )
    run = workflow.create_dispatch("main", return_run_details=True, throw=True)
    assert run.id == github_server.state.dispatches[1].run_id
    with pytest.raises(UnknownObjectException):
        repo.get_workflow("nope.yml").create_dispatch("main", throw=True)


def test_pulls_share_issue_numbers(repo: Repository, github_server: GitHubTestServer) -> None:
    repo.create_issue("an issue")
    pull = repo.create_pull(base="main", head="missions/update", title="Update missions", body="b")
    assert pull.number == 2 and pull.head.ref == "missions/update"
    assert [p.number for p in repo.get_pulls()] == [2]
    assert repo.get_pull(2).title == "Update missions"
    listed = list(repo.get_issues())
    assert [i.number for i in listed] == [2, 1]
    assert (
        listed[0].pull_request is not None
    )  # the issues list includes pull requests, like GitHub's
    with pytest.raises(GithubException):
        repo.create_pull(base="main", head="missions/update", title="again")


def test_default_labels_latency_and_timing() -> None:
    with GitHubTestServer(default_labels=True, latency=0.05) as server:
        repo = github_client(server).get_repo("acme/data")
        labels = list(repo.get_labels())
        assert len(labels) == 9 and all(label.default for label in labels)
        assert repo.get_label("good first issue").color == "7057ff"
        records = server.requests
        assert all(r.ended - r.started >= 0.05 for r in records)
        assert [r.started for r in records] == sorted(r.started for r in records)
        assert server.max_in_flight == 1  # one serial client
        assert server.validation_errors == []
