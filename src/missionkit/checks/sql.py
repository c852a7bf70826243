"""``sql``: a query on the mission's warehouse whose first value must be true."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from missionkit.checks.base import CheckContext, CheckInputs, CheckKind, CheckOutcome
from missionkit.checks.warehouse import QueryFailed, query

if TYPE_CHECKING:
    from missionkit.warehouse.base import Warehouse


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

    def tables(self, inputs: BaseModel, warehouse: Warehouse) -> tuple[str, ...]:
        """The tables the query names (its CTEs and table functions aside), parsed in the
        warehouse's dialect; none when it does not parse."""
        assert isinstance(inputs, SqlInputs)
        import sqlglot
        from sqlglot import exp

        try:
            statements = sqlglot.parse(inputs.query, read=warehouse.dialect)
        except sqlglot.errors.SqlglotError:
            return ()
        found: set[str] = set()
        for statement in statements:
            if statement is None:
                continue
            ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
            for table in statement.find_all(exp.Table):
                if table.name and not table.catalog and table.name not in ctes:
                    found.add(f"{table.db or warehouse.default_schema}.{table.name}")
        return tuple(sorted(found))
