"""The LLM ranks the candidates of a field-mapping question; the person still decides."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agents.test_field_mapping_agent import loaded, run  # noqa: F401 - loaded: a fixture
from missionkit.agents.base import AgentContext, Verdict
from missionkit.llm.config import AIConfig

from llmserver import ChatServer, Reply


def opted_in(ctx: AgentContext, url: str, monkeypatch: pytest.MonkeyPatch) -> AgentContext:
    monkeypatch.setenv("LLM_KEY", "test-key")
    ai = AIConfig(base_url=url, api_key_env="LLM_KEY", suggest_mappings=True, budget=3)
    spec = ctx.mission.spec.model_copy(update={"ai": ai})
    return replace(ctx, mission=replace(ctx.mission, spec=spec))


@pytest.mark.usefixtures("loaded")
def test_the_ranking_is_shown_in_the_question_and_not_applied(
    make_ctx, chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    chat_server.answer(
        {
            "suggestions": [
                {
                    "field": "patient.postal_code",
                    "ranking": [
                        {"column": "addr_cd", "reason": "five-digit values like 02139"},
                        {"column": "made_up", "reason": "not a candidate"},
                    ],
                }
            ]
        }
    )
    ctx = opted_in(make_ctx("map"), chat_server.url, monkeypatch)
    result = run(ctx)
    assert result.verdict is Verdict.NEEDS_HUMAN
    assert result.question is not None
    assert "**The LLM suggests** (not applied: your answer decides)" in result.question
    assert "- `patient.postal_code`: `addr_cd` (five-digit values like 02139)" in result.question
    assert "made_up" not in result.question
    prompt = chat_server.user_messages()
    assert "Field `patient.postal_code`" in prompt and "`addr_cd`, sample values: 02139" in prompt


@pytest.mark.usefixtures("loaded")
def test_no_llm_answer_leaves_the_question_with_a_note(
    make_ctx, chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    chat_server.answer(Reply(status=429, message="slow down"))
    result = run(opted_in(make_ctx("map"), chat_server.url, monkeypatch))
    assert result.verdict is Verdict.NEEDS_HUMAN
    assert result.question is not None
    assert "Which source column holds patient.postal_code?" in result.question
    assert "_No LLM suggestion: the LLM service is rate limiting requests (HTTP 429)" in (
        result.question
    )


@pytest.mark.usefixtures("loaded")
def test_without_opting_in_nothing_is_asked(make_ctx, chat_server: ChatServer) -> None:  # type: ignore[no-untyped-def]
    result = run(make_ctx("map"))
    assert result.question is not None
    assert "LLM" not in result.question
    assert chat_server.requests == []
