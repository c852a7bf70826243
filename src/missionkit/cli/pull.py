"""``mission pull [--tracker github]``."""

from __future__ import annotations

import click

from missionkit.cli.params import missions_option, opened, tracker_options
from missionkit.tracking.pull import pull


@click.command("pull")
@missions_option
@tracker_options
def command(missions_dir: str, tracker: str | None, repo: str | None, api_url: str | None) -> int:
    """Write what people changed on the tracker (drift) into the mission files."""
    with opened(tracker, repo, api_url) as backend:
        result = pull([missions_dir], backend)
    for line in result.pulled:
        click.echo(f"  ← {line}")
    for line in result.adopted:
        click.echo(f"  adopted {line}")
    for line in result.skipped:
        click.echo(f"skipped: {line}")
    for line in result.conflicts:
        click.echo(f"conflict: {line}", err=True)
    if result.files:
        click.echo(f"Pulled into {', '.join(result.files)}.")
    elif not result.conflicts:
        click.echo("Nothing to pull: the mission files match the tracker.")
    return 1 if result.conflicts else 0
