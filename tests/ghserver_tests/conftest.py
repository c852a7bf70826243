"""Fixtures for the tests of the GitHub emulator itself (tests/ghserver).

``ghserver`` is importable because pyproject's pytest ``pythonpath`` puts tests/ on sys.path.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from github import Github
from github.Repository import Repository

from ghserver import GitHubTestServer, fixtures
from ghserver.client import github_client

github_server = fixtures.github_server


@pytest.fixture
def gh(github_server: GitHubTestServer) -> Iterator[Github]:
    client = github_client(github_server)
    yield client
    client.close()


@pytest.fixture
def repo(gh: Github, github_server: GitHubTestServer) -> Repository:
    found = gh.get_repo("acme/data")
    github_server.reset_log()
    return found
