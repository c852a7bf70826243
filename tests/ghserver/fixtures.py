"""Pytest fixture: ``github_server``, a started :class:`GitHubTestServer` for one test.

Use it from a conftest.py with ``from ghserver import fixtures`` and
``github_server = fixtures.github_server`` (or list ``"ghserver.fixtures"`` in the root conftest's
``pytest_plugins``).  Users: dana-lee admin, alex-kim write, sam-okafor read, outsider none.
At teardown it stops the server and fails the test if any response or request body did not match
GitHub's OpenAPI description, or a handler crashed (``server.validation_errors``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import GitHubTestServer

DEFAULT_USERS = {"dana-lee": "admin", "alex-kim": "write", "sam-okafor": "read", "outsider": "none"}


@pytest.fixture
def github_server() -> Iterator[GitHubTestServer]:
    server = GitHubTestServer(owner="acme", repo="data", users=DEFAULT_USERS)
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert server.validation_errors == [], "GitHub OpenAPI mismatches:\n" + "\n".join(
        server.validation_errors
    )
