"""PostgreSQL through psycopg 3; dbt through dbt-postgres.

``warehouse: postgresql://host:port/dbname`` names the server and database; the credentials
come from the standard libpq variables (``PGUSER``, ``PGPASSWORD``, ``PGSSLMODE``…), or the
whole URL from the variable ``warehouse_env:`` names. Files are loaded with ``COPY``: DuckDB
reads the file (so types are inferred exactly as for the DuckDB warehouse) and streams it as
CSV into ``COPY … FROM STDIN``, never row by row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from missionkit.warehouse import pgcopy, pgsql
from missionkit.warehouse.base import (
    Connection,
    LoadOptions,
    Rows,
    Source,
    Warehouse,
    WarehouseError,
    columns_query,
)
from missionkit.warehouse.duckdb import INSTALL_HINT
from missionkit.warehouse.location import shown_url

if TYPE_CHECKING:
    import psycopg

#: libpq's variables and the connection keyword each sets
LIBPQ = {
    "PGHOST": "host",
    "PGHOSTADDR": "hostaddr",
    "PGPORT": "port",
    "PGDATABASE": "dbname",
    "PGUSER": "user",
    "PGPASSWORD": "password",
    "PGPASSFILE": "passfile",
    "PGSERVICE": "service",
    "PGSSLMODE": "sslmode",
    "PGSSLROOTCERT": "sslrootcert",
    "PGSSLCERT": "sslcert",
    "PGSSLKEY": "sslkey",
    "PGSSLPASSWORD": "sslpassword",
    "PGCONNECT_TIMEOUT": "connect_timeout",
    "PGAPPNAME": "application_name",
    "PGOPTIONS": "options",
}


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise WarehouseError(f"psycopg is not installed; {INSTALL_HINT}") from None
    return psycopg


def _message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class PostgresConnection(Connection):
    warehouse: PostgresWarehouse

    def __init__(self, warehouse: PostgresWarehouse, con: psycopg.Connection[Any]) -> None:
        super().__init__(warehouse)
        self.con = con

    def query(self, query: str | exp.Expr) -> Rows:
        psycopg = _psycopg()
        text = self.sql(query)
        try:
            with self.con.cursor() as cursor:
                # psycopg would read a `%` as a placeholder only when given parameters: none are
                cursor.execute(text.encode())
                if cursor.description is None:
                    return Rows((), [])
                names = tuple(d.name for d in cursor.description)
                return Rows(names, cursor.fetchall())
        except psycopg.Error as exc:
            raise WarehouseError(_message(exc)) from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.con.transaction():
            yield

    def load(
        self, schema: str, table: str, source: Source, create: bool, options: LoadOptions
    ) -> int:
        psycopg = _psycopg()
        target = exp.table_(table, db=schema, quoted=True)
        try:
            if source.format == "csv":
                rows = pgcopy.load_directly(self, target, source, create, options)
                if rows is not None:
                    return rows
            return pgcopy.load_through_duckdb(self, target, source, create, options)
        except psycopg.Error as exc:
            raise WarehouseError(_message(exc)) from None

    def columns(self, table: str) -> list[tuple[str, str]]:
        schema, name = self.warehouse.split(table)
        query = columns_query(
            schema, name, "column_name", "data_type", "numeric_precision", "numeric_scale"
        )
        return [(str(c), pgsql.duckdb_type(str(t), p, s)) for c, t, p, s in self.query(query).rows]

    def tables(self) -> list[str]:
        rows = self.query(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('pg_catalog', 'information_schema') order by 1, 2"
        ).rows
        return [f"{s}.{t}" for s, t in rows]

    def close(self) -> None:
        self.con.close()


class PostgresWarehouse(Warehouse):
    name = "postgres"
    dialect = "postgres"
    dbt_adapter = "postgres"
    default_schema = "public"
    schemes = ("postgresql", "postgres")
    secret_variables = ("PGPASSWORD", "PGPASSFILE", "PGSSLPASSWORD")

    def __init__(
        self, location: str, env: Mapping[str, str], url: str, secret_env: str | None
    ) -> None:
        super().__init__(location, env)
        self.url = url
        self.secret_env = secret_env

    @classmethod
    def open(
        cls, location: str, workspace: Path, env: Mapping[str, str], secret_env: str | None
    ) -> PostgresWarehouse:
        url = env.get(secret_env, "") if secret_env is not None else location
        return cls(shown_url(url) if secret_env else location, env, url, secret_env)

    def conninfo(self) -> str:
        """The URL plus what libpq's variables in ``env`` add (the URL's own values win)."""
        psycopg = _psycopg()
        given = psycopg.conninfo.conninfo_to_dict(self.url)
        extra = {
            keyword: self.env[variable]
            for variable, keyword in LIBPQ.items()
            if variable in self.env and keyword not in given
        }
        return str(psycopg.conninfo.make_conninfo(self.url, **extra))

    def connect(self, *, read_only: bool = False) -> PostgresConnection:
        psycopg = _psycopg()
        options = {"options": "-c default_transaction_read_only=on"} if read_only else {}
        try:
            con = psycopg.connect(self.conninfo(), autocommit=True, connect_timeout=15, **options)
        except psycopg.Error as exc:
            raise WarehouseError(
                f"cannot connect to the warehouse {self.location}: {_message(exc)}"
            ) from None
        return PostgresConnection(self, con)

    def try_cast(self, value: exp.Expr, type_: str) -> exp.Expr:
        return pgsql.try_cast(value, type_)

    def parse_time(self, text: exp.Expr, formats: Any, type_: str) -> exp.Expr:
        return pgsql.parse_time(text, formats, type_)

    def dbt_output(self) -> dict[str, Any]:
        return {
            "type": "postgres",
            "host": "{{ env_var('MISSIONKIT_PG_HOST') }}",
            "port": "{{ env_var('MISSIONKIT_PG_PORT') | as_number }}",
            "user": "{{ env_var('MISSIONKIT_PG_USER') }}",
            # dbt masks DBT_ENV_SECRET_ variables in its logs
            "password": "{{ env_var('DBT_ENV_SECRET_PG_PASSWORD', '') }}",
            "dbname": "{{ env_var('MISSIONKIT_PG_DBNAME') }}",
            "sslmode": "{{ env_var('MISSIONKIT_PG_SSLMODE', 'prefer') }}",
            "schema": "{{ env_var('MISSIONKIT_DBT_SCHEMA', 'staging') }}",
            "threads": 1,
        }

    def dbt_env(self) -> dict[str, str]:
        """The values libpq settled on (URL, variables, defaults), read off a connection."""
        con = self.connect(read_only=True)
        try:
            info = con.con.info
            return {
                "MISSIONKIT_PG_HOST": info.host,
                "MISSIONKIT_PG_PORT": str(info.port),
                "MISSIONKIT_PG_USER": info.user,
                "DBT_ENV_SECRET_PG_PASSWORD": info.password or "",
                "MISSIONKIT_PG_DBNAME": info.dbname,
                "MISSIONKIT_PG_SSLMODE": info.get_parameters().get("sslmode", "prefer"),
            }
        finally:
            con.close()
