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

from sqlglot import exp

from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.agents.data.warehouse import (
    DataError,
    connect,
    failed,
    md_table,
    table_columns,
)
from missionkit.spec.durations import format_duration
from missionkit.warehouse.base import Connection, WarehouseError

if TYPE_CHECKING:
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
    tables = tuple(dict.fromkeys(check.table for check in inputs.checks))
    verdict = Verdict.DONE if ok else Verdict.FAILED
    return AgentResult(verdict, report, (json_path, md_path), reads=tables)


def run_check(con: Connection, check: QualityCheck, kind: str, sample_rows: int) -> Result:
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
    except WarehouseError as exc:
        result.status, result.detail = "error", str(exc).split("\n")[0]
    return result


def _source(con: Connection, check: QualityCheck) -> exp.Expr:
    """The checked table, as ``src``."""
    return exp.alias_(con.warehouse.table(check.table), "src", table=True)


def _count_star() -> exp.Expr:
    return exp.Count(this=exp.Star())


def _failing_rows(
    con: Connection,
    result: Result,
    check: QualityCheck,
    condition: exp.Expr,
    sample_rows: int,
    what: str,
) -> None:
    result.failing = int(
        con.scalar(exp.select(_count_star()).from_(_source(con, check)).where(condition))
    )
    if result.failing:
        result.status = "fail"
        result.detail = f"{result.failing} row{'s' if result.failing != 1 else ''} {what}"
        sample = exp.select("*").from_(_source(con, check)).where(condition).limit(sample_rows)
        result.sample = con.query(sample).dicts()


def _not_null(con: Connection, check: QualityCheck, result: Result, n: int) -> None:
    condition = exp.Is(this=_col(check), expression=exp.null())
    _failing_rows(con, result, check, condition, n, f"with {check.column} null")


def _present(check: QualityCheck) -> exp.Expr:
    return exp.Not(this=exp.Is(this=_col(check), expression=exp.null()))


def _unique(con: Connection, check: QualityCheck, result: Result, n: int) -> None:
    dupes = (
        exp.select(exp.alias_(_col(check), "value"), exp.alias_(_count_star(), "count"))
        .from_(_source(con, check))
        .where(_present(check))
        .group_by(_col(check))
        .having(exp.GT(this=_count_star(), expression=exp.Literal.number(1)))
    )
    result.failing = int(con.scalar(exp.select(_count_star()).from_(dupes.subquery("d"))))
    if result.failing:
        result.status = "fail"
        rows = con.scalar(
            exp.select(exp.Sum(this=exp.column("count", quoted=True))).from_(dupes.subquery("d"))
        )
        result.detail = f"{result.failing} values appear more than once ({rows} rows)"
        sample = dupes.order_by(exp.Ordered(this=_count_star(), desc=True), "1").limit(n)
        result.sample = con.query(sample).dicts()


def _as_text(value: exp.Expr) -> exp.Expr:
    return exp.cast(value, exp.DataType.build("text"))


def _accepted(con: Connection, check: QualityCheck, result: Result, n: int) -> None:
    allowed = [_text(v) for v in check.accepted_values or []]
    outside = exp.Not(
        this=exp.In(
            this=_as_text(_col(check)), expressions=[exp.Literal.string(v) for v in allowed]
        )
    )
    condition = exp.and_(_present(check), outside) if allowed else _present(check)
    _failing_rows(con, result, check, condition, n, f"with {check.column} outside {allowed}")
    if result.failing:
        seen = (
            exp.select(exp.alias_(_as_text(_col(check)), "v"))
            .distinct()
            .from_(_source(con, check))
            .where(condition)
            .order_by("1")
            .limit(10)
        )
        result.detail += "; found: " + ", ".join(repr(r["v"]) for r in con.query(seen).dicts())


def _range(con: Connection, check: QualityCheck, result: Result, n: int) -> None:
    assert check.range is not None
    condition = exp.and_(_present(check), _outside(_col(check), check.range))
    _failing_rows(
        con, result, check, condition, n, f"with {check.column} outside {_bounds(check.range)}"
    )


def _references(con: Connection, check: QualityCheck, result: Result, n: int) -> None:
    assert check.references is not None
    schema, table, column = check.references.split(".")
    table_columns(con, f"{schema}.{table}")
    match = (
        exp.select(exp.Literal.number(1))
        .from_(exp.alias_(exp.table_(table, db=schema, quoted=True), "ref", table=True))
        .where(
            exp.column(column, table="ref", quoted=True).eq(
                exp.column(check.column or "", table="src", quoted=True)
            )
        )
    )
    condition = exp.and_(_present(check), exp.Not(this=exp.Exists(this=match)))
    _failing_rows(
        con, result, check, condition, n, f"with a {check.column} missing from {check.references}"
    )


def _freshness(con: Connection, check: QualityCheck, result: Result, n: int) -> None:
    assert check.freshness is not None
    newest = con.scalar(
        exp.select(exp.Max(this=exp.column(check.freshness.column, quoted=True))).from_(
            _source(con, check)
        )
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


def _row_count(con: Connection, check: QualityCheck, result: Result, n: int) -> None:
    assert check.row_count is not None
    count = int(con.scalar(exp.select(_count_star()).from_(_source(con, check))))
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


def _col(check: QualityCheck) -> exp.Expr:
    assert check.column is not None
    return exp.column(check.column, table="src", quoted=True)


def _literal(value: float | date) -> exp.Expr:
    """A bound as a typed SQL literal."""
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(" ")), "timestamp")
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), "date")
    return exp.Literal.number(repr(float(value)) if not float(value).is_integer() else int(value))


def _outside(col: exp.Expr, bounds: Bounds) -> exp.Expr:
    parts: list[exp.Expr] = []
    if bounds.min is not None:
        parts.append(exp.LT(this=col.copy(), expression=_literal(bounds.min)))
    if bounds.max is not None:
        parts.append(exp.GT(this=col.copy(), expression=_literal(bounds.max)))
    return exp.paren(exp.or_(*parts))


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
