"""``mission answer MISSION/TASK "…"``."""

from __future__ import annotations

import click

from missionkit.cli.params import (
    actor_option,
    missions_option,
    on_task,
    tracker_options,
    who,
)
from missionkit.execution.actions import answer


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
    on_task(
        task_ref,
        missions_dir,
        tracker,
        repo,
        api_url,
        lambda backend, mission, task_id: answer(backend, mission, task_id, who(actor), text),
    )
    click.echo(f"{task_ref}: answered; it is ready to run again (`mission run`).")
    return 0
