"""Client helpers for tests: a PyGithub client wired to a server, and a raw HTTP request."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from github import Auth, Github

from .server import GitHubTestServer


def github_client(
    server: GitHubTestServer, *, token: str = "t", prefix: str = "", **options: Any
) -> Github:
    """PyGithub for ``server``: no pacing, no retries and a 5 s timeout unless overridden.

    ``prefix="/api/v3"`` talks to it as to a GitHub Enterprise Server.  Pass ``retry=GithubRetry()``
    (PyGithub's default) to exercise its retries; note PyGithub wants an ``int`` timeout.
    """
    kwargs: dict[str, Any] = {
        "retry": None,
        "seconds_between_requests": 0,
        "seconds_between_writes": 0,
        "timeout": 5,
    }
    kwargs.update(options)
    return Github(base_url=server.url + prefix, auth=Auth.Token(token), **kwargs)


def raw_request(
    server: GitHubTestServer,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = "t",
) -> tuple[int, dict[str, str], Any]:
    """One request without PyGithub: ``(status, headers, parsed JSON body or None)``."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.url + path, data=data, method=method)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            text = response.read()
            return (
                response.status,
                dict(response.headers.items()),
                json.loads(text) if text else None,
            )
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, dict(error.headers.items()), json.loads(text) if text else None
