"""Sync against the GitHub test server: the mapping, request counts, and faults."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from missionkit.cli.main import main
from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.github.tracker import GitHubTracker
from missionkit.tracking.plan import make_plan

from ghserver import GitHubTestServer
from support import HEAD, github_snapshot

ONE = (
    HEAD
    + """tasks:
  - id: extract
    title: Extract the CRM tables
    agent: shell
    with: {command: "true"}
  - id: review
    title: Review the extract
    owner: alex-kim
    depends_on: [extract]
    acceptance: [Row counts match the source]
---
"""
)
TWO = (
    HEAD
    + """tasks:
  - id: publish
    title: Publish the dashboard
    depends_on: [one/review]
---
"""
)


@pytest.fixture
def missions_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "missions"
    folder.mkdir()
    (folder / "one.md").write_text(ONE)
    (folder / "two.md").write_text(TWO)
    return folder


def run_sync(server: GitHubTestServer, folder: Path) -> None:
    tracker = GitHubTracker.connect(server.url, "acme/data", "t")
    try:
        apply_plan(make_plan(load_missions([folder]), tracker), tracker)
    finally:
        tracker.close()


def test_sync_maps_missions_to_issues(github_server: GitHubTestServer, missions_dir: Path) -> None:
    run_sync(github_server, missions_dir)
    snap = github_snapshot(github_server)
    issues = {i[0]: i for i in snap["issues"]}  # type: ignore[attr-defined]
    assert sorted(issues) == ["one", "one/extract", "one/review", "two", "two/publish"]
    _key, title, body, state, _, labels, assignees, parent, blocked_by = issues["one/review"]
    assert (title, state, assignees, parent, blocked_by) == (
        "Review the extract",
        "open",
        ("alex-kim",),
        "one",
        ("one/extract",),
    )
    assert labels == ("after:extract", "mission:one", "owner:person", "status:blocked")
    assert "- [ ] Row counts match the source" in body
    assert "- <one/extract>" in body
    assert issues["two/publish"][8] == ("one/review",)  # a cross-mission relation
    assert issues["two/publish"][5] == (
        "after:one/review",
        "mission:two",
        "owner:person",
        "status:blocked",
    )
    assert issues["one"][5] == ("mission", "mission:one")
    label_colours = {name: (colour, desc) for name, colour, desc in snap["labels"]}  # type: ignore[attr-defined]
    assert label_colours["status:blocked"][1] == "Task state: blocked"
    assert label_colours["agent:shell"] == ("00897b", "Done by the shell agent")


def test_resync_makes_no_write_and_reads_one_page(
    github_server: GitHubTestServer, missions_dir: Path
) -> None:
    run_sync(github_server, missions_dir)
    github_server.reset_log()
    run_sync(github_server, missions_dir)
    assert [(r.method, r.path) for r in github_server.requests] == [
        ("GET", "/repos/acme/data/issues"),
        ("GET", "/repos/acme/data/issues"),
    ]


def test_one_edit_is_one_write(github_server: GitHubTestServer, missions_dir: Path) -> None:
    run_sync(github_server, missions_dir)
    (missions_dir / "one.md").write_text(
        ONE.replace("Review the extract", "Review the CRM extract")
    )
    github_server.reset_log()
    run_sync(github_server, missions_dir)
    writes = [(r.method, re.sub(r"\d+", "N", r.path)) for r in github_server.requests if r.is_write]
    assert writes == [("PATCH", "/repos/acme/data/issues/N")]


def test_rejected_assignee_is_a_warning(
    github_server: GitHubTestServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "missions"
    folder.mkdir()
    (folder / "one.md").write_text(ONE.replace("owner: alex-kim", "owner: nobody-here"))
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/data")
    monkeypatch.setenv("GITHUB_API_URL", github_server.url)
    assert main(["sync", "--tracker", "github", "--missions", str(folder), "-q"]) == 0
    err = capsys.readouterr().err
    assert (
        "warning: one/review: GitHub did not accept assignee(s) nobody-here; "
        "created the issue unassigned" in err
    )
    issues = {i[0]: i for i in github_snapshot(github_server)["issues"]}  # type: ignore[attr-defined]
    assert issues["one/review"][6] == ()
    assert len(issues) == 3


def _fault_free(missions_dir: Path) -> tuple[dict[str, object], int]:
    with GitHubTestServer(
        owner="acme", repo="data", users={"dana-lee": "admin", "alex-kim": "write"}
    ) as server:
        run_sync(server, missions_dir)
        return github_snapshot(server), len(server.requests)


FAULTS: list[object] = [
    ("status", {"status": 502}),
    ("lost", {"variant": "disconnect"}),
    ("lost", {"variant": "502"}),
    ("secondary_limit", {"retry_after": 0}),
    ("too_many", {"retry_after": 0}),
    pytest.param("rate_limit", {"reset_in": 0}, marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("kind", "options"), FAULTS)
def test_a_fault_at_any_request_then_a_rerun_converges(
    missions_dir: Path, kind: str, options: dict[str, object]
) -> None:
    expected, count = _fault_free(missions_dir)
    for k in range(1, count + 1):
        with GitHubTestServer(
            owner="acme", repo="data", users={"dana-lee": "admin", "alex-kim": "write"}
        ) as server:
            server.faults.on_request(k, kind, **options)  # type: ignore[arg-type]
            with contextlib.suppress(Exception):
                run_sync(server, missions_dir)
            run_sync(server, missions_dir)
            assert github_snapshot(server) == expected, f"fault {kind} at request {k}"
            server.reset_log()
            run_sync(server, missions_dir)
            assert not [r for r in server.requests if r.is_write], f"fault {kind} at request {k}"
            assert server.validation_errors == []
