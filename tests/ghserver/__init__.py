"""A stateful GitHub REST API emulator for tests, served over real HTTP on 127.0.0.1.

PyGithub (unmodified) talks to it like to api.github.com or a GitHub Enterprise Server::

    from github import Auth, Github
    from ghserver import GitHubTestServer  # tests/ is on sys.path (pyproject: pythonpath)

    with GitHubTestServer(owner="acme", repo="data", users={"dana-lee": "admin"}) as server:
        gh = Github(base_url=server.url, auth=Auth.Token("t"), retry=None,
                    seconds_between_requests=0, seconds_between_writes=0)
        repo = gh.get_repo("acme/data")
        repo.create_issue("hello", labels=["mission:demo"])
        assert server.state.issues[1].title == "hello"
        assert server.validation_errors == []

``base_url`` may also be ``server.url + "/api/v3"``.  Every response is validated against GitHub's
OpenAPI description (``server.validation_errors``); ``server.faults`` injects failures;
``server.requests`` logs what arrived; ``server.state`` holds (and seeds) the repository.
``server.state.git`` (:class:`ghserver.git.GitStore`) holds its git objects and branches, served
through the Git Data API (refs, trees, commits, blobs) and pull requests that merge for real:
``main`` starts with one commit holding ``README.md``, and ``state.git.file_at(branch, path)`` /
``files_at(branch)`` read what a branch holds.  Merging into the default branch closes the issues
the pull request names with a closing keyword (``Closes #N``), as GitHub does.
``ghserver.client.github_client(server, **options)`` builds such a client; the pytest fixture
``github_server`` lives in ``ghserver.fixtures``.
"""

from __future__ import annotations

from .api import RequestRecord
from .faults import Fault, FaultKind, Faults, LostVariant
from .models import Comment, GitHubState, Issue, Label, User
from .server import GitHubTestServer

__all__ = [
    "Comment",
    "Fault",
    "FaultKind",
    "Faults",
    "GitHubState",
    "GitHubTestServer",
    "Issue",
    "Label",
    "LostVariant",
    "RequestRecord",
    "User",
]
