"""Fixtures of the act suite: a provisioned runner (act, the pinned actions, Python), the GitHub
test server with its artifact store, and the repository the workflows run in.

Without act, node, a Python of the workflows' version or a clone of a pinned action, the suite
is skipped with the reason; with ``MISSIONKIT_REQUIRE_ACT=1`` that is a failure instead.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from act.provision import WORKFLOWS, Provisioned, Unavailable, provision
from workflows.webhooks import tokens_for

from ghserver import GitHubTestServer
from ghserver.artifacts import ArtifactStore
from ghserver.fixtures import DEFAULT_USERS

#: the workflows the chain runs (missions-site, started by workflow_run, deploys to Pages)
CHAIN = [WORKFLOWS / "missions-sync.yml", WORKFLOWS / "missions-dispatch.yml"]


class StandIn(UserWarning):
    """An action the runner got as a stand-in, and why (listed in the run's warnings summary)."""


@pytest.fixture(scope="session")
def runner_setup(tmp_path_factory: pytest.TempPathFactory) -> Provisioned:
    try:
        provisioned = provision(tmp_path_factory.mktemp("act-runner"), CHAIN)
        for repo, reason in sorted(provisioned.standin_reasons.items()):
            warnings.warn(StandIn(f"{repo} runs as a stand-in: {reason}"), stacklevel=1)
        return provisioned
    except Unavailable as exc:
        if os.environ.get("MISSIONKIT_REQUIRE_ACT") == "1":
            pytest.fail(f"act is required here: {exc}")
        pytest.skip(f"no act runner here: {exc}")


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[GitHubTestServer]:
    server = GitHubTestServer(
        owner="acme", repo="data", users=DEFAULT_USERS, tokens=tokens_for(list(DEFAULT_USERS))
    )
    server.state.artifacts = ArtifactStore(tmp_path / "act" / "artifacts")
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert server.validation_errors == [], "\n".join(server.validation_errors)
