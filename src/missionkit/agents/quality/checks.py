"""Data-quality checks on warehouse tables, with a Markdown and JSON report.

Each ``checks`` entry may ask for several kinds at once; every kind is one result with a
status (``pass``, ``fail``, or ``error`` when the check cannot run, e.g. a missing table),
the number of failing rows (or values) and a sample of them. Any non-passing result fails
the task.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.agents.data.warehouse import (
    DataError,
    connect,
    duckdb_missing,
    failed,
    md_table,
    qualified,
    quote,
    table_columns,
)
from missionkit.spec.durations import format_duration

if TYPE_CHECKING:
    import duckdb

    from missionkit.agents.quality.inputs import Bounds, QualityCheck, QualityInputs

JSON_REPORT = "quality.json"
MD_REPORT = "quality.md"


@dataclass
class Result:
    name: str
    kind: str
    table: str
    column: str | None
    status: str = "pass"  # pass | fail | error
    failing: int = 0
    detail: str = ""
    sample: list[dict[str, Any]] = field(default_factory=list)


def check_quality(ctx: AgentContext, inputs: QualityInputs) -> AgentResult:
    if (missing := duckdb_missing()) is not None:
        return missing
    try:
        con = connect(ctx, read_only=True)
    except DataError as exc:
        return failed("Quality checks could not run", str(exc))
    try:
        results = [
            run_check(con, check, kind, inputs.sample_rows)
            for check in inputs.checks
            for kind in check.kinds()
        ]
    finally:
        con.close()
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    report = _report(results)
    json_path, md_path = ctx.run_dir / JSON_REPORT, ctx.run_dir / MD_REPORT
    json_path.write_text(
        json.dumps(
            {
                "passed": all(r.status == "pass" for r in results),
                "results": [asdict(r) for r in results],
            },
            indent=2,
            default=_jsonable,
        )
        + "\n",
        encoding="utf-8",
    )
    md_path.write_text(report, encoding="utf-8")
    ok = all(r.status == "pass" for r in results)
    return AgentResult(Verdict.DONE if ok else Verdict.FAILED, report, (json_path, md_path))


def run_check(
    con: duckdb.DuckDBPyConnection, check: QualityCheck, kind: str, sample_rows: int
) -> Result:
    import duckdb

    where = (
        f"{check.table}.{check.column}"
        if check.column and kind not in ("freshness", "row_count")
        else check.table
    )
    result = Result(check.name or f"{kind}({where})", kind, check.table, check.column)
    try:
        columns = dict(table_columns(con, check.table))
        for column in (check.column, check.freshness.column if check.freshness else None):
            if column is not None and column not in columns:
                raise DataError(
                    f"{check.table} has no column '{column}' (columns: {', '.join(columns)})"
                )
        _CHECKS[kind](con, check, result, sample_rows)
    except DataError as exc:
        result.status, result.detail = "error", str(exc)
    except duckdb.Error as exc:
        result.status, result.detail = "error", str(exc).split("\n")[0]
    return result


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> Any:
    row = con.execute(sql, params).fetchone()
    return row[0] if row else None


def _failing_rows(
    con: duckdb.DuckDBPyConnection,
    result: Result,
    table: str,
    condition: str,
    params: list[Any],
    sample_rows: int,
    what: str,
) -> None:
    result.failing = int(
        _scalar(con, f"select count(*) from {table} as src where {condition}", params)
    )
    if result.failing:
        result.status = "fail"
        result.detail = f"{result.failing} row{'s' if result.failing != 1 else ''} {what}"
        result.sample = _rows(
            con, f"select * from {table} as src where {condition} limit ?", [*params, sample_rows]
        )


def _not_null(con: duckdb.DuckDBPyConnection, check: QualityCheck, result: Result, n: int) -> None:
    _failing_rows(
        con,
        result,
        qualified(check.table),
        f"{_col(check)} is null",
        [],
        n,
        f"with {check.column} null",
    )


def _unique(con: duckdb.DuckDBPyConnection, check: QualityCheck, result: Result, n: int) -> None:
    col = _col(check)
    dupes = (
        f"select {col} as value, count(*) as count from {qualified(check.table)} "
        f"where {col} is not null group by {col} having count(*) > 1"
    )
    result.failing = int(_scalar(con, f"select count(*) from ({dupes})", []))
    if result.failing:
        result.status = "fail"
        rows = _scalar(con, f"select sum(count) from ({dupes})", [])
        result.detail = f"{result.failing} values appear more than once ({rows} rows)"
        result.sample = _rows(con, f"{dupes} order by count(*) desc, 1 limit ?", [n])


def _accepted(con: duckdb.DuckDBPyConnection, check: QualityCheck, result: Result, n: int) -> None:
    allowed = [_text(v) for v in check.accepted_values or []]
    condition = (
        f"{_col(check)} is not null and not list_contains(?, cast({_col(check)} as varchar))"
    )
    _failing_rows(
        con,
        result,
        qualified(check.table),
        condition,
        [allowed],
        n,
        f"with {check.column} outside {allowed}",
    )
    if result.failing:
        seen = _rows(
            con,
            f"select distinct cast({_col(check)} as varchar) as v from "
            f"{qualified(check.table)} as src where {condition} order by 1 limit 10",
            [allowed],
        )
        result.detail += "; found: " + ", ".join(repr(r["v"]) for r in seen)


def _range(con: duckdb.DuckDBPyConnection, check: QualityCheck, result: Result, n: int) -> None:
    assert check.range is not None
    condition, params = _outside(_col(check), check.range)
    _failing_rows(
        con,
        result,
        qualified(check.table),
        condition,
        params,
        n,
        f"with {check.column} outside {_bounds(check.range)}",
    )


def _references(
    con: duckdb.DuckDBPyConnection, check: QualityCheck, result: Result, n: int
) -> None:
    assert check.references is not None
    schema, table, column = check.references.split(".")
    table_columns(con, f"{schema}.{table}")
    condition = (
        f"{_col(check)} is not null and not exists (select 1 from "
        f"{quote(schema)}.{quote(table)} as ref where ref.{quote(column)} = "
        f"src.{_col(check)})"
    )
    _failing_rows(
        con,
        result,
        qualified(check.table),
        condition,
        [],
        n,
        f"with a {check.column} missing from {check.references}",
    )


def _freshness(con: duckdb.DuckDBPyConnection, check: QualityCheck, result: Result, n: int) -> None:
    assert check.freshness is not None
    newest = _scalar(
        con, f"select max({quote(check.freshness.column)}) from {qualified(check.table)}", []
    )
    limit = check.freshness.max_age
    if newest is None:
        result.status, result.detail = "fail", f"{check.freshness.column} has no values"
        return
    if not isinstance(newest, date):
        raise DataError(
            f"{check.freshness.column} holds {type(newest).__name__}, not a date or timestamp"
        )
    moment = (
        newest if isinstance(newest, datetime) else datetime.combine(newest, datetime.min.time())
    )
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    age = datetime.now(UTC).replace(tzinfo=None) - moment
    shown = format_duration(max(age, timedelta(0)))
    result.detail = (
        f"newest {check.freshness.column} {newest} is {shown} old (max {format_duration(limit)})"
    )
    result.sample = [{check.freshness.column: newest}]
    if age > limit:
        result.status, result.failing = "fail", 1


def _row_count(con: duckdb.DuckDBPyConnection, check: QualityCheck, result: Result, n: int) -> None:
    assert check.row_count is not None
    count = int(_scalar(con, f"select count(*) from {qualified(check.table)}", []))
    bounds = check.row_count
    below = bounds.min is not None and count < _number(bounds.min)
    above = bounds.max is not None and count > _number(bounds.max)
    result.detail = f"{count} rows (expected {_bounds(bounds)})"
    if below or above:
        result.status, result.failing = "fail", 1


def _number(value: float | date) -> float:
    if isinstance(value, date):
        raise DataError("row_count bounds are numbers, not dates")
    return value


def _col(check: QualityCheck) -> str:
    assert check.column is not None
    return quote(check.column)


def _outside(col: str, bounds: Bounds) -> tuple[str, list[Any]]:
    parts, params = [], []
    if bounds.min is not None:
        parts.append(f"{col} < ?")
        params.append(bounds.min)
    if bounds.max is not None:
        parts.append(f"{col} > ?")
        params.append(bounds.max)
    return f"{col} is not null and ({' or '.join(parts)})", params


def _bounds(bounds: Bounds) -> str:
    def shown(value: float | date | None, default: str) -> str:
        if value is None:
            return default
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return f"[{shown(bounds.min, '-∞')}, {shown(bounds.max, '∞')}]"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


_CHECKS = {
    "not_null": _not_null,
    "unique": _unique,
    "accepted_values": _accepted,
    "range": _range,
    "references": _references,
    "freshness": _freshness,
    "row_count": _row_count,
}


def _report(results: list[Result]) -> str:
    bad = [r for r in results if r.status != "pass"]
    head = (
        f"## Quality checks passed: {len(results)} of {len(results)}"
        if not bad
        else f"## Quality checks failed: {len(bad)} of {len(results)}"
    )
    lines = [
        head,
        "",
        md_table(
            ["check", "status", "failing", "detail"],
            [(r.name, r.status, r.failing, r.detail) for r in results],
        ),
    ]
    for r in bad:
        if r.status == "error":
            lines += ["", f"### {r.name}: could not run", "", r.detail]
        elif r.sample:
            lines += [
                "",
                f"### {r.name}: sample of failing rows",
                "",
                md_table(list(r.sample[0]), [list(row.values()) for row in r.sample]),
            ]
    return "\n".join(lines) + "\n"
