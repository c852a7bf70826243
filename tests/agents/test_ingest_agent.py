from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from pydantic import ValidationError

from missionkit.agents.base import Verdict
from missionkit.agents.ingest.agent import IngestAgent
from missionkit.agents.ingest.inputs import IngestInputs
from missionkit.warehouse.base import Warehouse

from pgfixtures import Query

PATIENTS = """\
PatientID,DOB,Sex,zip
P1,1984-03-12,M,02139
P2,03/12/1984,F,
P3,12-Mar-1984,,94110
"""

Write = Callable[[str, str], Path]


def run(ctx, **inputs):  # type: ignore[no-untyped-def]
    return IngestAgent().run(ctx, IngestInputs.model_validate(inputs))


def columns(warehouse: Warehouse, table: str) -> dict[str, str]:
    with warehouse.connect(read_only=True) as con:
        return dict(con.columns(table))


def test_loads_a_csv_keeping_messy_dates_as_text(
    make_ctx, write: Write, sql: Query, warehouse: Warehouse
) -> None:
    write("data/patients.csv", PATIENTS)
    result = run(make_ctx(), files=["data/patients.csv"])
    assert result.verdict is Verdict.DONE, result.report
    assert sql("select count(*) from raw.patients") == [(3,)]
    types = columns(warehouse, "raw.patients")
    assert types["DOB"] == "VARCHAR"  # three date formats: the raw text is kept
    assert types["zip"] == "VARCHAR"  # leading zeros survive
    assert types["_loaded_at"] == "TIMESTAMP"
    assert sql("select zip from raw.patients order by 1") == [("02139",), ("94110",), (None,)]
    assert sql("select distinct _source_file from raw.patients") == [("data/patients.csv",)]
    assert "| raw.patients | 3 | 6 | data/patients.csv (3) |" in result.report


def test_artifact_lists_tables_rows_and_schema(make_ctx, write: Write) -> None:
    write("data/patients.csv", PATIENTS)
    write("data/visits.json", '[{"id": 1, "at": "2024-01-02"}, {"id": 2, "at": "2024-01-03"}]')
    ctx = make_ctx()
    result = run(ctx, files=["data/*"], schema="landing", metadata=False)
    assert result.verdict is Verdict.DONE, result.report
    (artifact,) = result.artifacts
    summary = json.loads(artifact.read_text())
    tables = {t["table"]: t for t in summary["tables"]}
    assert set(tables) == {"landing.patients", "landing.visits"}
    assert tables["landing.visits"]["rows"] == 2
    assert {"name": "id", "type": "BIGINT"} in tables["landing.visits"]["columns"]
    assert tables["landing.visits"]["files"] == [
        {"path": "data/visits.json", "format": "json", "rows": 2}
    ]


def test_parquet_and_files_sharing_a_table(make_ctx, workspace: Path, sql: Query) -> None:
    (workspace / "data").mkdir()
    con = duckdb.connect()
    con.execute(f"copy (select 1 as id, 'a' as name) to '{workspace}/data/part1.parquet'")
    con.execute(f"copy (select 2 as id, 'b' as name) to '{workspace}/data/part2.parquet'")
    con.close()
    result = run(
        make_ctx(),
        files=["data/part*.parquet"],
        tables={"part1.parquet": "parts", "part2.parquet": "parts"},
    )
    assert result.verdict is Verdict.DONE, result.report
    assert sql("select id, name from raw.parts order by id") == [(1, "a"), (2, "b")]


def test_append_adds_rows_and_replace_starts_over(make_ctx, write: Write, sql: Query) -> None:
    write("data/patients.csv", PATIENTS)
    assert run(make_ctx(), files=["data/patients.csv"]).verdict is Verdict.DONE
    assert run(make_ctx(), files=["data/patients.csv"], mode="append").verdict is Verdict.DONE
    assert sql("select count(*) from raw.patients") == [(6,)]
    assert run(make_ctx(), files=["data/patients.csv"]).verdict is Verdict.DONE
    assert sql("select count(*) from raw.patients") == [(3,)]


def test_appending_a_file_with_an_unknown_column_fails(make_ctx, write: Write, sql: Query) -> None:
    write("data/patients.csv", PATIENTS)
    assert run(make_ctx(), files=["data/patients.csv"]).verdict is Verdict.DONE
    write("data/patients.csv", "PatientID,Nickname\nP9,Al\n")
    result = run(make_ctx(), files=["data/patients.csv"], mode="append")
    assert result.verdict is Verdict.FAILED
    assert "cannot load data/patients.csv into raw.patients" in result.report
    assert "Nickname" in result.report
    assert sql("select count(*) from raw.patients") == [(3,)]


