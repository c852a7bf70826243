"""``mission sync [--tracker …] [--prune]``."""

from __future__ import annotations

import click

from missionkit.cli.params import missions_option, settings, tracker_options
from missionkit.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.plan import Change, make_plan
from missionkit.tracking.select import open_tracker


@click.command("sync")
@click.option("--prune", is_flag=True, help="close the issues of tasks removed from the files")
@click.option("--quiet", "-q", is_flag=True, help="print only the summary")
@missions_option
@tracker_options
def command(
    prune: bool,
    quiet: bool,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """Apply the plan: create and update the tracker's items to match the mission files."""
    missions = load_missions([missions_dir])
    backend = open_tracker(settings(tracker, repo, api_url))

    def show(change: Change) -> None:
        if not quiet:
            click.echo("  " + change.describe())

    try:
        plan = make_plan(missions, backend, prune=prune)
        result = apply_plan(plan, backend, show)
    finally:
        backend.close()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(plan.summary().replace("Plan:", "Applied:") if not plan.empty else plan.summary())
    return 0
