"""A table diff as one full outer join in the warehouse's SQL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionkit.checks.warehouse import QueryFailed, query

if TYPE_CHECKING:
    from missionkit.checks.diffinputs import DiffInputs
    from missionkit.warehouse.base import Warehouse

KEPT = 1000  # rows written to the JSON artifact; the counts are always complete
CHANGES = ("added", "removed", "changed")
_PRESENT = "__missionkit_present"


@dataclass(frozen=True)
class Difference:
    """Rows that differ: ``added`` (right only), ``removed`` (left only), ``changed``."""

    columns: list[str]
    counts: dict[str, int]
    rows: list[dict[str, Any]]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str | int) -> str:
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def relation(side: str, workspace: Path) -> str:
    """A table name as written, or a snapshot file read by the warehouse."""
    lowered = side.lower()
    if lowered.endswith((".parquet", ".csv")):
        path = Path(side) if Path(side).is_absolute() else workspace / side
        if not path.is_file():
            raise QueryFailed(f"snapshot {side} does not exist")
        reader = "read_parquet" if lowered.endswith(".parquet") else "read_csv_auto"
        return f"{reader}({literal(str(path))})"
    return side


def compared_columns(
    left: list[str], right: list[str], key: list[str], wanted: list[str] | None
) -> list[str]:
    for name in key:
        if name not in left or name not in right:
            raise QueryFailed(f"key column {name} is not in both tables")
    if wanted is not None:
        missing = [c for c in wanted if c not in left or c not in right]
        if missing:
            raise QueryFailed(f"column(s) {', '.join(missing)} not in both tables")
        return [c for c in wanted if c not in key]
    return [c for c in left if c in right and c not in key]


def condition(inputs: DiffInputs) -> str:
    parts = [f"({inputs.where})"] if inputs.where else []
    if inputs.key_min is not None:
        parts.append(f"{quote(inputs.key[0])} >= {literal(inputs.key_min)}")
    if inputs.key_max is not None:
        parts.append(f"{quote(inputs.key[0])} < {literal(inputs.key_max)}")
    return " and ".join(parts) or "true"


def join_diff(warehouse: Warehouse, workspace: Path, inputs: DiffInputs) -> Difference:
    left, right = relation(inputs.left, workspace), relation(inputs.right, workspace)
    left_cols = list(query(warehouse, f"select * from {left} limit 0").columns)
    right_cols = list(query(warehouse, f"select * from {right} limit 0").columns)
    columns = compared_columns(left_cols, right_cols, inputs.key, inputs.columns)
    picked = ", ".join(quote(c) for c in [*inputs.key, *columns])
    where = condition(inputs)
    on = " and ".join(f"l.{quote(k)} = r.{quote(k)}" for k in inputs.key)
    differs = " or ".join(f"l.{quote(c)} is distinct from r.{quote(c)}" for c in columns)
    keys = ", ".join(f"coalesce(l.{quote(k)}, r.{quote(k)}) as {quote(k)}" for k in inputs.key)
    sides = ", ".join(f"l.{quote(c)}, r.{quote(c)}" for c in columns)
    diff = (
        f"with l as (select {picked}, 1 as {_PRESENT} from {left} where {where}), "
        f"r as (select {picked}, 1 as {_PRESENT} from {right} where {where}) "
        f"select case when l.{_PRESENT} is null then 'added' "
        f"when r.{_PRESENT} is null then 'removed' else 'changed' end as change, {keys}"
        + (f", {sides}" if sides else "")
        + f" from l full outer join r on {on} "
        f"where l.{_PRESENT} is null or r.{_PRESENT} is null"
        + (f" or {differs}" if differs else "")
    )
    counted = query(warehouse, f"select change, count(*) from ({diff}) d group by change").rows
    counts = {change: 0 for change in CHANGES} | {str(c): int(n) for c, n in counted}
    order = ", ".join(str(i + 2) for i in range(len(inputs.key)))
    found = query(warehouse, f"{diff} order by {order} limit {KEPT}").rows
    return Difference(columns, counts, [_row(r, inputs.key, columns) for r in found])


def _row(raw: tuple[Any, ...], key: list[str], columns: list[str]) -> dict[str, Any]:
    change = str(raw[0])
    ident = dict(zip(key, raw[1 : 1 + len(key)], strict=True))
    values = raw[1 + len(key) :]
    left = {c: values[2 * i] for i, c in enumerate(columns)}
    right = {c: values[2 * i + 1] for i, c in enumerate(columns)}
    return row_dict(change, ident, left, right)


def row_dict(
    change: str, ident: dict[str, Any], left: dict[str, Any], right: dict[str, Any]
) -> dict[str, Any]:
    changed = [c for c in left if left[c] != right.get(c)] if change == "changed" else []
    return {
        "change": change,
        "key": ident,
        "left": left if change != "added" else None,
        "right": right if change != "removed" else None,
        "changed": changed,
    }
