"""Check framework overhead: 1,000 trivial sql checks vs the same 1,000 queries run directly.

The framework's own cost is the time of ``run_checks`` minus the time of the queries themselves
(the same statements on one DuckDB connection). Target: that overhead stays under 2x the
direct time.

    python benchmarks/bench_checks.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb

from missionkit.checks.base import CheckContext
from missionkit.checks.run import run_checks
from missionkit.spec.model import Check, Mission, MissionSpec
from missionkit.warehouse.registry import open_warehouse

N = 1000
TARGET = 2.0


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        warehouse = root / "wh.duckdb"
        with duckdb.connect(str(warehouse)) as con:
            con.execute("create table t as select range as id from range(100)")
        queries = [f"select count(*) >= {i % 100} from t" for i in range(N)]
        spec = MissionSpec(title="Bench", owner="bench", success_criteria=["fast"])
        mission = Mission("bench", "bench.md", spec, "")
        checks = [Check.model_validate({"sql": q}) for q in queries]
        opened = open_warehouse(str(warehouse), root)
        assert opened is not None
        ctx = CheckContext(mission, root, opened, root / "run")

        best_direct = best_framework = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            with duckdb.connect(str(warehouse), read_only=True) as con:
                values = [con.execute(q).fetchone() for q in queries]
            best_direct = min(best_direct, time.perf_counter() - start)
            assert all(v is not None and v[0] for v in values)

            start = time.perf_counter()
            results = run_checks(checks, ctx)
            best_framework = min(best_framework, time.perf_counter() - start)
            assert all(r.passed for r in results), [r.detail for r in results if not r.passed][:3]

    overhead = best_framework - best_direct
    ratio = overhead / best_direct
    print(
        f"{N} sql checks: direct {best_direct * 1000:.1f} ms, through the framework "
        f"{best_framework * 1000:.1f} ms; overhead {overhead * 1000:.1f} ms = "
        f"{ratio:.2f}x the direct time (target < {TARGET:.0f}x)"
    )
    return 0 if ratio < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
