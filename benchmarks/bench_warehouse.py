"""Ingest 1,000,000 CSV rows into each warehouse, against the warehouse's own bulk load.

    python benchmarks/bench_warehouse.py [--rows N] [--repeat K]

PostgreSQL (a server this script starts on loopback, stopped at the end): the ``ingest``
agent (types inferred over the whole file, table created, rows sent with ``COPY``, the
summary read back) against a bare ``psql -c "\\copy … csv header"`` of the same file into a
table created beforehand; target ≤ 1.5×. DuckDB: the agent against
``create table … as select * from read_csv(file, sample_size = -1)`` into a new file (the
same whole-file type inference); target ≤ 1.2×; the figure against DuckDB's default sample
(``read_csv(file)``, which may type a column from its first rows alone) is printed too. The
agent runs as missions use it, ``_source_file`` and ``_loaded_at`` columns included. Each
figure is the best of ``--repeat`` runs, the two sides run in turns. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from missionkit.agents.base import AgentContext, Verdict  # noqa: E402
from missionkit.agents.ingest.agent import IngestAgent  # noqa: E402
from missionkit.agents.ingest.inputs import IngestInputs  # noqa: E402
from missionkit.spec.model import Mission, MissionSpec, Task  # noqa: E402
from missionkit.warehouse.registry import open_warehouse  # noqa: E402

from pgserver import PostgresServer, start_server  # noqa: E402

PG_TARGET = 1.5
DUCKDB_TARGET = 1.2
COLUMNS = "id bigint, name text, city text, amount double precision, seen date, active boolean"


def write_extract(path: Path, rows: int) -> None:
    """A deterministic extract: integers, text with commas and quotes, numbers, dates, flags."""
    rng = random.Random(15)
    cities = ["Boston", "Saint Paul", 'Winston "Salem"', "Troy, NY", "Ōsaka"]
    start = date(2000, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name", "city", "amount", "seen", "active"])
        for i in range(rows):
            out.writerow(
                [
                    i,
                    f"person-{rng.randrange(10**6):06d}",
                    rng.choice(cities),
                    round(rng.uniform(0, 10_000), 2),
                    (start + timedelta(days=rng.randrange(9000))).isoformat(),
                    "true" if rng.random() < 0.5 else "false",
                ]
            )


def compare(
    repeat: int, baseline: Callable[[], None], ours: Callable[[], None], reset: Callable[[], None]
) -> tuple[float, float]:
    """The best time of each over ``repeat`` rounds, run in turns so that the load of the
    machine weighs on both alike."""
    times: list[list[float]] = [[], []]
    for _ in range(repeat):
        for index, run in enumerate((baseline, ours)):
            reset()
            started = time.perf_counter()
            run()
            times[index].append(time.perf_counter() - started)
    return min(times[0]), min(times[1])


def ingest(workspace: Path, location: str, extract: Path) -> None:
    task = Task(id="load", title="Load", agent="ingest")
    spec = MissionSpec(
        title="Bench", owner="bench", success_criteria=["loaded"], warehouse=location, tasks=[task]
    )
    mission = Mission("bench", "bench", spec, "")
    ctx = AgentContext(
        mission, task, workspace, workspace / "run", open_warehouse(location, workspace)
    )
    result = IngestAgent().run(ctx, IngestInputs.model_validate({"files": [str(extract)]}))
    if result.verdict is not Verdict.DONE:
        raise SystemExit(result.report)


def bench_postgres(server: PostgresServer, workspace: Path, extract: Path, repeat: int) -> float:
    import psycopg

    url = server.create_database("bench")
    env = server.env()

    def sql(statement: str) -> None:
        with psycopg.connect(url, user=env["PGUSER"], password=env["PGPASSWORD"]) as con:
            con.execute(statement)

    def fresh_table() -> None:
        # the bare COPY's table exists beforehand; ingest drops it and makes its own
        sql(
            f"drop schema if exists raw cascade; create schema raw; create table raw.bench ({COLUMNS})"
        )

    psql = server.bin / "psql"
    copy = [
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        url,
        "-c",
        f"\\copy raw.bench from '{extract}' csv header",
    ]

    def bare_copy() -> None:
        subprocess.run([str(psql), *copy], env={"PATH": "/usr/bin:/bin", **env}, check=True)

    os.environ.update(env)
    baseline, ours = compare(
        repeat, bare_copy, lambda: ingest(workspace, url, extract), fresh_table
    )
    rows = (
        psycopg.connect(url, **{"user": env["PGUSER"], "password": env["PGPASSWORD"]})
        .execute("select count(*) from raw.bench")
        .fetchone()
    )
    assert rows is not None and rows[0] > 0
    print(f"PostgreSQL: psql \\copy {baseline:.2f} s, ingest {ours:.2f} s ({rows[0]:,} rows)")
    return ours / baseline


def bench_duckdb(workspace: Path, extract: Path, repeat: int) -> tuple[float, float]:
    """(ingest / read_csv inferring types over the whole file as ingest does, ingest / read_csv
    with DuckDB's default sample)."""
    import duckdb

    target = workspace / "bench.duckdb"

    def remove() -> None:
        target.unlink(missing_ok=True)
        target.with_suffix(".duckdb.wal").unlink(missing_ok=True)

    def read_csv(options: str) -> Callable[[], None]:
        def run() -> None:
            with duckdb.connect(str(target)) as con:
                con.execute(
                    f"create table bench as select * from read_csv(?{options})", [str(extract)]
                )

        return run

    def ours() -> None:
        ingest(workspace, str(target), extract)

    whole, ours_a = compare(repeat, read_csv(", sample_size = -1"), ours, remove)
    sampled, ours_b = compare(repeat, read_csv(""), ours, remove)
    mine = min(ours_a, ours_b)
    print(
        f"DuckDB: read_csv {whole:.2f} s (types from the whole file, as ingest), "
        f"{sampled:.2f} s (DuckDB's default sample); ingest {mine:.2f} s"
    )
    return mine / whole, mine / sampled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-warehouse-") as tmp:
        workspace = Path(tmp)
        extract = workspace / "bench.csv"
        write_extract(extract, args.rows)
        print(f"{args.rows:,} rows, {extract.stat().st_size / 2**20:.0f} MiB of CSV")
        server = start_server(tuned_for_tests=False)
        try:
            pg = bench_postgres(server, workspace, extract, args.repeat)
        finally:
            server.stop()
        duck, duck_sampled = bench_duckdb(workspace, extract, args.repeat)
    print(f"PostgreSQL ingest / psql \\copy = {pg:.2f}× (target ≤ {PG_TARGET}×)")
    print(f"DuckDB ingest / read_csv = {duck:.2f}× (target ≤ {DUCKDB_TARGET}×)")
    print(f"DuckDB ingest / read_csv with its default sample = {duck_sampled:.2f}×")
    return 0 if pg <= PG_TARGET and duck <= DUCKDB_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
