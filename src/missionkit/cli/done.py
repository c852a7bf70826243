"""``mission done MISSION/TASK``."""

from __future__ import annotations

import click

from missionkit.cli.params import (
    actor_option,
    missions_option,
    on_task,
    tracker_options,
    who,
)
from missionkit.execution.actions import complete


@click.command("done")
@click.argument("task_ref", metavar="MISSION/TASK")
@click.option("--reason", default="", help="a note for the history")
@actor_option
@missions_option
@tracker_options
def command(
    task_ref: str,
    reason: str,
    actor: str | None,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """A person finished a task."""
    on_task(
        task_ref,
        missions_dir,
        tracker,
        repo,
        api_url,
        lambda backend, mission, task_id: complete(backend, mission, task_id, who(actor), reason),
    )
    click.echo(f"{task_ref}: done. Run `mission run` (or `mission dispatch`) to go on.")
    return 0
