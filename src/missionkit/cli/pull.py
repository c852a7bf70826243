"""``mission pull [--tracker github] [--propose]``."""

from __future__ import annotations

from pathlib import Path

import click

from missionkit.cli.params import missions_option, opened, tracker_options
from missionkit.errors import UsageError
from missionkit.templating import render_template
from missionkit.tracking.pull import PullResult, pull

BRANCH = "missionkit/pull"
TITLE = "Pull people's edits on GitHub into the mission files"


@click.command("pull")
@click.option(
    "--propose",
    is_flag=True,
    help="propose the edited files as one pull request (GitHub) instead of leaving them here",
)
@missions_option
@tracker_options
def command(
    propose: bool, missions_dir: str, tracker: str | None, repo: str | None, api_url: str | None
) -> int:
    """Write what people changed on the tracker (drift) into the mission files."""
    with opened(tracker, repo, api_url) as backend:
        if propose:
            from missionkit.tracking.github.tracker import GitHubTracker

            if not isinstance(backend, GitHubTracker):
                raise UsageError("--propose opens a pull request; use it with --tracker github")
        result = pull([missions_dir], backend, refresh=not propose)
        if propose and result.files:
            from missionkit.tracking.github.changes import propose_files

            assert isinstance(backend, GitHubTracker)
            number, url = propose_files(
                backend.issues,
                {path: Path(path).read_bytes() for path in _relative(result.files)},
                branch=BRANCH,
                title=TITLE,
                body=_body(result),
            )
            click.echo(f"proposed as pull request #{number}: {url}")
    _report(result)
    # a proposal carries the conflicts in its description; here a person must decide
    return 1 if result.conflicts and not propose else 0


def _relative(paths: list[str]) -> list[str]:
    root = Path.cwd().resolve()
    return [Path(p).resolve().relative_to(root).as_posix() for p in paths]


def _body(result: PullResult) -> str:
    return render_template(
        "pull/pull_request.md.j2",
        {"pulled": result.pulled, "adopted": result.adopted, "conflicts": result.conflicts},
    )


def _report(result: PullResult) -> None:
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
