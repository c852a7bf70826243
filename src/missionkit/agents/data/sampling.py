"""What the field mapping reads from the warehouse: a sample of a table, and key lookups.

Both go through these two functions only, so another warehouse needs only these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from missionkit.agents.data.evidence import Column
from missionkit.agents.data.warehouse import qualified, quote, table_columns

if TYPE_CHECKING:
    import duckdb


def sample_table(
    con: duckdb.DuckDBPyConnection, source: str, size: int, ignore: Sequence[str]
) -> list[Column]:
    """The table's columns with the non-empty values of its first ``size`` rows, as trimmed text."""
    kept = [(name, kind) for name, kind in table_columns(con, source) if name not in ignore]
    if not kept:
        return []
    select = ", ".join(f"nullif(trim(cast({quote(name)} as varchar)), '')" for name, _ in kept)
    rows = con.execute(f"select {select} from {qualified(source)} limit ?", [size]).fetchall()
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in kept]
    return [
        Column(name, kind, tuple(v for v in values if v is not None), len(rows))
        for (name, kind), values in zip(kept, by_column, strict=True)
    ]


def found_share(
    con: duckdb.DuckDBPyConnection, source: str, column: str, values: Sequence[str]
) -> float:
    """The share of ``values`` found in ``source.column`` (compared as text)."""
    if not values:
        return 0.0
    row = con.execute(
        f"select count(*) from unnest(?::varchar[]) as v(x) where x in "
        f"(select cast({quote(column)} as varchar) from {qualified(source)})",
        [list(values)],
    ).fetchone()
    return (row[0] if row else 0) / len(values)
