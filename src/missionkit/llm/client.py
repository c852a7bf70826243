"""One small client for OpenAI-compatible chat completions (GitHub Models by default).

Every failure is an :class:`LLMUnavailable` carrying a sentence for a person: the service
refused the key (401/403), asked to slow down (429), failed (5xx) or was unreachable; the model
refused; or the answer was not the JSON the prompt's schema asks for (:class:`BadAnswer`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from missionkit.llm.budget import Budget
from missionkit.llm.config import Endpoint
from missionkit.llm.errors import BadAnswer, LLMUnavailable

TIMEOUT = 120.0
Opener = Callable[..., Any]
__all__ = ["Answer", "BadAnswer", "ChatClient", "LLMUnavailable"]


@dataclass(frozen=True)
class Answer:
    text: str
    data: Any = None
    model: str = ""
    usage: Mapping[str, Any] = field(default_factory=dict)


def schema_problems(schema: Mapping[str, Any], value: Any) -> list[str]:
    """Every way ``value`` fails ``schema``, each as ``path: message``."""
    validator = Draft202012Validator(dict(schema))
    out = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(the answer)"
        out.append(f"{where}: {error.message}")
    return out


def parse_json(text: str) -> Any:
    """The JSON in an answer; a Markdown code fence around it is tolerated."""
    body = text.strip()
    if body.startswith("```"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
        body = body.rsplit("```", 1)[0]
    return json.loads(body)


class ChatClient:
    """Chat completions on ``endpoint``; each request is first counted against ``budget``."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        budget: Budget | None = None,
        timeout: float = TIMEOUT,
        opener: Opener = urllib.request.urlopen,
    ) -> None:
        self.endpoint = endpoint
        self.budget = budget
        self.timeout = timeout
        self._open = opener

    def complete(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        purpose: str,
        model: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
        schema_name: str = "answer",
    ) -> Answer:
        """One completion; with ``schema`` the answer must be JSON that validates against it."""
        if schema is not None:
            try:
                Draft202012Validator.check_schema(dict(schema))
            except SchemaError as exc:
                raise LLMUnavailable(
                    f"the answer's JSON Schema is invalid: {exc.message}"
                ) from None
        body: dict[str, Any] = {
            "model": model or self.endpoint.model,
            "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
            **dict(parameters or {}),
        }
        if schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": dict(schema)},
            }
        if self.budget is not None:
            self.budget.spend(purpose)
        reply = self._post(body)
        return self._answer(reply, schema)

    # ------------------------------------------------------------------ the exchange

    def _post(self, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the URL is http(s) by configuration
            self.endpoint.chat_url,
            data=json.dumps(body).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.endpoint.api_key}",
                "User-Agent": "missionkit",
            },
        )
        try:
            with self._open(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise self._refusal(exc) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            why = getattr(exc, "reason", None) or exc
            raise LLMUnavailable(f"cannot reach the LLM at {self.endpoint.url}: {why}") from None
        try:
            return json.loads(raw)
        except ValueError:
            raise LLMUnavailable("the LLM service sent a response that is not JSON") from None

    def _refusal(self, exc: urllib.error.HTTPError) -> LLMUnavailable:
        status = exc.code
        try:
            detail = json.loads(exc.read() or b"{}")
        except ValueError:
            detail = {}
        error = detail.get("error") if isinstance(detail, dict) else None
        message = ""
        if isinstance(error, dict):
            message = str(error.get("message") or error.get("code") or "")
        elif isinstance(error, str):
            message = error
        suffix = f": {message}" if message else ""
        if status in (401, 403):
            why = (
                f"the LLM service refused the key in {self.endpoint.key_name or 'the API key'} "
                f"(HTTP {status}){suffix}"
            )
        elif status == 429:
            wait = exc.headers.get("retry-after") if exc.headers else None
            why = f"the LLM service is rate limiting requests (HTTP 429){suffix}" + (
                f"; it asks to wait {wait} s" if wait else ""
            )
        elif status >= 500:
            why = f"the LLM service failed (HTTP {status}){suffix}"
        else:
            why = f"the LLM service rejected the request (HTTP {status}){suffix}"
        return LLMUnavailable(why, status)

    def _answer(self, reply: Any, schema: Mapping[str, Any] | None) -> Answer:
        try:
            choice = reply["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError):
            raise LLMUnavailable("the LLM service sent a response without a message") from None
        refusal = message.get("refusal") if isinstance(message, dict) else None
        if refusal:
            raise LLMUnavailable(f"the model refused: {refusal}")
        if choice.get("finish_reason") == "content_filter":
            raise LLMUnavailable("the model's answer was withheld by the content filter")
        text = message.get("content") if isinstance(message, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise LLMUnavailable("the model sent an empty answer")
        usage = reply.get("usage") if isinstance(reply.get("usage"), dict) else {}
        model = str(reply.get("model") or "")
        if schema is None:
            return Answer(text, None, model, usage)
        try:
            data = parse_json(text)
        except ValueError as exc:
            raise BadAnswer(f"the answer is not valid JSON ({exc})", text) from None
        problems = schema_problems(schema, data)
        if problems:
            raise BadAnswer(
                "the answer does not match its JSON Schema: " + "; ".join(problems[:5]),
                text,
                problems,
            )
        return Answer(text, data, model, usage)
