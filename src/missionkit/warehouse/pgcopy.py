"""Loading files into PostgreSQL with ``COPY``, the two ways.

*Directly*: a plain CSV whose dialect both parsers read alike (``"`` quotes, a header, ISO
dates) goes to ``COPY … FROM STDIN`` as it is, while DuckDB infers the column types over the
whole file in parallel; the table is first made from the types of DuckDB's quick sample, and
when the whole-file types differ (or COPY refuses a value) that attempt is rolled back to its
savepoint and the file goes the other way. *Through DuckDB*: DuckDB reads the file (any
format) and writes it as CSV into a pipe that COPY reads, both at once. Either way the types
are DuckDB's, as for the DuckDB warehouse, and ``_source_file``/``_loaded_at`` are column
defaults for the length of the load.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import os
import tempfile
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlglot import exp

from missionkit.warehouse import pgsql
from missionkit.warehouse.base import LoadOptions, Rows, Source, WarehouseError
from missionkit.warehouse.duckdb import select_file, short_error

if TYPE_CHECKING:
    import psycopg


class PostgresConnection(Protocol):
    """What loading needs of a PostgreSQL connection (``warehouse.postgres`` has the class)."""

    con: psycopg.Connection[Any]

    def query(self, query: str | exp.Expr) -> Rows: ...


CHUNK = 1 << 20
QUICK_SAMPLE = 1024
METADATA = (("_source_file", "VARCHAR"), ("_loaded_at", "TIMESTAMP"))
_DIRECT_TYPES = {
    "VARCHAR",
    "BOOLEAN",
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
    "DATE",
    "TIME",
    "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE",
}


@dataclass(frozen=True)
class Sniff:
    delimiter: str
    columns: tuple[tuple[str, str], ...]


class _Redo(Exception):
    """The direct load does not hold: roll it back and load through DuckDB."""


def _column_defs(columns: list[tuple[str, str]]) -> list[exp.Expr]:
    return [
        exp.ColumnDef(
            this=exp.to_identifier(name, quoted=True),
            kind=exp.DataType.build(pgsql.postgres_type(kind), dialect="postgres"),
        )
        for name, kind in columns
    ]


def create_table(
    con: PostgresConnection, target: exp.Table, columns: list[tuple[str, str]]
) -> None:
    schema = target.args["db"].copy()
    con.query(exp.Create(this=schema, kind="SCHEMA", exists=True))
    con.query(exp.Drop(tables=[target.copy()], kind="TABLE", exists=True))
    con.query(
        exp.Create(
            this=exp.Schema(this=target.copy(), expressions=_column_defs(columns)), kind="TABLE"
        )
    )


def _names(target: exp.Table, columns: list[tuple[str, str]]) -> str:
    listed = [exp.to_identifier(name, quoted=True) for name, _ in columns]
    return exp.Schema(this=target.copy(), expressions=listed).sql("postgres")


def _set_defaults(
    con: PostgresConnection, target: exp.Table, options: LoadOptions, on: bool
) -> None:
    """The metadata columns' defaults: the file and load time while it loads, none after."""
    if options.metadata is None:
        return
    shown, loaded_at = options.metadata
    values = (
        exp.Literal.string(shown),
        exp.cast(exp.Literal.string(loaded_at.isoformat(" ")), "timestamp"),
    )
    for (name, _), value in zip(METADATA, values, strict=True):
        action = f"set default {value.sql('postgres')}" if on else "drop default"
        column = exp.to_identifier(name, quoted=True).sql("postgres")
        con.query(f"alter table {target.sql('postgres')} alter column {column} {action}")


def sniff(path: str, whole_file: bool, all_varchar: bool) -> Sniff | None:
    """DuckDB's reading of a CSV when COPY reads it alike, else None."""
    import duckdb

    # the quick look only guesses (the whole file decides): a small sample is enough
    size = -1 if whole_file else QUICK_SAMPLE
    args: list[exp.Expr] = [
        exp.Literal.string(path),
        exp.EQ(this=exp.var("sample_size"), expression=exp.Literal.number(size)),
    ]
    query = exp.select(
        "Delimiter", "Quote", "Escape", "HasHeader", "Columns", "DateFormat", "TimestampFormat"
    ).from_(exp.Anonymous(this="sniff_csv", expressions=args))
    try:
        with duckdb.connect() as reader:
            if whole_file:  # beside a running COPY: leave the other cores to PostgreSQL
                reader.execute("set threads = 1")
            row = reader.execute(query.sql("duckdb")).fetchone()
    except duckdb.Error:
        return None
    if row is None:
        return None
    delimiter, quote, escape, header, columns, date_format, timestamp_format = row
    plain = (
        len(str(delimiter)) == 1
        and quote == '"'
        and escape in ('"', "(empty)")
        and header is True
        and date_format in (None, "", "%Y-%m-%d")
        and (timestamp_format in (None, "") or str(timestamp_format).startswith("%Y-%m-%d"))
    )
    if not plain:
        return None
    found = tuple((str(c["name"]), "VARCHAR" if all_varchar else str(c["type"])) for c in columns)
    if any(kind.split("(")[0] not in _DIRECT_TYPES for _, kind in found):
        return None
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        header_row = next(csv.reader([handle.readline()], delimiter=str(delimiter)), [])
    if [h.strip() for h in header_row] != [name for name, _ in found]:
        return None  # DuckDB renamed a column (an empty or repeated name): go through it
    return Sniff(str(delimiter), found)


