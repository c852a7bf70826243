"""Real notification channels, a GitHub test server with users, webhook payloads and the CLI.

Used by test_escalation.py, test_github_flow.py and test_webhook_security.py (not a conftest:
a test module opts in with ``pytest_plugins = ["execution.conftest_channels"]``). The fixture
names are distinctive so that a conftest's fixtures never shadow them.

Fixtures:

- ``slack_receiver`` (:class:`SlackReceiver`): a Slack-compatible incoming webhook, a real
  ``ThreadingHTTPServer`` on 127.0.0.1 that records every JSON body POSTed to it.
- ``smtp_sink`` (:class:`SmtpSink`): a real SMTP server on loopback (aiosmtpd) keeping every mail.
- ``notify_channels``: both, with ``SLACK_WEBHOOK_URL`` and ``MISSIONKIT_SMTP_*`` pointing at them.
- ``gh_users``: a :class:`GitHubTestServer` where each token acts as one user (``TOKENS``), so a
  test can comment or close an issue *as* dana-lee or alex-kim; ``GITHUB_*`` point at it.
- ``event_payloads`` (:class:`Payloads`): webhook payloads (``issues``, ``issue_comment``) built
  from the objects the server renders, shaped like the ones GitHub delivers;
  :func:`issues_event` and :func:`issue_comment_event` only assemble the envelope, so a schema
  check (@octokit/openapi-webhooks) can wrap them.
- ``asking_agent``: a plug-in agent that asks a person once, installed through an entry point.

The test modules also import helpers from here, before pytest registers it as a plugin; hence
PYTEST_DONT_REWRITE (its asserts carry their own messages).
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from missionkit.cli.main import main

from ghserver import GitHubTestServer
from ghserver.client import raw_request
from ghserver.fixtures import DEFAULT_USERS

JSON = dict[str, Any]

# ------------------------------------------------------------------------------------- Slack

#: The secret part of the webhook URL: it must never show up in history, comments or output.
WEBHOOK_SECRET = "XoXb-s3cr3t-T0K3N-do-not-print"


@dataclass(frozen=True)
class WebhookMessage:
    path: str
    content_type: str
    body: JSON

    @property
    def text(self) -> str:
        return str(self.body.get("text", ""))


class SlackReceiver:
    """A Slack-compatible incoming webhook on 127.0.0.1: records POSTed JSON, answers ``ok``."""

    def __init__(self) -> None:
        self.messages: list[WebhookMessage] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    self.send_response(400)
                    self.end_headers()
                    return
                with receiver._lock:
                    receiver.messages.append(
                        WebhookMessage(self.path, self.headers.get("Content-Type", ""), body)
                    )
                payload = b"ok"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/services/T0001/B0002/{WEBHOOK_SECRET}"

    def texts(self) -> list[str]:
        with self._lock:
            return [m.text for m in self.messages]

    def start(self) -> SlackReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()


# ------------------------------------------------------------------------------------- SMTP


@dataclass(frozen=True)
class Mail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        assert body is not None
        return str(body.get_content()).replace("\r\n", "\n")


@dataclass
class _Collector:
    mails: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.mails.append(
            Mail(str(envelope.mail_from), tuple(str(r) for r in envelope.rcpt_tos), message)
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpSink:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) keeping every message it accepts."""

    def __init__(self) -> None:
        self._collector = _Collector()
        self.port = 0
        self._controller: Controller | None = None

    @property
    def mails(self) -> list[Mail]:
        return list(self._collector.mails)

    def start(self) -> SmtpSink:
        for _ in range(5):  # the free port may be taken between probing and binding
            self.port = _free_port()
            controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)
            try:
                controller.start()
            except (OSError, RuntimeError):
                continue
            self._controller = controller
            return self
        raise RuntimeError("could not start the SMTP server")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()


@dataclass(frozen=True)
class Channels:
    slack: SlackReceiver
    smtp: SmtpSink


