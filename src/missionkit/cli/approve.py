"""``mission approve ID``."""

from __future__ import annotations

import click

from missionkit.cli.params import actor_option, missions_option, opened, tracker_options, who
from missionkit.execution.actions import approve, item_for
from missionkit.execution.criteria import signoff_warnings
from missionkit.execution.notify import Notifier
from missionkit.spec.missions import find_mission
from missionkit.tracking.model import Key


@click.command("approve")
@click.argument("mission_id")
@actor_option
@missions_option
@tracker_options
def command(
    mission_id: str,
    actor: str | None,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """Sign a mission off (approvers only, once every task is done)."""
    mission = find_mission(missions_dir, mission_id)
    with opened(tracker, repo, api_url) as backend:
        warnings = signoff_warnings(backend, mission, item_for(backend, Key(mission.id)))
        approve(backend, Notifier(), mission, who(actor))
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{mission_id}: signed off.")
    return 0
