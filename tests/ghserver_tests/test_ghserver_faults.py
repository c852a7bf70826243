"""Fault injection, and how PyGithub 2.10 reacts to each fault (its retries are pinned here)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests
from github import GithubException, GithubRetry, RateLimitExceededException
from github.Repository import Repository

from ghserver import GitHubTestServer
from ghserver.client import github_client


def repo_with(server: GitHubTestServer, **options: Any) -> Repository:
    repo = github_client(server, **options).get_repo("acme/data")
    server.reset_log()
    return repo


def test_status_fault_is_not_applied(repo: Repository, github_server: GitHubTestServer) -> None:
    fault = github_server.faults.add("status", method="POST", status=503)
    with pytest.raises(GithubException) as err:
        repo.create_issue("x")
    assert err.value.status == 503
    assert github_server.state.issues == {}
    assert fault.fired == 1 and github_server.faults.pending == []
    assert [(r.status, r.fault) for r in github_server.requests] == [(503, "status")]
    repo.create_issue("x")  # the fault fired once only
    assert len(github_server.state.issues) == 1


def test_lost_disconnect_commits_then_drops_the_answer(
    repo: Repository, github_server: GitHubTestServer
) -> None:
    github_server.faults.add("lost", method="POST", path=r"/issues$")
    with pytest.raises(requests.exceptions.ConnectionError):
        repo.create_issue("created but unanswered", labels=["mission:hc"])
    assert [i.title for i in github_server.state.issues.values()] == ["created but unanswered"]
    assert github_server.requests[-1].fault == "lost" and github_server.requests[-1].status == 201
    found = list(
        repo.get_issues(state="all", labels=["mission:hc"])
    )  # the client can find it again
    assert [i.title for i in found] == ["created but unanswered"]


def test_lost_502_commits_then_answers_bad_gateway(
    repo: Repository, github_server: GitHubTestServer
) -> None:
    issue = repo.create_issue("t")
    github_server.faults.add("lost", method="PATCH", variant="502")
    with pytest.raises(GithubException) as err:
        issue.edit(state="closed", state_reason="not_planned")
    assert err.value.status == 502
    assert github_server.state.issues[1].state_reason == "not_planned"


def test_pygithub_default_retry_repeats_a_lost_post(github_server: GitHubTestServer) -> None:
    """GithubRetry retries POST on connection errors and 5xx: a lost create becomes a duplicate."""
    repo = repo_with(github_server, retry=GithubRetry())
    github_server.faults.add("lost", method="POST")
    repo.create_issue("once")
    assert [i.title for i in github_server.state.issues.values()] == ["once", "once"]
    github_server.faults.add("status", method="POST", status=502)
    repo.create_issue("retried after 502")
    assert [r.status for r in github_server.requests[-2:]] == [502, 201]


def test_pygithub_default_retry_does_not_repeat_patch(github_server: GitHubTestServer) -> None:
    repo = repo_with(github_server, retry=GithubRetry())
    issue = repo.create_issue("t")
    github_server.faults.add("status", method="PATCH", status=500)
    with pytest.raises(GithubException) as err:
        issue.edit(title="new")
    assert err.value.status == 500
    assert [r.method for r in github_server.requests].count("PATCH") == 1


def test_secondary_limit(repo: Repository, github_server: GitHubTestServer) -> None:
    github_server.faults.add("secondary_limit", method="POST", retry_after=1)
    with pytest.raises(RateLimitExceededException) as err:
        repo.create_issue("x")
    assert err.value.status == 403
    assert err.value.headers is not None and err.value.headers["retry-after"] == "1"
    assert err.value.data["message"].startswith("You have exceeded a secondary rate limit")
    assert github_server.state.issues == {}


def test_secondary_limit_is_retried_by_githubretry_after_retry_after(
    github_server: GitHubTestServer,
) -> None:
    repo = repo_with(github_server, retry=GithubRetry())
    github_server.faults.add("secondary_limit", method="POST", retry_after=1)
    started = time.monotonic()
    repo.create_issue("x")
    assert time.monotonic() - started >= 1.0
    assert [r.status for r in github_server.requests] == [403, 201]


def test_primary_rate_limit_403_and_429(repo: Repository, github_server: GitHubTestServer) -> None:
    github_server.faults.add("rate_limit", method="GET", reset_in=5)
    with pytest.raises(RateLimitExceededException) as err:
        repo.get_issue(1)
    headers = err.value.headers or {}
    assert headers["x-ratelimit-remaining"] == "0"
    assert 0 < int(headers["x-ratelimit-reset"]) - time.time() <= 6
    github_server.faults.add("rate_limit", status=429)
    with pytest.raises(
        GithubException
    ) as err429:  # PyGithub maps only 403 to RateLimitExceededException
        _ = repo.get_issues().totalCount
    assert err429.value.status == 429 and not isinstance(err429.value, RateLimitExceededException)


def test_exhausted_primary_limit_from_state(
    repo: Repository, github_server: GitHubTestServer
) -> None:
    github_server.state.rate.remaining = 0
    with pytest.raises(RateLimitExceededException):
        _ = repo.get_labels().totalCount


def test_too_many_requests(repo: Repository, github_server: GitHubTestServer) -> None:
    github_server.faults.add("too_many", retry_after=2)
    with pytest.raises(GithubException) as err:
        repo.create_label("a", "ffffff")
    assert err.value.status == 429 and (err.value.headers or {})["retry-after"] == "2"
    assert github_server.state.labels == {}


def test_slow_answer_times_out_but_is_applied(github_server: GitHubTestServer) -> None:
    repo = repo_with(github_server, timeout=1)  # PyGithub insists on an int
    github_server.faults.add("slow", method="POST", delay=1.3)
    with pytest.raises(requests.exceptions.ReadTimeout):
        repo.create_issue("slow one")
    deadline = time.monotonic() + 3
    while not github_server.state.issues and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [i.title for i in github_server.state.issues.values()] == ["slow one"]


def _sync(repo: Repository) -> None:
    """A stand-in for a sync: one read, then three writes."""
    list(repo.get_issues(state="all", labels=["mission:m"]))
    parent = repo.create_issue("mission", labels=["mission:m"])
    child = repo.create_issue("task", labels=["mission:m"])
    parent.add_sub_issue(child)


def test_fault_at_each_write_in_turn() -> None:
    with GitHubTestServer() as dry:
        _sync(repo_with(dry))
        writes = len(dry.writes)
    assert writes == 3
    for k in range(1, writes + 1):
        with GitHubTestServer() as server:
            repo = repo_with(server)
            fault = server.faults.on_write(k, "lost")
            with pytest.raises(requests.exceptions.ConnectionError):
                _sync(repo)
            assert fault.fired_on == [f"{server.writes[k - 1].method} {server.writes[k - 1].path}"]
            assert len(server.writes) == k  # the k-th write was applied, nothing after it
            assert server.validation_errors == []


def test_nth_and_times_and_path_filter(repo: Repository, github_server: GitHubTestServer) -> None:
    fault = github_server.faults.add(
        "status", method="GET", path=r"/issues/\d+$", nth=2, times=2, status=500
    )
    repo.create_issue("a")
    repo.get_issue(1)  # match 1: passes
    for _ in range(2):  # matches 2 and 3 fail
        with pytest.raises(GithubException):
            repo.get_issue(1)
    repo.get_issue(1)
    assert fault.fired == 2 and fault.seen == 3
    with pytest.raises(ValueError):
        github_server.faults.add("bogus")  # type: ignore[arg-type]


def test_fault_counting_is_thread_safe(github_server: GitHubTestServer) -> None:
    github_server.state.create_issue("t")
    fault = github_server.faults.add("status", method="GET", nth=25, status=500)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        client = github_client(github_server)
        requester = client.requester
        for _ in range(10):
            status, _, _ = requester.requestJson("GET", "/repos/acme/data/issues/1")
            with lock:
                statuses.append(status)
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses).count(500) == 1 and len(statuses) == 50
    assert fault.fired == 1


def test_write_limit_emulates_content_creation_limit() -> None:
    with GitHubTestServer(write_limit=(3, 1.0)) as server:
        repo = repo_with(server)
        for i in range(3):
            repo.create_issue(f"t{i}")
        with pytest.raises(RateLimitExceededException) as err:
            repo.create_issue("fourth")
        assert (err.value.headers or {})["retry-after"] == "1"
        assert repo.get_issue(1).number == 1  # reads are not limited
        time.sleep(1.05)
        repo.create_issue("after the window")
        assert len(server.state.issues) == 4
        assert [r.fault for r in server.requests].count("secondary_limit") == 1
        assert server.validation_errors == []


def test_pygithub_retry_of_a_lost_relation_or_delete_fails_after_success(
    github_server: GitHubTestServer,
) -> None:
    """With GithubRetry, a lost answer is retried and the retry meets the already-applied change."""
    repo = repo_with(github_server, retry=GithubRetry())
    parent, child = repo.create_issue("parent", labels=["a"]), repo.create_issue("child")
    github_server.faults.add("lost", method="POST", path=r"/sub_issues$")
    with pytest.raises(GithubException) as dup:
        parent.add_sub_issue(child)
    assert dup.value.status == 422 and github_server.state.issues[2].parent == 1
    github_server.faults.add("lost", method="DELETE")
    with pytest.raises(GithubException) as gone:
        parent.remove_from_labels("a")
    assert gone.value.status == 404 and github_server.state.issues[1].label_ids == []
