"""The mission's DuckDB file travels between agent jobs as an artifact missionkit recorded.

The steps run as on GitHub (prepare → the artifact's download → execute → upload → record),
the download being a folder the test fills as download-artifact would; the history of each
task says which artifact it read and wrote, and a file that is not the recorded one is never
taken.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from missionkit.cli.main import main
from missionkit.execution.dispatch import Dispatcher, claim_for
from missionkit.execution.notify import Notifier
from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.model import Key
from missionkit.tracking.plan import make_plan
from missionkit.warehouse import travel

from support import HEAD

MISSION = (
    HEAD
    + """warehouse: warehouse/m.duckdb
tasks:
  - id: load
    title: Load
    agent: shell
    with: {command: "python make_table.py"}
    runs_on: [self-hosted, dbt]
  - id: check
    title: Check
    agent: shell
    depends_on: [load]
    with: {command: "true"}
    checks: [{sql: select x = 42 from t}]
---
"""
)
DIGEST = "sha256:" + "ab" * 32


@pytest.fixture
def missions(write_mission: Callable[[str, str], Path], local: LocalTracker) -> LocalTracker:
    write_mission("m", MISSION)
    Path("make_table.py").write_text(
        "import os, duckdb\n"
        "os.makedirs('warehouse', exist_ok=True)\n"
        "duckdb.connect('warehouse/m.duckdb').execute('create table t as select 42 as x')\n",
        encoding="utf-8",
    )
    found = load_missions(["missions"])
    apply_plan(make_plan(found, local), local)
    return local


def dispatch(tracker: LocalTracker) -> list[dict[str, object]]:
    result = Dispatcher(tracker, Notifier({}), claimer="host:1").run(load_missions(["missions"]))
    return list(result.matrix()["include"])


def history(tracker: LocalTracker, key: Key) -> list[str]:
    (item,) = [i for i in tracker.read(key.mission) if i.key == key]
    return [e.reason for e in tracker.events(item) if e.kind == travel.KIND]


def job(
    task: str, workspace: Path, runner: Path, uploaded: str | None, download: Path | None
) -> None:
    """One agent job on a fresh runner: ``workspace`` is its checkout."""
    out = runner / "missionkit-task"
    assert main(["agent", "prepare", f"m/{task}", "--out", str(out)]) == 0
    argv = ["agent", "run", f"m/{task}", "--execute-only", "--out", str(out)]
    if download is not None:
        argv += ["--warehouse-from", str(download)]
    assert main(argv) == 0
    record = ["agent", "record", f"m/{task}", "--from", str(out)]
    if uploaded:
        record += ["--warehouse-artifact", uploaded]
    main(record)


def test_the_duckdb_file_travels_as_the_recorded_artifact(
    missions: LocalTracker, workspace: Path, tmp_path: Path
) -> None:
    matrix = dispatch(missions)
    assert matrix == [
        {
            "mission": "m",
            "task": "load",
            "agent": "shell",
            "title": "Load",
            "runs_on": ["self-hosted", "dbt"],
            "queue": "missionkit-warehouse-m",
        }
    ]
    out = tmp_path / "runner1" / "missionkit-task"
    assert main(["agent", "prepare", "m/load", "--out", str(out)]) == 0
    plan = json.loads((out / travel.FILE).read_text())
    assert plan == {"path": "warehouse/m.duckdb", "artifact": None}  # nothing to download yet
    job("load", workspace, tmp_path / "runner1", f"101:7:{DIGEST}", None)
    wrote = history(missions, Key("m", "load"))
    written = travel.file_sha256(workspace / "warehouse" / "m.duckdb")
    assert wrote == [f"wrote warehouse artifact 101 (run 7, {DIGEST}; file sha256:{written})"]
    assert history(missions, Key("m")) == wrote  # the mission's ledger

    # the next job runs on a fresh runner: the file is only in the artifact
    artifact = tmp_path / "artifacts" / "101"
    artifact.mkdir(parents=True)
    shutil.move(workspace / "warehouse" / "m.duckdb", artifact / "m.duckdb")
    (matrix_check,) = dispatch(missions)
    assert matrix_check["task"] == "check" and matrix_check["runs_on"] == ["ubuntu-latest"]
    job("check", workspace, tmp_path / "runner2", f"102:8:{DIGEST}", artifact)
    (item,) = [i for i in missions.read("m") if i.key.task == "check"]
    assert item.state == "done"  # its sql check read the table the first job wrote
    read, wrote_again = history(missions, Key("m", "check"))
    assert read.startswith("read warehouse artifact 101 (run 7,")
    assert wrote_again.startswith("wrote warehouse artifact 102 (run 8,")


def test_a_file_that_is_not_the_recorded_one_is_not_taken(
    missions: LocalTracker, workspace: Path, tmp_path: Path
) -> None:
    dispatch(missions)
    job("load", workspace, tmp_path / "runner1", f"101:7:{DIGEST}", None)
    forged = tmp_path / "artifacts" / "101"
    forged.mkdir(parents=True)
    with duckdb.connect(str(forged / "m.duckdb")) as con:
        con.execute("create table t as select 41 as x")
    (workspace / "warehouse" / "m.duckdb").unlink()
    dispatch(missions)
    out = tmp_path / "runner2" / "missionkit-task"
    assert main(["agent", "prepare", "m/check", "--out", str(out)]) == 0
    main(
        [
            "agent",
            "run",
            "m/check",
            "--execute-only",
            "--out",
            str(out),
            "--warehouse-from",
            str(forged),
        ]
    )
    outcome = json.loads((out / "outcome.json").read_text())
    assert outcome["verdict"] == "failed"
    assert "holds no file with the SHA-256 missionkit recorded" in outcome["reasons"][0]
    assert not (workspace / "warehouse" / "m.duckdb").exists()


def test_a_server_warehouse_needs_no_artifact(
    write_mission: Callable[[str, str], Path], local: LocalTracker
) -> None:
    write_mission("m", MISSION.replace("warehouse/m.duckdb", "postgresql://db.internal/m", 1))
    (mission,) = load_missions(["missions"])
    assert travel.travels(mission) is None
    claim = claim_for(mission, mission.task("load"))
    assert claim.to_json()["queue"] == "missionkit-task-m-load"  # no turns to take
