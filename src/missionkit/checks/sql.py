"""``sql``: a query on the mission's warehouse whose first value must be true."""

from __future__ import annotations

from pydantic import BaseModel, Field

from missionkit.checks.base import CheckContext, CheckInputs, CheckKind, CheckOutcome
from missionkit.checks.warehouse import QueryFailed, query


class SqlInputs(CheckInputs):
    query: str = Field(min_length=1, description="query whose first value must be true")


class SqlCheck(CheckKind):
    Inputs = SqlInputs
    shorthand = "query"
    needs_warehouse = True
    shares_connection = True

    def run(self, ctx: CheckContext, inputs: BaseModel) -> CheckOutcome:
        assert isinstance(inputs, SqlInputs) and ctx.warehouse is not None
        try:
            rows = query(ctx.warehouse, inputs.query, limit=1).rows
        except QueryFailed as exc:
            return CheckOutcome(False, str(exc))
        if not rows:
            return CheckOutcome(False, "query returned no row")
        value = rows[0][0]
        return CheckOutcome(bool(value), f"returned {value!r}")
