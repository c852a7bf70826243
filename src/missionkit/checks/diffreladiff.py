"""A table diff across two databases, by ``reladiff``'s segment checksums."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionkit.checks.base import CheckContext
from missionkit.checks.diffsql import (
    CHANGES,
    KEPT,
    Difference,
    compared_columns,
    row_dict,
)
from missionkit.checks.warehouse import QueryFailed, query
from missionkit.warehouse.base import Warehouse

if TYPE_CHECKING:
    from missionkit.checks.diffinputs import DiffInputs


def reladiff_diff(ctx: CheckContext, inputs: DiffInputs) -> Difference:
    assert ctx.warehouse is not None
    try:
        import reladiff
    except ImportError:
        raise QueryFailed("reladiff is not installed: pip install 'missionkit[data]'") from None
    path = getattr(ctx.warehouse, "path", None)
    if ctx.warehouse.name != "duckdb" or not isinstance(path, Path):
        raise QueryFailed("a diff across databases compares DuckDB files")
    left_db = ctx.path(inputs.left_warehouse) if inputs.left_warehouse else path
    right_db = ctx.path(inputs.right_warehouse) if inputs.right_warehouse else path
    left_cols = list(query(_duckdb(left_db, ctx), f"select * from {inputs.left} limit 0").columns)
    right_cols = list(
        query(_duckdb(right_db, ctx), f"select * from {inputs.right} limit 0").columns
    )
    columns = compared_columns(left_cols, right_cols, inputs.key, inputs.columns)
    options: dict[str, Any] = {"extra_columns": tuple(columns), "where": inputs.where}
    if inputs.key_min is not None:
        options["min_key"] = (inputs.key_min,)
    if inputs.key_max is not None:
        options["max_key"] = (inputs.key_max,)
    try:
        sides = [
            reladiff.connect_to_table(
                f"duckdb://{Path(db).resolve()}",
                tuple(table.split(".")),
                tuple(inputs.key),
                **options,
            )
            for db, table in ((left_db, inputs.left), (right_db, inputs.right))
        ]
        found = list(reladiff.diff_tables(sides[0], sides[1]))
    except Exception as exc:  # reladiff raises plain RuntimeErrors and driver errors
        raise QueryFailed(f"reladiff failed: {str(exc).splitlines()[0]}") from None
    width = len(inputs.key)
    seen: dict[tuple[Any, ...], dict[str, dict[str, Any]]] = {}
    for sign, row in found:
        side = "left" if sign == "-" else "right"
        seen.setdefault(tuple(row[:width]), {})[side] = dict(zip(columns, row[width:], strict=True))
    counts = dict.fromkeys(CHANGES, 0)
    rows: list[dict[str, Any]] = []
    for ident, got in sorted(seen.items(), key=lambda kv: [str(v) for v in kv[0]]):
        change = "changed" if len(got) == 2 else "removed" if "left" in got else "added"
        counts[change] += 1
        if len(rows) < KEPT:
            rows.append(
                row_dict(
                    change,
                    dict(zip(inputs.key, ident, strict=True)),
                    got.get("left", dict.fromkeys(columns)),
                    got.get("right", dict.fromkeys(columns)),
                )
            )
    return Difference(columns, counts, rows)


def _duckdb(path: Path, ctx: CheckContext) -> Warehouse:
    from missionkit.warehouse.duckdb import DuckDBWarehouse

    return DuckDBWarehouse.open(str(path), ctx.workspace, {}, None)
