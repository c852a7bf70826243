"""The healthcare demo: the synthetic extract, the mission file, the demo answer, end to end."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
import yaml

from missionkit.agents import load_agent
from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.checks import run as checks
from missionkit.checks.base import CheckContext
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission, Task
from missionkit.warehouse.registry import open_warehouse

REPO = Path(__file__).resolve().parents[2]
MISSION = REPO / "missions" / "healthcare-data-pipeline.md"
TASK_IDS = [
    "ingest-ehr",
    "map-patient-fields",
    "review-mapping",
    "build-staging-models",
    "quality-checks",
    "schedule-pipeline",
]


def test_the_generator_is_deterministic_and_matches_the_committed_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "generate_healthcare_data", REPO / "scripts" / "generate_healthcare_data.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--out", str(tmp_path)]) == 0
    for name in ("patients.csv", "encounters.csv", "mapping_truth.yaml"):
        assert (tmp_path / name).read_bytes() == (REPO / "data" / "healthcare" / name).read_bytes()


def test_the_mission_file_keeps_its_task_ids() -> None:
    (mission,) = load_missions([MISSION])
    assert [t.id for t in mission.tasks] == TASK_IDS
    assert mission.spec.title == "Healthcare Data Pipeline"
    assert mission.spec.owner == "dana-lee" and mission.spec.stakeholders == ["sam-okafor"]
    assert mission.spec.warehouse == "warehouse/healthcare.duckdb"
    for task in mission.tasks:
        if task.agent is not None:
            assert task.checks and task.acceptance, task.id


@pytest.fixture
def repo(tmp_path: Path, warehouse_location: str) -> Path:
    """A copy of the parts of the repository the mission reads and writes, its warehouse the
    DuckDB file or a database of a real PostgreSQL server."""
    root = tmp_path / "repo"
    for part in ("data/healthcare", "targets", "missions"):
        shutil.copytree(
            REPO / part,
            root / part,
            ignore=shutil.ignore_patterns("crm-*", "orders-*", "warehouse-*"),
        )
    mission = root / "missions" / "healthcare-data-pipeline.md"
    text = mission.read_text(encoding="utf-8")
    mission.write_text(
        text.replace("warehouse: warehouse/healthcare.duckdb", f"warehouse: {warehouse_location}"),
        encoding="utf-8",
    )
    (root / "dbt").mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO / "dbt" / name, root / "dbt" / name)
    return root


def run_task(
    repo: Path, mission: Mission, task: Task, answers: tuple[str, ...] = ()
) -> AgentResult:
    assert task.agent is not None
    agent = load_agent(task.agent)
    warehouse = open_warehouse(mission.spec.warehouse, repo)
    ctx = AgentContext(
        mission, task, repo, repo / ".runs" / task.id, warehouse, answers, timeout=300
    )
    return agent().run(ctx, agent.Inputs.model_validate(task.with_))


def run_checks(repo: Path, mission: Mission, task: Task) -> None:
    warehouse = open_warehouse(mission.spec.warehouse, repo)
    assert warehouse is not None
    ctx = CheckContext(mission, repo, warehouse, repo / ".runs" / task.id / "checks")
    for result in checks.run_checks(task.checks, ctx):
        assert result.passed, (task.id, result.label, result.detail)


@pytest.mark.slow
def test_the_mission_runs_end_to_end_with_the_demo_answer(repo: Path) -> None:
    (mission,) = load_missions([repo / "missions" / "healthcare-data-pipeline.md"])

    ingest = mission.task("ingest-ehr")
    assert run_task(repo, mission, ingest).verdict is Verdict.DONE
    run_checks(repo, mission, ingest)

    mapping = mission.task("map-patient-fields")
    asked = run_task(repo, mission, mapping)
    assert asked.verdict is Verdict.NEEDS_HUMAN, asked.report
    assert asked.question is not None
    assert asked.question.startswith("Which source column holds patient.postal_code? ")
    assert "**patient.postal_code** (string, required)" in asked.question

    answers = yaml.safe_load((REPO / "demo" / "answers.yaml").read_text())
    answer = answers["healthcare-data-pipeline/map-patient-fields"]
    mapped = run_task(repo, mission, mapping, (answer,))
    assert mapped.verdict is Verdict.DONE, mapped.report
    run_checks(repo, mission, mapping)

    build = mission.task("build-staging-models")
    built = run_task(repo, mission, build)
    assert built.verdict is Verdict.DONE, built.report
    run_checks(repo, mission, build)

    quality = mission.task("quality-checks")
    checked = run_task(repo, mission, quality)
    assert checked.verdict is Verdict.DONE, checked.report
    run_checks(repo, mission, quality)
