"""The ``ingest`` agent: load CSV, Parquet or JSON files into a DuckDB schema."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from missionkit.agents.base import Agent, AgentContext, AgentResult, Inputs


class IngestInputs(Inputs):
    files: list[str] = Field(min_length=1, description="files or glob patterns, from the repo root")
    schema_: str = Field(
        "raw",
        alias="schema",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="DuckDB schema the tables go into",
    )
    format: Literal["auto", "csv", "parquet", "json"] = "auto"
    mode: Literal["replace", "append"] = "replace"
    tables: dict[str, str] = Field(
        default_factory=dict, description="file → table name; default: the file's stem"
    )


class IngestAgent(Agent):
    Inputs = IngestInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        from missionkit.agents.data.ingest import ingest

        assert isinstance(inputs, IngestInputs)
        return ingest(ctx, inputs)
