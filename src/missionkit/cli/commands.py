"""The list of subcommands; each lives in its own module."""

from __future__ import annotations

import click

from missionkit.cli import (
    agent,
    answer,
    approve,
    dbtchanges,
    dispatch,
    done,
    draft,
    graph,
    init,
    log,
    new,
    plan,
    pull,
    retry,
    run,
    schema,
    site,
    status,
    sync,
    validate,
)

COMMANDS: list[click.Command] = [
    validate.command,
    graph.command,
    new.command,
    draft.command,
    schema.command,
    plan.command,
    sync.command,
    pull.command,
    status.command,
    dispatch.command,
    agent.command,
    dbtchanges.command,
    run.command,
    done.command,
    answer.command,
    retry.command,
    approve.command,
    log.command,
    init.command,
    site.command,
]
