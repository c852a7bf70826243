"""``mission new``: every blueprint renders a valid mission; no parameter changes its structure."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest

from missionkit.cli.main import main
from missionkit.scaffold.blueprints import blueprint_names, blueprints
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission

# The required parameters of each blueprint, with realistic values.
REQUIRED: dict[str, dict[str, str]] = {
    "source-onboarding": {
        "source": "ehr",
        "files": "data/ehr/*.csv",
        "table": "patients",
        "target": "targets/patient.yaml",
        "key": "patient_id",
        "owner": "dana-lee",
    },
    "field-mapping": {
        "source": "raw.contacts",
        "target": "targets/customer.yaml",
        "owner": "priya-nair",
    },
    "dbt-model": {
        "mapping": "mappings/patient.yaml",
        "target": "targets/patient.yaml",
        "key": "patient_id",
        "owner": "alex-kim",
    },
    "data-quality": {
        "table": "raw.encounters",
        "key": "encounter_id",
        "owner": "sam-okafor",
    },
    "backfill": {
        "table": "analytics.orders",
        "extract": "exports/orders-2024q1.csv",
        "date_column": "order_date",
        "start_date": "2024-01-01",
        "end_date": "2024-03-31",
        "key": "order_id",
        "owner": "alex-kim",
    },
    "schema-evolution": {
        "source": "raw.encounters",
        "change": "add column discharge_reason",
        "target": "targets/encounter.yaml",
        "owner": "dana-lee",
    },
}

# Optional parameters that switch on further parts of a template.
OPTIONAL: dict[str, dict[str, str]] = {
    "source-onboarding": {
        "reviewer": "priya-nair",
        "stakeholders": "sam-okafor, alex-kim",
        "target_name": "ehr_patient",
        "prefix": "base_",
        "staging_schema": "clean",
        "due": "2030-01-31",
    },
    "field-mapping": {"reviewer": "sam-okafor", "modeler": "dana-lee", "threshold": "0.9"},
    "dbt-model": {"select": "stg_patient+", "reviewer": "priya-nair"},
    "data-quality": {
        "not_null": "patient_id, admitted_at",
        "freshness_column": "admitted_at",
        "max_age": "26h",
        "min_rows": "100",
        "triager": "alex-kim",
        "contract": "contracts/encounters.yml",
    },
    "backfill": {"staging_table": "orders_q1", "reviewer": "priya-nair"},
    "schema-evolution": {"column": "discharge_reason", "reviewer": "sam-okafor"},
}

# Quotes, colons, brackets, newlines, a comment, a document marker, anchors, tags, a backslash.
BREAKING = (
    'He said "hi": ok]\n- id: injected\n  owner: [x] # not a comment\n---\n'
    "{&a *a} !!python/object \\"
)


def sets(settings: dict[str, str]) -> list[str]:
    return [arg for key, value in settings.items() for arg in ("--set", f"{key}={value}")]


def new(tmp_path: Path, mission_id: str, blueprint: str, settings: dict[str, str]) -> int:
    return main(
        ["new", mission_id, "--blueprint", blueprint, "--missions", str(tmp_path), *sets(settings)]
    )


def render(
    tmp_path: Path, blueprint: str, settings: dict[str, str], mission_id: str = "demo"
) -> Mission:
    assert new(tmp_path, mission_id, blueprint, settings) == 0
    [mission] = load_missions([tmp_path / f"{mission_id}.md"])
    return mission


def test_the_blueprints_are_the_documented_six() -> None:
    assert blueprint_names() == sorted(REQUIRED)
    for name, blueprint in blueprints().items():
        assert blueprint.description, name
        assert all(p.description for p in blueprint.params), name
        assert {p.name for p in blueprint.params if p.default is None} == set(REQUIRED[name])


@pytest.mark.parametrize("blueprint", sorted(REQUIRED))
@pytest.mark.parametrize("variant", ["required", "optional"])
def test_new_writes_a_valid_mission(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], blueprint: str, variant: str
) -> None:
    settings = dict(REQUIRED[blueprint])
    if variant == "optional":
        settings.update(OPTIONAL[blueprint])
    code = new(tmp_path, "demo", blueprint, settings)
    out, err = capsys.readouterr()
    assert code == 0
    assert all(line.startswith("warning: ") for line in err.splitlines()), err  # input files
    path = tmp_path / "demo.md"
    assert out == f"wrote {path}\n"
    [mission] = load_missions([path])
    assert mission.id == "demo"
    assert mission.spec.owner == settings["owner"]
    assert mission.spec.warehouse
    assert len(mission.tasks) >= 4
    for task in mission.tasks:
        assert task.acceptance and all(a.strip() for a in task.acceptance), task.id
    assert any(task.checks for task in mission.tasks)
    assert any(task.agent for task in mission.tasks)
    assert any(task.agent is None for task in mission.tasks), "a person reviews or approves"


def test_optional_parameters_land_where_they_belong(tmp_path: Path) -> None:
    onboarding = render(
        tmp_path,
        "source-onboarding",
        {**REQUIRED["source-onboarding"], **OPTIONAL["source-onboarding"]},
        "a",
    )
    assert onboarding.spec.stakeholders == ["sam-okafor", "alex-kim"]
    assert str(onboarding.spec.due) == "2030-01-31"
    assert onboarding.task("review-mapping").owner == "priya-nair"
    assert onboarding.task("build-staging").with_ == {
        "mapping": "mappings/a.yaml",
        "project_dir": "dbt",
        "prefix": "base_",
        "schema": "clean",
    }
    assert (
        onboarding.task("validate-staging").with_["checks"][0]["table"] == "clean.base_ehr_patient"
    )

    quality = render(
        tmp_path, "data-quality", {**REQUIRED["data-quality"], **OPTIONAL["data-quality"]}, "b"
    )
    checks = quality.task("run-checks").with_["checks"]
    assert [c.get("column") for c in checks if c.get("not_null")] == [
        "encounter_id",
        "patient_id",
        "admitted_at",
    ]
    assert checks[-1]["freshness"] == {"column": "admitted_at", "max_age": "26h"}
    soda = [c for c in quality.task("run-checks").checks if c.kind == "soda"]
    assert [c.value for c in soda] == ["contracts/encounters.yml"]
    assert [c.kind for c in quality.criteria[0].checks] == ["sql", "soda"]
    plain_quality = render(tmp_path, "data-quality", REQUIRED["data-quality"], "e")
    assert [c.kind for c in plain_quality.task("run-checks").checks] == ["sql"]

    dbt = render(tmp_path, "dbt-model", {**REQUIRED["dbt-model"], **OPTIONAL["dbt-model"]}, "c")
    assert dbt.task("build-model").with_["select"] == "stg_patient+"
    plain = render(tmp_path, "dbt-model", REQUIRED["dbt-model"], "d")
    assert "select" not in plain.task("build-model").with_
    assert plain.task("test-model").with_["checks"][0]["table"] == "staging.stg_patient"


def test_defaults_derive_from_the_mission_id(tmp_path: Path) -> None:
    mission = render(tmp_path, "field-mapping", REQUIRED["field-mapping"], "crm-contacts")
    assert mission.spec.warehouse == "warehouse/crm-contacts.duckdb"
    assert mission.task("map-fields").with_["output"] == "mappings/crm-contacts.yaml"
    assert mission.task("review-mapping").owner == "priya-nair"
    assert mission.spec.stakeholders == []


@pytest.mark.parametrize("blueprint", sorted(REQUIRED))
def test_yaml_breaking_text_lands_verbatim(tmp_path: Path, blueprint: str) -> None:
    plain = render(tmp_path / "plain", blueprint, REQUIRED[blueprint])
    mission = render(tmp_path / "evil", blueprint, {**REQUIRED[blueprint], "title": BREAKING})
    assert mission.spec.title == BREAKING
    assert [t.id for t in mission.tasks] == [t.id for t in plain.tasks]
    assert mission.spec.owner == plain.spec.owner
    assert mission.tasks == plain.tasks


def test_yaml_breaking_text_in_agent_inputs_and_checks(tmp_path: Path) -> None:
    weird_files = 'data/"ehr": [x], {y}\n- z.csv'
    onboarding = render(
        tmp_path, "source-onboarding", {**REQUIRED["source-onboarding"], "files": weird_files}, "a"
    )
    assert onboarding.task("ingest-raw").with_["files"] == [weird_files]

    weird_column = "it's: ]\n#"
    evolution = render(
        tmp_path, "schema-evolution", {**REQUIRED["schema-evolution"], "column": weird_column}, "b"
    )
    [_, column_check] = evolution.task("remap-fields").checks
    assert column_check.sql is not None and column_check.sql.endswith(
        f"column_name = '{weird_column}'"
    )

    change = 'rename: a → b, [breaking] "v2"'
    evolution = render(
        tmp_path, "schema-evolution", {**REQUIRED["schema-evolution"], "change": change}, "c"
    )
    assert evolution.spec.title == f"raw.encounters: {change}"
    assert evolution.task("propose-change").title == f"Propose the change: {change}"


@pytest.mark.parametrize("value", ["carriage\rreturn", "line\u2028---\u2028separator"])
def test_line_break_characters_land_verbatim(tmp_path: Path, value: str) -> None:
    mission = render(tmp_path, "data-quality", {**REQUIRED["data-quality"], "title": value})
    assert mission.spec.title == value


@pytest.mark.parametrize("blueprint", sorted(REQUIRED))
def test_frontmatter_quotes_every_expression(blueprint: str) -> None:
    """Every ``{{ … }}`` in the frontmatter ends in the ``q`` filter: no value adds structure."""
    text = (files("missionkit.scaffold.blueprints") / f"{blueprint}.md.j2").read_text(
        encoding="utf-8"
    )
    lines = text.splitlines()
    start = lines.index("---")
    end = lines.index("---", start + 1)
    expressions = re.findall(r"\{\{(.*?)\}\}", "\n".join(lines[start:end]))
    assert expressions
    unquoted = [e for e in expressions if not re.search(r"\|\s*q\s*$", e) and 'map("q")' not in e]
    assert unquoted == []


def run_new(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, str]:
    code = main(["new", *args, "--missions", str(tmp_path)])
    return code, capsys.readouterr().err


def test_unknown_parameter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = sets({**REQUIRED["data-quality"], "colour": "blue"})
    assert run_new(capsys, tmp_path, "q", "--blueprint", "data-quality", *args) == (
        2,
        "error: blueprint 'data-quality' has no parameter colour; parameters: contract, due, "
        "freshness_column, key, max_age, min_rows, not_null, owner, sample_rows, stakeholders, "
        "table, title, triager, warehouse\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_missing_required_parameters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_new(capsys, tmp_path, "q", "-b", "data-quality", "--set", "owner=dana-lee") == (
        2,
        "error: blueprint 'data-quality' needs --set key=… table=…\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_unknown_blueprint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_new(capsys, tmp_path, "q", "--blueprint", "onboarding") == (
        2,
        "error: unknown blueprint 'onboarding'; available: backfill, data-quality, dbt-model, "
        "field-mapping, schema-evolution, source-onboarding\n",
    )


def test_invalid_mission_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = sets(REQUIRED["data-quality"])
    assert run_new(capsys, tmp_path, "Bad_Id", "-b", "data-quality", *args) == (
        2,
        "error: mission id 'Bad_Id' is not a valid id; use lowercase letters, digits and '-', "
        "starting with a letter or digit\n",
    )


def test_existing_file_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "q.md"
    path.write_text("keep me\n", encoding="utf-8")
    args = sets(REQUIRED["data-quality"])
    assert run_new(capsys, tmp_path, "q", "-b", "data-quality", *args) == (
        2,
        f"error: {path} exists; pass --force to overwrite it\n",
    )
    assert path.read_text(encoding="utf-8") == "keep me\n"
    assert run_new(capsys, tmp_path, "q", "-b", "data-quality", "--force", *args) == (0, "")
    assert load_missions([path])[0].spec.title == "Data quality for raw.encounters"


def test_a_value_the_model_rejects_leaves_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = sets({**REQUIRED["data-quality"], "due": "2030-02-30"})
    code, err = run_new(capsys, tmp_path, "q", "-b", "data-quality", *args)
    assert (code, err) == (
        1,
        f"{tmp_path / 'q.md'}:6:6: due: '2030-02-30' is not a date; write YYYY-MM-DD\n"
        "1 problem found\n",
    )
    assert list(tmp_path.iterdir()) == []
