"""GitHub's limits, checked before writing: phase parents past 100 sub-issues, at most 50
blocked-by relations per issue and type, and what ``mission validate`` says about them."""

from __future__ import annotations

from pathlib import Path

import pytest

from missionkit.cli.main import main
from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.github.tracker import GitHubTracker
from missionkit.tracking.plan import make_plan

from ghserver import GitHubTestServer
from support import HEAD


def wide(n: int, fan_in: int = 0) -> str:
    """``n`` tasks; the last ``fan_in`` of them also wait on every one of the first 55."""
    lines = ["tasks:"]
    for i in range(n):
        lines += [f"  - id: t{i}", f"    title: Task {i}", "    agent: shell"]
        lines.append("    with: {command: 'true'}")
        if fan_in and i >= n - fan_in:
            lines.append(f"    depends_on: [{', '.join(f't{d}' for d in range(55))}]")
    return HEAD + "\n".join(lines) + "\n---\n"


def sync(server: GitHubTestServer, folder: Path) -> list[str]:
    tracker = GitHubTracker.connect(server.url, "acme/data", "t")
    plan = make_plan(load_missions([folder]), tracker)
    result = apply_plan(plan, tracker)
    tracker.close()
    return result.warnings


def tree(server: GitHubTestServer) -> dict[str, list[str]]:
    """Title of each parent issue → titles of its sub-issues."""
    with server.state.lock:
        issues = server.state.issues
        return {
            i.title: [issues[c].title for c in i.children] for i in issues.values() if i.children
        }


@pytest.mark.slow
def test_a_mission_past_100_tasks_gets_nested_phase_parents(
    github_server: GitHubTestServer, tmp_path: Path
) -> None:
    (tmp_path / "m.md").write_text(wide(205), encoding="utf-8")
    assert sync(github_server, tmp_path) == []
    parents = tree(github_server)
    title = "Test mission"
    phases = [f"{title}: phase {n} of 3" for n in (1, 2, 3)]
    assert parents[title] == phases
    assert parents[phases[0]] == [f"Task {i}" for i in range(100)]
    assert parents[phases[1]] == [f"Task {i}" for i in range(100, 200)]
    assert parents[phases[2]] == [f"Task {i}" for i in range(200, 205)]
    with github_server.state.lock:
        phase_labels = {
            name
            for i in github_server.state.issues.values()
            if i.title in phases
            for name in github_server.state.label_names(i)
        }
    assert phase_labels == {"mission:m"}  # no status label: a phase is no task
    github_server.reset_log()
    sync(github_server, tmp_path)
    assert github_server.writes == []


@pytest.mark.slow
def test_tasks_move_under_phases_when_the_mission_passes_100(
    github_server: GitHubTestServer, tmp_path: Path
) -> None:
    (tmp_path / "m.md").write_text(wide(100), encoding="utf-8")
    sync(github_server, tmp_path)
    assert len(tree(github_server)["Test mission"]) == 100
    (tmp_path / "m.md").write_text(wide(101), encoding="utf-8")
    sync(github_server, tmp_path)
    parents = tree(github_server)
    assert parents["Test mission"] == ["Test mission: phase 1 of 2", "Test mission: phase 2 of 2"]
    assert parents["Test mission: phase 2 of 2"] == ["Task 100"]
    assert len(parents["Test mission: phase 1 of 2"]) == 100


@pytest.mark.slow
def test_at_most_50_blocked_by_relations_per_issue_and_type(
    github_server: GitHubTestServer, tmp_path: Path
) -> None:
    (tmp_path / "m.md").write_text(wide(60, fan_in=2), encoding="utf-8")
    warnings = sync(github_server, tmp_path)
    with github_server.state.lock:
        by_title = {i.title: i for i in github_server.state.issues.values()}
        assert len(by_title["Task 58"].blocked_by) == 50
        assert len(by_title["Task 59"].blocked_by) == 50
        labels = set(github_server.state.label_names(by_title["Task 59"]))
    assert {f"after:t{d}" for d in range(55)} <= labels  # the order stays readable
    assert (
        "m/t58: GitHub allows 50 blocked-by relations per issue; m/t50 is kept as its after: "
        "label only" in warnings
    )
    assert len(warnings) == 10  # five prerequisites past the limit, for each of two tasks
    assert github_server.validation_errors == []


def test_validate_warns_about_the_limits_and_says_what_sync_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.md").write_text(wide(120, fan_in=1), encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert (
        f"warning: {tmp_path}/m.md:5:1: tasks: 120 tasks; GitHub allows 100 sub-issues per issue, "
        "so sync on GitHub groups them under 2 phase issues of up to 100 tasks each, beneath the "
        "mission's issue\n"
    ) in err
    assert (
        f"warning: {tmp_path}/m.md:486:5: tasks[119].depends_on: 55 dependencies; GitHub allows "
        "50 blocked-by relations per issue, so sync relates the first 50 and keeps the rest as "
        "after: labels\n"
    ) in err
