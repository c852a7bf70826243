"""Calls to GitHub, paced and retried as GitHub asks of integrators.

* writes are serial and spaced by ``write_delay`` seconds (PyGithub's own throttle);
* ``retry-after`` is honoured on 403/429 secondary limits, ``x-ratelimit-reset`` when the
  primary limit is used up, and 5xx answers and dropped connections back off and retry;
* a call that is not idempotent (creating an issue or a comment) is never blindly retried:
  :class:`Ambiguous` tells the caller to look for what may have been committed first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlparse

import requests
from github import Auth, Github, GithubException

from missionkit.errors import MissionkitError

T = TypeVar("T")

GITHUB_DOT_COM = "api.github.com"
DEFAULT_WRITE_DELAY = 1.0  # seconds between writes, as GitHub advises for api.github.com


class GitHubError(MissionkitError):
    """GitHub refused a request for a reason a retry cannot fix."""

    exit_code = 1


class GitHubRefused(GitHubError):
    """GitHub answered with an error status; ``status`` and ``data`` are its answer."""

    def __init__(self, message: str, status: int, data: Any) -> None:
        super().__init__(message)
        self.status = status
        self.data = data


HINTS = {
    401: "GitHub refused the token: check GITHUB_TOKEN",
    403: "the token lacks a permission (see the README's token permissions)",
    404: "check GITHUB_REPOSITORY and GITHUB_API_URL, and that the token can see the repository",
}


class Ambiguous(Exception):
    """The request may or may not have been committed (5xx, timeout, dropped connection)."""


def default_write_delay(api_url: str, env: Mapping[str, str]) -> float:
    if "MISSIONKIT_WRITE_DELAY" in env:
        try:
            return max(0.0, float(env["MISSIONKIT_WRITE_DELAY"]))
        except ValueError:
            raise MissionkitError(
                f"MISSIONKIT_WRITE_DELAY must be a number of seconds, got "
                f"'{env['MISSIONKIT_WRITE_DELAY']}'"
            ) from None
    host = urlparse(api_url).hostname or ""
    return DEFAULT_WRITE_DELAY if host == GITHUB_DOT_COM else 0.0


def connect(api_url: str, token: str, write_delay: float, timeout: float = 30) -> Github:
    return Github(
        base_url=api_url,
        auth=Auth.Token(token),
        per_page=100,
        retry=None,
        timeout=int(timeout),
        seconds_between_requests=None,
        seconds_between_writes=write_delay or None,
        lazy=True,
    )


class Client:
    """Runs PyGithub calls with GitHub's retry and rate-limit rules."""

    def __init__(
        self,
        gh: Github,
        *,
        max_attempts: int = 6,
        backoff: float = 1.0,
        secondary_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.gh = gh
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.secondary_wait = secondary_wait
        self.sleep = sleep

    def _wait_for_primary_limit(self) -> None:
        remaining, _ = self.gh.requester.rate_limiting
        if remaining == 0:
            reset = float(self.gh.requester.rate_limiting_resettime or 0)
            delay = reset - time.time() + 1
            if delay > 0:
                self.sleep(delay)

    def delay_for(
        self, status: int, headers: Mapping[str, Any], data: Any, attempt: int
    ) -> float | None:
        """How long to wait before retrying a failed request, or None if it must not be."""
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        message = str(data.get("message", "")) if isinstance(data, dict) else str(data or "")
        if status in (403, 429):
            if "retry-after" in headers:
                try:
                    return max(0.0, float(str(headers["retry-after"])))
                except ValueError:
                    return self.secondary_wait
            if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
                try:
                    return max(0.0, float(str(headers["x-ratelimit-reset"])) - time.time() + 1)
                except ValueError:
                    return self.secondary_wait
            if status == 429 or "secondary rate limit" in message.lower():
                return self.secondary_wait * (2.0**attempt)
            return None
        if status >= 500:
            return self.backoff * (2.0**attempt)
        return None

    def call(self, fn: Callable[[], T], *, idempotent: bool = True, what: str = "request") -> T:
        attempt = 0
        last = ""
        while True:
            if attempt == 0:  # after a failure we have already waited as GitHub asked
                self._wait_for_primary_limit()
            try:
                return fn()
            except GithubException as exc:
                delay = self.delay_for(exc.status, exc.headers or {}, exc.data, attempt)
                if delay is None:
                    hint = HINTS.get(exc.status)
                    message = f"{what}: {describe(exc)}" + (f"; {hint}" if hint else "")
                    raise GitHubRefused(message, exc.status, exc.data) from exc
                if exc.status >= 500 and not idempotent:
                    raise Ambiguous(f"{what}: GitHub answered {exc.status}") from exc
                last = f"GitHub answered {exc.status}"
            except (requests.ConnectionError, requests.Timeout) as exc:
                if not idempotent:
                    raise Ambiguous(f"{what}: {type(exc).__name__}") from exc
                delay = self.backoff * (2.0**attempt)
                last = f"cannot reach {self.gh.requester.base_url} ({type(exc).__name__})"
            attempt += 1
            if attempt >= self.max_attempts:
                raise GitHubError(f"{what}: {last}, {attempt} attempts")
            self.sleep(delay)


def describe(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message", exc.data))
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        details = "; ".join(
            str(e.get("message") or f"{e.get('field')} {e.get('code')}")
            if isinstance(e, dict)
            else str(e)
            for e in errors
        )
        message += f" ({details})"
    return f"{exc.status} {message}"
