"""Time the field mapping's agent work on wide and long tables.

Builds DuckDB tables of C columns × R rows (ids, names, dates as text in several formats,
codes, amounts, free text: the shapes an extract has, under names a vendor might use), then
times ``propose_all`` — sampling, one pass over each column's sample, date formats guessed
once per column, scoring, assignment — for the patient and encounter models (best of three).
Target: 200 columns × 100,000 rows in ≤ 1 s of agent time: the process's CPU time (DuckDB's
threads included), which is the agent's own work; wall time is printed beside it, as it also
counts whatever else the machine runs. The tables show how the time grows with columns and
with rows.

    python benchmarks/bench_mapping.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from missionkit.agents.base import AgentContext
from missionkit.agents.field_mapping.inputs import FieldMappingInputs, SourceTarget
from missionkit.agents.field_mapping.survey import propose_all
from missionkit.spec.model import Mission, MissionSpec, Task
from missionkit.warehouse.duckdb import DuckDBWarehouse

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.0
KINDS = [
    ("PT_ID", "'P' || (i % 50000)"),
    ("ENC_ID", "'E' || i"),
    ("ADMIT_DT", "strftime(DATE '2020-01-01' + (i % 1500)::INTEGER, '%m/%d/%Y')"),
    ("DISCH_DT", "strftime(DATE '2020-01-03' + (i % 1500)::INTEGER, '%d-%b-%Y')"),
    ("ENC_TYPE", "['IP', 'OP', 'ED', 'TH'][1 + i % 4]"),
    ("DX_CD", "['E11.9', 'I10', 'J45.909', 'M54.5'][1 + i % 4]"),
    ("CHG_AMT", "round((i % 9000) * 1.37, 2)::VARCHAR"),
    ("NOTE_TXT", "'free text ' || (i % 97)"),
    ("DEPT_NM", "['Cardiology', 'Oncology', 'Primary care'][1 + i % 3]"),
    ("FLAG_YN", "['Y', 'N'][1 + i % 2]"),
]


def build(con: duckdb.DuckDBPyConnection, name: str, columns: int, rows: int) -> None:
    select = []
    for c in range(columns):
        label, expression = KINDS[c % len(KINDS)]
        suffix = "" if c < len(KINDS) else f"_{c // len(KINDS)}"
        select.append(f"{expression} as {label}{suffix}")
    con.execute(
        f"create or replace table raw.{name} as select {', '.join(select)} from range({rows}) t(i)"
    )


def context(scratch: Path) -> AgentContext:
    task = Task(id="bench", title="Benchmark the field mapping")
    spec = MissionSpec(title="Bench", owner="missionkit", success_criteria=["fast"], tasks=[task])
    warehouse = DuckDBWarehouse.open(str(scratch / "bench.duckdb"), ROOT, {}, None)
    return AgentContext(Mission("bench", "bench", spec, ""), task, ROOT, scratch / "run", warehouse)


def agent_seconds(scratch: Path, columns: int, rows: int) -> tuple[float, float]:
    """(wall, CPU) seconds of the best of three runs."""
    con = duckdb.connect(str(scratch / "bench.duckdb"))
    con.execute("create schema if not exists raw")
    build(con, "wide", columns, rows)
    con.close()
    inputs = FieldMappingInputs(
        maps=[
            SourceTarget(source="raw.wide", target="targets/patient.yaml"),
            SourceTarget(source="raw.wide", target="targets/encounter.yaml"),
        ]
    )
    ctx = context(scratch)
    best = (float("inf"), float("inf"))
    for _ in range(3):
        start, cpu = time.perf_counter(), time.process_time()
        propose_all(ctx, inputs)
        best = min(best, (time.perf_counter() - start, time.process_time() - cpu))
    return best


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        print("agent seconds, wall and CPU (patient + encounter models, best of 3)")
        print(
            f"load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
        )
        print("\ngrowth with columns (100,000 rows):")
        for columns in (25, 50, 100, 200, 400):
            wall, cpu = agent_seconds(scratch, columns, 100_000)
            print(f"  {columns:>9} columns  {wall:6.3f} s wall  {cpu:6.3f} s CPU")
        print("\ngrowth with rows (200 columns):")
        for rows in (1_000, 10_000, 100_000, 1_000_000):
            wall, cpu = agent_seconds(scratch, 200, rows)
            print(f"  {rows:>9,} rows     {wall:6.3f} s wall  {cpu:6.3f} s CPU")
        wall, cpu = agent_seconds(scratch, 200, 100_000)
    ok = cpu <= TARGET_SECONDS
    print(
        f"\n200 columns × 100,000 rows: {wall:.3f} s wall, {cpu:.3f} s CPU "
        f"(target ≤ {TARGET_SECONDS:.1f} s): {'ok' if ok else 'TOO SLOW'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
