"""``mission retry MISSION/TASK``."""

from __future__ import annotations

import click

from missionkit.cli.params import (
    actor_option,
    missions_option,
    on_task,
    tracker_options,
    who,
)
from missionkit.execution.actions import retry


@click.command("retry")
@click.argument("task_ref", metavar="MISSION/TASK")
@actor_option
@missions_option
@tracker_options
def command(
    task_ref: str,
    actor: str | None,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """Re-queue a failed task."""
    on_task(
        task_ref,
        missions_dir,
        tracker,
        repo,
        api_url,
        lambda backend, mission, task_id: retry(backend, mission, task_id, who(actor)),
    )
    click.echo(f"{task_ref}: re-queued.")
    return 0
