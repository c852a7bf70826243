"""The ``ingest`` agent class; its implementation is imported on first run, not at validation."""

from __future__ import annotations

from pydantic import BaseModel

from missionkit.agents.base import Agent, AgentContext, AgentResult
from missionkit.agents.ingest.inputs import IngestInputs


class IngestAgent(Agent):
    Inputs = IngestInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        from missionkit.agents.ingest.load import ingest

        assert isinstance(inputs, IngestInputs)
        return ingest(ctx, inputs)
