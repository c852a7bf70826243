"""The list of subcommands; each lives in its own module."""

from __future__ import annotations

import click

from missionkit.cli import graph, new, plan, schema, status, sync, validate

COMMANDS: list[click.Command] = [
    validate.command,
    graph.command,
    new.command,
    schema.command,
    plan.command,
    sync.command,
    status.command,
]
