"""The ``field-mapping`` agent class; its implementation is imported on first run."""

from __future__ import annotations

from pydantic import BaseModel

from missionkit.agents.base import Agent, AgentContext, AgentResult
from missionkit.agents.field_mapping.inputs import FieldMappingInputs


class FieldMappingAgent(Agent):
    Inputs = FieldMappingInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        from missionkit.agents.field_mapping.mapping import map_fields

        assert isinstance(inputs, FieldMappingInputs)
        return map_fields(ctx, inputs)
