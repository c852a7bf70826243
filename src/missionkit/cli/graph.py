"""``mission graph ID [--format mermaid|dot|json]``."""

from __future__ import annotations

import click

from missionkit.cli.params import missions_option
from missionkit.graph.dag import TaskGraph
from missionkit.graph.render import FORMATS, render_graph
from missionkit.spec.missions import find_mission


@click.command("graph")
@click.argument("mission_id")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="mermaid", show_default=True)
@missions_option
def command(mission_id: str, fmt: str, missions_dir: str) -> int:
    """Print the task dependency graph of one mission."""
    mission = find_mission(missions_dir, mission_id)
    click.echo(render_graph(TaskGraph.of(mission), fmt), nl=False)
    return 0
