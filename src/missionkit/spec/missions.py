"""Look missions up by id in the missions folder."""

from __future__ import annotations

from pathlib import Path

from missionkit.errors import UsageError
from missionkit.spec.loader import MISSION_FILE, load_missions
from missionkit.spec.model import Mission


def mission_path(missions_dir: str | Path, mission_id: str) -> Path | None:
    root = Path(missions_dir)
    for candidate in (root / f"{mission_id}.md", root / mission_id / MISSION_FILE):
        if candidate.is_file():
            return candidate
    return None


def find_mission(missions_dir: str | Path, mission_id: str) -> Mission:
    """Load one mission (and check it), or fail with the ids that exist."""
    path = mission_path(missions_dir, mission_id)
    if path is None:
        root = Path(missions_dir)
        known = (
            sorted(
                p.stem if p.suffix == ".md" else p.name
                for p in root.iterdir()
                if (p.suffix == ".md" or (p / MISSION_FILE).is_file())
            )
            if root.is_dir()
            else []
        )
        raise UsageError(
            f"no mission '{mission_id}' in {missions_dir}/"
            + (f"; known: {', '.join(known)}" if known else "")
        )
    return load_missions([path])[0]
