"""The demo behind ``make demo``: the Healthcare Data Pipeline, end to end, on this machine.

It validates the example missions, then runs the Healthcare Data Pipeline with the local
tracker and the DuckDB warehouse. Where a person would act, the demo acts for them and says so:
the field-mapping agent's question is answered from ``demo/answers.yaml``, the reviewer and the
scheduler mark their tasks done, and the Mission Owner signs off. Every run starts afresh (the
demo's state lives in ``.missionkit/demo/``).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MISSION = "healthcare-data-pipeline"
STATE = ROOT / ".missionkit" / "demo"
WAREHOUSE = ROOT / "warehouse" / "healthcare.duckdb"


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
    for leftover in (WAREHOUSE, WAREHOUSE.with_suffix(".duckdb.wal")):
        leftover.unlink(missing_ok=True)


def newest_run(task: str) -> Path | None:
    runs = sorted((ROOT / ".missionkit" / "runs" / MISSION / task).glob("*"))
    return runs[-1] if runs else None


def _in(folder: Path | None, name: str) -> Path | str:
    return folder / name if folder else f"(no run of that task: {name} missing)"


def main() -> int:
    os.chdir(ROOT)
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
        "warehouse (DuckDB)": WAREHOUSE,
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
        print(f"  {name:<20} {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
