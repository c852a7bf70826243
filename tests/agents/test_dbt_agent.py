from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml

from missionkit.agents.base import AgentResult, Verdict
from missionkit.agents.dbt.agent import DbtAgent
from missionkit.agents.dbt.inputs import DbtInputs
from missionkit.agents.ingest.agent import IngestAgent
from missionkit.agents.ingest.inputs import IngestInputs
from missionkit.warehouse.base import Warehouse

from pgfixtures import Query

Write = Callable[[str, str], Path]

PATIENTS = """\
PatientID,DOB,Sex,zip
P1,1984-03-12,M,02139
P2,03/12/1990,female,94110
P2,03/12/1990,female,94110
P3,12-Mar-1975, u ,60614
"""
VISITS = """\
VisitID,PatientID,Charge,Virtual
V1,P1,"$1,200.50",yes
V2,P2,80,no
V3,P3,,no
"""
PATIENT = """\
name: patient
description: One row per patient.
key: patient_id
fields:
  - {name: patient_id, required: true, unique: true, description: "The patient's id."}
  - {name: birth_date, type: date, required: true}
  - name: sex
    accepted_values: [female, male, unknown]
    value_map: {m: male, f: female, female: female, u: unknown}
  - {name: postal_code}
  - {name: email}
"""
VISIT = """\
name: visit
fields:
  - {name: visit_id, required: true, unique: true}
  - {name: patient_id, required: true, references: patient.patient_id}
  - {name: charge, type: number}
  - {name: virtual, type: boolean}
"""
MAPPING = """\
version: 1
threshold: 0.8
models:
  - model: patient
    target: targets/patient.yaml
    source: raw.patients
    fields:
      - {field: patient_id, column: PatientID}
      - {field: birth_date, column: DOB, type: date, formats: ['%Y-%m-%d', '%m/%d/%Y', '%d-%b-%Y']}
      - {field: sex, column: Sex}
      - {field: postal_code, column: zip}
      - {field: email, column: null}
  - model: visit
    target: targets/visit.yaml
    source: raw.visits
    fields:
      - {field: visit_id, column: VisitID}
      - {field: patient_id, column: PatientID}
      - {field: charge, column: Charge, type: number}
      - {field: virtual, column: Virtual, type: boolean}
"""


@pytest.fixture
def staged(make_ctx, write: Write) -> None:  # type: ignore[no-untyped-def]
    write("data/patients.csv", PATIENTS)
    write("data/visits.csv", VISITS)
    write("targets/patient.yaml", PATIENT)
    write("targets/visit.yaml", VISIT)
    write("maps/mapping.yaml", MAPPING)
    result = IngestAgent().run(
        make_ctx(), IngestInputs.model_validate({"files": ["data/patients.csv", "data/visits.csv"]})
    )
    assert result.verdict is Verdict.DONE, result.report


def run(ctx, **inputs) -> AgentResult:  # type: ignore[no-untyped-def]
    inputs.setdefault("mapping", "maps/mapping.yaml")
    inputs.setdefault("project_dir", "dbt")
    return DbtAgent().run(ctx, DbtInputs.model_validate(inputs))


