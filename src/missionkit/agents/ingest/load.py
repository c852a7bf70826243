"""Load CSV, Parquet and JSON files into warehouse tables, all in one transaction.

Column types are DuckDB's inference over the whole file (``sample_size=-1``), whatever the
warehouse: DuckDB reads every file, and a server warehouse receives its rows by ``COPY``.
A column whose values do not all parse as one type, such as dates written in several formats, stays
``VARCHAR``: the raw text is kept and the staging model (the ``dbt`` agent) parses it with the
formats the ``field-mapping`` agent found. ``all_varchar`` loads every CSV column as text.
"""

from __future__ import annotations

import csv
import glob
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.agents.data.warehouse import (
    DataError,
    connect,
    display,
    duckdb_missing,
    failed,
    md_table,
    resolve,
    table_columns,
    warehouse_of,
)
from missionkit.warehouse.base import Connection, LoadOptions, Source, WarehouseError

if TYPE_CHECKING:
    from missionkit.agents.ingest.inputs import IngestInputs

ARTIFACT = "ingest.json"
_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
}
_COMPRESSED = (".gz", ".zst")


@dataclass
class Load:
    """The files going into one table."""

    table: str
    files: list[tuple[Path, str]] = field(default_factory=list)  # (path, format)
    rows: dict[Path, int] = field(default_factory=dict)
    created: bool = False  # made anew by this load: its rows are the files' rows


def ingest(ctx: AgentContext, inputs: IngestInputs) -> AgentResult:
    """Load ``inputs.files`` into ``inputs.schema_``; FAILED (and nothing loaded) on any error."""
    if (missing := duckdb_missing()) is not None:
        return missing
    try:
        loads = plan(ctx, inputs)
        for load in loads.values():
            for path, fmt in load.files:
                check_file(path, fmt, display(ctx, path))
        con = connect(ctx)
        try:
            loaded_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
            _load_all(con, ctx, inputs, list(loads.values()), loaded_at)
            summary = _summary(con, ctx, inputs, list(loads.values()), loaded_at)
        finally:
            con.close()
    except DataError as exc:
        return failed("Ingest failed", f"{exc}\n\nNothing was loaded.")
    out = ctx.run_dir / ARTIFACT
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    written = tuple(f"{inputs.schema_}.{table}" for table in loads)
    return AgentResult(Verdict.DONE, _report(summary), (out,), writes=written)


def plan(ctx: AgentContext, inputs: IngestInputs) -> dict[str, Load]:
    """Expand the patterns and group the files by target table; every missing file is named."""
    loads: dict[str, Load] = {}
    missing: list[str] = []
    seen: set[Path] = set()
    for entry in inputs.files:
        matches = _expand(ctx, entry)
        if not matches:
            missing.append(entry)
        for path in matches:
            if path in seen:
                continue
            seen.add(path)
            fmt = inputs.format if inputs.format != "auto" else _guess_format(path)
            if fmt is None:
                raise DataError(
                    f"cannot tell the format of {display(ctx, path)} from its extension; "
                    "set `format: csv | parquet | json`"
                )
            table = _table_for(ctx, inputs, entry, path)
            loads.setdefault(table, Load(table)).files.append((path, fmt))
    if missing:
        raise DataError(
            "no such file: "
            + ", ".join(f"`{m}`" for m in missing)
            + f" (paths are relative to {ctx.workspace})"
        )
    return loads


def _expand(ctx: AgentContext, entry: str) -> list[Path]:
    path = resolve(ctx, entry)
    if glob.has_magic(entry):
        return sorted(Path(p) for p in glob.glob(str(path), recursive=True) if Path(p).is_file())
    return [path] if path.is_file() else []


def _guess_format(path: Path) -> str | None:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSED:
        suffixes = suffixes[:-1]
    return _FORMATS.get(suffixes[-1]) if suffixes else None


def _table_for(ctx: AgentContext, inputs: IngestInputs, entry: str, path: Path) -> str:
    for key in (entry, display(ctx, path), path.name):
        if key in inputs.tables:
            return inputs.tables[key]
    stem = path.name.split(".")[0].lower()
    name = re.sub(r"[^a-z0-9_]+", "_", stem).strip("_") or "data"
    return f"t_{name}" if name[0].isdigit() else name


def check_file(path: Path, fmt: str, shown: str) -> None:
    """Refuse an empty file."""
    if path.stat().st_size == 0:
        raise DataError(f"{shown} is empty")


def header_fields(path: Path, fmt: str) -> list[str]:
    """A plain CSV's header fields ([] for other files)."""
    if fmt != "csv" or path.suffix.lower() in _COMPRESSED:
        return []
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        header = handle.readline()
    delimiter = next((d for d in (",", ";", "\t", "|") if d in header), None)
    return next(csv.reader([header], delimiter=delimiter)) if delimiter else []


