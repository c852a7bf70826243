"""``mission schema``."""

from __future__ import annotations

import click

from missionkit.spec.schema import schema_json


@click.command("schema")
def command() -> int:
    """Print the JSON Schema of the mission frontmatter."""
    click.echo(schema_json(), nl=False)
    return 0
