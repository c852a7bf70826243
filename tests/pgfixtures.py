"""A real PostgreSQL server for the tests, and warehouses of both kinds to run them on.

One server per test process (session scope), started on a free loopback port and stopped at
the end; each test that asks gets a database of its own. Without PostgreSQL installed its
tests are skipped, unless ``MISSIONKIT_REQUIRE_POSTGRES=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from pgserver import PostgresServer, start_server

WAREHOUSES = ["duckdb", "postgres"]
#: ``sql("select …")`` → rows (the agents' fixture)
Query = Callable[[str], list[tuple[object, ...]]]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    try:
        server = start_server()
    except RuntimeError as exc:
        if os.environ.get("MISSIONKIT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here: {exc}")
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new database's URL (no credentials); PGUSER and PGPASSWORD are set as libpq reads them."""
    for name, value in pg_server.env().items():
        monkeypatch.setenv(name, value)
    return pg_server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=WAREHOUSES)
def warehouse_location(request: pytest.FixtureRequest) -> str:
    """``warehouse:`` as a mission file says it: a DuckDB path, or a PostgreSQL URL."""
    if request.param == "duckdb":
        return "warehouse/test.duckdb"
    return str(request.getfixturevalue("pg_url"))
