"""What the field mapping reads from the warehouse: a sample of a table, and key lookups.

Both go through the warehouse interface, in SQL that DuckDB and PostgreSQL share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from missionkit.agents.data.evidence import Column
from missionkit.agents.data.warehouse import qualified, quote, table_columns

if TYPE_CHECKING:
    from missionkit.warehouse.base import Connection


def sample_table(con: Connection, source: str, size: int, ignore: Sequence[str]) -> list[Column]:
    """The table's columns with the non-empty values of its first ``size`` rows, as trimmed text."""
    kept = [(name, kind) for name, kind in table_columns(con, source) if name not in ignore]
    if not kept:
        return []
    select = ", ".join(f"nullif(trim(cast({quote(name)} as varchar)), '')" for name, _ in kept)
    rows = con.query(f"select {select} from {qualified(source)} limit {int(size)}").rows
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in kept]
    return [
        Column(name, kind, tuple(v for v in values if v is not None), len(rows))
        for (name, kind), values in zip(kept, by_column, strict=True)
    ]


def found_share(con: Connection, source: str, column: str, values: Sequence[str]) -> float:
    """The share of ``values`` found in ``source.column`` (compared as text)."""
    if not values:
        return 0.0
    listed = ", ".join(f"({_text(v)})" for v in values)
    found = con.scalar(
        f"select count(*) from (values {listed}) as v(x) where x in "
        f"(select cast({quote(column)} as varchar) from {qualified(source)})"
    )
    return int(found or 0) / len(values)


def _text(value: str) -> str:
    """A string literal (a sampled value, never SQL)."""
    return "'" + value.replace("'", "''") + "'"
