"""One contract for every warehouse: run on a DuckDB file and on a real PostgreSQL server.

Each test takes ``warehouse`` (one of each kind, see pgfixtures) and asserts what missionkit
relies on: connect, query, load files into tables (in a transaction that rolls back whole),
columns in DuckDB's type names, sampling, listing tables, the dialect of generated SQL,
the guarded casts of staging models, and a dbt profile that dbt accepts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from sqlglot import exp

from missionkit.agents.dbt.generate import write_profile
from missionkit.warehouse.base import Connection, LoadOptions, Source, Warehouse, WarehouseError
from missionkit.warehouse.registry import open_warehouse, warehouse_for, warehouses


@pytest.fixture
def warehouse(tmp_path: Path, warehouse_location: str) -> Warehouse:
    opened = open_warehouse(warehouse_location, tmp_path)
    assert opened is not None
    return opened


def csv_file(tmp_path: Path, text: str, name: str = "people.csv") -> Source:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Source(path, "csv", name)


PEOPLE = 'id,name,born,score\n1,Ada,1815-12-10,9.5\n2,"Lovelace, A",,\n3,Édith,1915-12-19,7\n'


def test_both_warehouses_are_plug_ins() -> None:
    assert {"duckdb", "postgres"} <= set(warehouses())
    assert warehouse_for("warehouse/x.duckdb").name == "duckdb"
    assert warehouse_for("postgresql://db.internal:5432/analytics").name == "postgres"
    assert warehouse_for("postgres://db/analytics").name == "postgres"
    with pytest.raises(WarehouseError, match="no installed warehouse serves snowflake://"):
        warehouse_for("snowflake://account/db")


def test_a_query_returns_columns_and_rows(warehouse: Warehouse) -> None:
    with warehouse.connect() as con:
        rows = con.query("select 1 as one, 'two' as two")
    assert rows.columns == ("one", "two")
    assert rows.rows == [(1, "two")]
    assert rows.dicts() == [{"one": 1, "two": "two"}]


def test_a_failing_query_is_a_warehouse_error_in_one_line(warehouse: Warehouse) -> None:
    with warehouse.connect() as con, pytest.raises(WarehouseError) as caught:
        con.query("select * from nowhere.nothing")
    assert "nothing" in str(caught.value) and "\n" not in str(caught.value)


def test_load_creates_a_typed_table_and_appends_by_name(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    loaded_at = datetime(2026, 1, 2, 3, 4, 5)
    source = csv_file(tmp_path, PEOPLE)
    with warehouse.connect() as con:
        with con.transaction():
            rows = con.load(
                "raw", "people", source, True, LoadOptions(metadata=("p.csv", loaded_at))
            )
        assert rows == 3
        assert con.columns("raw.people") == [
            ("id", "BIGINT"),
            ("name", "VARCHAR"),
            ("born", "DATE"),
            ("score", "DOUBLE"),
            ("_source_file", "VARCHAR"),
            ("_loaded_at", "TIMESTAMP"),
        ]
        more = csv_file(tmp_path, "name,id\nBabbage,4\n", "more.csv")
        assert con.load("raw", "people", more, False, LoadOptions()) == 1
        assert con.query("select id, name, score from raw.people order by id").rows == [
            (1, "Ada", 9.5),
            (2, "Lovelace, A", None),
            (3, "Édith", 7.0),
            (4, "Babbage", None),
        ]
        assert con.scalar("select max(_loaded_at) from raw.people") == loaded_at
        assert "raw.people" in con.tables()


def test_load_reads_parquet_and_json(warehouse: Warehouse, tmp_path: Path) -> None:
    import duckdb

    parquet = tmp_path / "v.parquet"
    duckdb.sql(f"copy (select 1 as id, 'x' as tag) to '{parquet}'")
    ndjson = tmp_path / "v.json"
    ndjson.write_text('{"id": 2, "tag": "y"}\n{"id": 3, "tag": null}\n', encoding="utf-8")
    with warehouse.connect() as con:
        assert (
            con.load("raw", "v", Source(parquet, "parquet", "v.parquet"), True, LoadOptions()) == 1
        )
        assert con.load("raw", "v", Source(ndjson, "json", "v.json"), False, LoadOptions()) == 2
        assert con.query("select id, tag from raw.v order by id").rows == [
            (1, "x"),
            (2, "y"),
            (3, None),
        ]


def test_a_transaction_rolls_back_whole(warehouse: Warehouse, tmp_path: Path) -> None:
    good = csv_file(tmp_path, PEOPLE)
    bad = csv_file(tmp_path, "id,nickname\n9,x\n", "bad.csv")
    with warehouse.connect() as con:
        with pytest.raises(WarehouseError), con.transaction():
            con.load("raw", "people", good, True, LoadOptions())
            con.load("raw", "people", bad, False, LoadOptions())  # no column nickname
        assert "raw.people" not in con.tables()


def test_all_varchar_keeps_text(warehouse: Warehouse, tmp_path: Path) -> None:
    with warehouse.connect() as con:
        con.load("raw", "p", csv_file(tmp_path, PEOPLE), True, LoadOptions(all_varchar=True))
        assert {t for _, t in con.columns("raw.p")} == {"VARCHAR"}


def test_columns_of_a_missing_table_are_empty(warehouse: Warehouse) -> None:
    with warehouse.connect() as con:
        assert con.columns("raw.nothing") == []


def test_sample_gives_non_null_values_as_text(warehouse: Warehouse, tmp_path: Path) -> None:
    with warehouse.connect() as con:
        con.load("raw", "people", csv_file(tmp_path, PEOPLE), True, LoadOptions())
        assert con.sample("raw.people", "born", 5) == ["1815-12-10", "1915-12-19"]
        assert con.sample("raw.people", "score", 1) == ["9.5"]


def test_read_only_connections_change_nothing(warehouse: Warehouse, tmp_path: Path) -> None:
    with warehouse.connect() as con:
        con.load("raw", "people", csv_file(tmp_path, PEOPLE), True, LoadOptions())
    with warehouse.connect(read_only=True) as con, pytest.raises(WarehouseError):
        con.query("delete from raw.people")
    with warehouse.connect(read_only=True) as con:
        assert con.scalar("select count(*) from raw.people") == 3


def test_generated_sql_quotes_identifiers_and_values(warehouse: Warehouse, tmp_path: Path) -> None:
    tricky = 'we"ird; drop table x'
    source = csv_file(tmp_path, f'"{tricky.replace(chr(34), chr(34) * 2)}",ok\n1,2\n', "t.csv")
    with warehouse.connect() as con:
        con.load(
            "raw", "odd name", source, True, LoadOptions(metadata=("it's.csv", datetime.now()))
        )
        assert [c for c, _ in con.columns("raw.odd name")][:2] == [tricky, "ok"]
        assert con.sample("raw.odd name", tricky, 5) == ["1"]
        assert con.scalar('select distinct _source_file from raw."odd name"') == "it's.csv"


def one_value(con: Connection, value: str) -> exp.Table:
    """A table of one text column ``v`` holding ``value`` (a column: no constant folding)."""
    con.query("create table one_value (v varchar)")
    con.query(exp.insert(exp.values([(value,)]), "one_value"))
    return exp.table_("one_value")


@pytest.mark.parametrize(
    ("value", "type_", "expected"),
    [
        ("42", "bigint", 42),
        ("4x2", "bigint", None),
        ("2.5", "double", 2.5),
        ("nope", "double", None),
        ("2024-02-03", "date", "2024-02-03"),
        ("03/02/2024", "date", None),
    ],
)
def test_try_cast_is_null_where_a_value_does_not_convert(
    warehouse: Warehouse, value: str, type_: str, expected: object
) -> None:
    cast = warehouse.try_cast(exp.column("v"), type_)
    if type_ == "date":
        cast = exp.cast(cast, "varchar")
    with warehouse.connect() as con:
        assert con.scalar(exp.select(cast).from_(one_value(con, value))) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-12", "2024-03-12"),
        ("03/12/2024", "2024-03-12"),
        ("12-Mar-2024", "2024-03-12"),
        ("20240312", "2024-03-12"),
        ("12.03.2024", None),
        ("13/45/2024", None),
    ],
)
def test_parse_time_tries_each_format(warehouse: Warehouse, text: str, expected: object) -> None:
    formats = ["%Y-%m-%d", "%m/%d/%Y", "%d-%b-%Y", "%Y%m%d"]
    parsed = warehouse.parse_time(exp.column("v"), formats, "date")
    with warehouse.connect() as con:
        table = one_value(con, text)
        assert con.scalar(exp.select(exp.cast(parsed, "varchar")).from_(table)) == expected


def test_task_commands_are_told_the_location_never_a_credential(warehouse: Warehouse) -> None:
    told = warehouse.task_env()
    assert set(told) == {"MISSION_WAREHOUSE"}
    password = warehouse.env.get("PGPASSWORD")
    if password:
        assert password not in told["MISSION_WAREHOUSE"]


@pytest.mark.slow
def test_dbt_accepts_the_profile(warehouse: Warehouse, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "dbt_project.yml").write_text(
        yaml.safe_dump(
            {"name": "contract", "version": "1.0.0", "config-version": 2, "profile": "p"}
        ),
        encoding="utf-8",
    )
    profiles = write_profile(tmp_path / "profiles", "p", warehouse)
    assert "PGPASSWORD" not in profiles.read_text() and warehouse.env.get(
        "PGPASSWORD", "~"
    ) not in (profiles.read_text())
    with warehouse.connect():  # a DuckDB file exists before dbt opens it
        pass
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **warehouse.dbt_env(),
    }
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "debug",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(profiles.parent),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All checks passed" in done.stdout


@pytest.mark.parametrize(
    ("late", "kind"),
    [("abc", "VARCHAR"), ("03/12/1984", "VARCHAR"), ("7", "BIGINT")],
)
def test_types_come_from_the_whole_file_not_a_sample(
    warehouse: Warehouse, tmp_path: Path, late: str, kind: str
) -> None:
    """A value past DuckDB's sampled rows decides a column's type on every warehouse."""
    early = "1" if kind == "BIGINT" or late == "abc" else "2024-01-02"
    lines = ["n,v", *(f'{i},"{early}"' for i in range(30_000)), f'30000,"{late}"']
    source = csv_file(tmp_path, "\n".join(lines) + "\n")
    with warehouse.connect() as con:
        assert con.load("raw", "late", source, True, LoadOptions()) == 30_001
        assert dict(con.columns("raw.late"))["v"] == kind
        assert con.scalar("select count(*) from raw.late where v is not null") == 30_001
