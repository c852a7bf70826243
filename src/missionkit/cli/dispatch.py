"""``mission dispatch [--event FILE] [--matrix-out FILE]``."""

from __future__ import annotations

from pathlib import Path

import click

from missionkit.cli.params import github_downloader, missions_option, opened, tracker_options
from missionkit.errors import UsageError
from missionkit.execution.dispatch import Dispatcher
from missionkit.execution.notify import Notifier
from missionkit.spec.loader import load_missions

#: GitHub runs at most 256 jobs from one matrix; a wider wave goes over several matrix runs
MATRIX_MAX = 256


@click.command("dispatch")
@click.option(
    "--event",
    "event_file",
    type=click.Path(dir_okay=False),
    help="GitHub webhook payload to act on first (issues, issue_comment)",
)
@click.option(
    "--matrix-out",
    type=click.Path(dir_okay=False),
    help="write the claimed agent tasks as a GitHub Actions matrix (JSON)",
)
@click.option("--event-only", is_flag=True, help="act on --event and stop (no reconciliation)")
@click.option("--no-claim", is_flag=True, help="unblock and notify, but claim no agent task")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=None,
    help=f"claim at most N tasks (with --matrix-out, at most {MATRIX_MAX}: a matrix's jobs)",
)
@missions_option
@tracker_options
def command(
    event_file: str | None,
    matrix_out: str | None,
    event_only: bool,
    no_claim: bool,
    limit: int | None,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """Reconcile: unblock ready tasks, claim agent tasks, notify people, await sign-off."""
    if event_only and not event_file:
        raise UsageError("--event-only needs --event FILE")
    if matrix_out:
        limit = MATRIX_MAX if limit is None else min(limit, MATRIX_MAX)
    missions = load_missions([missions_dir])
    notifier = Notifier()
    with opened(tracker, repo, api_url) as backend:
        if event_file:
            from missionkit.tracking.github.tracker import GitHubTracker
            from missionkit.tracking.github.webhook import handle, load_payload

            if not isinstance(backend, GitHubTracker):
                raise UsageError("--event takes a GitHub payload; use it with --tracker github")
            outcome = handle(load_payload(event_file), missions, backend, notifier)
            click.echo(f"event: {outcome.text}")
            if event_only:
                return 0
        download = github_downloader(backend, tracker, repo, api_url)
        dispatcher = Dispatcher(backend, notifier, claim=not no_claim, download=download)
        result = dispatcher.run(missions, limit=limit)
        warnings = list(backend.warnings)
    for line in result.lines:
        click.echo(line)
    if result.waiting:
        click.echo(
            f"{result.waiting} more ready agent task(s) wait for the next dispatch "
            f"(at most {limit} claimed per run)"
        )
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if not result.lines:
        click.echo("nothing to do")
    if matrix_out:
        Path(matrix_out).write_text(result.matrix_json() + "\n", encoding="utf-8")
    return 0
