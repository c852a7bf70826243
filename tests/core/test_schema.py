"""The committed JSON Schema matches the model, and accepts what the loader accepts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from missionkit.cli.main import main
from missionkit.spec import frontmatter, yamlsafe
from missionkit.spec.schema import mission_schema, schema_json

from support import HEAD

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schema" / "mission.schema.json"


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_json(), (
        "schema/mission.schema.json is stale; run: mission schema > schema/mission.schema.json"
    )


def test_schema_command_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == mission_schema()


def _frontmatter(text: str) -> object:
    data = yamlsafe.load(frontmatter.split(text, "m.md").yaml).data
    return json.loads(json.dumps(data, default=str))


def test_schema_accepts_a_valid_mission_and_rejects_typos() -> None:
    validator = jsonschema.Draft202012Validator(mission_schema())
    good = HEAD + "due: 2026-12-15\ntodos:\n  - id: a\n    title: A\n    timeout: 30m\n---\n"
    assert list(validator.iter_errors(_frontmatter(good))) == []
    bad = HEAD + "tasks:\n  - id: a\n    title: A\n    agnet: shell\n---\n"
    errors = [e.message for e in validator.iter_errors(_frontmatter(bad))]
    assert any("'agnet' was unexpected" in e for e in errors)


def test_example_missions_match_the_schema() -> None:
    validator = jsonschema.Draft202012Validator(mission_schema())
    files = [p for p in (ROOT / "missions").glob("*.md")] + list(
        (ROOT / "missions").glob("*/mission.md")
    )
    assert files
    for path in files:
        data = _frontmatter(path.read_text(encoding="utf-8"))
        assert list(validator.iter_errors(data)) == [], path


def test_schema_covers_every_check_kind_severities_and_checked_criteria() -> None:
    validator = jsonschema.Draft202012Validator(mission_schema())
    checks = (
        "    checks:\n"
        "      - sql: select true\n"
        "      - {soda: contracts/patients.yml, severity: warn}\n"
        "      - diff: {left: snapshot.p, right: raw.p, key: id, max_rows: none}\n"
        "      - dbt: {select: 'staging+', command: build}\n"
        "      - command: pytest\n"
        "      - {name: report, file: out.csv}\n"
    )
    good = HEAD.replace(
        "success_criteria: [It works]",
        "success_criteria:\n  - It works\n  - text: Rows load\n    checks: [{sql: select 1}]",
    )
    good += "tasks:\n  - id: a\n    title: A\n" + checks + "---\n"
    assert list(validator.iter_errors(_frontmatter(good))) == []
    for bad in (
        "      - {sql: select 1, file: x}\n",
        "      - {sqll: select 1}\n",
        "      - {sql: x, severity: loud}\n",
        "      - diff: {left: a, right: b}\n",
        "      - soda: {contract: c.yml, contrat: x}\n",
    ):
        text = HEAD + "tasks:\n  - id: a\n    title: A\n    checks:\n" + bad + "---\n"
        assert list(validator.iter_errors(_frontmatter(text))), bad
