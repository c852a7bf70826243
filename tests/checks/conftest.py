from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from missionkit.checks.base import CheckContext
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission
from missionkit.warehouse.registry import open_warehouse

from support import HEAD

PATIENTS = [
    (1, "Ada", "F", 1990),
    (2, "Bo", "M", 1985),
    (3, "Cy", "M", 2001),
    (4, "Di", "F", 1977),
    (5, "Ed", "M", 1969),
]


@pytest.fixture
def warehouse(workspace: Path) -> Path:
    """A DuckDB warehouse with raw.patients and an identical copy, snapshot.patients."""
    path = workspace / "warehouse" / "wh.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw; create schema snapshot")
        con.execute(
            "create table raw.patients (id integer, name varchar, sex varchar, born integer)"
        )
        con.executemany("insert into raw.patients values (?, ?, ?, ?)", PATIENTS)
        con.execute("create table snapshot.patients as select * from raw.patients")
    return path


@pytest.fixture
def mission_with(workspace: Path, warehouse: Path) -> Callable[[str], Mission]:
    """A mission (with the warehouse) whose one shell task has the given checks block."""

    def make(checks: str, command: str = "true") -> Mission:
        text = (
            HEAD
            + "warehouse: warehouse/wh.duckdb\ntasks:\n  - id: t\n    title: T\n"
            + f"    agent: shell\n    with: {{command: '{command}'}}\n    checks:\n{checks}---\n"
        )
        (workspace / "missions" / "m.md").write_text(text, encoding="utf-8")
        return load_missions(["missions"])[0]

    return make


@pytest.fixture
def context(
    workspace: Path, warehouse: Path, mission_with: Callable[[str], Mission]
) -> CheckContext:
    mission = mission_with("      - file: x\n")
    opened = open_warehouse("warehouse/wh.duckdb", workspace)
    assert opened is not None
    return CheckContext(mission, workspace, opened, workspace / "run")


@pytest.fixture
def site_page(workspace: Path) -> Callable[[str], str]:
    """The Markdown of a mission's site page, rendered from the local tracker's state."""
    from datetime import UTC, datetime

    from missionkit.site.collect import collect
    from missionkit.site.render import environment, render
    from missionkit.tracking.local import LocalTracker

    def page(mission_id: str) -> str:
        tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
        try:
            missions = load_missions(["missions"])
            data = collect(missions, tracker, workspace / ".missionkit" / "runs", workspace)
            site = render(data, environment(), datetime.now(UTC))
        finally:
            tracker.close()
        return next(o.text for o in site.outputs if o.path == f"missions/{mission_id}.md")

    return page
