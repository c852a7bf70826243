"""The ``quality`` agent: data-quality checks on DuckDB tables, with a report."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from missionkit.agents.base import Agent, AgentContext, AgentResult, Inputs
from missionkit.model import Duration


class Bounds(Inputs):
    min: float | None = None
    max: float | None = None


class Freshness(Inputs):
    column: str
    max_age: Duration


class QualityCheck(Inputs):
    table: str = Field(description="schema.table")
    column: str | None = None
    not_null: bool = False
    unique: bool = False
    accepted_values: list[Any] | None = None
    range: Bounds | None = None
    freshness: Freshness | None = None
    row_count: Bounds | None = None
    references: str | None = Field(None, description="schema.table.column the column must match")


class QualityInputs(Inputs):
    checks: list[QualityCheck] = Field(min_length=1)
    sample_rows: int = Field(5, ge=0, le=100, description="failing rows kept per check")


class QualityAgent(Agent):
    Inputs = QualityInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        from missionkit.agents.data.quality import check_quality

        assert isinstance(inputs, QualityInputs)
        return check_quality(ctx, inputs)
