"""``mission answer MISSION/TASK "…"``."""

from __future__ import annotations

import click

from missionkit.cli.params import (
    actor_option,
    missions_option,
    opened,
    target,
    tracker_options,
    who,
)
from missionkit.execution.actions import answer
from missionkit.missions import find_mission


@click.command("answer")
@click.argument("task_ref", metavar="MISSION/TASK")
@click.argument("text")
@actor_option
@missions_option
@tracker_options
def command(
    task_ref: str,
    text: str,
    actor: str | None,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """Answer an agent's question; the task runs again with the answer."""
    mission_id, task_id = target(task_ref)
    mission = find_mission(missions_dir, mission_id)
    with opened(tracker, repo, api_url) as backend:
        answer(backend, mission, task_id, who(actor), text)
    click.echo(f"{task_ref}: answered; it is ready to run again (`mission run`).")
    return 0
