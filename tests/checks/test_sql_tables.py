"""The tables a ``sql`` check reads, found in its query for lineage (without running it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from missionkit.checks.run import CheckResult, tables_read
from missionkit.spec.model import Check
from missionkit.warehouse.duckdb import DuckDBWarehouse
from missionkit.warehouse.postgres import PostgresWarehouse


def _tables(query: str, warehouse: object) -> tuple[str, ...]:
    check = Check.model_validate({"sql": query})
    return tables_read(CheckResult(check, False, "failed"), warehouse)  # type: ignore[arg-type]


@pytest.fixture
def duck(tmp_path: Path) -> DuckDBWarehouse:
    return DuckDBWarehouse("w.duckdb", {}, tmp_path / "w.duckdb")


def test_the_tables_of_a_query_but_not_its_ctes(duck: DuckDBWarehouse) -> None:
    query = """
        with orphans as (
          select e.* from staging.stg_encounter e
          left join staging.stg_patient p using (patient_id) where p.patient_id is null
        )
        select count(*) = 0 from orphans join lookup on true
    """
    assert _tables(query, duck) == ("main.lookup", "staging.stg_encounter", "staging.stg_patient")


def test_a_query_in_the_warehouse_dialect(tmp_path: Path) -> None:
    pg = PostgresWarehouse.open("postgresql://db.example.com/shop", tmp_path, {}, None)
    query = "select count(*) filter (where amount::numeric < 0) = 0 from sales.orders"
    assert _tables(query, pg) == ("sales.orders",)
    assert _tables("select 1 = 1 from orders", pg) == ("public.orders",)


def test_what_does_not_parse_names_no_table(duck: DuckDBWarehouse) -> None:
    assert _tables("select from where (", duck) == ()
    assert _tables("select count(*) > 0 from read_csv('data/x.csv')", duck) == ()


def test_what_a_check_named_itself_wins(duck: DuckDBWarehouse) -> None:
    check = Check.model_validate({"sql": "select true from a.b"})
    result = CheckResult(check, True, "ok", datasets=("x.y",))
    assert tables_read(result, duck) == ("x.y",)
    assert tables_read(CheckResult(check, True, "ok"), None) == ()
