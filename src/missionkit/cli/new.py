"""``mission new ID --blueprint NAME [--set key=value…]``."""

from __future__ import annotations

from pathlib import Path

import click

from missionkit.cli.output import console
from missionkit.cli.params import missions_option
from missionkit.errors import UsageError
from missionkit.scaffold.blueprints import blueprint_names, blueprints, write_blueprint
from missionkit.spec.inputfiles import missing_inputs
from missionkit.spec.loader import load


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--set expects key=value, got '{item}'")
        out[name.strip()] = value
    return out


@click.command("new")
@click.argument("mission_id", required=False)
@click.option("--blueprint", "-b", metavar="NAME", help="the blueprint (see --list)")
@click.option("--list", "list_them", is_flag=True, help="list the blueprints and their parameters")
@click.option(
    "--set", "settings", multiple=True, metavar="KEY=VALUE", help="blueprint parameter (repeatable)"
)
@click.option("--force", is_flag=True, help="overwrite an existing file")
@missions_option
def command(
    mission_id: str | None,
    blueprint: str | None,
    list_them: bool,
    settings: tuple[str, ...],
    force: bool,
    missions_dir: str,
) -> int:
    """Write missions/ID.md from a blueprint."""
    if list_them:
        for bp in blueprints().values():
            click.echo(f"{bp.name}: {bp.description}")
            for p in bp.params:
                need = "required" if p.default is None else f"default: {p.default or '(derived)'}"
                click.echo(f"    {p.name:<18} {p.description} [{need}]")
        return 0
    if not mission_id or not blueprint:
        raise UsageError(
            "give an id and a blueprint: mission new ID --blueprint NAME "
            f"(blueprints: {', '.join(blueprint_names())})"
        )
    path = write_blueprint(Path(missions_dir), mission_id, blueprint, _pairs(settings), force=force)
    console().print(f"wrote {path}", markup=False)
    for warning in missing_inputs(load([path]), Path.cwd()):
        click.echo(f"warning: {warning}", err=True)
    return 0
