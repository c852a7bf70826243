"""Field-mapping suggestions: the LLM ranks a question's candidate columns, with its reasons.

Only when the mission opts in (``ai.suggest_mappings: true``) and an LLM is configured. The
ranking is shown to the person inside the question; it is never applied: the person's answer
decides. A column the model invents is dropped; no answer leaves the question as it was, with a
one-line note saying why.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from missionkit.agents.base import AgentContext
from missionkit.llm.client import ChatClient
from missionkit.llm.config import Endpoint, resolve
from missionkit.llm.errors import LLMUnavailable
from missionkit.templating import render_template

#: (field, its description, candidate columns with a few sample values each)
Question = tuple[str, str, Sequence[tuple[str, Sequence[str]]]]

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["suggestions"],
    "additionalProperties": False,
    "properties": {
        "suggestions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "ranking"],
                "additionalProperties": False,
                "properties": {
                    "field": {"type": "string"},
                    "ranking": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["column", "reason"],
                            "additionalProperties": False,
                            "properties": {
                                "column": {"type": "string"},
                                "reason": {"type": "string"},
                            },
                        },
                    },
                },
            },
        }
    },
}


def suggestions(ctx: AgentContext, questions: Sequence[Question]) -> str:
    """A Markdown section to append to the question, or "" when the mission did not opt in."""
    config = ctx.mission.spec.ai
    if not config.suggest_mappings or not questions:
        return ""
    endpoint = resolve(config, {**os.environ, **ctx.env})
    if not isinstance(endpoint, Endpoint):
        return f"\n_No LLM suggestion: {endpoint}._\n"
    messages = [
        {"role": "system", "content": render_template("llm/mapping_system.md.j2", {})},
        {
            "role": "user",
            "content": render_template("llm/mapping_user.md.j2", {"questions": questions}),
        },
    ]
    try:
        answer = ChatClient(endpoint, budget=ctx.budget).complete(
            messages,
            purpose=f"{ctx.task.id}: rank mapping candidates",
            schema=SCHEMA,
            schema_name="mapping_suggestions",
        )
    except LLMUnavailable as exc:
        return f"\n_No LLM suggestion: {exc.reason}._\n"
    allowed = {field: {c for c, _ in candidates} for field, _, candidates in questions}
    ranked = []
    for item in answer.data["suggestions"]:
        columns = allowed.get(item["field"])
        if columns is None:
            continue
        kept = [r for r in item["ranking"] if r["column"] in columns]
        if kept:
            ranked.append((item["field"], kept))
    if not ranked:
        return ""
    return render_template("llm/mapping_suggestions.md.j2", {"ranked": ranked})
