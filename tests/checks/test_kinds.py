"""Each built-in check kind on a real DuckDB warehouse: what passes, what fails and why."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from missionkit.checks.base import CheckContext
from missionkit.checks.names import kind_names
from missionkit.checks.registry import load_kind
from missionkit.checks.run import run_check, run_checks
from missionkit.spec.model import Check

from support import PATIENTS_CONTRACT


def check(**given: object) -> Check:
    return Check.model_validate(given)


def test_built_in_kinds_are_registered_as_entry_points() -> None:
    assert set(kind_names()) >= {"sql", "soda", "diff", "dbt", "command", "file"}
    assert type(load_kind("diff")).__module__ == "missionkit.checks.diff"


def test_sql_check_passes_on_a_true_first_value(context: CheckContext) -> None:
    ok = run_check(check(sql="select count(*) = 5 from raw.patients"), context)
    assert (ok.passed, ok.detail, ok.status) == (True, "returned True", "passed")
    bad = run_check(check(sql={"query": "select count(*) > 9 from raw.patients"}), context)
    assert (bad.passed, bad.status, bad.blocks) == (False, "failed", True)
    broken = run_check(check(sql="select * from raw.nope"), context)
    assert not broken.passed and broken.detail.startswith("query failed: Catalog Error")


def test_a_warn_check_that_fails_warns_and_does_not_block(context: CheckContext) -> None:
    result = run_check(check(sql="select false", severity="warn"), context)
    assert (result.status, result.warned, result.blocks) == ("warned", True, False)


def _change(warehouse: Path, *statements: str) -> None:
    with duckdb.connect(str(warehouse)) as con:
        for statement in statements:
            con.execute(statement)


THREE = (
    "update raw.patients set name = 'Bea' where id = 2",
    "delete from raw.patients where id = 4",
    "insert into raw.patients values (6, 'Fi', 'F', 2010)",
)


def test_diff_reports_exactly_the_three_injected_differences(
    context: CheckContext, warehouse: Path
) -> None:
    _change(warehouse, *THREE)
    diff = {"left": "snapshot.patients", "right": "raw.patients", "key": "id"}
    result = run_check(check(diff=diff), context)
    assert not result.passed
    assert result.detail == "3 rows differ (1 added, 1 removed, 1 changed); expected none"
    assert sorted(result.failures) == ["added: id=6", "changed: id=2", "removed: id=4"]
    data = json.loads((context.run_dir / "check-0-diff.json").read_text())
    assert data["counts"] == {"added": 1, "removed": 1, "changed": 1}
    changed = next(r for r in data["rows"] if r["change"] == "changed")
    assert changed["changed"] == ["name"] and changed["left"]["name"] == "Bo"
    assert changed["right"]["name"] == "Bea"
    sample = (context.run_dir / "check-0-diff.md").read_text()
    assert "| changed | 2 | name |" in sample and "| **total** | **3**" in sample
    assert set(result.datasets) == {"snapshot.patients", "raw.patients"}
    allowed = run_check(check(diff={**diff, "max_rows": 3}), context)
    assert allowed.passed and allowed.detail == "3 rows differ (1 added, 1 removed, 1 changed)"


def test_diff_over_a_key_range_or_where_clause_sees_only_those_rows(
    context: CheckContext, warehouse: Path
) -> None:
    _change(warehouse, *THREE)
    base = {"left": "snapshot.patients", "right": "raw.patients", "key": ["id"]}
    ranged = run_check(check(diff={**base, "key_min": 1, "key_max": 4}), context)
    assert ranged.detail == "1 rows differ (1 changed); expected none"
    where = run_check(check(diff={**base, "where": "sex = 'F'"}), context)
    assert sorted(where.failures) == ["added: id=6", "removed: id=4"]
    named = run_check(check(diff={**base, "columns": ["sex"]}), context)
    assert sorted(named.failures) == ["added: id=6", "removed: id=4"]


def test_diff_against_a_snapshot_file(context: CheckContext, warehouse: Path) -> None:
    snapshot = context.workspace / "snap.parquet"
    _change(
        warehouse,
        f"copy (select * from raw.patients) to '{snapshot}' (format parquet)",
        THREE[0],
    )
    result = run_check(
        check(diff={"left": "snap.parquet", "right": "raw.patients", "key": "id"}), context
    )
    assert result.failures == ("changed: id=2",)
    assert result.datasets == ("raw.patients",)


def test_diff_across_two_databases_uses_reladiff(context: CheckContext, warehouse: Path) -> None:
    other = warehouse.parent / "prod.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        con.execute("create schema raw; create table raw.patients as select * from wh.raw.patients")
    _change(warehouse, *THREE)
    given = {
        "left": "raw.patients",
        "left_warehouse": "warehouse/prod.duckdb",
        "right": "raw.patients",
        "key": "id",
    }
    result = run_check(check(diff=given), context)
    assert result.detail == "3 rows differ (1 added, 1 removed, 1 changed); expected none"
    assert sorted(result.failures) == ["added: id='6'", "changed: id='2'", "removed: id='4'"]


def test_diff_names_a_missing_key_column(context: CheckContext) -> None:
    given = {"left": "snapshot.patients", "right": "raw.patients", "key": "patient_id"}
    result = run_check(check(diff=given), context)
    assert (result.passed, result.detail) == (False, "key column patient_id is not in both tables")


def test_soda_contract_with_a_planted_violation_fails_exactly_that_rule(
    context: CheckContext, warehouse: Path
) -> None:
    (context.workspace / "contracts").mkdir()
    (context.workspace / "contracts" / "patients.yml").write_text(PATIENTS_CONTRACT)
    clean = run_check(check(soda="contracts/patients.yml"), context)
    assert (clean.passed, clean.detail) == (True, "5 rules passed")
    _change(warehouse, "update raw.patients set sex = 'X' where id = 3")
    planted = run_check(check(soda={"contract": "contracts/patients.yml"}), context)
    assert not planted.passed
    assert planted.failures == ("column sex: No invalid values (invalid) (contract line 13)",)
    assert planted.detail.startswith("1 of 5 rules failed: column sex")
    assert planted.datasets == ("raw.patients",)
    report = json.loads((context.run_dir / "check-0-soda.json").read_text())
    assert [r["outcome"] for r in report["rules"]].count("FAILED") == 1


def test_soda_names_a_missing_contract(context: CheckContext) -> None:
    result = run_check(check(soda="contracts/none.yml"), context)
    assert (result.passed, result.detail) == (False, "contract contracts/none.yml does not exist")


def test_command_and_file_checks_are_kept(context: CheckContext) -> None:
    (context.workspace / "made.txt").write_text("data")
    assert run_check(check(file="made.txt"), context).passed
    assert run_check(check(command="grep -q data made.txt"), context).passed
    failed = run_check(check(command={"run": "test -e nope.txt"}), context)
    assert (failed.passed, failed.detail) == (False, "exit code 1")


@pytest.mark.parametrize("value", [{"query": ""}, {"query": "select 1", "extra": 1}])
def test_an_invalid_value_fails_the_check_with_a_reason(
    context: CheckContext, value: object
) -> None:
    result = run_check(check(sql=value), context)
    assert not result.passed and result.detail.startswith("invalid sql check: ")


def test_checks_of_every_kind_run_together_on_one_warehouse(
    context: CheckContext, warehouse: Path
) -> None:
    (context.workspace / "contracts").mkdir()
    (context.workspace / "contracts" / "patients.yml").write_text(PATIENTS_CONTRACT)
    diff = {"left": "snapshot.patients", "right": "raw.patients", "key": "id"}
    given = [
        {"sql": "select count(*) = 5 from raw.patients"},
        {"soda": "contracts/patients.yml"},
        {"diff": diff},
        {"sql": "select count(*) = 5 from snapshot.patients"},
    ]
    results = run_checks([Check.model_validate(g) for g in given], context)
    assert [(r.check.kind, r.passed) for r in results] == [
        ("sql", True),
        ("soda", True),
        ("diff", True),
        ("sql", True),
    ], [r.detail for r in results]
    assert [p.name for r in results for p in r.artifacts] == [
        "check-1-soda.json",
        "check-2-diff.json",
        "check-2-diff.md",
    ]


def test_a_command_after_a_sql_check_may_write_to_the_warehouse(
    context: CheckContext, warehouse: Path
) -> None:
    script = f"import duckdb; duckdb.connect('{warehouse}').execute('create table raw.x (a int)')"
    write = f'python -c "{script}"'
    given = [{"sql": "select true"}, {"command": write}, {"sql": "select count(*) = 0 from raw.x"}]
    results = run_checks([Check.model_validate(g) for g in given], context)
    assert [r.passed for r in results] == [True, True, True], [r.detail for r in results]
