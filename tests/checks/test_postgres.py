"""The sql and diff checks on a real PostgreSQL server (the test fixture's, on loopback)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from missionkit.checks.base import CheckContext
from missionkit.checks.run import run_checks
from missionkit.spec.model import Check, Mission
from missionkit.warehouse.registry import open_warehouse


def test_sql_and_diff_checks_on_postgres(
    workspace: Path, pg_url: str, mission_with: Callable[[str], Mission]
) -> None:
    warehouse = open_warehouse(pg_url, workspace)
    assert warehouse is not None
    with warehouse.connect() as con, con.transaction():
        con.query("create schema raw")
        con.query("create schema snapshot")
        con.query("create table raw.patients (id integer, name text, sex text, born integer)")
        con.query(
            "insert into raw.patients values (1, 'Ada', 'F', 1990), (2, 'Bo', 'M', 1985), "
            "(3, 'Cy', 'M', 2001), (4, 'Di', 'F', 1977), (5, 'Ed', 'M', 1969)"
        )
        con.query("create table snapshot.patients as select * from raw.patients")
        con.query("update raw.patients set name = 'Bea' where id = 2")
        con.query("delete from raw.patients where id = 4")
        con.query("insert into raw.patients values (6, 'Fi', 'F', 2010)")
    ctx = CheckContext(mission_with("      - file: x\n"), workspace, warehouse, workspace / "run")
    given = [
        {"sql": "select count(*) = 5 from raw.patients"},
        {"diff": {"left": "snapshot.patients", "right": "raw.patients", "key": "id"}},
    ]
    sql, diff = run_checks([Check.model_validate(g) for g in given], ctx)
    assert (sql.passed, sql.detail) == (True, "returned True")
    assert diff.detail == "3 rows differ (1 added, 1 removed, 1 changed); expected none"
    assert sorted(diff.failures) == ["added: id=6", "changed: id=2", "removed: id=4"]
