"""What the data agents share: the warehouse connection, paths, identifiers, Markdown tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlglot import exp

from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.warehouse.base import Connection, Warehouse, WarehouseError

INSTALL_HINT = "install the data extra: pip install 'missionkit[data]'"

#: An expected failure (bad input, bad data, an unreachable warehouse): the agent returns
#: FAILED with this message.
DataError = WarehouseError


def failed(title: str, detail: str = "", artifacts: Sequence[Path] = ()) -> AgentResult:
    report = f"## {title}\n\n{detail.strip()}\n" if detail.strip() else f"## {title}\n"
    return AgentResult(Verdict.FAILED, report, tuple(artifacts))


def duckdb_missing() -> AgentResult | None:
    """A FAILED result when duckdb (which reads every file, whatever the warehouse) cannot be
    imported, else None."""
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


def warehouse_of(ctx: AgentContext) -> Warehouse:
    if ctx.warehouse is None:
        raise DataError(
            "the mission sets no `warehouse`; add e.g. `warehouse: warehouse/<mission>.duckdb` "
            "(or a postgresql:// URL) to its frontmatter"
        )
    return ctx.warehouse


def connect(ctx: AgentContext, *, read_only: bool = False) -> Connection:
    """A connection to the mission's warehouse (a DuckDB file is created unless ``read_only``)."""
    return warehouse_of(ctx).connect(read_only=read_only)


def quote(name: str) -> str:
    """An identifier, double-quoted (DuckDB and PostgreSQL alike)."""
    return exp.to_identifier(name, quoted=True).sql()


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


def table_columns(con: Connection, name: str) -> list[tuple[str, str]]:
    """``[(column, type), …]`` of a table or view, in order (DuckDB's type names); DataError
    naming the tables there are when it is absent."""
    columns = con.columns(name)
    if not columns:
        known = con.tables()
        hint = f"; tables in the warehouse: {', '.join(known)}" if known else "; it is empty"
        raise DataError(f"table {name} does not exist{hint}")
    return columns


def cell(value: Any) -> str:
    """A value as Markdown table cell text."""
    text = "∅" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "…"


def md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
