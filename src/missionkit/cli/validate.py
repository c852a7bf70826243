"""``mission validate [PATH…]``."""

from __future__ import annotations

import click

from missionkit.cli.output import console
from missionkit.spec.loader import load_missions


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
def command(paths: tuple[str, ...]) -> int:
    """Parse mission files, check their schema and task graph (default: missions/)."""
    missions = load_missions(paths or ("missions",))
    tasks = sum(len(m.tasks) for m in missions)
    console().print(
        f"[green]ok[/]: {len(missions)} mission{'s' if len(missions) != 1 else ''}, "
        f"{tasks} task{'s' if tasks != 1 else ''}"
    )
    return 0
