"""The expression of each staging column, built with sqlglot for the warehouse's dialect.

Text is trimmed (empty → null), values are mapped, numbers lose ``$``, ``,`` and spaces,
dates are parsed with the formats found in the data; whatever does not convert becomes null
(the generated not_null tests catch required fields), on every warehouse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlglot import exp

from missionkit.agents.data.target import Scalar, TargetField
from missionkit.agents.data.values import BOOLEAN_WORDS, NUMBER_STRIP
from missionkit.agents.data.warehouse import DataError
from missionkit.warehouse.base import Warehouse

SQL_TYPES = {
    "string": "varchar",
    "integer": "bigint",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}


def literal(value: Scalar | None) -> exp.Expr:
    """A SQL literal for a target-model value (never one dbt's Jinja would expand)."""
    if value is None:
        return exp.null()
    if isinstance(value, str) and any(mark in value for mark in ("{{", "{%", "{#")):
        raise DataError(f"value {value!r} holds a Jinja delimiter, which dbt would expand")
    return exp.convert(value)


def sql_type(field_type: str, warehouse: Warehouse) -> str:
    """The field's type as the warehouse spells it (``double precision`` on PostgreSQL)."""
    return exp.DataType.build(SQL_TYPES[field_type]).sql(warehouse.dialect).lower()


def _text(column: str) -> exp.Expr:
    value = exp.cast(exp.column(column, quoted=True), exp.DataType.build("varchar"))
    return exp.Nullif(this=exp.Trim(this=value), expression=exp.Literal.string(""))


def _lookup(text: exp.Expr, pairs: Sequence[tuple[Scalar, Scalar | None]]) -> exp.Case:
    case = exp.Case(this=exp.Lower(this=text))
    for raw, value in pairs:
        case = case.when(literal(raw), literal(value))
    return case


def expression(
    f: TargetField,
    column: str | None,
    native: bool,
    formats: list[str],
    warehouse: Warehouse,
    value_map: Mapping[str, Scalar | None] | None = None,
) -> exp.Expr:
    """The staging expression for target field ``f`` fed by source ``column``; ``value_map``
    (the mapping's, e.g. codes a person or a code system read) adds to the field's own."""
    target = exp.DataType.build(SQL_TYPES[f.type])
    if column is None:
        return exp.cast(exp.null(), target)
    text = _text(column)
    values = {**(f.value_map or {}), **(value_map or {})}
    if values:
        pairs = [(k.lower(), v) for k, v in values.items()]
        return _lookup(text, pairs).else_(exp.Lower(this=text.copy()))
    if native and f.type != "string":
        return exp.cast(exp.column(column, quoted=True), target)
    if f.type == "string":
        return text
    if f.type in ("date", "timestamp") and formats:
        for fmt in formats:
            literal(fmt)
        return warehouse.parse_time(text, formats, SQL_TYPES[f.type])
    if f.type in ("integer", "number"):
        stripped = exp.Anonymous(
            this="regexp_replace",
            expressions=[
                text,
                exp.Literal.string(NUMBER_STRIP),
                exp.Literal.string(""),
                exp.Literal.string("g"),
            ],
        )
        return warehouse.try_cast(stripped, SQL_TYPES[f.type])
    if f.type == "boolean":
        return _lookup(text, list(BOOLEAN_WORDS.items()))
    return warehouse.try_cast(text, SQL_TYPES[f.type])
