"""The ``llm`` agent's ``with:`` model."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from missionkit.agents.base import Inputs


class LLMInputs(Inputs):
    prompt: str = Field(description="the prompt file, from the repository root (.prompt.yml)")
    vars: dict[str, Any] = Field(
        default_factory=dict, description="values of the prompt's {{variables}}"
    )
    output: str | None = Field(
        None,
        description="repository file the answer is written to (proposed as a pull request on "
        "GitHub); absent: the answer is the task's report",
    )
    model: str | None = Field(None, description="model id; default: the prompt's, then ai.model")
