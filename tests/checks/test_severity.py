"""Severities end to end on the local tracker: a warning is recorded and shown, never blocks;
an error fails the task and holds its dependents; a warning failing three runs escalates once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from missionkit.checks.records import WARNED, latest_warnings
from missionkit.cli.main import main
from missionkit.cli.output import console
from missionkit.execution.escalation import ESCALATED
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.model import Key

from support import HEAD

TWO = (
    HEAD
    + """warehouse: warehouse/wh.duckdb
tasks:
  - id: load
    title: Load
    agent: shell
    with: {{command: "echo ok > loaded.txt"}}
    checks:
      - {{name: enough rows, sql: "select count(*) > 9 from raw.patients", severity: {severity}}}
      - file: {needed}
  - id: publish
    title: Publish
    agent: shell
    depends_on: [load]
    with: {{command: "echo ok > published.txt"}}
---
"""
)


def _tracker(workspace: Path) -> LocalTracker:
    return LocalTracker(workspace / ".missionkit" / "tracker.db")


def _states(workspace: Path) -> dict[str, str]:
    tracker = _tracker(workspace)
    try:
        return {i.key.task: i.state for i in tracker.read("m") if i.key.task}
    finally:
        tracker.close()


def test_a_failing_warn_check_does_not_block(
    workspace: Path,
    warehouse: Path,
    capfd: pytest.CaptureFixture[str],
    site_page: Callable[[str], str],
) -> None:
    (workspace / "missions" / "m.md").write_text(TWO.format(severity="warn", needed="loaded.txt"))
    assert main(["run", "-q"]) == 0
    assert _states(workspace) == {"load": "done", "publish": "done"}
    tracker = _tracker(workspace)
    item = next(i for i in tracker.read("m") if i.key == Key("m", "load"))
    events = tracker.events(item)
    assert latest_warnings(events) == ["enough rows: returned False"]
    report = next(c.body for c in tracker.comments(item) if c.body.startswith("### ✅"))
    assert "**Warnings** (recorded, not blocking):\n- ⚠️ enough rows: returned False" in report
    assert "| `enough rows` | warn | ⚠️ **warn** | returned False |" in report
    done = next(e for e in events if e.to_state == "done")
    assert done.reason == "agent and checks passed; 1 warning"
    assert not [e for e in events if e.kind == ESCALATED]
    tracker.close()
    capfd.readouterr()
    assert main(["status", "m", "--json"]) == 0
    shown = json.loads(capfd.readouterr().out)[0]["tasks"][0]
    assert shown["warnings"] == ["enough rows: returned False"]
    page = site_page("m")
    assert "- ⚠️ [load](#task-load): enough rows: returned False" in page
    assert "`load` Load ⚠️ 1 warning |" in page
    console.cache_clear()  # the terminal console is made once per process: make it here
    assert main(["status", "m"]) == 0
    text = capfd.readouterr()
    assert "⚠ enough rows: returned False" in text.out, text


def test_a_failing_error_check_fails_the_task_and_holds_its_dependents(
    workspace: Path, warehouse: Path
) -> None:
    (workspace / "missions" / "m.md").write_text(TWO.format(severity="error", needed="loaded.txt"))
    assert main(["run", "-q"]) == 0
    assert _states(workspace) == {"load": "failed", "publish": "blocked"}


def test_a_warning_failing_three_runs_in_a_row_escalates_once(
    workspace: Path, warehouse: Path
) -> None:
    (workspace / "missions" / "m.md").write_text(TWO.format(severity="warn", needed="go.txt"))
    for _ in range(4):  # the error check fails (no go.txt) and the warning fails every run
        assert main(["run", "-q"]) == 0
        assert _states(workspace)["load"] == "failed"
        assert main(["retry", "m/load"]) == 0
    tracker = _tracker(workspace)
    item = next(i for i in tracker.read("m") if i.key == Key("m", "load"))
    events = tracker.events(item)
    assert len([e for e in events if e.kind == WARNED]) == 4
    note = "a warning on **Load** keeps coming back"
    warned = [e for e in events if e.kind == ESCALATED and note in _note(tracker, e.at)]
    assert len(warned) == 1
    order = [e.kind for e in events if e.kind == WARNED or e in warned]
    assert order == [WARNED, WARNED, WARNED, ESCALATED, WARNED]  # at the third run, only then
    tracker.close()


def _note(tracker: LocalTracker, at: object) -> str:
    item = next(i for i in tracker.read("m") if i.key == Key("m", "load"))
    return " ".join(c.body for c in tracker.comments(item) if c.at == at)
