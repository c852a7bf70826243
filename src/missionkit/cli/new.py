"""``mission new ID --blueprint NAME [--set key=value…]``."""

from __future__ import annotations

from pathlib import Path

import click

from missionkit.blueprints import blueprint_names, write_blueprint
from missionkit.cli.output import console
from missionkit.cli.params import missions_option
from missionkit.errors import UsageError


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--set expects key=value, got '{item}'")
        out[name.strip()] = value
    return out


@click.command("new")
@click.argument("mission_id")
@click.option("--blueprint", "-b", required=True, help="one of: " + ", ".join(blueprint_names()))
@click.option(
    "--set", "settings", multiple=True, metavar="KEY=VALUE", help="blueprint parameter (repeatable)"
)
@click.option("--force", is_flag=True, help="overwrite an existing file")
@missions_option
def command(
    mission_id: str, blueprint: str, settings: tuple[str, ...], force: bool, missions_dir: str
) -> int:
    """Write missions/ID.md from a blueprint."""
    path = write_blueprint(Path(missions_dir), mission_id, blueprint, _pairs(settings), force=force)
    console().print(f"wrote {path}")
    return 0
