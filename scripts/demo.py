"""The demo behind ``make demo``: the Healthcare Data Pipeline, end to end, on this machine.

It validates the example missions, then runs the Healthcare Data Pipeline with the local
tracker and the DuckDB warehouse, or, with ``--warehouse postgres`` (``make demo
WAREHOUSE=postgres``), on a PostgreSQL server it starts on loopback and stops at the end: the
mission reads the server's URL from ``HEALTHCARE_WAREHOUSE_URL`` and the credentials from
libpq's ``PGUSER`` and ``PGPASSWORD``. Where a person would act, the demo acts for them and says so:
the field-mapping agent's question is answered from ``demo/answers.yaml``, the reviewer and the
scheduler mark their tasks done, and the Mission Owner signs off. Every run starts afresh (the
demo's state lives in ``.missionkit/demo/``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MISSION = "healthcare-data-pipeline"
STATE = ROOT / ".missionkit" / "demo"
WAREHOUSE = ROOT / "warehouse" / "healthcare.duckdb"
PROFILE = ROOT / "profiles" / f"{MISSION}.yaml"


def step(text: str) -> None:
    print(f"\n\033[1m▶ {text}\033[0m", flush=True)


def mission(*argv: str) -> None:
    from missionkit.cli.main import main

    print(f"$ mission {' '.join(argv)}", flush=True)
    code = main(list(argv))
    if code:
        raise SystemExit(f"`mission {' '.join(argv)}` exited with {code}")


def reset() -> None:
    shutil.rmtree(STATE, ignore_errors=True)
    shutil.rmtree(ROOT / ".missionkit" / "runs" / MISSION, ignore_errors=True)
    # the source profile the mapping task learns from the demo's answer: without this, the
    # next demo would ask nothing
    for leftover in (WAREHOUSE, WAREHOUSE.with_suffix(".duckdb.wal"), PROFILE):
        leftover.unlink(missing_ok=True)


def newest_run(task: str) -> Path | None:
    runs = sorted((ROOT / ".missionkit" / "runs" / MISSION / task).glob("*"))
    return runs[-1] if runs else None


def _in(folder: Path | None, name: str) -> Path | str:
    return folder / name if folder else f"(no run of that task: {name} missing)"


def on_postgres() -> Callable[[], None]:
    """Start a PostgreSQL server, point the mission at a database of it; the stop function."""
    from pgserver import start_server

    step("Start a PostgreSQL server on loopback for the warehouse")
    server = start_server(tuned_for_tests=False)
    url = server.create_database("healthcare")
    os.environ.update(server.env())  # PGUSER, PGPASSWORD: libpq's variables
    os.environ["HEALTHCARE_WAREHOUSE_URL"] = url
    print(f"  PostgreSQL {server.bin.parent.name} at {url} (data in {server.root})", flush=True)
    return server.stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", choices=["duckdb", "postgres"], default="duckdb")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    os.environ.pop("HEALTHCARE_WAREHOUSE_URL", None)
    if args.warehouse == "duckdb":
        return run_demo("warehouse (DuckDB)", str(WAREHOUSE.relative_to(ROOT)))
    try:
        stop = on_postgres()
    except RuntimeError as exc:
        raise SystemExit(f"make demo WAREHOUSE=postgres: {exc}") from None
    try:
        return run_demo(
            "warehouse (PostgreSQL)",
            os.environ["HEALTHCARE_WAREHOUSE_URL"] + " (stopped with the demo)",
        )
    finally:
        step("Stop the PostgreSQL server")
        stop()


def run_demo(warehouse_name: str, warehouse_place: str) -> int:
    os.environ["MISSIONKIT_DB"] = str(STATE / "tracker.db")
    os.environ.setdefault("MISSIONKIT_USER", "demo")
    reset()

    step("Validate every example mission")
    mission("validate", "missions")
    step("The Healthcare Data Pipeline's task graph")
    mission("graph", MISSION)

    step("Track every example mission in the local tracker")
    mission("sync", "--quiet")

    step("Run the Healthcare Data Pipeline: agents work until a person is needed")
    mission("run", MISSION, "--answers", "demo/answers.yaml")
    step("alex-kim reviews the field mapping (the demo acts for them)")
    mission(
        "done",
        f"{MISSION}/review-mapping",
        "--as",
        "alex-kim",
        "--reason",
        "mapping reviewed in the demo",
    )
    mission("run", MISSION)
    step("alex-kim schedules the pipeline")
    mission(
        "done",
        f"{MISSION}/schedule-pipeline",
        "--as",
        "alex-kim",
        "--reason",
        "scheduled daily in the demo",
    )
    mission("run", MISSION)
    step("dana-lee, the Mission Owner, signs off")
    mission("approve", MISSION, "--as", "dana-lee")

    step("Build the status site")
    mission("site", "build")

    step("Where things are")
    mission("status", MISSION)
    places = {
        warehouse_name: warehouse_place,
        "field mapping": ROOT / "dbt" / "mappings" / "healthcare.yaml",
        "dbt models": ROOT / "dbt" / "models" / "staging",
        "dbt run results": _in(newest_run("build-staging-models"), "run_results.json"),
        "quality report": _in(newest_run("quality-checks"), "quality.md"),
        "every run's report": ROOT / ".missionkit" / "runs" / MISSION,
        "status site": ROOT / "site" / "build" / "index.html",
        "history": f"MISSIONKIT_DB={STATE.relative_to(ROOT)}/tracker.db mission log {MISSION}",
    }
    for name, where in places.items():
        shown = where.relative_to(ROOT) if isinstance(where, Path) else where
        print(f"  {name:<24} {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
