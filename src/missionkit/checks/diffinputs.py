"""What a ``diff`` check takes: two sides, a key, a filter and the differences expected."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

from missionkit.checks.base import CheckInputs


def _rows(value: Any) -> Any:
    if value == "none":
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"write a number of rows (0 or more) or 'none', not {value!r}")
    return value


MaxRows = Annotated[
    int,
    BeforeValidator(_rows),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, {"const": "none"}]}),
]


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Columns = Annotated[
    list[str],
    BeforeValidator(_listed),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
]


class DiffInputs(CheckInputs):
    left: str = Field(
        min_length=1, description="table (schema.table) or snapshot file (.parquet or .csv)"
    )
    right: str = Field(min_length=1, description="table or snapshot file compared with left")
    key: Columns = Field(min_length=1, description="column(s) that identify a row")
    columns: Columns | None = Field(
        None, description="columns compared; default: every column both sides share"
    )
    where: str | None = Field(None, description="SQL condition applied to both sides")
    key_min: str | int | None = Field(None, description="compare keys >= this (single key)")
    key_max: str | int | None = Field(None, description="compare keys < this (single key)")
    max_rows: MaxRows = Field(
        0, description="differences expected at most; 'none' (or 0): the tables must match"
    )
    left_warehouse: str | None = Field(None, description="another DuckDB file holding left")
    right_warehouse: str | None = Field(None, description="another DuckDB file holding right")
