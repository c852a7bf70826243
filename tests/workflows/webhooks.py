"""GitHub webhook payloads for the event tests: built from the test server's own JSON, checked
against GitHub's published schemas.

:class:`WebhookSchemas` validates a payload against ``tests/data/github/webhooks-subset.json``
(made by ``scripts/extract_github_webhooks.py`` from the npm package
``@octokit/openapi-webhooks``; JSON Schema 2020-12).

:class:`Payloads` assembles ``issues`` and ``issue_comment`` payloads the way GitHub delivers them
(``action``, ``issue``, ``comment``, ``repository``, ``sender``) from what the server answers for
that issue, comment, repository and user, so numbers, ids and URLs match the server's state.  A
comment is really posted, as its author (each login has the token ``token-<login>``).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ghserver import GitHubTestServer
from ghserver.client import raw_request
from ghserver.models import BOT_LOGIN

JSON = dict[str, Any]

SUBSET_PATH = Path(__file__).resolve().parents[1] / "data" / "github" / "webhooks-subset.json"
PAYLOADS_DIR = SUBSET_PATH.parent / "payloads"
_ROOT = "urn:github-webhooks"
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

_formats = FormatChecker(formats=())


@_formats.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@_formats.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    return bool(parts.scheme and parts.netloc) and " " not in value


class WebhookSchemas:
    """Validators for the payloads of ``<event>.<action>`` (issues.closed, …)."""

    def __init__(self, path: Path = SUBSET_PATH) -> None:
        self.document: JSON = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_ROOT, resource)

    @property
    def source(self) -> JSON:
        source: JSON = self.document["x-source"]
        return source

    @property
    def events(self) -> list[str]:
        return sorted(self.document["webhooks"])

    def errors(self, event: str, payload: Any) -> list[str]:
        """Every way ``payload`` breaks the schema of ``event`` (empty when it is valid)."""
        if event not in self.document["webhooks"]:
            raise KeyError(f"no schema for {event}; extracted: {', '.join(self.events)}")
        validator = Draft202012Validator(
            {"$ref": f"{_ROOT}#/webhooks/{event}"},
            registry=self._registry,
            format_checker=_formats,
        )
        errors = list(validator.iter_errors(payload))
        if not errors:
            return []
        best = best_match(errors)
        path = "/".join(str(p) for p in best.absolute_path)
        return [f"{event} at /{path}: {best.message}"] + [
            f"  /{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in errors[:20]
        ]

    def check(self, event: str, payload: Any) -> None:
        problems = self.errors(event, payload)
        assert not problems, "\n".join(problems)


@cache
def schemas() -> WebhookSchemas:
    return WebhookSchemas()


def token_of(login: str) -> str:
    return f"token-{login}"


def tokens_for(logins: list[str], bot: str = BOT_LOGIN) -> dict[str, str]:
    """Tokens acting as each login, plus ``token-bot`` for the server's bot (the workflows)."""
    return {"token-bot": bot} | {token_of(login): login for login in logins}


class Payloads:
    """Webhook payloads from the server's state, written as files for ``--event``."""

    def __init__(self, server: GitHubTestServer, folder: Path, bot_token: str = "token-bot"):
        self.server = server
        self.folder = folder
        self.bot_token = bot_token
        self._count = 0

    def _get(self, path: str) -> JSON:
        status, _, body = raw_request(self.server, "GET", path, token=self.bot_token)
        assert status == 200, (path, status, body)
        assert isinstance(body, dict)
        return body

    @property
    def repo_path(self) -> str:
        return f"/repos/{self.server.state.owner}/{self.server.state.repo}"

    def issue(self, number: int) -> JSON:
        return self._get(f"{self.repo_path}/issues/{number}")

    def repository(self) -> JSON:
        return self._get(self.repo_path)

    def user(self, login: str) -> JSON:
        return self._get(f"/users/{login}")

    def act(self, login: str, method: str, path: str, body: Any = None) -> JSON:
        """A request as ``login`` (relative paths are under the repository)."""
        if not path.startswith("/"):
            path = f"{self.repo_path}/{path}"
        status, _, answer = raw_request(self.server, method, path, body, token=token_of(login))
        assert status < 300, (method, path, status, answer)
        return answer if isinstance(answer, dict) else {}

    def issues(self, action: str, number: int, sender: str) -> JSON:
        """An ``issues`` payload for what ``sender`` just did to issue ``number``."""
        payload = {
            "action": action,
            "issue": self.issue(number),
            "repository": self.repository(),
            "sender": self.user(sender),
        }
        schemas().check(f"issues.{action}", payload)
        return payload

    def close(self, number: int, login: str, reason: str = "completed") -> JSON:
        self.act(login, "PATCH", f"issues/{number}", {"state": "closed", "state_reason": reason})
        return self.issues("closed", number, login)

    def reopen(self, number: int, login: str) -> JSON:
        self.act(login, "PATCH", f"issues/{number}", {"state": "open"})
        return self.issues("reopened", number, login)

    def comment(self, number: int, login: str, body: str) -> JSON:
        """Post ``body`` on issue ``number`` as ``login``; the ``issue_comment.created`` payload."""
        comment = self.act(login, "POST", f"issues/{number}/comments", {"body": body})
        payload = {
            "action": "created",
            "issue": self.issue(number),
            "comment": comment,
            "repository": self.repository(),
            "sender": self.user(login),
        }
        schemas().check("issue_comment.created", payload)
        return payload

    def write(self, payload: JSON) -> Path:
        """The payload as a file, like ``$GITHUB_EVENT_PATH``."""
        self._count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"event-{self._count}.json"
        path.write_text(json.dumps(payload, indent=1), encoding="utf-8")
        return path
