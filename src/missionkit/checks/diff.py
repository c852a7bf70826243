"""``diff``: the rows that differ between two tables, or a table and a snapshot file.

Both sides in the mission's warehouse (a snapshot is a Parquet or CSV file read by it): one
full outer join in SQL. A side in another database (``left_warehouse``/``right_warehouse``):
``reladiff``. The artifacts are the diff as JSON and a Markdown sample of it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from missionkit.checks.base import CheckContext, CheckKind, CheckOutcome
from missionkit.checks.diffinputs import DiffInputs
from missionkit.checks.diffsql import Difference, join_diff
from missionkit.checks.warehouse import QueryFailed
from missionkit.templating import render_template

SAMPLE = 20


class DiffCheck(CheckKind):
    Inputs = DiffInputs
    needs_warehouse = True
    shares_connection = True

    def run(self, ctx: CheckContext, inputs: BaseModel) -> CheckOutcome:
        assert isinstance(inputs, DiffInputs) and ctx.warehouse is not None
        if (inputs.key_min is not None or inputs.key_max is not None) and len(inputs.key) > 1:
            return CheckOutcome(False, "key_min/key_max need a single key column")
        datasets = tuple(s for s in (inputs.left, inputs.right) if not _is_file(s))
        try:
            if inputs.left_warehouse or inputs.right_warehouse:
                from missionkit.checks.diffreladiff import reladiff_diff

                diff = reladiff_diff(ctx, inputs)
            else:
                diff = join_diff(ctx.warehouse, ctx.workspace, inputs)
        except QueryFailed as exc:
            return CheckOutcome(False, str(exc), datasets=datasets)
        artifacts = _write(ctx, inputs, diff)
        counts = diff.counts
        shown = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "none"
        detail = f"{diff.total} rows differ ({shown})"
        passed = diff.total <= inputs.max_rows
        if not passed:
            expected = "none" if inputs.max_rows == 0 else f"at most {inputs.max_rows}"
            detail += f"; expected {expected}"
        failures = () if passed else tuple(_describe(r, inputs.key) for r in diff.rows[:SAMPLE])
        return CheckOutcome(passed, detail, failures, artifacts, datasets)


def _is_file(side: str) -> bool:
    return side.lower().endswith((".parquet", ".csv"))


def _describe(row: dict[str, Any], key: list[str]) -> str:
    ident = ", ".join(f"{k}={row['key'][k]!r}" for k in key)
    return f"{row['change']}: {ident}"


def _write(ctx: CheckContext, inputs: DiffInputs, diff: Difference) -> tuple[Path, ...]:
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "left": inputs.left,
        "right": inputs.right,
        "key": inputs.key,
        "columns": diff.columns,
        "counts": diff.counts,
        "total": diff.total,
        "expected_at_most": inputs.max_rows,
        "rows": diff.rows,
    }
    as_json = ctx.run_dir / f"check-{ctx.index}-diff.json"
    as_json.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    sample = ctx.run_dir / f"check-{ctx.index}-diff.md"
    sample.write_text(
        render_template(
            "checks/diff.md.j2", {**data, "sample": diff.rows[:SAMPLE], "limit": SAMPLE}
        ),
        encoding="utf-8",
    )
    return as_json, sample
