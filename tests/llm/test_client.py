"""The chat-completions client against the scripted server on loopback."""

from __future__ import annotations

import pytest

from missionkit.llm.budget import Budget
from missionkit.llm.client import ChatClient
from missionkit.llm.config import GITHUB_MODELS, AIConfig, Endpoint, resolve
from missionkit.llm.errors import BadAnswer, BudgetExhausted, LLMUnavailable

from llmserver import ChatServer, Reply

SCHEMA = {
    "type": "object",
    "required": ["table", "rows"],
    "properties": {"table": {"type": "string"}, "rows": {"type": "integer"}},
    "additionalProperties": False,
}
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Count."}]


def client(server: ChatServer, budget: Budget | None = None) -> ChatClient:
    return ChatClient(Endpoint(server.url, "test-key", key_name="LLM_KEY"), budget=budget)


def test_text_answer_sends_the_documented_request(chat_server: ChatServer) -> None:
    chat_server.answer("42 rows")
    answer = client(chat_server).complete(
        MESSAGES, purpose="count", parameters={"temperature": 0.2}
    )
    assert answer.text == "42 rows"
    sent = chat_server.requests[0]
    assert sent.body == {"model": "openai/gpt-4.1-mini", "messages": MESSAGES, "temperature": 0.2}
    assert sent.headers["Authorization"] == "Bearer test-key"


def test_structured_answer_is_validated_and_parsed(chat_server: ChatServer) -> None:
    chat_server.answer({"table": "raw.patients", "rows": 3})
    answer = client(chat_server).complete(MESSAGES, purpose="count", schema=SCHEMA)
    assert answer.data == {"table": "raw.patients", "rows": 3}
    sent = chat_server.requests[0].body["response_format"]
    assert sent == {"type": "json_schema", "json_schema": {"name": "answer", "schema": SCHEMA}}


def test_malformed_json_is_a_bad_answer(chat_server: ChatServer) -> None:
    chat_server.answer('{"table": "raw.patients", rows: 3')
    with pytest.raises(BadAnswer, match="not valid JSON") as caught:
        client(chat_server).complete(MESSAGES, purpose="count", schema=SCHEMA)
    assert caught.value.text.startswith('{"table"')


def test_answer_off_schema_names_the_field(chat_server: ChatServer) -> None:
    chat_server.answer({"table": "raw.patients", "rows": "three"})
    with pytest.raises(BadAnswer, match="rows: 'three' is not of type 'integer'"):
        client(chat_server).complete(MESSAGES, purpose="count", schema=SCHEMA)


def test_refusal(chat_server: ChatServer) -> None:
    chat_server.answer(Reply(refusal="I can't help with that."))
    with pytest.raises(LLMUnavailable, match=r"the model refused: I can't help with that\."):
        client(chat_server).complete(MESSAGES, purpose="count")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            Reply(status=403, message="models: read is missing"),
            "refused the key in LLM_KEY (HTTP 403): models: read is missing",
        ),
        (
            Reply(status=429, message="Too many requests", retry_after=60),
            "rate limiting requests (HTTP 429): Too many requests; it asks to wait 60 s",
        ),
        (Reply(status=503, message="overloaded"), "the LLM service failed (HTTP 503): overloaded"),
    ],
)
def test_service_errors_become_reasons(
    chat_server: ChatServer, reply: Reply, expected: str
) -> None:
    chat_server.answer(reply)
    with pytest.raises(LLMUnavailable) as caught:
        client(chat_server).complete(MESSAGES, purpose="count")
    assert caught.value.reason.endswith(expected)


def test_wrong_key_is_401(chat_server: ChatServer) -> None:
    bad = ChatClient(Endpoint(chat_server.url, "nope", key_name="LLM_KEY"))
    with pytest.raises(LLMUnavailable, match=r"refused the key in LLM_KEY \(HTTP 401\)"):
        bad.complete(MESSAGES, purpose="count")


def test_unreachable_service() -> None:
    dead = ChatClient(Endpoint("http://127.0.0.1:9", "k"), timeout=2)
    with pytest.raises(LLMUnavailable, match=r"cannot reach the LLM at http://127\.0\.0\.1:9"):
        dead.complete(MESSAGES, purpose="count")


def test_budget_stops_asking(chat_server: ChatServer) -> None:
    seen: list[str] = []
    budget = Budget(2, 1, seen.append)
    chat_server.answer("one")
    ask = client(chat_server, budget)
    ask.complete(MESSAGES, purpose="first")
    with pytest.raises(BudgetExhausted, match=r"budget is used up \(2 of 2 requests\)"):
        ask.complete(MESSAGES, purpose="second")
    assert len(chat_server.requests) == 1
    assert seen == ["LLM request 2 of 2: first"]


def test_resolve_defaults_to_github_models_in_actions() -> None:
    endpoint = resolve(AIConfig(), {"GITHUB_ACTIONS": "true", "GITHUB_TOKEN": "ghs_x"})
    assert isinstance(endpoint, Endpoint)
    assert endpoint.chat_url == GITHUB_MODELS + "/chat/completions"
    assert endpoint.chat_url == "https://models.github.ai/inference/chat/completions"
    assert resolve(AIConfig(), {}) == (
        "no LLM is configured: set ai.base_url in the mission (or MISSIONKIT_LLM_URL) "
        "outside GitHub Actions"
    )
    assert "models: read" in str(resolve(AIConfig(), {"GITHUB_ACTIONS": "true"}))
    own = AIConfig(base_url="https://llm.example/v1", api_key_env="OPENAI_API_KEY")
    found = resolve(own, {"OPENAI_API_KEY": "sk"})
    assert isinstance(found, Endpoint)
    assert found.chat_url == "https://llm.example/v1/chat/completions"
