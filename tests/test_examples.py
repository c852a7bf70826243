"""Every example mission runs end to end with ``mission run`` on the local tracker.

People's steps are taken as the people would: a person task is marked done by its owner (the
CRM mission's model is written from its task description first), agents' questions are answered
from demo/answers.yaml, and an approver signs each mission off.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from missionkit.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("missions", "data", "targets", "dbt", "demo")


def _statuses(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["status", "--json"]) == 0
    data: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return data


def _person_acts(repo: Path, mission: str, task: dict[str, object]) -> None:
    if (mission, task["task"]) == ("crm-field-mapping", "define-customer-model"):
        text = (repo / "missions" / mission / "tasks" / "define-customer-model.md").read_text()
        model = re.search(r"```yaml\n(.*?)```", text, re.S)
        assert model is not None
        (repo / "targets" / "customer.yaml").write_text(model.group(1))
    owner = str(task["owner"])
    assert main(["done", f"{mission}/{task['task']}", "--as", owner]) == 0


@pytest.mark.slow
def test_every_example_mission_runs_to_sign_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in COPIED:
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    answers = ["--answers", "demo/answers.yaml"]
    for _ in range(12):
        assert main(["run", "-q", *answers]) == 0
        statuses = _statuses(capsys)
        failed = [
            f"{s['mission']}/{t['task']}"
            for s in statuses
            for t in s["tasks"]  # type: ignore[attr-defined]
            if t["state"] == "failed"
        ]
        assert not failed, f"failed: {failed}"
        acted = False
        for status in statuses:
            for task in status["tasks"]:  # type: ignore[attr-defined]
                if task["state"] == "ready" and task["waits_on_kind"] == "person":
                    _person_acts(tmp_path, str(status["mission"]), task)
                    acted = True
        if not acted:
            break
    statuses = _statuses(capsys)
    assert {str(s["mission"]): s["state"] for s in statuses} == {
        "crm-field-mapping": "awaiting-signoff",
        "healthcare-data-pipeline": "awaiting-signoff",
        "orders-backfill": "awaiting-signoff",
        "warehouse-quality": "awaiting-signoff",
    }
    for status in statuses:
        mission = str(status["mission"])
        owner = str(status["owner"])
        assert main(["approve", mission, "--as", owner]) == 0
    assert {str(s["mission"]): s["state"] for s in _statuses(capsys)} == {
        "crm-field-mapping": "closed",
        "healthcare-data-pipeline": "closed",
        "orders-backfill": "closed",
        "warehouse-quality": "closed",
    }