@pytest.fixture
def slack_receiver() -> Iterator[SlackReceiver]:
    receiver = SlackReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def notify_channels(
    slack_receiver: SlackReceiver, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> Channels:
    """Both channels running, and the environment pointing at them (as a workflow's secrets)."""
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.url)
    monkeypatch.setenv("MISSIONKIT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MISSIONKIT_SMTP_PORT", str(smtp_sink.port))
    monkeypatch.setenv("MISSIONKIT_SMTP_FROM", "missionkit@acme.example")
    for name in ("MISSIONKIT_SMTP_USER", "MISSIONKIT_SMTP_PASSWORD", "MISSIONKIT_SMTP_STARTTLS"):
        monkeypatch.delenv(name, raising=False)
    return Channels(slack_receiver, smtp_sink)


# ------------------------------------------------------------------------------------- GitHub

BOT_TOKEN = "tok-bot"
#: token -> the user it acts as (permissions: dana-lee admin, alex-kim write, sam-okafor read,
#: outsider none; the bot is the server's authenticated user, admin).
TOKENS = {
    BOT_TOKEN: "missionkit-bot",
    "tok-dana": "dana-lee",
    "tok-alex": "alex-kim",
    "tok-sam": "sam-okafor",
    "tok-outsider": "outsider",
}
TOKEN_OF = {login: token for token, login in TOKENS.items()}


@pytest.fixture
def gh_users(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubTestServer]:
    """A GitHub test server for acme/data; missionkit's own commands run as missionkit-bot.

    The standard variables point the CLI at it. At teardown every response must have matched
    GitHub's OpenAPI description.
    """
    server = GitHubTestServer(owner="acme", repo="data", users=DEFAULT_USERS, tokens=TOKENS)
    server.start()
    monkeypatch.setenv("GITHUB_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/data")
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    monkeypatch.delenv("MISSIONKIT_BOT_LOGIN", raising=False)
    try:
        yield server
    finally:
        server.stop()
    assert server.validation_errors == [], "GitHub OpenAPI mismatches:\n" + "\n".join(
        server.validation_errors
    )


def as_user(server: GitHubTestServer, login: str, method: str, path: str, body: Any = None) -> Any:
    """One REST call made by ``login`` (through its token); fails the test unless it is 2xx."""
    status, _headers, data = raw_request(
        server, method, f"/repos/acme/data{path}", body, token=TOKEN_OF[login]
    )
    assert 200 <= status < 300, f"{method} {path} as {login}: {status} {data}"
    return data


def issue_number(server: GitHubTestServer, key: str) -> int:
    """The number of the issue whose missionkit marker names ``key`` (``m`` or ``m/task``)."""
    from missionkit.tracking.desired import parse_marker

    with server.state.lock:
        found = [
            i.number
            for i in server.state.issues.values()
            if (marker := parse_marker(i.body)) is not None and str(marker[0]) == key
        ]
    assert len(found) == 1, f"{key}: issues {found}"
    return found[0]


def labels_of(server: GitHubTestServer, number: int) -> set[str]:
    with server.state.lock:
        return set(server.state.label_names(server.state.issues[number]))


def comments_of(server: GitHubTestServer, number: int) -> list[tuple[str, str]]:
    """``(author, body)`` of every comment on an issue, oldest first."""
    with server.state.lock:
        return [(c.user, c.body) for c in server.state.comments_of(number)]


# ------------------------------------------------------------------------------------- payloads


def issues_event(action: str, issue: JSON, repository: JSON, sender: JSON) -> JSON:
    """An ``issues`` webhook payload (``opened``, ``closed``, ``reopened``, …)."""
    return {"action": action, "issue": issue, "repository": repository, "sender": sender}


def issue_comment_event(
    action: str, issue: JSON, comment: JSON, repository: JSON, sender: JSON
) -> JSON:
    """An ``issue_comment`` webhook payload (``created``, ``edited``, ``deleted``)."""
    return {
        "action": action,
        "issue": issue,
        "comment": comment,
        "repository": repository,
        "sender": sender,
    }


