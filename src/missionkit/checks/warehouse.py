"""The one way checks query the mission's warehouse: its read-only connection.

Inside :func:`connections` (``run_checks`` opens one) each warehouse is connected once,
read-only, and every query of the checks that run there shares that connection; it is closed
when the checks end (and before a kind that may open the warehouse itself, see
:func:`release`), so nothing holds a DuckDB file while agents or commands write to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from missionkit.errors import CheckFailed
from missionkit.warehouse.base import Connection, Warehouse, WarehouseError

_OPEN: ContextVar[dict[int, tuple[Warehouse, Connection]] | None] = ContextVar(
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
    token = _OPEN.set({})
    try:
        yield
    finally:
        release()
        _OPEN.reset(token)


def release() -> None:
    """Close the shared connections (a command or dbt may now open the warehouse)."""
    opened = _OPEN.get()
    while opened:
        opened.popitem()[1][1].close()


def query(warehouse: Warehouse, sql: str, limit: int | None = None) -> Rows:
    """Run one read-only statement on the warehouse and fetch (at most ``limit``) rows."""
    opened = _OPEN.get()
    found = opened.get(id(warehouse)) if opened is not None else None
    try:
        if found is None:
            if not warehouse.exists():
                raise QueryFailed(f"warehouse {warehouse} does not exist yet")
            con = warehouse.connect(read_only=True)
            if opened is not None:
                opened[id(warehouse)] = (warehouse, con)
        else:
            con = found[1]
        try:
            result = con.query(sql)
        finally:
            if opened is None:
                con.close()
    except WarehouseError as exc:
        raise QueryFailed(f"query failed: {exc}") from None
    rows = [tuple(r) for r in result.rows]
    return Rows(tuple(result.columns), rows if limit is None else rows[:limit])
