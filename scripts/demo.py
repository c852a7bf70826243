"""The demo behind ``make demo``: validate the example missions and show their graphs."""

from __future__ import annotations

import sys
from pathlib import Path

from missionkit.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


def run() -> int:
    missions = ROOT / "missions"
    print("$ mission validate missions/", flush=True)
    code = main(["validate", str(missions)])
    if code:
        return code
    for entry in sorted(missions.iterdir()):
        mission_id = entry.stem if entry.suffix == ".md" else entry.name
        if entry.name.lower() == "readme.md":
            continue
        print(f"\n$ mission graph {mission_id}", flush=True)
        code = main(["graph", mission_id, "--missions", str(missions)])
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(run())
