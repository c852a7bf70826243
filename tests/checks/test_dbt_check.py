"""The ``dbt`` check runs real dbt (dbt-duckdb) on a project in the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from missionkit.checks.base import CheckContext
from missionkit.checks.run import run_check
from missionkit.spec.model import Check

PROJECT = """name: checked
version: "1.0.0"
config-version: 2
profile: checked
model-paths: ["models"]
"""
PROFILES = """checked:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('MISSIONKIT_WAREHOUSE') }}"
      schema: staging
      threads: 1
"""
MODEL = "select id, name, sex from raw.patients\n"
TESTS = """version: 2
models:
  - name: stg_patients
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: sex
        data_tests:
          - accepted_values:
              arguments: {values: ['F', 'M']}
"""


@pytest.mark.slow
def test_dbt_check_names_the_failing_tests(context: CheckContext, warehouse: Path) -> None:
    project = context.workspace / "dbt"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(PROJECT)
    (project / "profiles.yml").write_text(PROFILES)
    (project / "models" / "stg_patients.sql").write_text(MODEL.replace("sex", "'X' as sex"))
    (project / "models" / "schema.yml").write_text(TESTS)
    built = run_check(Check.model_validate({"dbt": {"command": "build"}}), context)
    assert not built.passed
    assert built.failures == ("accepted_values_stg_patients_sex__F__M (fail)",)
    assert built.detail.startswith("1 of 4 dbt nodes failed: accepted_values_stg_patients_sex")
    assert built.datasets == ("stg_patients",)
    (project / "models" / "stg_patients.sql").write_text(MODEL)
    rebuilt = run_check(Check.model_validate({"dbt": {"command": "build"}}), context)
    assert (rebuilt.passed, rebuilt.detail) == (True, "3 tests passed")
    tested = run_check(Check.model_validate({"dbt": "stg_patients"}), context)
    assert (tested.passed, tested.detail) == (True, "3 tests passed")
