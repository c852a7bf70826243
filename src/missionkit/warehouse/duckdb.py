"""DuckDB, the embedded default: one database file in the repository (or anywhere on disk)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from missionkit.warehouse.base import (
    Connection,
    LoadOptions,
    Rows,
    Source,
    Warehouse,
    WarehouseError,
    columns_query,
)

if TYPE_CHECKING:
    import duckdb

INSTALL_HINT = "install the data extra: pip install 'missionkit[data]'"


def short_error(exc: Exception) -> str:
    """The first paragraph of a DuckDB error, without the SQL excerpt."""
    text = str(exc).split("\n\n")[0].split("\nLINE ")[0]
    return text if len(text) <= 400 else text[:397] + "…"


def reader(source: Source, all_varchar: bool) -> exp.Expr:
    """DuckDB's table function that reads ``source``, types inferred from the whole file."""
    path = exp.Literal.string(str(source.path))
    if source.format == "csv":
        options: list[exp.Expr] = [
            path,
            exp.EQ(this=exp.var("auto_detect"), expression=exp.true()),
            exp.EQ(this=exp.var("header"), expression=exp.true()),
            exp.EQ(this=exp.var("sample_size"), expression=exp.Literal.number(-1)),
        ]
        if all_varchar:
            options.append(exp.EQ(this=exp.var("all_varchar"), expression=exp.true()))
        return exp.Anonymous(this="read_csv", expressions=options)
    name = "read_parquet" if source.format == "parquet" else "read_json_auto"
    return exp.Anonymous(this=name, expressions=[path])


def select_file(source: Source, options: LoadOptions) -> exp.Select:
    """``select * [, metadata] from <reader>``."""
    columns: list[exp.Expr] = [exp.Star()]
    if options.metadata is not None:
        shown, loaded_at = options.metadata
        columns += [
            exp.alias_(exp.cast(exp.Literal.string(shown), "varchar"), "_source_file"),
            exp.alias_(
                exp.cast(exp.Literal.string(loaded_at.isoformat(" ")), "timestamp"), "_loaded_at"
            ),
        ]
    return exp.select(*columns).from_(reader(source, options.all_varchar))


class DuckDBConnection(Connection):
    warehouse: DuckDBWarehouse

    def __init__(self, warehouse: DuckDBWarehouse, con: duckdb.DuckDBPyConnection) -> None:
        super().__init__(warehouse)
        self.con = con

    def query(self, query: str | exp.Expr) -> Rows:
        import duckdb

        try:
            cursor = self.con.execute(self.sql(query))
            names = tuple(d[0] for d in cursor.description or [])
            return Rows(names, cursor.fetchall() if names else [])
        except duckdb.Error as exc:
            raise WarehouseError(short_error(exc)) from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("begin transaction")
        try:
            yield
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("commit")

    def load(
        self, schema: str, table: str, source: Source, create: bool, options: LoadOptions
    ) -> int:
        target = exp.table_(table, db=schema, quoted=True)
        select = select_file(source, options)
        if create:
            statement: exp.Expr = exp.Create(
                this=target, kind="TABLE", expression=select, replace=True
            )
            self.query(
                exp.Create(this=exp.to_identifier(schema, quoted=True), kind="SCHEMA", exists=True)
            )
            self.query(statement)
            return int(self.scalar(exp.select(exp.Count(this=exp.Star())).from_(target)))
        before = int(self.scalar(exp.select(exp.Count(this=exp.Star())).from_(target)))
        # DuckDB's `insert … by name` has no sqlglot form: the statement around it is text,
        # every name and value in it comes from sqlglot.
        self.query(f"insert into {target.sql('duckdb')} by name {select.sql('duckdb')}")
        return int(self.scalar(exp.select(exp.Count(this=exp.Star())).from_(target))) - before

    def columns(self, table: str) -> list[tuple[str, str]]:
        schema, name = self.warehouse.split(table)
        query = columns_query(schema, name, "column_name", "data_type")
        return [(str(c), str(t)) for c, t in self.query(query).rows]

    def tables(self) -> list[str]:
        rows = self.query(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() order by 1, 2"
        ).rows
        return [f"{s}.{t}" for s, t in rows]

    def close(self) -> None:
        self.con.close()


class DuckDBWarehouse(Warehouse):
    name = "duckdb"
    dialect = "duckdb"
    dbt_adapter = "duckdb"
    default_schema = "main"

    def __init__(self, location: str, env: Mapping[str, str], path: Path) -> None:
        super().__init__(location, env)
        self.path = path

    @classmethod
    def open(
        cls, location: str, workspace: Path, env: Mapping[str, str], secret_env: str | None
    ) -> DuckDBWarehouse:
        if secret_env is not None:
            location = env.get(secret_env, "")
        candidate = Path(location).expanduser()
        path = (candidate if candidate.is_absolute() else workspace / candidate).resolve()
        try:
            shown = path.relative_to(workspace.resolve()).as_posix()
        except ValueError:
            shown = str(path)
        return cls(shown, env, path)

    def exists(self) -> bool:
        return self.path.is_file()

    def connect(self, *, read_only: bool = False) -> DuckDBConnection:
        try:
            import duckdb
        except ImportError:
            raise WarehouseError(f"DuckDB is not installed; {INSTALL_HINT}") from None
        if read_only and not self.path.is_file():
            raise WarehouseError(
                f"the warehouse {self.location} does not exist yet; run ingest first"
            )
        try:
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            return DuckDBConnection(self, duckdb.connect(str(self.path), read_only=read_only))
        except (duckdb.Error, OSError) as exc:
            raise WarehouseError(f"cannot open the warehouse {self.location}: {exc}") from None

    def task_env(self) -> dict[str, str]:
        return {"MISSION_WAREHOUSE": str(self.path)}

    def dbt_output(self) -> dict[str, Any]:
        return {
            "type": "duckdb",
            "path": "{{ env_var('MISSIONKIT_WAREHOUSE') }}",
            "schema": "{{ env_var('MISSIONKIT_DBT_SCHEMA', 'staging') }}",
            "threads": 1,
        }

    def dbt_env(self) -> dict[str, str]:
        return {"MISSIONKIT_WAREHOUSE": str(self.path)}
