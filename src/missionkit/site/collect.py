"""Stage 1, collect: read the missions, the tracker's state and the task runs."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from missionkit.graph.dag import TaskGraph
from missionkit.site.lineage import FailedCheck, TableUse, failed_checks, read_tables
from missionkit.spec.model import Mission
from missionkit.tracking.base import Tracker
from missionkit.tracking.model import Event
from missionkit.tracking.status import MissionStatus, mission_status, with_reasons

REPORT = "report.md"
RESULT = "result.json"


@dataclass(frozen=True)
class RunRecord:
    """One run of a task's agent, kept under ``<runs>/<mission>/<task>/<run>/``."""

    task: str
    name: str
    folder: Path
    verdict: str | None
    files: tuple[str, ...]  # report, result and artifacts inside the run folder
    outside: tuple[tuple[Path, str], ...]  # artifacts elsewhere in the workspace: (source, name)


@dataclass(frozen=True)
class MissionData:
    """Everything known about one mission, as read; nothing is derived yet."""

    status: MissionStatus
    history: tuple[Event, ...]
    graph: TaskGraph
    runs: tuple[RunRecord, ...]
    tables: tuple[TableUse, ...] = ()  # what its runs read and wrote (lineage)

    @property
    def mission(self) -> Mission:
        return self.status.mission


@dataclass(frozen=True)
class SiteData:
    missions: tuple[MissionData, ...]
    tracker: str
    failed: tuple[FailedCheck, ...] = ()  # checks failing on tables (lineage)


def collect(
    missions: Sequence[Mission], tracker: Tracker, runs_dir: Path, workspace: Path
) -> SiteData:
    """Read each mission's status, history and runs from ``tracker`` and ``runs_dir``."""
    out = []
    tables = read_tables(workspace)
    for mission in missions:
        out.append(
            MissionData(
                status=with_reasons(mission_status(mission, tracker), tracker),
                history=tuple(tracker.history(mission.id)),
                graph=TaskGraph.of(mission),
                runs=tuple(_runs(mission, runs_dir, workspace)),
                tables=tables.get(mission.id, ()),
            )
        )
    return SiteData(tuple(out), tracker.name, failed_checks(workspace))


def _runs(mission: Mission, runs_dir: Path, workspace: Path) -> list[RunRecord]:
    root = runs_dir / mission.id
    if not root.is_dir():
        return []
    records = []
    for task in mission.tasks:
        folder = root / task.id
        if not folder.is_dir():
            continue
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries if e.is_dir(follow_symlinks=False))
        records += [_run(task.id, folder / name, workspace) for name in names]
    return records


def _run(task: str, folder: Path, workspace: Path) -> RunRecord:
    verdict: str | None = None
    listed: list[str] = []
    try:
        result = json.loads((folder / RESULT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result = None
    if isinstance(result, dict):
        verdict = str(result.get("verdict")) if result.get("verdict") else None
        listed = [str(a) for a in result.get("artifacts") or [] if isinstance(a, str)]
    with os.scandir(folder) as entries:  # one read of the folder for the usual flat run
        files = {e.name for e in entries if e.is_file(follow_symlinks=False)}
    inside: list[str] = [name for name in (REPORT, RESULT) if name in files]
    outside: list[tuple[Path, str]] = []
    for artifact in listed:
        if artifact in files:
            if artifact not in inside:
                inside.append(artifact)
            continue
        path = folder / artifact  # an absolute artifact stays absolute
        if not _regular(path):
            continue
        if _within(path, folder):
            rel = Path(os.path.relpath(path, folder)).as_posix()
            if rel not in inside:
                inside.append(rel)
        elif _within(path, workspace):
            outside.append((path, Path(os.path.relpath(path, workspace)).as_posix()))
    return RunRecord(task, folder.name, folder, verdict, tuple(inside), tuple(outside))


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _within(path: Path, folder: Path) -> bool:
    """Whether ``path`` lies inside ``folder`` (only files there are published)."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
