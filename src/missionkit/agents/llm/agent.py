"""The ``llm`` agent class; its implementation is imported on first run, not at validation."""

from __future__ import annotations

from pydantic import BaseModel

from missionkit.agents.base import Agent, AgentContext, AgentResult
from missionkit.agents.llm.inputs import LLMInputs


class LLMAgent(Agent):
    Inputs = LLMInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        from missionkit.agents.llm.ask import ask

        assert isinstance(inputs, LLMInputs)
        return ask(ctx, inputs)
