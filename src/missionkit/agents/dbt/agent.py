"""The ``dbt`` agent class; its implementation is imported on first run, not at validation."""

from __future__ import annotations

from pydantic import BaseModel

from missionkit.agents.base import Agent, AgentContext, AgentResult
from missionkit.agents.dbt.inputs import DbtInputs


class DbtAgent(Agent):
    Inputs = DbtInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        from missionkit.agents.dbt.build import build

        assert isinstance(inputs, DbtInputs)
        return build(ctx, inputs)
