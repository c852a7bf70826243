"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from missionkit.tracking.select import TRACKERS, TrackerSettings

missions_option = click.option(
    "--missions",
    "missions_dir",
    envvar="MISSIONKIT_MISSIONS",
    default="missions",
    show_default=True,
    type=click.Path(file_okay=False),
    help="folder holding the mission files",
)


def tracker_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--tracker``, ``--repo`` and ``--api-url``; the token is read from GITHUB_TOKEN only."""
    fn = click.option("--api-url", default=None, help="GitHub API base URL [env GITHUB_API_URL]")(
        fn
    )
    fn = click.option("--repo", default=None, help="owner/name [env GITHUB_REPOSITORY]")(fn)
    fn = click.option(
        "--tracker",
        type=click.Choice(TRACKERS),
        default=None,
        help="where task state lives [env MISSIONKIT_TRACKER; default: local]",
    )(fn)
    return fn


def settings(tracker: str | None, repo: str | None, api_url: str | None) -> TrackerSettings:
    return TrackerSettings.from_env(tracker, repo, api_url)
