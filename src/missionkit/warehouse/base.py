"""The warehouse interface: where a mission's data lives, and what missionkit asks of it.

A warehouse is a plug-in under the ``missionkit.warehouses`` entry-point group. It opens
connections, loads files into tables, reads columns and samples, names the dbt adapter and
profile to use and the SQL dialect (sqlglot's name) that missionkit builds its queries in.
Every query missionkit generates is a sqlglot expression rendered in that dialect; values
are literals built by sqlglot, identifiers are quoted. Native errors of a driver become
:class:`WarehouseError` at this boundary.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

from sqlglot import exp

from missionkit.errors import CheckFailed


class WarehouseError(CheckFailed):
    """The warehouse cannot be reached, a query failed, a table is missing: said in one line."""


@dataclass(frozen=True)
class Rows:
    """A query's result: column names and rows."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


@dataclass(frozen=True)
class Source:
    """One file to load: where it is, its format (csv, parquet, json), how reports name it."""

    path: Path
    format: str
    shown: str


@dataclass(frozen=True)
class LoadOptions:
    all_varchar: bool = False
    #: (source file as shown, load time) recorded in ``_source_file`` and ``_loaded_at``
    metadata: tuple[str, datetime] | None = None


def columns_query(schema: str, table: str, *fields: str) -> exp.Select:
    """``fields`` of information_schema.columns for one table, in column order."""
    return (
        exp.select(*fields)
        .from_(exp.table_("columns", db="information_schema"))
        .where(
            exp.and_(
                exp.column("table_schema").eq(exp.Literal.string(schema)),
                exp.column("table_name").eq(exp.Literal.string(table)),
            )
        )
        .order_by("ordinal_position")
    )


class Connection(ABC):
    """An open connection; a context manager that closes it."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    @property
    def dialect(self) -> str:
        return self.warehouse.dialect

    def sql(self, query: str | exp.Expr) -> str:
        """``query`` as text in this warehouse's dialect."""
        return query if isinstance(query, str) else query.sql(dialect=self.dialect)

    @abstractmethod
    def query(self, query: str | exp.Expr) -> Rows:
        """Run one statement and fetch its rows (none for DDL)."""

    def scalar(self, query: str | exp.Expr) -> Any:
        return self.query(query).scalar()

    @abstractmethod
    def transaction(self) -> Any:
        """A context manager: everything inside commits together or not at all."""

    @abstractmethod
    def load(
        self, schema: str, table: str, source: Source, create: bool, options: LoadOptions
    ) -> int:
        """Load ``source`` into ``schema.table`` (created from the file when ``create``, else
        appended by column name); the number of rows it added."""

    @abstractmethod
    def columns(self, table: str) -> list[tuple[str, str]]:
        """``[(column, type), …]`` of a table or view in order, types in DuckDB's names
        (``VARCHAR``, ``BIGINT``, ``TIMESTAMP``…) whatever the warehouse; [] when absent."""

    @abstractmethod
    def tables(self) -> list[str]:
        """Every user table and view, as ``schema.table``, sorted."""

    def sample(self, table: str, column: str, limit: int) -> list[str]:
        """Up to ``limit`` non-null values of ``column``, as text, in table order."""
        col = exp.column(column, quoted=True)
        query = (
            exp.select(exp.cast(col, exp.DataType.build("text")))
            .from_(self.warehouse.table(table))
            .where(exp.Not(this=exp.Is(this=col, expression=exp.null())))
            .limit(limit)
        )
        return [str(row[0]) for row in self.query(query).rows]

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class Warehouse(ABC):
    """Where a mission's tables live. ``location`` never holds a credential."""

    #: the plug-in's name (its entry point)
    name: ClassVar[str]
    #: sqlglot's name of the SQL dialect
    dialect: ClassVar[str]
    #: the dbt adapter (``dbt-<adapter>`` must be installed)
    dbt_adapter: ClassVar[str]
    #: the schema of a table named without one
    default_schema: ClassVar[str]
    #: URL schemes this warehouse answers to (``postgresql``); none for a path
    schemes: ClassVar[tuple[str, ...]] = ()
    #: variables that may hold its credentials: task commands never see them
    secret_variables: ClassVar[tuple[str, ...]] = ()

    def __init__(self, location: str, env: Mapping[str, str]) -> None:
        self.location = location
        self.env = env

    def __str__(self) -> str:
        return self.location

    @classmethod
    @abstractmethod
    def open(
        cls, location: str, workspace: Path, env: Mapping[str, str], secret_env: str | None
    ) -> Warehouse:
        """The warehouse at ``location`` (a path or URL from the mission file), or, given
        ``secret_env``, at the URL that variable of ``env`` holds; other credentials come from
        ``env`` too (the warehouse's own variables, such as libpq's)."""

    @abstractmethod
    def connect(self, *, read_only: bool = False) -> Connection:
        """A connection; ``read_only`` ones never change anything."""

    def exists(self) -> bool:
        """Whether there is anything to read yet (a DuckDB file that was never written: no)."""
        return True

    def task_env(self) -> dict[str, str]:
        """What task commands are told of the warehouse (never a credential)."""
        return {"MISSION_WAREHOUSE": self.location}

    @abstractmethod
    def dbt_output(self) -> dict[str, Any]:
        """The dbt profile target (``type``, connection fields, ``schema``), reading every
        value that may vary or is secret from the variables :meth:`dbt_env` sets."""

    @abstractmethod
    def dbt_env(self) -> dict[str, str]:
        """Variables dbt needs to connect, set on the dbt process only."""

    def table(self, name: str) -> exp.Table:
        """``schema.table`` (or a bare table, in the default schema) as a quoted sqlglot table."""
        schema, table = self.split(name)
        return exp.table_(table, db=schema, quoted=True)

    def split(self, name: str) -> tuple[str, str]:
        parts = name.split(".")
        if len(parts) == 1 and parts[0]:
            return self.default_schema, parts[0]
        if len(parts) == 2 and all(parts):
            return parts[0], parts[1]
        raise WarehouseError(f"'{name}' is not a table name; write schema.table")

    # SQL that differs between dialects, for the staging models the dbt agent writes.

    def try_cast(self, value: exp.Expr, type_: str) -> exp.Expr:
        """``value`` cast to ``type_``, null where it does not convert."""
        return exp.TryCast(this=value, to=exp.DataType.build(type_))

    def parse_time(self, text: exp.Expr, formats: Sequence[str], type_: str) -> exp.Expr:
        """Text parsed with the first of ``formats`` (strptime directives) that fits, as
        ``type_`` (date or timestamp); null where none fits."""
        parsed: list[exp.Expr] = [
            exp.StrToTime(this=text, format=exp.Literal.string(fmt), safe=True) for fmt in formats
        ]
        value = (
            parsed[0] if len(parsed) == 1 else exp.Coalesce(this=parsed[0], expressions=parsed[1:])
        )
        return exp.cast(value, exp.DataType.build(type_))

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only connection, closed afterwards; WarehouseError when nothing exists yet."""
        if not self.exists():
            raise WarehouseError(
                f"the warehouse {self.location} does not exist yet; run ingest first"
            )
        con = self.connect(read_only=True)
        try:
            yield con
        finally:
            con.close()
