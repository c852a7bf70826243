"""``mission plan [--tracker local|github] [--json]``."""

from __future__ import annotations

import click

from missionkit.cli.params import APIS, missions_option, opened, tracker_options
from missionkit.spec.loader import load_missions
from missionkit.tracking.plan import make_plan

API_HELP = "GitHub API sync would write with; the plan is read over REST either way (README)"


@click.command("plan")
@click.option("--json", "as_json", is_flag=True, help="print the plan as JSON")
@click.option("--prune", is_flag=True, help="include closing the issues of removed tasks")
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
    as_json: bool,
    prune: bool,
    overwrite: bool,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """Show what a sync would change. Changes nothing."""
    missions = load_missions([missions_dir])
    with opened(tracker, repo, api_url) as backend:
        if api == "graphql":
            from missionkit.tracking.github.gql_sync import github_tracker

            github_tracker(backend)
        plan = make_plan(missions, backend, prune=prune, overwrite=overwrite)
    click.echo(plan.dumps() if as_json else plan.render(), nl=False)
    return 0
