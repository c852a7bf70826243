"""``mission validate [PATH…]``."""

from __future__ import annotations

from pathlib import Path

import click

from missionkit.cli.output import console
from missionkit.spec.inputfiles import missing_inputs
from missionkit.spec.loader import load
from missionkit.tracking.limits import limit_warnings


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
def command(paths: tuple[str, ...]) -> int:
    """Parse mission files, check their schema and task graph (default: missions/).

    Input files of agent tasks that do not exist (yet) are warnings, not errors."""
    result = load(paths or ("missions",))
    result.raise_for_problems()
    warnings = missing_inputs(result, Path.cwd())
    for mission in result.missions:
        warnings += limit_warnings(mission, result.sources[mission.id])
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    missions = result.missions
    tasks = sum(len(m.tasks) for m in missions)
    more = f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if warnings else ""
    console().print(
        f"[green]ok[/]: {len(missions)} mission{'s' if len(missions) != 1 else ''}, "
        f"{tasks} task{'s' if tasks != 1 else ''}{more}"
    )
    return 0
