"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from missionkit.spec.model import Mission
from missionkit.tracking.base import Tracker
from missionkit.tracking.select import TRACKERS, TrackerSettings, open_tracker

if TYPE_CHECKING:
    from missionkit.warehouse.travel import Download

#: the GitHub APIs ``plan`` and ``sync`` take (``--api``)
APIS = ("rest", "graphql")

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


def github_downloader(
    backend: Tracker, tracker: str | None, repo: str | None, api_url: str | None
) -> Download | None:
    """On GitHub, how a workflow artifact (a mission's warehouse) is downloaded into a folder;
    None for a tracker that keeps no artifacts."""
    from missionkit.tracking.github.artifacts import download_artifact
    from missionkit.tracking.github.tracker import GitHubTracker

    if not isinstance(backend, GitHubTracker):
        return None
    token = settings(tracker, repo, api_url).token or ""

    def download(artifact_id: int, dest: Path) -> None:
        download_artifact(backend, token, artifact_id, dest)

    return download


@contextmanager
def opened(tracker: str | None, repo: str | None, api_url: str | None) -> Iterator[Tracker]:
    """The tracker the options and environment choose, closed afterwards."""
    backend = open_tracker(settings(tracker, repo, api_url))
    try:
        yield backend
    finally:
        backend.close()


def actor_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--as LOGIN``: who is acting (default: MISSIONKIT_USER, else the OS user)."""
    return click.option(
        "--as",
        "actor",
        default=None,
        metavar="LOGIN",
        help="who is acting [env MISSIONKIT_USER; default: your user name]",
    )(fn)


def who(actor: str | None) -> str:
    import getpass
    import os

    return actor or os.environ.get("MISSIONKIT_USER") or getpass.getuser()


def target(text: str) -> tuple[str, str]:
    from missionkit.execution.actions import parse_target

    return parse_target(text)


def on_task(
    task_ref: str,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
    act: Callable[[Tracker, Mission, str], object],
) -> None:
    """Run a person's action on ``MISSION/TASK`` with the chosen tracker."""
    from missionkit.spec.missions import find_mission

    mission_id, task_id = target(task_ref)
    mission = find_mission(missions_dir, mission_id)
    with opened(tracker, repo, api_url) as backend:
        act(backend, mission, task_id)