def test_typed_values_keep_their_types(
    make_ctx, write: Write, sql: Query, warehouse: Warehouse
) -> None:
    write(
        "data/t.csv",
        'id,amount,seen,flag,at,note\n1,2.5,2024-01-02,true,2024-01-02 03:04:05,"a, ""b"""\n'
        "2,,2024-02-03,false,2024-02-03 00:00:00,\n",
    )
    assert run(make_ctx(), files=["data/t.csv"], metadata=False).verdict is Verdict.DONE
    assert columns(warehouse, "raw.t") == {
        "id": "BIGINT",
        "amount": "DOUBLE",
        "seen": "DATE",
        "flag": "BOOLEAN",
        "at": "TIMESTAMP",
        "note": "VARCHAR",
    }
    rows = sql("select id, amount, cast(seen as varchar), flag, note from raw.t order by id")
    assert rows == [(1, 2.5, "2024-01-02", True, 'a, "b"'), (2, None, "2024-02-03", False, None)]


def test_all_varchar(make_ctx, write: Write, warehouse: Warehouse) -> None:
    write("data/n.csv", "id,amount\n1,2.5\n2,3\n")
    assert run(make_ctx(), files=["data/n.csv"], all_varchar=True).verdict is Verdict.DONE
    types = columns(warehouse, "raw.n")
    assert (types["id"], types["amount"]) == ("VARCHAR", "VARCHAR")


def test_missing_files_are_all_named_and_nothing_is_loaded(
    make_ctx, write: Write, warehouse: Warehouse
) -> None:
    write("data/patients.csv", PATIENTS)
    result = run(make_ctx(), files=["data/patients.csv", "data/nope.csv", "data/none-*.csv"])
    assert result.verdict is Verdict.FAILED
    assert "no such file: `data/nope.csv`, `data/none-*.csv`" in result.report
    if warehouse.exists():  # a server: it is there, with nothing in it
        with warehouse.connect(read_only=True) as con:
            assert con.tables() == []


def test_a_malformed_file_loads_nothing(make_ctx, write: Write, warehouse: Warehouse) -> None:
    write("data/a.csv", PATIENTS)
    write("data/b.json", '{"id": 1,\n')
    result = run(make_ctx(), files=["data/a.csv", "data/b.json"])
    assert result.verdict is Verdict.FAILED
    assert "cannot load data/b.json into raw.b" in result.report
    assert "Malformed JSON" in result.report
    with warehouse.connect(read_only=True) as con:
        assert con.tables() == []  # the CSV before it was rolled back


def test_a_ragged_csv_names_its_line(make_ctx, write: Write) -> None:
    write("data/ragged.csv", "a,b\n1,2\n3,4,5\n")
    result = run(make_ctx(), files=["data/ragged.csv"])
    assert result.verdict is Verdict.FAILED
    assert "data/ragged.csv is malformed: line 3 has 3 fields, the header has 2" in result.report


def test_an_empty_file_fails(make_ctx, write: Write) -> None:
    write("data/empty.csv", "")
    result = run(make_ctx(), files=["data/empty.csv"])
    assert result.verdict is Verdict.FAILED
    assert "data/empty.csv is empty" in result.report


def test_unknown_extension_asks_for_a_format(make_ctx, write: Write) -> None:
    write("data/extract.dat", "a,b\n1,2\n")
    result = run(make_ctx(), files=["data/extract.dat"])
    assert result.verdict is Verdict.FAILED
    assert "set `format: csv | parquet | json`" in result.report
    assert run(make_ctx(), files=["data/extract.dat"], format="csv").verdict is Verdict.DONE


def test_no_warehouse_fails_clearly(make_ctx, write: Write) -> None:
    write("data/patients.csv", PATIENTS)
    result = run(make_ctx(warehouse=None), files=["data/patients.csv"])
    assert result.verdict is Verdict.FAILED
    assert "sets no `warehouse`" in result.report


def test_inputs_refuse_bad_table_names() -> None:
    with pytest.raises(ValidationError, match="not a table name: bad-name"):
        IngestInputs.model_validate({"files": ["x.csv"], "tables": {"x.csv": "bad-name"}})
    with pytest.raises(ValidationError):
        IngestInputs.model_validate({"files": []})


def test_without_the_data_extra_the_agents_say_what_to_install(
    make_ctx, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    from missionkit.agents.dbt.agent import DbtAgent
    from missionkit.agents.dbt.inputs import DbtInputs
    from missionkit.agents.field_mapping.agent import FieldMappingAgent
    from missionkit.agents.field_mapping.inputs import FieldMappingInputs
    from missionkit.agents.quality.agent import QualityAgent
    from missionkit.agents.quality.inputs import QualityInputs

    write("data/patients.csv", PATIENTS)
    monkeypatch.setitem(sys.modules, "duckdb", None)  # import duckdb fails
    monkeypatch.setitem(sys.modules, "psycopg", None)  # and so does import psycopg
    runs = [
        (IngestAgent(), IngestInputs.model_validate({"files": ["data/patients.csv"]})),
        (FieldMappingAgent(), FieldMappingInputs(source="raw.p", target="t.yaml")),
        (DbtAgent(), DbtInputs(mapping="m.yaml")),
        (
            QualityAgent(),
            QualityInputs.model_validate({"checks": [{"table": "t", "row_count": {"min": 1}}]}),
        ),
    ]
    for agent, inputs in runs:
        result = agent.run(make_ctx(), inputs)
        assert result.verdict is Verdict.FAILED
        assert "pip install 'missionkit[data]'" in result.report
