"""OpenLineage run events: what `mission run` writes validates against the OpenLineage spec."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from missionkit.execution.lineage import EVENTS, mission_run_id
from missionkit.execution.localrun import run_local
from missionkit.spec.loader import load_missions

from support import HEAD

SPEC = Path(__file__).resolve().parents[1] / "data" / "openlineage"

MISSION = (
    HEAD
    + """warehouse: warehouse/w.duckdb
tasks:
  - id: load
    title: Load the patients
    agent: ingest
    with: {files: [data/patients.csv], schema: raw}
    checks:
      - sql: select count(*) = 3 from raw.patients
      - diff: {left: raw.patients, right: raw.expected, key: id}
        severity: warn
  - id: check
    title: Check the patients
    depends_on: [load]
    agent: quality
    with:
      checks:
        - {table: raw.patients, column: id, unique: true}
    checks:
      - sql: select count(*) = 4 from raw.patients
        severity: warn
---
"""
)


def _validator(name: str) -> jsonschema.protocols.Validator:
    schemas = [json.loads(p.read_text()) for p in SPEC.rglob("*.json")]
    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas
    )
    schema = next(s for s in schemas if s["$id"].endswith(name))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture
def events(workspace: Path) -> list[dict[str, Any]]:
    (workspace / "data").mkdir()
    (workspace / "data" / "patients.csv").write_text("id,name\n1,Ada\n2,Bo\n3,Cy\n")
    (workspace / "missions" / "m.md").write_text(MISSION, encoding="utf-8")
    run_local("missions", workspace=workspace)
    lines = (workspace / EVENTS).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_every_event_validates_against_the_openlineage_schemas(
    events: list[dict[str, Any]],
) -> None:
    core, parent = _validator("/OpenLineage.json"), _validator("/ParentRunFacet.json")
    assert events
    for event in events:
        core.validate(event)
        parent.validate(event["run"]["facets"]["parent"])


def test_each_run_starts_then_ends_under_the_mission_with_its_tables(
    events: list[dict[str, Any]], workspace: Path
) -> None:
    runs: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        runs.setdefault(event["run"]["runId"], []).append(event)
    by_job = {e[0]["job"]["name"]: [x["eventType"] for x in e] for e in runs.values()}
    assert by_job == {
        "m.load": ["START", "COMPLETE"],
        "m.load.check-0": ["START", "COMPLETE"],
        "m.load.check-1": ["START", "FAIL"],  # raw.expected differs: a warning
        "m.check": ["START", "COMPLETE"],
        "m.check.check-0": ["START", "FAIL"],  # the warn check failed: recorded
    }
    (mission,) = load_missions([workspace / "missions"])
    parents = {e["run"]["facets"]["parent"]["run"]["runId"] for e in events}
    assert parents == {mission_run_id(mission)}
    ends = {e["job"]["name"]: e for e in events if e["eventType"] != "START"}
    namespace = "duckdb://warehouse/w.duckdb"
    assert ends["m.load"]["outputs"] == [
        {"namespace": namespace, "name": "raw.patients", "facets": {}, "outputFacets": {}}
    ]
    assert [d["name"] for d in ends["m.check"]["inputs"]] == ["raw.patients"]
    # a sql check's tables come from its query
    assert [d["name"] for d in ends["m.load.check-0"]["inputs"]] == ["raw.patients"]
    assert [d["name"] for d in ends["m.check.check-0"]["inputs"]] == ["raw.patients"]


def test_the_site_reads_the_events_as_data_and_skips_what_is_not_an_event(
    events: list[dict[str, Any]], workspace: Path
) -> None:
    from missionkit.site.lineage import read_tables

    path = workspace / EVENTS
    junk = [
        "",
        "not json",
        "[1, 2]",
        '{"eventType": "COMPLETE"}',
        '{"eventType": "COMPLETE", '
        '"job": {"name": "x.y"}, "run": {"facets": {"parent": {"job": {"name": "m"}}}}}',
    ]
    path.write_text(path.read_text(encoding="utf-8") + "\n".join(junk) + "\n", encoding="utf-8")
    expected, patients = read_tables(workspace)["m"]  # sorted by name
    assert (expected.name, expected.readers) == ("raw.expected", ("load",))
    assert (patients.name, patients.writers, patients.readers) == (
        "raw.patients",
        ("load",),
        ("check", "load"),
    )
    assert patients.namespace == "duckdb://warehouse/w.duckdb"
    assert set(read_tables(workspace)) == {"m"}


def test_a_failing_check_on_a_table_names_the_tasks_that_read_it(
    events: list[dict[str, Any]], workspace: Path
) -> None:
    from datetime import UTC, datetime

    from missionkit.site.collect import collect
    from missionkit.site.context import site_context
    from missionkit.tracking.local import LocalTracker

    tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
    try:
        missions = load_missions([workspace / "missions"])
        data = collect(missions, tracker, workspace / ".missionkit" / "runs", workspace)
    finally:
        tracker.close()
    (view,) = site_context(data, datetime.now(UTC)).index.missions
    assert [(d.task, d.table, [c.text for c in d.consumers]) for d in view.downstream] == [
        ("check", "raw.patients", []),  # load's checks read it too, but load writes it
        ("load", "raw.patients", ["m/check"]),
        ("load", "raw.expected", []),
    ]
    assert view.downstream[1].consumers[0].href == "#task-check"


def test_mission_status_names_what_reads_a_table_whose_check_fails(
    events: list[dict[str, Any]], workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from missionkit.cli.main import main

    capsys.readouterr()
    assert main(["status", "--json"]) == 0
    (shown,) = json.loads(capsys.readouterr().out)
    assert shown["downstream"] == [
        {"task": "check", "table": "raw.patients", "read_by": []},
        {"task": "load", "table": "raw.patients", "read_by": ["m/check"]},
        {"task": "load", "table": "raw.expected", "read_by": []},
    ]
    assert main(["status", "m"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "a check of load fails on raw.patients; read by m/check" in text
    assert "a check of load fails on raw.expected; read by no other task" in text
