"""``mission agent run MISSION/TASK`` (its halves ``prepare``/``record``) and ``agent list``."""

from __future__ import annotations

import re
from pathlib import Path

import click

from missionkit.agents.base import Verdict
from missionkit.agents.registry import agent_names
from missionkit.cli.params import missions_option, opened, target, tracker_options
from missionkit.errors import CheckFailed
from missionkit.execution import agentsteps
from missionkit.execution.agentrun import run_agent_task
from missionkit.execution.notify import Notifier
from missionkit.execution.runner import RunOutcome
from missionkit.process import CredentialsError, take_credentials
from missionkit.spec.missions import find_mission
from missionkit.spec.model import Mission, Task

folder = click.Path(file_okay=False, path_type=Path)


@click.group("agent")
def command() -> None:
    """Run agents."""


def _task(missions_dir: str, task_ref: str) -> tuple[Mission, Task]:
    mission_id, task_id = target(task_ref)
    mission = find_mission(missions_dir, mission_id)
    task = mission.task(task_id) if task_id in {t.id for t in mission.tasks} else None
    if task is None:
        raise click.UsageError(f"mission {mission_id} has no task '{task_id}'")
    return mission, task


def _said(mission: Mission, task: Task, outcome: RunOutcome, report: Path) -> int:
    click.echo(f"{mission.id}/{task.id}: {outcome.verdict} — {outcome.summary}")
    click.echo(f"report: {report}")
    return 0 if outcome.verdict != Verdict.FAILED else 1


@command.command("run")
@click.argument("task_ref", metavar="MISSION/TASK")
@missions_option
@tracker_options
@click.option(
    "--execute-only",
    is_flag=True,
    help="run the agent and checks with no tracker; leave the outcome in --out for `record`",
)
@click.option("--out", type=folder, default=None, help="the folder of --execute-only")
@click.option(
    "--warehouse-from",
    type=folder,
    default=None,
    help="with --execute-only: where the warehouse artifact prepare named was downloaded",
)
@click.option(
    "--credentials-from",
    type=folder,
    default=None,
    help="with --execute-only: a folder of credential files (one a variable) that missionkit"
    " takes, then deletes, before any task code runs",
)
def run(
    task_ref: str,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
    execute_only: bool,
    out: Path | None,
    warehouse_from: Path | None,
    credentials_from: Path | None,
) -> int:
    """Run one task's agent and checks, record the report, then close it or escalate."""
    mission, task = _task(missions_dir, task_ref)
    if execute_only != (out is not None):
        raise click.UsageError("--execute-only and --out go together")
    if credentials_from is not None and out is None:
        raise click.UsageError("--credentials-from goes with --execute-only")
    if out is not None:
        if tracker is not None:
            raise click.UsageError("--execute-only uses no tracker")
        if credentials_from is not None:
            try:
                take_credentials(credentials_from)
            except (CredentialsError, OSError) as exc:
                raise CheckFailed(str(exc)) from None
        outcome = agentsteps.execute(mission, task, Path.cwd(), out, warehouse_from)
        _said(mission, task, outcome, out / "report.md")
        return 0  # a failed verdict is an outcome too: `record` reports it
    with opened(tracker, repo, api_url) as backend:
        outcome, _ = run_agent_task(backend, Notifier(), mission, task, Path.cwd())
    return _said(mission, task, outcome, outcome.run_dir / "report.md")


@command.command("prepare")
@click.argument("task_ref", metavar="MISSION/TASK")
@missions_option
@tracker_options
@click.option("--out", type=folder, required=True, help="where to write the task's input")
def prepare(
    task_ref: str,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
    out: Path,
) -> int:
    """Check the task's claim and write what `run --execute-only` needs into --out."""
    mission, task = _task(missions_dir, task_ref)
    with opened(tracker, repo, api_url) as backend:
        item = agentsteps.prepare(backend, mission, task, out)
    click.echo(f"{mission.id}/{task.id}: {item.state}; input in {out}")
    return 0


@command.command("record")
@click.argument("task_ref", metavar="MISSION/TASK")
@missions_option
@tracker_options
@click.option("--from", "source", type=folder, required=True, help="the --out of the run")
@click.option(
    "--warehouse-artifact",
    default="",
    help="ID:RUN:DIGEST of the warehouse artifact the job uploaded (upload-artifact's outputs)",
)
def record(
    task_ref: str,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
    source: Path,
    warehouse_artifact: str,
) -> int:
    """Record what `run --execute-only` left in --from: report, verdict, escalation, and the
    warehouse artifacts the task read and wrote."""
    mission, task = _task(missions_dir, task_ref)
    uploaded = _artifact(warehouse_artifact)
    with opened(tracker, repo, api_url) as backend:
        outcome, _ = agentsteps.record(backend, Notifier(), mission, task, source, uploaded)
    return _said(mission, task, outcome, source / "report.md")


def _artifact(text: str) -> tuple[int, int, str] | None:
    """``ID:RUN:DIGEST`` → (id, run, digest); empty (nothing uploaded) → None."""
    if not text.strip(":"):
        return None
    parts = text.split(":", 2)
    digest = parts[2] if len(parts) == 3 else ""
    if re.fullmatch(r"[0-9a-f]{64}", digest):
        digest = "sha256:" + digest
    if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()):
        raise click.UsageError(f"--warehouse-artifact: '{text}' is not ID:RUN:DIGEST")
    if digest and not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        raise click.UsageError(f"--warehouse-artifact: '{digest}' is not a sha256: digest")
    return int(parts[0]), int(parts[1]), digest


@command.command("list")
def list_agents() -> int:
    """List the installed agents."""
    for name in agent_names():
        click.echo(name)
    return 0
