"""The backfill blueprint, run end to end: its diffs show what changes and gate the sign-off."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from missionkit.cli.main import main
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.model import Key

ARGS = {
    "table": "analytics.orders",
    "extract": "exports/orders.csv",
    "date_column": "order_date",
    "start_date": "2024-01-01",
    "end_date": "2024-03-31",
    "key": "order_id",
    "owner": "alex-kim",
    "warehouse": "warehouse/orders.duckdb",
}


@pytest.mark.slow
def test_backfill_reviews_the_diff_and_checks_the_window_before_sign_off(workspace: Path) -> None:
    warehouse = workspace / "warehouse" / "orders.duckdb"
    warehouse.parent.mkdir()
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema analytics")
        con.execute(
            "create table analytics.orders as select * from (values "
            "(1, date '2023-12-30', 10.0), (2, date '2024-01-05', 20.0), "
            "(3, date '2024-02-10', 30.0), (4, date '2024-04-02', 40.0)) "
            "t(order_id, order_date, amount)"
        )
    (workspace / "exports").mkdir()
    (workspace / "exports" / "orders.csv").write_text(
        "order_id,order_date,amount\n2,2024-01-05,21.0\n3,2024-02-10,30.0\n5,2024-03-01,50.0\n"
    )
    sets = [word for k, v in ARGS.items() for word in ("--set", f"{k}={v}")]
    assert main(["new", "orders", "--blueprint", "backfill", *sets]) == 0
    assert main(["run", "-q"]) == 0
    assert main(["done", "orders/plan-backfill", "--as", "alex-kim"]) == 0
    assert main(["run", "-q"]) == 0
    runs = sorted((workspace / ".missionkit" / "runs" / "orders" / "validate-extract").iterdir())
    diff = json.loads((runs[-1] / "check-1-diff.json").read_text())
    assert diff["counts"] == {"added": 1, "removed": 0, "changed": 1}  # order 5 new, order 2 fixed
    assert "| changed | 2 | amount |" in (runs[-1] / "check-1-diff.md").read_text()
    for person_task in ("review-diff", "notify-consumers"):
        assert main(["run", "-q"]) == 0
        assert main(["done", f"orders/{person_task}", "--as", "alex-kim"]) == 0
    assert main(["run", "-q"]) == 0
    tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
    states = {i.key.task or "(mission)": i.state for i in tracker.read("orders")}
    assert states["(mission)"] == "awaiting-signoff", states
    item = next(i for i in tracker.read("orders") if i.key == Key("orders"))
    table = next(c.body for c in tracker.comments(item) if "Success criteria checks" in c.body)
    assert table.startswith("### ✅ Success criteria checks")
    tracker.close()
