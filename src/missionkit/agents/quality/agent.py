"""The ``quality`` agent class; its implementation is imported on first run, not at validation."""

from __future__ import annotations

from pydantic import BaseModel

from missionkit.agents.base import Agent, AgentContext, AgentResult
from missionkit.agents.quality.inputs import QualityInputs


class QualityAgent(Agent):
    Inputs = QualityInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        from missionkit.agents.quality.checks import check_quality

        assert isinstance(inputs, QualityInputs)
        return check_quality(ctx, inputs)
