"""The ``dbt`` agent: staging models and tests from a mapping, built with dbt-duckdb."""

from __future__ import annotations

from pydantic import BaseModel, Field

from missionkit.agents.base import Agent, AgentContext, AgentResult, Inputs

_IDENT = r"^[A-Za-z_][A-Za-z0-9_]*$"


class DbtInputs(Inputs):
    mapping: str = Field(
        description="mapping.yaml written by the field-mapping agent; the "
        "target model files it names give the tests"
    )
    project_dir: str = Field(
        "dbt",
        description="dbt project folder in the repository; "
        "created with a DuckDB profile when it has no dbt_project.yml",
    )
    prefix: str = Field(
        "stg_",
        pattern=r"^[a-z0-9_]*$",
        description="staging model name = prefix + target model name",
    )
    schema_: str = Field(
        "staging",
        alias="schema",
        pattern=_IDENT,
        description="DuckDB schema the staging models are built in",
    )
    select: str | None = Field(None, description="dbt --select; default: the generated models")
    executable: str | None = Field(
        None, description="dbt executable; default: the one beside this Python, else on PATH"
    )


class DbtAgent(Agent):
    Inputs = DbtInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        from missionkit.agents.data.dbt_build import build

        assert isinstance(inputs, DbtInputs)
        return build(ctx, inputs)
