"""The project's own example missions, synced to the GitHub test server."""

from __future__ import annotations

import shutil
from pathlib import Path

from missionkit.spec.key import Key
from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.desired import parse_marker
from missionkit.tracking.github.tracker import GitHubTracker
from missionkit.tracking.plan import make_plan

from ghserver import GitHubTestServer

ROOT = Path(__file__).resolve().parents[2]


def sync(server: GitHubTestServer, folder: Path) -> None:
    tracker = GitHubTracker.connect(server.url, "acme/data", "t")
    try:
        apply_plan(make_plan(load_missions([folder]), tracker), tracker)
    finally:
        tracker.close()


def test_examples_sync_to_one_issue_per_task_and_mission(
    github_server: GitHubTestServer, tmp_path: Path
) -> None:
    folder = tmp_path / "missions"
    shutil.copytree(ROOT / "missions", folder)
    missions = load_missions([folder])
    sync(github_server, folder)

    state = github_server.state
    by_key = {}
    for issue in state.issues.values():
        marker = parse_marker(issue.body)
        assert marker is not None, issue.title
        assert str(marker[0]) not in by_key, f"duplicate issue for {marker[0]}"
        by_key[str(marker[0])] = issue
    expected = {m.id for m in missions} | {f"{m.id}/{t.id}" for m in missions for t in m.tasks}
    assert set(by_key) == expected
    for mission in missions:
        top = by_key[mission.id]
        assert {"mission", f"mission:{mission.id}"} <= set(state.label_names(top))
        for task in mission.tasks:
            issue = by_key[f"{mission.id}/{task.id}"]
            labels = set(state.label_names(issue))
            who = f"agent:{task.agent}" if task.agent else "owner:person"
            deps = [Key.of_ref(mission.id, ref) for ref in task.depends_on]
            after = {f"after:{t}" if m == mission.id else f"after:{m}/{t}" for m, t in deps}
            assert labels == {
                f"mission:{mission.id}",
                "status:blocked",
                who,
                *after,
                *mission.spec.labels,
            }
            assert issue.parent == top.number
            assert sorted(issue.blocked_by) == sorted(by_key[f"{m}/{t}"].number for m, t in deps)
            assert issue.title == task.title

    github_server.reset_log()
    sync(github_server, folder)
    assert [r for r in github_server.requests if r.is_write] == []

    path = folder / "orders-backfill.md"
    first = load_missions([path])[0].tasks[0]
    path.write_text(path.read_text().replace(first.title, first.title + " (revised)", 1))
    github_server.reset_log()
    sync(github_server, folder)
    writes = [(r.method, r.path) for r in github_server.requests if r.is_write]
    number = by_key[f"orders-backfill/{first.id}"].number
    assert writes == [("PATCH", f"/repos/acme/data/issues/{number}")]
