"""On GitHub, a mission's success criteria are checked by the dispatch job, a fresh runner:
their checks run on the DuckDB file its agent jobs left, the artifact missionkit recorded last,
downloaded (through the redirect, without the token) and taken only if its SHA-256 matches."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from missionkit.tracking.github.tracker import GitHubTracker
from missionkit.tracking.model import Key
from workflows.ghstate import Result, comments_of, issue_number, labels_of, record_warehouse

from ghserver import GitHubTestServer

CLI = Callable[..., Result]
MISSION = """\
---
title: Checked
owner: dana-lee
warehouse: warehouse/c.duckdb
success_criteria:
  - text: The table holds three rows
    checks: [{sql: "select count(*) = 3 from t"}]
tasks:
  - id: load
    title: Load the rows
    owner: dana-lee
---
"""


def _duckdb_file(folder: Path, rows: int) -> bytes:
    path = folder / f"made-{rows}.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table t as select range as x from range({rows})")
    return path.read_bytes()


def _finished(repo: Path, gh: GitHubTestServer, mission_cli: CLI) -> None:
    """The mission synced, and its one (human) task closed by its owner."""
    (repo / "missions" / "c.md").write_text(MISSION, encoding="utf-8")
    assert mission_cli("sync", "--tracker", "github").code == 0
    assert mission_cli("dispatch", "--tracker", "github").code == 0
    number = issue_number(gh, "c/load")
    tracker = GitHubTracker.connect(gh.url, "acme/data", "token-dana-lee")
    try:
        tracker.client.call(lambda: tracker.repo.get_issue(number).edit(state="closed"), what="x")
    finally:
        tracker.close()


def _recorded(gh: GitHubTestServer, repo: Path, data: bytes, recorded: bytes) -> None:
    """The DuckDB file an agent job uploaded (``data``), recorded with ``recorded``'s SHA-256."""
    record_warehouse(
        gh, repo.parent / "artifacts", Key("c", "load"), 9, {"c.duckdb": data}, recorded
    )


def test_the_criteria_are_checked_on_the_recorded_warehouse(
    repo: Path, gh: GitHubTestServer, mission_cli: CLI, tmp_path: Path
) -> None:
    _finished(repo, gh, mission_cli)
    data = _duckdb_file(tmp_path, 3)
    _recorded(gh, repo, data, data)
    ran = mission_cli("dispatch", "--tracker", "github")
    assert ran.code == 0, ran.text
    assert "c: took warehouse artifact" in ran.out
    assert "c: awaiting sign-off" in ran.out, ran.out
    mission = issue_number(gh, "c")
    assert "status:awaiting-signoff" in labels_of(gh, mission)
    assert any("The table holds three rows" in body for _, body in comments_of(gh, mission))
    assert (repo / "warehouse" / "c.duckdb").read_bytes() == data


def test_a_failing_criterion_on_the_recorded_warehouse_keeps_the_mission_active(
    repo: Path, gh: GitHubTestServer, mission_cli: CLI, tmp_path: Path
) -> None:
    _finished(repo, gh, mission_cli)
    data = _duckdb_file(tmp_path, 2)
    _recorded(gh, repo, data, data)
    ran = mission_cli("dispatch", "--tracker", "github")
    assert "c: took warehouse artifact" in ran.out
    assert "c: success criteria fail their checks; it stays active" in ran.out
    assert "status:awaiting-signoff" not in labels_of(gh, issue_number(gh, "c"))


def test_a_file_that_is_not_the_recorded_one_is_not_taken(
    repo: Path, gh: GitHubTestServer, mission_cli: CLI, tmp_path: Path
) -> None:
    _finished(repo, gh, mission_cli)
    _recorded(gh, repo, _duckdb_file(tmp_path, 3), b"another file")
    ran = mission_cli("dispatch", "--tracker", "github")
    assert "c: the warehouse artifact is not taken" in ran.out
    assert "holds no file with the SHA-256 missionkit recorded" in ran.out
    assert "c: success criteria fail their checks; it stays active" in ran.out
    assert not (repo / "warehouse" / "c.duckdb").exists()
