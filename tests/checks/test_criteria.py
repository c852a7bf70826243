"""Checked success criteria: they gate the move to awaiting sign-off and are shown to approvers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from missionkit.checks.records import CRITERIA_FAILED, CRITERIA_PASSED
from missionkit.cli.main import main
from missionkit.execution.escalation import ESCALATED
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.model import Key

MISSION = """---
title: Checked mission
owner: dana-lee
warehouse: warehouse/wh.duckdb
success_criteria:
  - Stakeholders are told
  - text: Every patient is loaded
    checks:
      - sql: select count(*) = 6 from raw.patients
  - text: Names are filled
    checks:
      - {sql: "select count(*) = 0 from raw.patients where name is null", severity: warn}
tasks:
  - id: load
    title: Load
    agent: shell
    with: {command: "true"}
---
"""


def _mission_item(workspace: Path) -> tuple[LocalTracker, object]:
    tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
    return tracker, next(i for i in tracker.read("m") if i.key == Key("m"))


def test_a_failing_criterion_keeps_the_mission_active_and_tells_the_owner(
    workspace: Path,
    warehouse: Path,
    capfd: pytest.CaptureFixture[str],
    site_page: Callable[[str], str],
) -> None:
    (workspace / "missions" / "m.md").write_text(MISSION)
    assert main(["run", "-q"]) == 0
    tracker, item = _mission_item(workspace)
    assert item.state == "active"  # type: ignore[attr-defined]
    events = tracker.events(item)  # type: ignore[arg-type]
    kinds = [e.kind for e in events]
    assert CRITERIA_FAILED in kinds and CRITERIA_PASSED not in kinds
    assert len([e for e in events if e.kind == ESCALATED]) == 1
    bodies = [c.body for c in tracker.comments(item)]  # type: ignore[arg-type]
    table = next(b for b in bodies if b.startswith("### ❌ Success criteria checks"))
    assert "#### ❌ Every patient is loaded" in table
    assert (
        "| `sql: select count(*) = 6 from raw.patients` | error | ❌ **fail** | returned False |"
        in table
    )
    assert any("some success criteria fail their checks" in b for b in bodies)
    tracker.close()
    capfd.readouterr()
    assert main(["status", "m", "--json"]) == 0
    shown = json.loads(capfd.readouterr().out)[0]
    assert shown["state"] == "active"
    assert shown["criteria"] == [
        {"text": "Stakeholders are told", "checked": False, "status": None, "detail": None},
        {
            "text": "Every patient is loaded",
            "checked": True,
            "status": "failed",
            "detail": "sql: select count(*) = 6 from raw.patients (returned False)",
        },
        {
            "text": "Names are filled",
            "checked": True,
            "status": "passed",
            "detail": "1 check passed",
        },
    ]
    page = site_page("m")
    assert (
        "- Every patient is loaded · ❌ checks fail: "
        "sql: select count(\\*) = 6 from raw.patients (returned False)" in page
    )
    assert "- Names are filled · ✅ checks pass: 1 check passed" in page
    assert "- Stakeholders are told\n" in page
    assert main(["approve", "m", "--as", "dana-lee"]) == 1
    assert "its success criteria's checks have not passed" in capfd.readouterr().err

    # Fix the data: the next dispatch runs the checks again and the mission awaits sign-off.
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into raw.patients values (6, null, 'F', 2011)")
    assert main(["run", "-q"]) == 0
    tracker, item = _mission_item(workspace)
    assert item.state == "awaiting-signoff"  # type: ignore[attr-defined]
    signoff = tracker.comments(item)[-1].body  # type: ignore[arg-type]
    assert "- [x] Every patient is loaded · ✅ checks passed: 1 check passed" in signoff
    assert "- [x] Names are filled · ⚠️ checks warn:" in signoff
    assert "- [ ] Stakeholders are told" in signoff
    tracker.close()
    capfd.readouterr()
    assert main(["approve", "m", "--as", "dana-lee"]) == 0
    err = capfd.readouterr().err
    assert "warning: 1 success criterion is not checked by missionkit: Stakeholders are told" in err
    assert "warning: success criterion warned: Names are filled" in err


def test_a_mission_whose_criteria_pass_awaits_sign_off(workspace: Path, warehouse: Path) -> None:
    (workspace / "missions" / "m.md").write_text(MISSION.replace("= 6", "= 5"))
    assert main(["run", "-q"]) == 0
    tracker, item = _mission_item(workspace)
    assert item.state == "awaiting-signoff"  # type: ignore[attr-defined]
    assert not [e for e in tracker.events(item) if e.kind == ESCALATED]  # type: ignore[arg-type]
    tracker.close()
