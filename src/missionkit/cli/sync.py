"""``mission sync [--tracker …] [--prune]``."""

from __future__ import annotations

import click

from missionkit.cli.params import APIS, missions_option, opened, tracker_options
from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.plan import Change, make_plan

API_HELP = "GitHub API for the writes: graphql batches labels and new issues (README)"


@click.command("sync")
@click.option("--prune", is_flag=True, help="close the issues of tasks removed from the files")
@click.option("--quiet", "-q", is_flag=True, help="print only the summary")
@click.option(
    "--overwrite",
    is_flag=True,
    help="restore the files' side of what people changed on the tracker (drift)",
)
@click.option("--api", type=click.Choice(APIS), default="rest", show_default=True, help=API_HELP)
@missions_option
@tracker_options
def command(
    api: str,
    prune: bool,
    overwrite: bool,
    quiet: bool,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """Apply the plan: create and update the tracker's items to match the mission files."""
    missions = load_missions([missions_dir])

    def show(change: Change) -> None:
        if not quiet:
            click.echo("  " + change.describe())

    with opened(tracker, repo, api_url) as backend:
        github = None
        if api == "graphql":
            from missionkit.tracking.github.gql_sync import apply_plan_graphql, github_tracker

            github = github_tracker(backend)
        plan = make_plan(missions, backend, prune=prune, overwrite=overwrite)
        if github is not None:
            result = apply_plan_graphql(plan, github, show)
        else:
            result = apply_plan(plan, backend, show)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for drift in plan.drift:
        click.echo(f"warning: drift: {drift.describe(overwrite)}", err=True)
    click.echo(plan.summary().replace("Plan:", "Applied:") if not plan.empty else plan.summary())
    return 0
