"""The one way checks reach the mission's warehouse (DuckDB today).

Inside :func:`connections` (``run_checks`` opens one) each warehouse is opened once, read-only,
and every query of the checks that run there shares that connection; it is closed when the
checks end, so nothing holds the file while agents write to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionkit.errors import CheckFailed

if TYPE_CHECKING:
    import duckdb

INSTALL_HINT = "install the data extra: pip install 'missionkit[data]'"
_OPEN: ContextVar[dict[Path, duckdb.DuckDBPyConnection] | None] = ContextVar(
    "missionkit_check_connections", default=None
)


class QueryFailed(CheckFailed):
    """The warehouse is missing or a query failed: said in one line."""


@dataclass(frozen=True)
class Rows:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@contextmanager
def connections() -> Iterator[None]:
    """Share one read-only connection per warehouse among the queries made inside."""
    if _OPEN.get() is not None:
        yield
        return
    opened: dict[Path, duckdb.DuckDBPyConnection] = {}
    token = _OPEN.set(opened)
    try:
        yield
    finally:
        _OPEN.reset(token)
        for con in opened.values():
            con.close()


def release() -> None:
    """Close the shared connections (a command or dbt may now open the warehouse)."""
    opened = _OPEN.get()
    while opened:
        opened.popitem()[1].close()


def query(warehouse: Path, sql: str, limit: int | None = None) -> Rows:
    """Run one read-only statement on the warehouse and fetch (at most ``limit``) rows."""
    try:
        import duckdb
    except ImportError:
        raise QueryFailed(f"duckdb is not installed: {INSTALL_HINT}") from None
    opened = _OPEN.get()
    con = opened.get(warehouse) if opened is not None else None
    try:
        if con is None:
            if not warehouse.exists():
                raise QueryFailed(f"warehouse {warehouse} does not exist yet")
            con = duckdb.connect(str(warehouse), read_only=True)
            if opened is not None:
                opened[warehouse] = con
        try:
            cursor = con.execute(sql)
            columns = tuple(d[0] for d in cursor.description or ())
            rows = cursor.fetchall() if limit is None else cursor.fetchmany(limit)
        finally:
            if opened is None:
                con.close()
    except duckdb.Error as exc:
        raise QueryFailed(f"query failed: {str(exc).splitlines()[0]}") from None
    return Rows(columns, rows)
