"""What the data agents share: the DuckDB connection, paths, identifiers, Markdown tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionkit.agents.base import AgentContext, AgentResult, Verdict

if TYPE_CHECKING:
    import duckdb

INSTALL_HINT = "install the data extra: pip install 'missionkit[data]'"


class DataError(Exception):
    """An expected failure (bad input, bad data): the agent returns FAILED with this message."""


def failed(title: str, detail: str = "", artifacts: Sequence[Path] = ()) -> AgentResult:
    report = f"## {title}\n\n{detail.strip()}\n" if detail.strip() else f"## {title}\n"
    return AgentResult(Verdict.FAILED, report, tuple(artifacts))


def duckdb_missing() -> AgentResult | None:
    """A FAILED result when duckdb cannot be imported, else None."""
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return failed("duckdb is not installed", f"This agent needs DuckDB; {INSTALL_HINT}.")
    return None


def resolve(ctx: AgentContext, path: str | Path) -> Path:
    """``path`` as given, or relative to the workspace (the repository root)."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else ctx.workspace / candidate


def display(ctx: AgentContext, path: Path) -> str:
    """``path`` relative to the workspace when it lies inside it, for reports."""
    try:
        return path.resolve().relative_to(ctx.workspace.resolve()).as_posix()
    except ValueError:
        return str(path)


def warehouse_path(ctx: AgentContext) -> Path:
    if ctx.warehouse is None:
        raise DataError(
            "the mission sets no `warehouse`; add e.g. `warehouse: warehouse/<mission>.duckdb` "
            "to its frontmatter"
        )
    return ctx.warehouse if ctx.warehouse.is_absolute() else ctx.workspace / ctx.warehouse


def connect(ctx: AgentContext, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the mission's DuckDB file (created, with its folder, unless ``read_only``)."""
    import duckdb

    path = warehouse_path(ctx)
    if read_only and not path.is_file():
        raise DataError(f"the warehouse {display(ctx, path)} does not exist yet; run ingest first")
    try:
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(path), read_only=read_only)
    except (duckdb.Error, OSError) as exc:
        raise DataError(f"cannot open the warehouse {display(ctx, path)}: {exc}") from None


def quote(name: str) -> str:
    """A DuckDB identifier, double-quoted."""
    return '"' + name.replace('"', '""') + '"'


def split_table(name: str) -> tuple[str, str]:
    """``schema.table`` → ``(schema, table)``; a bare table is in ``main``."""
    parts = name.split(".")
    if len(parts) == 1 and parts[0]:
        return "main", parts[0]
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1]
    raise DataError(f"'{name}' is not a table name; write schema.table")


def qualified(name: str) -> str:
    schema, table = split_table(name)
    return f"{quote(schema)}.{quote(table)}"


def table_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    """``[(column, duckdb type), …]`` of a table or view, in order; DataError if absent."""
    schema, table = split_table(name)
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    if not rows:
        known = [
            f"{s}.{t}"
            for s, t in con.execute(
                "select table_schema, table_name from information_schema.tables order by 1, 2"
            ).fetchall()
        ]
        hint = f"; tables in the warehouse: {', '.join(known)}" if known else "; it is empty"
        raise DataError(f"table {name} does not exist{hint}")
    return [(str(c), str(t)) for c, t in rows]


def cell(value: Any) -> str:
    """A value as Markdown table cell text."""
    text = "∅" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "…"


def md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
