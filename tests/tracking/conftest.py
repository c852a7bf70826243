from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from missionkit.tracking.base import Tracker
from missionkit.tracking.github.tracker import GitHubTracker
from missionkit.tracking.local import LocalTracker

from ghserver import GitHubTestServer


def github_tracker(server: GitHubTestServer) -> GitHubTracker:
    return GitHubTracker.connect(server.url, "acme/data", "test-token")


@pytest.fixture(params=["local", "github"])
def tracker(
    request: pytest.FixtureRequest, tmp_path: Path, github_server: GitHubTestServer
) -> Iterator[Tracker]:
    """Each contract test runs once per tracker."""
    backend: Tracker
    if request.param == "local":
        backend = LocalTracker(tmp_path / "tracker.db")
    else:
        backend = github_tracker(github_server)
    yield backend
    backend.close()
