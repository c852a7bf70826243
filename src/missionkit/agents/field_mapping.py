"""The ``field-mapping`` agent: map source columns to a target model, with confidences."""

from __future__ import annotations

from pydantic import BaseModel, Field

from missionkit.agents.base import Agent, AgentContext, AgentResult, Inputs


class FieldMappingInputs(Inputs):
    source: str = Field(description="warehouse table (schema.table) holding the source data")
    target: str = Field(description="target model YAML: fields, types, descriptions, synonyms")
    output: str | None = Field(None, description="where mapping.yaml goes; default: the run dir")
    threshold: float = Field(0.8, ge=0, le=1, description="below this, a person decides")
    sample_size: int = Field(1000, ge=1, description="rows sampled to infer value types")


class FieldMappingAgent(Agent):
    Inputs = FieldMappingInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        from missionkit.agents.data.field_mapping import map_fields

        assert isinstance(inputs, FieldMappingInputs)
        return map_fields(ctx, inputs)
