"""Fixtures for the data agents: a workspace in tmp_path, a real warehouse, contexts.

Every test that uses ``make_ctx`` runs twice: on a DuckDB file and on a database of a real
PostgreSQL server (see pgfixtures); ``sql`` queries whichever it is, through the warehouse
interface.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from missionkit.agents.base import AgentContext
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission
from missionkit.warehouse.base import Warehouse
from missionkit.warehouse.registry import open_warehouse

from pgfixtures import Query

# The data agents need the optional `data` extra; without it their tests are not collected.
if not all(importlib.util.find_spec(m) for m in ("duckdb", "rapidfuzz")):
    collect_ignore_glob = ["test_*.py"]

MISSION = """\
---
title: Agent test mission
owner: dana-lee
warehouse: {warehouse}
success_criteria: [agents work]
tasks:
  - id: load
    title: Load
    agent: ingest
    with: {files: [data/patients.csv]}
  - id: map
    title: Map
    agent: field-mapping
    depends_on: [load]
    with: {source: raw.patients, target: targets/patient.yaml}
---
"""

MakeContext = Callable[..., AgentContext]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    return root


@pytest.fixture
def mission(workspace: Path, warehouse_location: str) -> Mission:
    path = workspace / "missions" / "agent-test.md"
    path.parent.mkdir()
    path.write_text(MISSION.replace("{warehouse}", warehouse_location), encoding="utf-8")
    (loaded,) = load_missions([path])
    return loaded


@pytest.fixture
def warehouse(workspace: Path, mission: Mission) -> Warehouse:
    """The mission's warehouse (credentials from the environment, as where missions run)."""
    opened = open_warehouse(mission.spec.warehouse, workspace)
    assert opened is not None
    return opened


@pytest.fixture
def sql(warehouse: Warehouse) -> Query:
    """``sql("select …")``: the rows of a read-only query on the test's warehouse."""

    def query(text: str) -> list[tuple[object, ...]]:
        with warehouse.connect(read_only=True) as con:
            return con.query(text).rows

    return query


@pytest.fixture
def make_ctx(workspace: Path, mission: Mission, warehouse: Warehouse) -> MakeContext:
    """``make_ctx(task="load", answers=(), warehouse=…)``: a context with its own run dir;
    ``warehouse=None`` for a mission without one."""
    runs: list[int] = []
    default = warehouse

    def make(
        task: str = "load",
        answers: tuple[str, ...] = (),
        warehouse: Warehouse | str | None = "default",
        timeout: float | None = 120,
    ) -> AgentContext:
        runs.append(1)
        wh = default if warehouse == "default" else warehouse
        assert wh is None or isinstance(wh, Warehouse)
        return AgentContext(
            mission=mission,
            task=mission.task(task),
            workspace=workspace,
            run_dir=workspace / ".runs" / f"{task}-{len(runs)}",
            warehouse=wh,
            answers=tuple(answers),
            timeout=timeout,
        )

    return make


@pytest.fixture
def write(workspace: Path) -> Callable[[str, str], Path]:
    """``write("data/x.csv", text)``: a file in the workspace, folders created."""

    def write_file(relative: str, text: str) -> Path:
        path = workspace / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write_file


REPO = Path(__file__).resolve().parents[2]
