"""PostgreSQL's side of the SQL missionkit writes: types, and casts that never raise.

DuckDB reads every file missionkit loads (it infers the types once, the same way for both
warehouses); these tables turn its types into PostgreSQL's and back, and build the guarded
casts and date parsing of the staging models, since PostgreSQL has no ``try_cast``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlglot import exp

from missionkit.warehouse.base import WarehouseError

#: DuckDB type (base name) → PostgreSQL type for a loaded column; anything else is text
TO_POSTGRES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20, 0)",
    "HUGEINT": "numeric(39, 0)",
    "UHUGEINT": "numeric(39, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
}

#: PostgreSQL type → DuckDB's name, for the columns a warehouse reports
FROM_POSTGRES = {
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "character": "VARCHAR",
    "name": "VARCHAR",
    "boolean": "BOOLEAN",
    "smallint": "SMALLINT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "real": "FLOAT",
    "double precision": "DOUBLE",
    "date": "DATE",
    "time without time zone": "TIME",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "interval": "INTERVAL",
    "uuid": "UUID",
    "json": "JSON",
    "jsonb": "JSON",
    "bytea": "BLOB",
}

INTEGER_TYPES = {"smallint", "integer", "bigint", "int", "int2", "int4", "int8"}
NUMBER_TYPES = {"double precision", "double", "real", "float", "numeric", "decimal"}


def postgres_type(duck_type: str) -> str:
    base = duck_type.split("(")[0].strip().upper()
    if base == "DECIMAL":
        return "numeric" + duck_type[len("DECIMAL") :].strip().lower()
    return TO_POSTGRES.get(duck_type.upper(), TO_POSTGRES.get(base, "text"))


def duckdb_type(pg_type: str, precision: int | None, scale: int | None) -> str:
    if pg_type == "numeric":
        return f"DECIMAL({precision},{scale})" if precision is not None else "DECIMAL"
    return FROM_POSTGRES.get(pg_type, pg_type.upper())


# strptime directive → (PostgreSQL template pattern, regular expression of its text)
_DIRECTIVES = {
    "Y": ("YYYY", r"\d{4}"),
    "y": ("YY", r"\d{2}"),
    "m": ("MM", r"(0?[1-9]|1[0-2])"),
    "d": ("DD", r"(0?[1-9]|[12]\d|3[01])"),
    "b": ("Mon", r"[A-Za-z]{3}"),
    "B": ("FMMonth", r"[A-Za-z]+"),
    "H": ("HH24", r"([01]?\d|2[0-3])"),
    "I": ("HH12", r"(0?[1-9]|1[0-2])"),
    "M": ("MI", r"[0-5]?\d"),
    "S": ("SS", r"[0-5]?\d"),
    "f": ("US", r"\d{1,6}"),
    "p": ("AM", r"[AaPp][Mm]"),
    "j": ("DDD", r"\d{1,3}"),
}
# the same, when a directive touches another one: fixed widths (20240312)
_FIXED = {"m": r"\d{2}", "d": r"\d{2}", "H": r"\d{2}", "I": r"\d{2}", "M": r"\d{2}", "S": r"\d{2}"}
_TOKEN = re.compile(r"%(.)|([^%]+)")


def translate(fmt: str) -> tuple[str, str]:
    """A strptime format as (PostgreSQL template, anchored regular expression)."""
    tokens = [(m.group(1), m.group(2)) for m in _TOKEN.finditer(fmt)]
    template, pattern = [], []
    for i, (directive, literal) in enumerate(tokens):
        if literal is not None:
            pattern.append(re.escape(literal))
            # letters are quoted so that PostgreSQL never reads them as a pattern
            template.append("".join(f'"{c}"' if c.isalpha() else c for c in literal))
            continue
        if directive == "%":
            template.append("%")
            pattern.append("%")
            continue
        if directive not in _DIRECTIVES:
            raise WarehouseError(
                f"the date format {fmt!r} uses %{directive}, which PostgreSQL cannot parse"
            )
        touching = any(0 <= j < len(tokens) and tokens[j][0] is not None for j in (i - 1, i + 1))
        pg, regex = _DIRECTIVES[directive]
        template.append(pg)
        pattern.append(_FIXED.get(directive, regex) if touching else regex)
    return "".join(template), "^" + "".join(pattern) + "$"


def parse_time(text: exp.Expr, formats: Sequence[str], type_: str) -> exp.Expr:
    """``case when text ~ <format's pattern> then to_timestamp(text, <template>) … end``."""
    case = exp.Case()
    for fmt in formats:
        template, regex = translate(fmt)
        parsed = exp.Anonymous(
            this="to_date" if type_ == "date" else "to_timestamp",
            expressions=[text.copy(), exp.Literal.string(template)],
        )
        case = case.when(
            exp.RegexpLike(this=text.copy(), expression=exp.Literal.string(regex)),
            exp.cast(parsed, exp.DataType.build(type_, dialect="postgres")),
        )
    return case


_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_GUARDS = {
    "integer": r"^[+-]?\d{1,18}$",
    "number": _NUMBER,
    "date": r"^\d{4}-\d{1,2}-\d{1,2}$",
    "timestamp": r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$",
    "boolean": r"(?i)^(true|false|t|f|yes|no|y|n|on|off|1|0)$",
}


def try_cast(value: exp.Expr, type_: str) -> exp.Expr:
    """A cast guarded by a regular expression on the value's text: null where it would fail."""
    target = exp.DataType.build(type_, dialect="postgres")
    name = target.sql("postgres").lower()
    kind = (
        "integer"
        if name in INTEGER_TYPES
        else "number"
        if name.split("(")[0] in NUMBER_TYPES
        else "date"
        if name == "date"
        else "timestamp"
        if name.startswith("timestamp")
        else "boolean"
        if name == "boolean"
        else None
    )
    if kind is None:
        return exp.cast(value, target)
    text = exp.cast(value.copy(), exp.DataType.build("text"))
    guard = exp.RegexpLike(this=text, expression=exp.Literal.string(_GUARDS[kind]))
    return exp.Case().when(guard, exp.cast(value, target))