class Payloads:
    """Webhook payloads from the test server's own objects, as GitHub would deliver them.

    The ``issue``, ``comment``, ``repository`` and ``sender`` objects are what the REST API
    renders for the same objects (GitHub's webhook objects carry the same fields).
    """

    def __init__(self, server: GitHubTestServer, folder: Path) -> None:
        self.server = server
        self.folder = folder
        self._count = 0

    def _get(self, path: str) -> JSON:
        status, _headers, data = raw_request(self.server, "GET", path, token=BOT_TOKEN)
        assert status == 200, f"GET {path}: {status} {data}"
        assert isinstance(data, dict)
        return data

    def issue(self, number: int) -> JSON:
        return self._get(f"/repos/acme/data/issues/{number}")

    def comment(self, comment_id: int) -> JSON:
        return self._get(f"/repos/acme/data/issues/comments/{comment_id}")

    def repository(self) -> JSON:
        return self._get("/repos/acme/data")

    def user(self, login: str) -> JSON:
        data = self._get(f"/users/{login}")
        keep = [
            "login",
            "id",
            "node_id",
            "avatar_url",
            "gravatar_id",
            "url",
            "html_url",
            "followers_url",
            "following_url",
            "gists_url",
            "starred_url",
            "subscriptions_url",
            "organizations_url",
            "repos_url",
            "events_url",
            "received_events_url",
            "type",
            "user_view_type",
            "site_admin",
        ]
        return {k: data[k] for k in keep if k in data}

    def issues(self, action: str, number: int, sender: str, **overrides: Any) -> JSON:
        """The ``issues`` event for the issue as it is now; ``overrides`` replace issue fields."""
        issue = {**self.issue(number), **overrides}
        return issues_event(action, issue, self.repository(), self.user(sender))

    def comment_created(self, number: int, comment_id: int) -> JSON:
        """The ``issue_comment.created`` event for a comment already on the server."""
        comment = self.comment(comment_id)
        sender = dict(comment["user"])  # the commenter, as a simple user (may be no collaborator)
        return issue_comment_event(
            "created", self.issue(number), comment, self.repository(), sender
        )

    def post_comment(self, number: int, login: str, body: str) -> JSON:
        """``login`` comments on the issue through the API; return the ``created`` event."""
        made = as_user(self.server, login, "POST", f"/issues/{number}/comments", {"body": body})
        return self.comment_created(number, int(made["id"]))

    def write(self, payload: JSON) -> Path:
        """The payload as ``$GITHUB_EVENT_PATH`` holds it: a JSON file."""
        self._count += 1
        path = self.folder / f"event-{self._count}.json"
        path.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        return path


@pytest.fixture
def event_payloads(gh_users: GitHubTestServer, tmp_path: Path) -> Payloads:
    folder = tmp_path / "events"
    folder.mkdir()
    return Payloads(gh_users, folder)


# ------------------------------------------------------------------------------------- CLI


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> CliResult:
    """``mission ARGS…`` in this process; its exit code and what it printed."""
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


# ------------------------------------------------------------------------------------- agents

ASK_AGENT_SOURCE = '''\
"""A test agent that asks a person once, then records the answers it was given."""

from pathlib import Path

from pydantic import BaseModel

from missionkit.agents.base import Agent, AgentContext, AgentResult, Inputs, Verdict


class AskInputs(Inputs):
    question: str = "Which column is the patient key?"
    out: str = "answers.txt"


class AskAgent(Agent):
    Inputs = AskInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        assert isinstance(inputs, AskInputs)
        if not ctx.answers:
            return AgentResult(Verdict.NEEDS_HUMAN, "I need a person.", question=inputs.question)
        path = Path(ctx.workspace) / inputs.out
        path.write_text("\\n".join(ctx.answers) + "\\n", encoding="utf-8")
        return AgentResult(Verdict.DONE, f"Used {len(ctx.answers)} answer(s).", (path,))
'''


def _clear_agent_registry() -> None:
    from missionkit import plugins
    from missionkit.agents import registry

    plugins.group_entry_points.cache_clear()
    registry.load_agent.cache_clear()


@pytest.fixture
def asking_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Install the ``ask`` agent the way a plug-in is installed: a distribution on sys.path
    whose ``missionkit.agents`` entry point names it. Yields the agent's name."""
    site = tmp_path / "plugins"
    site.mkdir()
    (site / "mk_test_ask_agent.py").write_text(ASK_AGENT_SOURCE, encoding="utf-8")
    dist = site / "mk_test_ask_agent-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: mk-test-ask-agent\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        "[missionkit.agents]\nask = mk_test_ask_agent:AskAgent\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    _clear_agent_registry()
    try:
        yield "ask"
    finally:
        _clear_agent_registry()
        import sys

        sys.modules.pop("mk_test_ask_agent", None)
