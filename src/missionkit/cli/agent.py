"""``mission agent run MISSION/TASK`` (its halves ``prepare``/``record``) and ``agent list``."""

from __future__ import annotations

from pathlib import Path

import click

from missionkit.agents.base import Verdict
from missionkit.agents.registry import agent_names
from missionkit.cli.params import missions_option, opened, target, tracker_options
from missionkit.execution import agentsteps
from missionkit.execution.agentrun import run_agent_task
from missionkit.execution.notify import Notifier
from missionkit.execution.runner import RunOutcome
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
def run(
    task_ref: str,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
    execute_only: bool,
    out: Path | None,
) -> int:
    """Run one task's agent and checks, record the report, then close it or escalate."""
    mission, task = _task(missions_dir, task_ref)
    if execute_only != (out is not None):
        raise click.UsageError("--execute-only and --out go together")
    if out is not None:
        if tracker is not None:
            raise click.UsageError("--execute-only uses no tracker")
        outcome = agentsteps.execute(mission, task, Path.cwd(), out)
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
def record(
    task_ref: str,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
    source: Path,
) -> int:
    """Record what `run --execute-only` left in --from: report, verdict, escalation."""
    mission, task = _task(missions_dir, task_ref)
    with opened(tracker, repo, api_url) as backend:
        outcome, _ = agentsteps.record(backend, Notifier(), mission, task, source)
    return _said(mission, task, outcome, source / "report.md")


@command.command("list")
def list_agents() -> int:
    """List the installed agents."""
    for name in agent_names():
        click.echo(name)
    return 0
