"""``--api graphql``: the same issues as REST, batches of at most 10, lost batches not doubled."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests

from missionkit.cli.main import main
from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.github.gql_sync import apply_plan_graphql
from missionkit.tracking.plan import make_plan

from .conftest import github_tracker
from ghserver import GitHubTestServer
from ghserver.issue_types import add_issue_type

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_sync import canonical, write_mission

USERS = {"dana-lee": "admin"}


def _sync(server: GitHubTestServer, folder: Path, api: str) -> None:
    tracker = github_tracker(server)
    try:
        plan = make_plan(load_missions([folder]), tracker)
        (apply_plan_graphql if api == "graphql" else apply_plan)(plan, tracker)
    finally:
        tracker.close()


def _synced(folder: Path, api: str, faults: list[tuple[int, str, str]] = ()) -> GitHubTestServer:  # type: ignore[assignment]
    server = GitHubTestServer(users=USERS)
    add_issue_type(server.state, "Task")
    add_issue_type(server.state, "Epic")
    with server:
        for nth, kind, variant in faults:
            server.faults.add(kind, path="^/graphql$", nth=nth, variant=variant)  # type: ignore[arg-type]
        _sync(server, folder, api)
        assert not server.faults.pending
        assert server.validation_errors == []
    return server


def test_graphql_creates_the_same_issues_as_rest(tmp_path: Path) -> None:
    write_mission(tmp_path, 25)
    rest = _synced(tmp_path, "rest")
    gql = _synced(tmp_path, "graphql")
    want, problems = canonical(rest.state)
    assert problems == []
    assert canonical(gql.state) == (want, [])
    types = {i.title: i.type_id for i in rest.state.issues.values()}
    assert types == {i.title: i.type_id for i in gql.state.issues.values()}
    assert set(types.values()) == {t.id for t in gql.state.issue_types}  # Epic and Task
    # no-op re-sync: nothing written
    with gql:
        gql.reset_log()
        _sync(gql, tmp_path, "graphql")
        assert gql.writes == []


def test_batches_hold_at_most_ten_mutations(tmp_path: Path) -> None:
    write_mission(tmp_path, 40)
    server = _synced(tmp_path, "graphql")
    batches = [r for r in server.requests if r.is_graphql and r.is_write]
    assert batches and max(r.mutations for r in batches) == 10
    assert all(r.mutations <= 10 for r in batches)
    creates = sum(r.mutations for r in batches if "createIssue" in r.body["query"])
    assert creates == 41  # the mission and its tasks, each in one mutation
    rest_links = [r for r in server.requests if r.path.endswith("/sub_issues")]
    assert rest_links == []  # parents were set at creation


def test_a_half_applied_batch_is_not_doubled(tmp_path: Path) -> None:
    write_mission(tmp_path, 25)
    clean, _ = canonical(_synced(tmp_path, "graphql").state)
    # GraphQL requests of this sync: 1 the repository, 2-3 label batches (10, 9), 4 the user
    # ids, 5... issue batches (1, 1, 4, 8, ...)
    for nth, what in ((3, "createLabel"), (8, "createIssue")):
        for variant in ("502", "disconnect"):
            server = _synced(tmp_path, "graphql", [(nth, "partial", variant)])
            hit = [r for r in server.requests if r.fault == "partial"]
            assert len(hit) == 1 and what in hit[0].body["query"] and hit[0].mutations >= 4
            assert canonical(server.state) == (clean, [])


def test_the_server_rejects_graphql_the_schema_does_not_have(
    github_server: GitHubTestServer,
) -> None:
    before = github_server.state.snapshot()
    answer = requests.post(
        f"{github_server.url}/graphql",
        json={
            "query": 'mutation { closeIssue(input: {issueId: "I_1", stateReason: DONE}) '
            "{ issue { id } } }"
        },
        headers={"Authorization": "token t"},
        timeout=10,
    ).json()
    assert "data" not in answer
    assert "'DONE'" in answer["errors"][0]["message"], "an enum value the schema lacks"
    typo = requests.post(
        f"{github_server.url}/graphql",
        json={"query": 'query { repository(owner: "acme", name: "data") { idd } }'},
        headers={"Authorization": "token t"},
        timeout=10,
    ).json()
    assert "Cannot query field 'idd' on type 'Repository'" in typo["errors"][0]["message"]
    assert github_server.state.snapshot() == before
    assert len(github_server.validation_errors) == 2
    github_server.validation_errors.clear()


def test_api_graphql_needs_the_github_tracker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_mission(tmp_path, 2)
    args = ["--api", "graphql", "--tracker", "local", "--missions", str(tmp_path)]
    assert main(["sync", *args]) == 2
    assert "--api graphql needs the github tracker" in capsys.readouterr().err


def test_blocked_by_relations_go_ten_to_a_request_and_a_lost_batch_is_not_doubled(
    tmp_path: Path,
) -> None:
    write_mission(tmp_path, 30)
    clean, _ = canonical(_synced(tmp_path, "graphql").state)
    server = _synced(tmp_path, "graphql")
    blocks = [r for r in server.requests if r.mutations and "addBlockedBy" in str(r.body)]
    assert blocks and all(r.mutations <= 10 for r in blocks)
    assert not [r for r in server.requests if r.path.endswith("/dependencies/blocked_by")]
    # the first relation batch applied halfway, its answer lost: re-read, then the rest sent
    graphql = [r for r in server.requests if r.path == "/graphql"]
    nth = next(i for i, r in enumerate(graphql) if r in blocks) + 1
    for variant in ("disconnect", "502"):
        faulted = _synced(tmp_path, "graphql", [(nth, "partial", variant)])
        hit = [r for r in faulted.requests if r.fault == "partial"]
        assert len(hit) == 1 and "addBlockedBy" in hit[0].body["query"], variant
        state, problems = canonical(faulted.state)
        assert problems == [] and state == clean, variant