def ragged_line(path: Path, shown: str) -> str | None:
    """Where a CSV's rows stop having the header's field count, said in a sentence.

    DuckDB's sniffer reads a ragged CSV as one wide text column, or gives up, rather than
    naming the line: when a load fails or comes out one column wide, this reads the file
    line by line to say which.
    """
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        header = handle.readline()
        delimiter = next((d for d in (",", ";", "\t", "|") if d in header), None)
        if delimiter is None:
            return None
        handle.seek(0)
        rows = csv.reader(handle, delimiter=delimiter)
        width = len(next(rows))
        for row in rows:
            if row and len(row) != width:
                return (
                    f"{shown} is malformed: line {rows.line_num} has {len(row)} fields, "
                    f"the header has {width} (delimiter {delimiter!r})"
                )
    return None


def _load_all(
    con: Connection,
    ctx: AgentContext,
    inputs: IngestInputs,
    loads: list[Load],
    loaded_at: datetime,
) -> None:
    existing = set(con.tables())
    with con.transaction():
        for load in loads:
            exists = f"{inputs.schema_}.{load.table}" in existing
            for index, (path, fmt) in enumerate(load.files):
                shown = display(ctx, path)
                options = LoadOptions(
                    all_varchar=inputs.all_varchar,
                    metadata=(shown, loaded_at) if inputs.metadata else None,
                )
                creating = index == 0 and (inputs.mode == "replace" or not exists)
                load.created = load.created or creating
                source = Source(path, fmt, shown)
                try:
                    load.rows[path] = con.load(
                        inputs.schema_, load.table, source, creating, options
                    )
                except WarehouseError as exc:
                    ragged = ragged_line(path, shown) if fmt == "csv" else None
                    raise DataError(
                        ragged or f"cannot load {shown} into {inputs.schema_}.{load.table}: {exc}"
                    ) from None
                if creating and fmt == "csv":
                    _check_header(con, f"{inputs.schema_}.{load.table}", source, inputs.metadata)


def _check_header(con: Connection, table: str, source: Source, metadata: bool) -> None:
    """A CSV that DuckDB read with other columns than its header names may be ragged: a
    sniffer that meets rows of several widths guesses (one wide column, another header)."""
    header = header_fields(source.path, source.format)
    loaded = [name for name, _ in con.columns(table)][: -2 if metadata else None]
    if header and loaded != [h.strip() for h in header]:
        ragged = ragged_line(source.path, source.shown)
        if ragged:
            raise DataError(ragged)


def _count(con: Connection, schema: str, table: str) -> int:
    query = exp.select(exp.Count(this=exp.Star())).from_(exp.table_(table, db=schema, quoted=True))
    return int(con.scalar(query) or 0)


def _summary(
    con: Connection,
    ctx: AgentContext,
    inputs: IngestInputs,
    loads: list[Load],
    loaded_at: datetime,
) -> dict[str, Any]:
    tables = []
    for load in loads:
        name = f"{inputs.schema_}.{load.table}"
        tables.append(
            {
                "table": name,
                "rows": sum(load.rows.values())
                if load.created
                else _count(con, inputs.schema_, load.table),
                "files": [
                    {"path": display(ctx, path), "format": fmt, "rows": load.rows.get(path, 0)}
                    for path, fmt in load.files
                ],
                "columns": [{"name": c, "type": t} for c, t in table_columns(con, name)],
            }
        )
    return {
        "warehouse": str(warehouse_of(ctx)),
        "schema": inputs.schema_,
        "mode": inputs.mode,
        "loaded_at": loaded_at.isoformat() + "Z",
        "tables": tables,
    }


def _report(summary: dict[str, Any]) -> str:
    tables = summary["tables"]
    lines = [
        f"## Ingested {len(tables)} table{'s' if len(tables) != 1 else ''} "
        f"into `{summary['schema']}` ({summary['mode']})",
        "",
        f"Warehouse: `{summary['warehouse']}`, loaded at {summary['loaded_at']}.",
        "",
        md_table(
            ["table", "rows", "columns", "files"],
            [
                (
                    t["table"],
                    t["rows"],
                    len(t["columns"]),
                    ", ".join(f"{f['path']} ({f['rows']})" for f in t["files"]),
                )
                for t in tables
            ],
        ),
    ]
    for t in tables:
        lines += [
            "",
            f"### `{t['table']}`",
            "",
            md_table(["column", "type"], [(c["name"], c["type"]) for c in t["columns"]]),
        ]
    lines += [
        "",
        "Columns whose values do not all parse as one type (e.g. dates in mixed "
        "formats) stay VARCHAR with the raw text; staging models cast them.",
    ]
    if any(t["rows"] == 0 for t in tables):
        empty = ", ".join(t["table"] for t in tables if t["rows"] == 0)
        lines += ["", f"**Warning:** no rows in {empty}."]
    return "\n".join(lines) + "\n"
