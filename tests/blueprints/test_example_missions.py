"""The example missions under missions/ and the pre-commit hook that guards them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from missionkit.cli.main import main
from missionkit.spec.loader import load_missions

ROOT = Path(__file__).resolve().parents[2]
MISSIONS = ROOT / "missions"


def test_every_example_mission_validates(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    missions = load_missions(["missions"])
    assert {"orders-backfill", "crm-field-mapping", "warehouse-quality"} <= {m.id for m in missions}
    assert main(["validate", "missions"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_every_example_task_has_acceptance_criteria() -> None:
    for mission in load_missions([MISSIONS]):
        for task in mission.tasks:
            assert task.acceptance, f"{mission.id}/{task.id}"


def test_the_examples_use_the_folder_layout_the_alias_and_cross_mission_dependencies() -> None:
    by_id = {m.id: m for m in load_missions([MISSIONS])}
    crm = by_id["crm-field-mapping"]
    assert crm.path.endswith("crm-field-mapping/mission.md")
    assert {t.id for t in crm.tasks} == {
        p.stem for p in (MISSIONS / "crm-field-mapping" / "tasks").glob("*.md")
    }
    assert all(t.description for t in crm.tasks)
    assert "todos:" in (MISSIONS / "warehouse-quality.md").read_text(encoding="utf-8")
    assert (
        "healthcare-data-pipeline/ingest-ehr"
        in by_id["warehouse-quality"].task("check-patients").depends_on
    )


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = [h for h in hooks if h["id"] == "mission-validate"]
    assert hook["entry"] == "mission validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    pattern = re.compile(hook["files"])
    assert pattern.search("missions/orders-backfill.md")
    assert pattern.search("missions/crm-field-mapping/tasks/map-contacts.md")
    assert not pattern.search("docs/missions.md")
    assert not pattern.search("missions/data.yaml")