def load_directly(
    con: PostgresConnection, target: exp.Table, source: Source, create: bool, options: LoadOptions
) -> int | None:
    """Rows loaded straight from the file, or None when it must go through DuckDB."""
    import psycopg

    path = str(source.path)
    if source.path.suffix.lower() in (".gz", ".zst"):
        return None
    quick = sniff(path, False, options.all_varchar)
    if quick is None:
        return None
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    whole = (
        pool.submit(sniff, path, True, options.all_varchar)
        if create and not options.all_varchar
        else None
    )
    try:
        with con.con.transaction():
            columns = list(quick.columns)
            if create:
                create_table(con, target, columns + (list(METADATA) if options.metadata else []))
            _set_defaults(con, target, options, True)
            quoted = ", ".join(
                exp.to_identifier(n, quoted=True).sql("postgres") for n, _ in columns
            )
            delimiter = exp.Literal.string(quick.delimiter).sql("postgres")
            statement = (
                f"copy {_names(target, columns)} from stdin (format csv, header true, "
                f"delimiter {delimiter}, force_null ({quoted}))"
            )
            with con.con.cursor() as cursor:
                with cursor.copy(statement.encode()) as copy, open(path, "rb") as rows:
                    while block := rows.read(CHUNK):
                        copy.write(block)
                loaded = int(cursor.rowcount)
            _set_defaults(con, target, options, False)
            if whole is not None and whole.result() != quick:
                raise _Redo
            return loaded
    except _Redo:
        return None
    except psycopg.Error:
        if whole is not None and whole.result() != quick:
            return None  # the sample's types were wrong: DuckDB's own reading decides
        raise
    finally:
        pool.shutdown(wait=True)


def load_through_duckdb(
    con: PostgresConnection, target: exp.Table, source: Source, create: bool, options: LoadOptions
) -> int:
    import duckdb

    select = select_file(source, LoadOptions(all_varchar=options.all_varchar))
    with duckdb.connect() as reader:
        try:
            described = reader.execute(f"describe {select.sql('duckdb')}").fetchall()
        except duckdb.Error as exc:
            raise WarehouseError(short_error(exc)) from None
        columns = [(str(row[0]), str(row[1])) for row in described]
        with con.con.transaction():
            if create:
                create_table(con, target, columns + (list(METADATA) if options.metadata else []))
            _set_defaults(con, target, options, True)
            loaded = _pipe(
                con, reader, select, f"copy {_names(target, columns)} from stdin (format csv)"
            )
            _set_defaults(con, target, options, False)
        return loaded


def _drain(pipe: str, writer: threading.Thread) -> None:
    fd = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    try:
        while writer.is_alive():
            with contextlib.suppress(BlockingIOError):
                os.read(fd, CHUNK)
            writer.join(0.005)
    finally:
        os.close(fd)


def _pipe(con: PostgresConnection, reader: Any, select: exp.Select, statement: str) -> int:
    """DuckDB writes the rows as CSV into a pipe that COPY reads, both at once."""
    folder = tempfile.mkdtemp(prefix="missionkit-copy-")
    pipe = os.path.join(folder, "rows.csv")
    os.mkfifo(pipe, 0o600)
    failure: list[Exception] = []
    target = exp.Literal.string(pipe).sql("duckdb")

    def write() -> None:
        try:
            reader.execute(f"copy ({select.sql('duckdb')}) to {target} (format csv, header false)")
        except Exception as exc:  # reported by the reading side
            failure.append(exc)
            # DuckDB may have failed before opening the pipe: open and close it, so that the
            # reader (COPY, or the drain) sees its end instead of waiting for a writer
            with open(pipe, "wb"):
                pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        with con.con.cursor() as cursor:
            with cursor.copy(statement.encode()) as copy, open(pipe, "rb") as rows:
                while block := rows.read(CHUNK):
                    copy.write(block)
                writer.join()
                if failure:
                    raise WarehouseError(short_error(failure[0]))
            return int(cursor.rowcount)
    finally:
        if writer.is_alive():  # COPY failed first: drain the pipe until DuckDB is done
            _drain(pipe, writer)
        os.unlink(pipe)
        os.rmdir(folder)
