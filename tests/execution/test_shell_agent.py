"""The shell agent and the runner: commands, timeouts, checks, retries, reports."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from missionkit.agents.base import Verdict
from missionkit.execution.runner import run_task
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission
from missionkit.warehouse.registry import open_warehouse

from support import HEAD


def one_task(write: Callable[[str, str], Path], task: str, extra: str = "") -> Mission:
    write(
        "m", HEAD + extra + "tasks:\n  - id: t\n    title: T\n    agent: shell\n" + task + "---\n"
    )
    return load_missions(["missions"])[0]


def test_command_runs_in_bash_from_the_workspace(
    write_mission: Callable[[str, str], Path], workspace: Path
) -> None:
    mission = one_task(
        write_mission, '    with: {command: "echo hi $MISSION_TASK > out.txt; pwd"}\n'
    )
    outcome = run_task(mission, mission.task("t"), workspace)
    assert outcome.verdict == Verdict.DONE
    assert (workspace / "out.txt").read_text() == "hi t\n"
    log = outcome.run_dir / "output.log"
    assert log.read_text().strip() == str(workspace)
    assert outcome.artifacts == (log,)
    assert outcome.run_dir.parent == workspace / ".missionkit" / "runs" / "m" / "t"
    result = json.loads((outcome.run_dir / "result.json").read_text())
    assert result["verdict"] == "done" and result["artifacts"] == ["output.log"]
    assert "✅ `t`: done" in (outcome.run_dir / "report.md").read_text()


def test_a_failing_command_fails_like_a_workflow_step(
    write_mission: Callable[[str, str], Path], workspace: Path
) -> None:
    mission = one_task(write_mission, '    with: {command: "false; echo never"}\n')
    outcome = run_task(mission, mission.task("t"), workspace)
    assert outcome.verdict == Verdict.FAILED
    assert outcome.reasons == ("agent shell failed: `false; echo never` failed with exit code 1",)
    report = outcome.run_dir / "report.md"
    assert outcome.summary == f"{outcome.reasons[0]} (report: {report.relative_to(workspace)})"
    assert "failed with exit code 1" in outcome.report
    assert "never" not in (outcome.run_dir / "output.log").read_text()


def test_timeout_stops_the_command_and_its_children(
    write_mission: Callable[[str, str], Path], workspace: Path
) -> None:
    mission = one_task(
        write_mission, '    with: {command: "sleep 30 & sleep 30; touch late"}\n    timeout: 1s\n'
    )
    outcome = run_task(mission, mission.task("t"), workspace)
    assert outcome.verdict == Verdict.FAILED
    assert "was stopped after 1 s (timeout)" in outcome.report
    assert not (workspace / "late").exists()


def test_task_is_done_only_when_every_check_passes(
    write_mission: Callable[[str, str], Path], workspace: Path
) -> None:
    mission = one_task(
        write_mission,
        '    with: {command: "echo data > made.txt"}\n'
        "    checks:\n"
        "      - file: made.txt\n"
        "      - command: grep -q data made.txt\n"
        "      - {name: missing output, file: nope.txt}\n",
    )
    outcome = run_task(mission, mission.task("t"), workspace)
    assert outcome.verdict == Verdict.FAILED
    assert [c.passed for c in outcome.checks] == [True, True, False]
    assert outcome.reasons == ("check failed: missing output (nope.txt does not exist)",)
    assert "| `missing output` | error | ❌ **fail** | nope.txt does not exist |" in outcome.report


def test_sql_checks_run_against_the_mission_warehouse(
    write_mission: Callable[[str, str], Path], workspace: Path, warehouse_location: str
) -> None:
    warehouse = open_warehouse(warehouse_location, workspace)
    assert warehouse is not None
    with warehouse.connect() as con:
        con.query("create table t as select 1 as x union all select 2")
    mission = one_task(
        write_mission,
        '    with: {command: "true"}\n    checks:\n'
        "      - sql: select count(*) = 2 from t\n"
        "      - sql: select count(*) = 3 from t\n"
        "      - sql: select * from missing_table\n"
        "      - sql: delete from t\n",
        extra=f"warehouse: {warehouse_location}\n",
    )
    outcome = run_task(mission, mission.task("t"), workspace)
    assert [(c.passed, c.detail.split(":")[0]) for c in outcome.checks] == [
        (True, "returned True"),
        (False, "returned False"),
        (False, "query failed"),
        (False, "query failed"),  # read-only: a check never changes the warehouse
    ]
    with warehouse.connect(read_only=True) as con:
        assert con.scalar("select count(*) from t") == 2


def test_task_commands_never_see_the_warehouse_credentials(
    write_mission: Callable[[str, str], Path],
    workspace: Path,
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user, password = os.environ["PGUSER"], os.environ["PGPASSWORD"]
    secret_url = pg_url.replace("postgresql://", f"postgresql://{user}:{password}@")
    monkeypatch.setenv("ANALYTICS_URL", secret_url)
    monkeypatch.delenv("PGPASSWORD")  # the URL's own credentials are enough
    with psycopg.connect(secret_url, autocommit=True) as con:
        con.execute("create table seen (x int)")
    mission = one_task(
        write_mission,
        '    with: {command: "env > env.txt"}\n    checks:\n'
        "      - sql: select count(*) = 0 from seen\n"
        "      - command: env > check-env.txt\n",
        extra="warehouse: warehouse/local.duckdb\nwarehouse_env: ANALYTICS_URL\n",
    )
    outcome = run_task(mission, mission.task("t"), workspace)
    assert outcome.verdict == Verdict.DONE, outcome.report  # the sql check ran on the server
    for name in ("env.txt", "check-env.txt"):
        seen = (workspace / name).read_text()
        assert f"MISSION_WAREHOUSE={pg_url}\n" in seen
        assert password not in seen and "ANALYTICS_URL" not in seen
    monkeypatch.setenv("PGPASSWORD", password)
    outcome = run_task(mission, mission.task("t"), workspace)
    assert password not in (workspace / "env.txt").read_text()  # PGPASSWORD is hidden too


def test_retries_run_the_agent_again(
    write_mission: Callable[[str, str], Path], workspace: Path
) -> None:
    mission = one_task(
        write_mission,
        '    with: {command: "echo x >> tries; test $(wc -l < tries) -ge 3"}\n    retries: 2\n',
    )
    outcome = run_task(mission, mission.task("t"), workspace)
    assert outcome.verdict == Verdict.DONE
    assert outcome.attempts == 3
    assert (workspace / "tries").read_text() == "x\nx\nx\n"


def test_retries_stop_at_the_limit(
    write_mission: Callable[[str, str], Path], workspace: Path
) -> None:
    mission = one_task(
        write_mission, '    with: {command: "echo x >> tries; false"}\n    retries: 1\n'
    )
    outcome = run_task(mission, mission.task("t"), workspace)
    assert outcome.verdict == Verdict.FAILED
    assert outcome.attempts == 2
    assert (workspace / "tries").read_text() == "x\nx\n"
    assert "(attempt 2 of 2)" in outcome.report


def test_commands_find_the_python_missionkit_runs_with(
    write_mission: Callable[[str, str], Path], workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    mission = one_task(write_mission, '    with: {command: "command -v python > which.txt"}\n')
    assert run_task(mission, mission.task("t"), workspace).verdict == Verdict.DONE
    found = (workspace / "which.txt").read_text().strip()
    assert Path(found).parent == Path(sys.executable).parent


def test_commands_and_checks_never_see_missionkits_credentials(
    write_mission: Callable[[str, str], Path], workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_secret")
    monkeypatch.setenv("MISSIONKIT_SMTP_PASSWORD", "smtp-secret")
    monkeypatch.setenv("TEAM_WEBHOOK", "https://hooks.example/secret")
    monkeypatch.setenv("ORDINARY", "kept")
    show = "env | sort > {}"
    mission = one_task(
        write_mission,
        f'    with: {{command: "{show.format("task.env")}"}}\n'
        f'    checks: [{{command: "{show.format("check.env")}"}}]\n',
        extra="escalation: {slack_webhook_env: TEAM_WEBHOOK}\n",
    )
    assert run_task(mission, mission.task("t"), workspace).verdict == Verdict.DONE
    for name in ("task.env", "check.env"):
        seen = (workspace / name).read_text()
        assert "ORDINARY=kept" in seen
        assert "secret" not in seen, name
