"""The ``dbt`` agent: staging models and tests from a mapping, built with dbt-duckdb."""

from __future__ import annotations

from pydantic import BaseModel, Field

from missionkit.agents.base import Agent, AgentContext, AgentResult, Inputs


class DbtInputs(Inputs):
    mapping: str = Field(description="mapping.yaml written by the field-mapping agent")
    target: str = Field(description="target model YAML (the same one the mapping used)")
    project_dir: str = Field("dbt", description="dbt project folder in the repository")
    model: str | None = Field(None, description="staging model name; default: stg_<target>")
    select: str | None = Field(None, description="dbt --select; default: the generated model")


class DbtAgent(Agent):
    Inputs = DbtInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        from missionkit.agents.data.dbt_build import build

        assert isinstance(inputs, DbtInputs)
        return build(ctx, inputs)
