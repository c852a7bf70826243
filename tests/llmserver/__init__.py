"""A chat-completions server on loopback that answers from a script.

Each request takes the next scripted :class:`Reply`: an answer (text or JSON), a malformed
answer, a refusal, or an HTTP error (401, 403, 429 with ``retry-after``, 5xx). Every request is
recorded and checked against the documented request shape, every response against the response
or error shape (``tests/data/llm/chat-completions.schema.json``); mismatches are collected in
``problems``, which the ``chat_server`` fixture asserts empty at teardown.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[1] / "data" / "llm" / "chat-completions.schema.json"
    ).read_text(encoding="utf-8")
)
MODEL = "openai/gpt-4.1-mini"


def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator({**SCHEMA, "$ref": f"#/$defs/{name}"})


@dataclass(frozen=True)
class Reply:
    """One scripted answer: ``content`` (text), or ``refusal``, or an HTTP ``status`` error."""

    content: str | None = None
    refusal: str | None = None
    status: int = 200
    message: str = ""
    retry_after: int | None = None
    finish_reason: str = "stop"

    @classmethod
    def json(cls, value: Any) -> Reply:
        return cls(content=json.dumps(value))


@dataclass
class Request:
    body: Any
    headers: dict[str, str]
    path: str


@dataclass
class ChatServer:
    script: list[Reply] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    keys: tuple[str, ...] = ("test-key",)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/inference"

    def answer(self, *replies: Reply | str | dict[str, Any]) -> None:
        """Queue replies: a string is an answer's text, a dict its JSON."""
        for reply in replies:
            if isinstance(reply, str):
                reply = Reply(content=reply)
            elif isinstance(reply, dict):
                reply = Reply.json(reply)
            self.script.append(reply)

    def start(self) -> ChatServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, body, headers = server._handle(self.path, dict(self.headers), raw)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def _handle(
        self, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            try:
                body = json.loads(raw)
            except ValueError:
                self.problems.append(f"request body is not JSON: {raw[:80]!r}")
                return 400, {"error": {"message": "invalid JSON", "code": "invalid_request"}}, {}
            self.requests.append(Request(body, headers, path))
            for error in _validator("request").iter_errors(body):
                self.problems.append(f"request: {error.json_path}: {error.message}")
            if path != "/inference/chat/completions":
                self.problems.append(f"request to {path}, not /inference/chat/completions")
            token = (headers.get("Authorization") or "").removeprefix("Bearer ")
            if token not in self.keys:
                return self._error(401, "Bad credentials", "unauthorized")
            if not self.script:
                self.problems.append("a request came after the script ran out")
                return self._error(500, "no scripted reply left", "server_error")
            reply = self.script.pop(0)
        if reply.status != 200:
            extra = {"retry-after": str(reply.retry_after)} if reply.retry_after else {}
            status, body_out, _ = self._error(reply.status, reply.message or "error", None)
            return status, body_out, extra
        usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
        out = {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", MODEL),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": reply.finish_reason,
                    "message": {
                        "role": "assistant",
                        "content": reply.content,
                        "refusal": reply.refusal,
                    },
                }
            ],
            "usage": usage,
        }
        for error in _validator("response").iter_errors(out):
            self.problems.append(f"response: {error.json_path}: {error.message}")
        return 200, out, {}

    def _error(
        self, status: int, message: str, code: str | None
    ) -> tuple[int, Any, dict[str, str]]:
        body = {"error": {"message": message, "type": None, "code": code}}
        for error in _validator("error").iter_errors(body):
            self.problems.append(f"error response: {error.json_path}: {error.message}")
        return status, body, {}

    def user_messages(self, index: int = -1) -> str:
        """The user-role text of one recorded request."""
        messages = self.requests[index].body["messages"]
        return "\n".join(m["content"] for m in messages if m["role"] == "user")


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer().start()
    try:
        yield server
    finally:
        server.stop()
    assert server.problems == [], "\n".join(server.problems)
    assert server.script == [], f"{len(server.script)} scripted replies were never asked for"
