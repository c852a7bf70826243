"""Fixtures for the data agents: a workspace in tmp_path, a real DuckDB file, contexts."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from missionkit.agents.base import AgentContext
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission

# The data agents need the optional `data` extra; without it their tests are not collected.
if not all(importlib.util.find_spec(m) for m in ("duckdb", "rapidfuzz")):
    collect_ignore_glob = ["test_*.py"]

MISSION = """\
---
title: Agent test mission
owner: dana-lee
warehouse: warehouse/test.duckdb
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
def mission(workspace: Path) -> Mission:
    path = workspace / "missions" / "agent-test.md"
    path.parent.mkdir()
    path.write_text(MISSION, encoding="utf-8")
    (loaded,) = load_missions([path])
    return loaded


@pytest.fixture
def make_ctx(workspace: Path, mission: Mission) -> MakeContext:
    """``make_ctx(task="load", answers=(), warehouse=…)``: a context with its own run dir."""
    runs: list[int] = []

    def make(
        task: str = "load",
        answers: tuple[str, ...] = (),
        warehouse: Path | str | None = "default",
        timeout: float | None = 120,
    ) -> AgentContext:
        runs.append(1)
        wh = workspace / "warehouse" / "test.duckdb" if warehouse == "default" else warehouse
        assert wh is None or isinstance(wh, Path)
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
