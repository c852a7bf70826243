from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from missionkit.agents.base import AgentResult, Verdict
from missionkit.agents.quality.agent import QualityAgent
from missionkit.agents.quality.inputs import QualityInputs
from missionkit.warehouse.base import Warehouse


def mutate(warehouse: Warehouse, *statements: str) -> None:
    with warehouse.connect() as con:
        for statement in statements:
            con.query(statement)


@pytest.fixture
def tables(warehouse: Warehouse) -> Warehouse:
    """Patients and their visits in ``staging``, loaded now."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0).isoformat(" ")
    mutate(
        warehouse,
        "create schema staging",
        "create table staging.patients (id varchar, sex varchar, born date, loaded_at timestamp)",
        "insert into staging.patients values "
        f"('P1', 'female', '1980-01-01', '{now}'), ('P2', 'male', '1990-05-05', '{now}'), "
        f"('P3', 'unknown', '2001-02-03', '{now}')",
        "create table staging.visits (id varchar, patient_id varchar, charge double precision)",
        "insert into staging.visits values ('V1', 'P1', 10), ('V2', 'P2', 99.5), ('V3', null, 0)",
    )
    return warehouse


def run(ctx, *checks: dict[str, Any], sample_rows: int = 5) -> AgentResult:  # type: ignore[no-untyped-def]
    return QualityAgent().run(
        ctx, QualityInputs.model_validate({"checks": list(checks), "sample_rows": sample_rows})
    )


PASSING = [
    {"table": "staging.patients", "column": "id", "not_null": True, "unique": True},
    {
        "table": "staging.patients",
        "column": "sex",
        "accepted_values": ["female", "male", "unknown"],
    },
    {
        "table": "staging.patients",
        "column": "born",
        "range": {"min": "1900-01-01", "max": "2030-01-01"},
    },
    {"table": "staging.visits", "column": "charge", "range": {"min": 0, "max": 100}},
    {"table": "staging.visits", "column": "patient_id", "references": "staging.patients.id"},
    {
        "table": "staging.patients",
        "freshness": {"column": "loaded_at", "max_age": "1h"},
        "row_count": {"min": 1, "max": 10},
    },
]


def test_passing_checks_write_both_reports(make_ctx, tables: Warehouse) -> None:
    ctx = make_ctx()
    result = run(ctx, *PASSING)
    assert result.verdict is Verdict.DONE, result.report
    assert result.report.startswith("## Quality checks passed: 8 of 8")
    json_path, md_path = result.artifacts
    data = json.loads(json_path.read_text())
    assert data["passed"] is True
    assert [r["name"] for r in data["results"]][:2] == [
        "not_null(staging.patients.id)",
        "unique(staging.patients.id)",
    ]
    assert md_path.read_text() == result.report
    assert "| row_count(staging.patients) | pass | 0 | 3 rows (expected [1, 10]) |" in result.report


@pytest.mark.parametrize(
    ("change", "check", "line"),
    [
        (
            "insert into staging.patients values (null, 'female', '1970-01-01', now())",
            {"table": "staging.patients", "column": "id", "not_null": True},
            "| not_null(staging.patients.id) | fail | 1 | 1 row with id null |",
        ),
        (
            "insert into staging.patients values ('P1', 'female', '1970-01-01', now())",
            {"table": "staging.patients", "column": "id", "unique": True},
            "| unique(staging.patients.id) | fail | 1 | 1 values appear more than once (2 rows) |",
        ),
        (
            "update staging.patients set sex = 'F' where id = 'P1'",
            {
                "table": "staging.patients",
                "column": "sex",
                "accepted_values": ["female", "male", "unknown"],
            },
            "| accepted_values(staging.patients.sex) | fail | 1 | 1 row with sex outside "
            "['female', 'male', 'unknown']; found: 'F' |",
        ),
        (
            "update staging.patients set born = '1850-01-01' where id = 'P1'",
            {"table": "staging.patients", "column": "born", "range": {"min": "1900-01-01"}},
            "| range(staging.patients.born) | fail | 1 | 1 row with born outside [1900-01-01, ∞] |",
        ),
        (
            "update staging.visits set patient_id = 'P9' where id = 'V1'",
            {
                "table": "staging.visits",
                "column": "patient_id",
                "references": "staging.patients.id",
            },
            "| references(staging.visits.patient_id) | fail | 1 | 1 row with a patient_id "
            "missing from staging.patients.id |",
        ),
        (
            "delete from staging.visits",
            {"table": "staging.visits", "row_count": {"min": 1}},
            "| row_count(staging.visits) | fail | 1 | 0 rows (expected [1, ∞]) |",
        ),
    ],
)
def test_each_failing_kind_fails_with_a_sample(
    make_ctx, tables: Warehouse, change: str, check: dict[str, Any], line: str
) -> None:
    mutate(tables, change)
    result = run(make_ctx(), check)
    assert result.verdict is Verdict.FAILED
    assert line in result.report
    data = json.loads(result.artifacts[0].read_text())
    (only,) = data["results"]
    assert only["status"] == "fail"
    if check.get("row_count") is None:
        assert only["sample"], "failing rows are sampled"
        assert "sample of failing rows" in result.report


def test_the_sample_is_bounded(make_ctx, tables: Warehouse) -> None:
    mutate(tables, "update staging.patients set sex = 'x'")
    result = run(
        make_ctx(),
        {"table": "staging.patients", "column": "sex", "accepted_values": ["female"]},
        sample_rows=1,
    )
    (only,) = json.loads(result.artifacts[0].read_text())["results"]
    assert only["failing"] == 3 and len(only["sample"]) == 1
    assert only["sample"][0]["born"] == "1980-01-01"  # dates serialised as ISO text


def test_stale_data_fails_freshness(make_ctx, tables: Warehouse) -> None:
    old = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=3)
    mutate(tables, f"update staging.patients set loaded_at = '{old.isoformat()}'")
    result = run(
        make_ctx(),
        {"table": "staging.patients", "freshness": {"column": "loaded_at", "max_age": "24h"}},
    )
    assert result.verdict is Verdict.FAILED
    assert "is 3d old (max 1d)" in result.report


def test_a_check_that_cannot_run_is_an_error(make_ctx, tables: Warehouse) -> None:
    result = run(
        make_ctx(),
        {"table": "staging.nope", "row_count": {"min": 1}},
        {"table": "staging.patients", "column": "nope", "not_null": True},
        {"table": "staging.patients", "column": "born", "range": {"min": 0}},
        *PASSING[:1],
    )
    assert result.verdict is Verdict.FAILED
    assert result.report.startswith("## Quality checks failed: 3 of 5")
    assert "table staging.nope does not exist" in result.report
    assert "staging.patients has no column 'nope'" in result.report
    assert "### range(staging.patients.born): could not run" in result.report


def test_an_empty_warehouse_fails(make_ctx) -> None:
    result = run(make_ctx(), *PASSING)
    assert result.verdict is Verdict.FAILED
    assert "does not exist" in result.report  # the DuckDB file, or the server's tables


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ({"table": "t"}, "a check needs at least one of"),
        ({"table": "t", "not_null": True}, "not_null needs a column"),
        ({"table": "t", "column": "c", "references": "other.c"}, "is not schema.table.column"),
        ({"table": "t", "row_count": {}}, "give min, max or both"),
        ({"table": "t", "freshness": {"column": "c", "max_age": "soon"}}, "is not a duration"),
    ],
)
def test_inputs_are_checked_when_the_mission_is_validated(
    check: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        QualityInputs.model_validate({"checks": [check]})
