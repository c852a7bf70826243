"""``mission agent run MISSION/TASK`` (and ``mission agent list``)."""

from __future__ import annotations

from pathlib import Path

import click

from missionkit.agents.base import Verdict
from missionkit.agents.registry import agent_names
from missionkit.cli.params import missions_option, opened, target, tracker_options
from missionkit.execution.agentrun import run_agent_task
from missionkit.execution.notify import Notifier
from missionkit.spec.missions import find_mission


@click.group("agent")
def command() -> None:
    """Run agents."""


@command.command("run")
@click.argument("task_ref", metavar="MISSION/TASK")
@missions_option
@tracker_options
def run(
    task_ref: str, missions_dir: str, tracker: str | None, repo: str | None, api_url: str | None
) -> int:
    """Run one task's agent and checks, record the report, then close it or escalate."""
    mission_id, task_id = target(task_ref)
    mission = find_mission(missions_dir, mission_id)
    task = mission.task(task_id) if task_id in {t.id for t in mission.tasks} else None
    if task is None:
        raise click.UsageError(f"mission {mission_id} has no task '{task_id}'")
    with opened(tracker, repo, api_url) as backend:
        outcome, _ = run_agent_task(backend, Notifier(), mission, task, Path.cwd())
    click.echo(f"{mission_id}/{task_id}: {outcome.verdict} — {outcome.summary}")
    click.echo(f"report: {outcome.run_dir / 'report.md'}")
    return 0 if outcome.verdict != Verdict.FAILED else 1


@command.command("list")
def list_agents() -> int:
    """List the installed agents."""
    for name in agent_names():
        click.echo(name)
    return 0
