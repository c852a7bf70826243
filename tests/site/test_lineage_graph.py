"""The lineage drawing's layout: writers left of their tables, readers right of them."""

from __future__ import annotations

from missionkit.site.lineage import TableUse
from missionkit.site.lineagegraph import lineage_dag


def test_a_task_that_reads_what_it_writes_is_drawn_without_a_loop() -> None:
    tables = (
        TableUse("duckdb://w", "raw.orders", ("load",), ("load", "dedupe")),
        TableUse("duckdb://w", "staging.orders", ("dedupe",), ("report",)),
    )
    dag = lineage_dag(tables, {"load": "done"}, {"load": "Load the orders"})
    assert dag is not None
    edges = {(e.source, e.target) for e in dag.edges}
    assert edges == {
        ("task:load", "table:raw.orders"),
        ("table:raw.orders", "task:dedupe"),
        ("task:dedupe", "table:staging.orders"),
        ("table:staging.orders", "task:report"),
    }
    x = {n.id: n.x for n in dag.nodes}
    order = ["task:load", "table:raw.orders", "task:dedupe", "table:staging.orders", "task:report"]
    assert [x[n] for n in order] == sorted(x[n] for n in order) and len(set(x.values())) == 5
    load = next(n for n in dag.nodes if n.id == "task:load")
    assert (load.title, load.href, load.state) == (
        "load: Load the orders (done)",
        "#task-load",
        "done",
    )
    table = next(n for n in dag.nodes if n.id == "table:raw.orders")
    assert (table.kind, table.href) == ("table", "#table-raw-orders")


def test_no_tables_no_drawing() -> None:
    assert lineage_dag((), {}, {}) is None
