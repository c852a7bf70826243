"""The one way checks reach the mission's warehouse (DuckDB today)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missionkit.errors import CheckFailed

INSTALL_HINT = "install the data extra: pip install 'missionkit[data]'"


class QueryFailed(CheckFailed):
    """The warehouse is missing or a query failed: said in one line."""


@dataclass(frozen=True)
class Rows:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def query(warehouse: Path, sql: str, limit: int | None = None) -> Rows:
    """Run one read-only statement on the warehouse and fetch (at most ``limit``) rows."""
    try:
        import duckdb
    except ImportError:
        raise QueryFailed(f"duckdb is not installed: {INSTALL_HINT}") from None
    if not warehouse.exists():
        raise QueryFailed(f"warehouse {warehouse} does not exist yet")
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            cursor = con.execute(sql)
            columns = tuple(d[0] for d in cursor.description or ())
            rows = cursor.fetchall() if limit is None else cursor.fetchmany(limit)
    except duckdb.Error as exc:
        raise QueryFailed(f"query failed: {str(exc).splitlines()[0]}") from None
    return Rows(columns, rows)
