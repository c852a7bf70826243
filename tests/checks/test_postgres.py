"""The sql, diff and soda checks on a real PostgreSQL server (the test fixture's, on loopback)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from missionkit.checks.base import CheckContext
from missionkit.checks.run import run_check, run_checks
from missionkit.checks.soda import PASSWORD_VARIABLE
from missionkit.spec.model import Check, Mission
from missionkit.warehouse.base import Warehouse
from missionkit.warehouse.registry import open_warehouse

from support import PATIENTS_CONTRACT


@pytest.fixture
def pg_patients(workspace: Path, pg_url: str) -> Warehouse:
    """A PostgreSQL warehouse with raw.patients (five rows) and an identical snapshot.patients."""
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
    return warehouse


def test_sql_and_diff_checks_on_postgres(
    workspace: Path, pg_patients: Warehouse, mission_with: Callable[[str], Mission]
) -> None:
    warehouse = pg_patients
    with warehouse.connect() as con, con.transaction():
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


def test_soda_contract_on_postgres_fails_exactly_the_planted_rule(
    workspace: Path, pg_url: str, pg_patients: Warehouse, mission_with: Callable[[str], Mission]
) -> None:
    warehouse = pg_patients
    database = psycopg.conninfo.conninfo_to_dict(pg_url)["dbname"]
    (workspace / "contracts").mkdir()
    contract = PATIENTS_CONTRACT.replace("wh/wh/", f"pg/{database}/")
    (workspace / "contracts" / "patients.yml").write_text(contract)
    ctx = CheckContext(mission_with("      - file: x\n"), workspace, warehouse, workspace / "run")
    given = Check.model_validate({"soda": "contracts/patients.yml"})
    clean = run_check(given, ctx)
    assert (clean.passed, clean.detail) == (True, "5 rules passed"), clean.detail
    with warehouse.connect() as con:
        con.query("update raw.patients set sex = 'X' where id = 3")
    planted = run_check(given, ctx)
    assert not planted.passed
    assert planted.failures == ("column sex: No invalid values (invalid) (contract line 13)",)
    report = json.loads((ctx.run_dir / "check-0-soda.json").read_text())
    assert [r["outcome"] for r in report["rules"]].count("FAILED") == 1
    # the password is named in the data source file, never written there, nor left behind
    written = (ctx.run_dir / "check-0-soda-datasource.yml").read_text()
    assert f"${{env.{PASSWORD_VARIABLE}}}" in written
    assert os.environ["PGPASSWORD"] not in written
    assert PASSWORD_VARIABLE not in os.environ