@pytest.mark.slow
def test_builds_staging_models_with_their_tests(
    make_ctx, staged: None, workspace: Path, sql: Query, warehouse: Warehouse
) -> None:
    ctx = make_ctx()
    result = run(ctx)
    assert result.verdict is Verdict.DONE, result.report
    assert result.report.startswith("## dbt build passed: 2 models, 8 tests")
    for name in (
        "not_null_stg_patient_patient_id",
        "unique_stg_patient_patient_id",
        "accepted_values_stg_patient_sex__female__male__unknown",
        "relationships_stg_visit_patient_id__patient_id__ref_stg_patient_",
    ):
        assert name in result.report
    results, summary, log = result.artifacts
    assert results == ctx.run_dir / "run_results.json"
    assert {r["status"] for r in json.loads(results.read_text())["results"]} == {"success", "pass"}
    assert summary.read_text() == result.report
    assert log.name == "dbt.log"
    # the project skeleton and the generated files are in the repository's project folder
    staging = workspace / "dbt" / "models" / "staging"
    assert sorted(p.name for p in staging.iterdir()) == [
        "stg_patient.sql",
        "stg_patient.yml",
        "stg_visit.sql",
        "stg_visit.yml",
    ]
    # the skeleton's profile, for building by hand, connects to the mission's warehouse
    profile = yaml.safe_load((workspace / "dbt" / "profiles.yml").read_text())
    assert profile["missionkit"]["outputs"]["dev"]["type"] == warehouse.dbt_adapter
    # renamed, trimmed, parsed, normalised, de-duplicated
    assert sql("select * from staging.stg_patient order by 1") == [
        ("P1", date(1984, 3, 12), "male", "02139", None),
        ("P2", date(1990, 3, 12), "female", "94110", None),
        ("P3", date(1975, 3, 12), "unknown", "60614", None),
    ]
    assert sql("select visit_id, charge, virtual from staging.stg_visit order by 1") == [
        ("V1", 1200.5, True),
        ("V2", 80.0, False),
        ("V3", None, False),
    ]


@pytest.mark.slow
def test_a_failing_dbt_test_fails_the_task_and_is_named(
    make_ctx, staged: None, write: Write
) -> None:
    write("data/patients.csv", PATIENTS + "P4,2001-01-01,x,10001\n")
    write("data/visits.csv", VISITS + "V4,P9,10,no\n")
    IngestAgent().run(
        make_ctx(), IngestInputs.model_validate({"files": ["data/patients.csv", "data/visits.csv"]})
    )
    result = run(make_ctx())
    assert result.verdict is Verdict.FAILED
    assert result.report.startswith("## dbt build failed: 2 of 10 nodes failed")
    assert (
        "Failing tests: `accepted_values_stg_patient_sex__female__male__unknown`, "
        "`relationships_stg_visit_patient_id__patient_id__ref_stg_patient_`."
    ) in result.report
    assert "(test, 1 failing rows)" in result.report
    assert "```sql" in result.report  # the failing query, to run by hand
    assert "left join parent" in result.report


def test_a_missing_mapping_fails(make_ctx, staged: None) -> None:
    result = run(make_ctx(), mapping="maps/nope.yaml")
    assert result.verdict is Verdict.FAILED
    assert "mapping maps/nope.yaml does not exist" in result.report


def test_a_mapped_column_missing_from_the_source_fails(
    make_ctx, staged: None, write: Write
) -> None:
    write("maps/mapping.yaml", MAPPING.replace("column: zip", "column: ZIP5"))
    result = run(make_ctx())
    assert result.verdict is Verdict.FAILED
    assert (
        "maps/mapping.yaml: patient.postal_code maps column 'ZIP5', which raw.patients "
        "does not have"
    ) in result.report


def test_an_invalid_mapping_names_the_line(make_ctx, staged: None, write: Write) -> None:
    write("maps/mapping.yaml", MAPPING.replace("column: zip", "column: DOB"))
    result = run(make_ctx())
    assert result.verdict is Verdict.FAILED
    assert "maps/mapping.yaml:4:5: models[0]: column 'DOB' is mapped to both" in result.report


def test_a_reference_to_an_unknown_model_fails(make_ctx, staged: None, write: Write) -> None:
    write("targets/visit.yaml", VISIT.replace("patient.patient_id", "person.person_id"))
    result = run(make_ctx())
    assert result.verdict is Verdict.FAILED
    assert "references person.person_id, but model person is neither in this mapping" in (
        result.report
    )


def test_a_missing_dbt_executable_fails(make_ctx, staged: None, workspace: Path) -> None:
    result = run(make_ctx(), executable=str(workspace / "no-dbt"))
    assert result.verdict is Verdict.FAILED
    assert "dbt is not installed" in result.report
