"""A new user's first run: what a blueprint needs is said at once, and a failed agent says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from missionkit.cli.main import main
from missionkit.site import collect, environment, render
from missionkit.spec.loader import load_missions
from missionkit.spec.model import TaskState
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.model import Key

ONBOARDING = [
    "new", "crm", "--blueprint", "source-onboarding", "--set", "source=crm",
    "--set", "files=data/crm/*.csv", "--set", "table=contacts",
    "--set", "target=targets/customer.yaml", "--set", "key=contact_id", "--set", "owner=dana-lee",
]  # fmt: skip
WHY = "agent ingest failed: no such file: `data/crm/*.csv`"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_new_warns_at_once_about_input_files_that_do_not_exist(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *ONBOARDING)
    assert (code, out) == (0, "wrote missions/crm.md\n")
    assert err.splitlines() == [
        "warning: missions/crm.md:19:15: tasks[0].with.files[0]: no file matches "
        f"'data/crm/*.csv' (from {workspace}); the ingest agent fails unless it is there "
        "when the task runs",
        "warning: missions/crm.md:37:15: tasks[1].with.target: no file matches "
        "'targets/customer.yaml' yet; fine if a prerequisite (ingest-raw) writes it, "
        "else the field-mapping agent fails",
        "warning: missions/crm.md:61:16: tasks[3].with.mapping: no file matches "
        "'mappings/crm.yaml' yet; fine if a prerequisite (review-mapping) writes it, "
        "else the dbt agent fails",
    ]


def test_validate_warns_not_errors_for_missing_inputs(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, *ONBOARDING)
    (workspace / "data" / "crm").mkdir(parents=True)
    (workspace / "data" / "crm" / "contacts.csv").write_text("contact_id\n1\n")
    (workspace / "targets").mkdir()
    (workspace / "targets" / "customer.yaml").write_text("name: customer\n")
    code, out, err = run(capsys, "validate")
    assert (code, out) == (0, "ok: 1 mission, 6 tasks (1 warning)\n")
    assert err == (
        "warning: missions/crm.md:61:16: tasks[3].with.mapping: no file matches "
        "'mappings/crm.yaml' yet; fine if a prerequisite (review-mapping) writes it, "
        "else the dbt agent fails\n"
    )


def test_a_failed_agent_says_why_everywhere(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, *ONBOARDING)
    code, out, _ = run(capsys, "run")
    assert code == 0
    (line,) = [x for x in out.splitlines() if x.startswith("✘ crm/ingest-raw: ")]
    assert line.startswith(f"✘ crm/ingest-raw: {WHY}")
    report = line.split("(report: ")[1].rstrip(")")
    assert report.startswith(".missionkit/runs/crm/ingest-raw/")
    assert "Nothing was loaded." in (workspace / report).read_text()
    assert f"    ✘ {WHY}" in out  # the summary at the end says it again
    reason = line.removeprefix("✘ crm/ingest-raw: ")

    code, out, _ = run(capsys, "status")
    assert f"✘ ingest-raw: {reason}\n" in out
    code, out, _ = run(capsys, "status", "--json")
    tasks = {t["task"]: t for t in json.loads(out)[0]["tasks"]}
    assert (tasks["ingest-raw"]["reason"], tasks["map-fields"]["reason"]) == (reason, None)

    code, out, _ = run(capsys, "log", "crm")
    assert f"running → failed           missionkit-agent     {reason}\n" in out

    tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
    try:
        item = next(i for i in tracker.read("crm") if i.key == Key("crm", "ingest-raw"))
        assert item.state == TaskState.FAILED
        bodies = [c.body for c in tracker.comments(item)]
        assert f"\n- {WHY}" in bodies[0]  # the report, as posted on the task's issue
        assert f"\nReport: `{report}`\n" in bodies[0]
        assert f"— **Ingest the crm extracts into raw** failed.\n\n- {WHY}" in bodies[1]
        missions = load_missions(["missions"])
        data = collect(missions, tracker, workspace / ".missionkit" / "runs", workspace)
        site = render(data, environment(), datetime.now(UTC))
    finally:
        tracker.close()
    page = next(o.text for o in site.outputs if o.path.endswith("crm.md"))
    assert "agent ingest failed: no such file:" in page
    assert report in page
