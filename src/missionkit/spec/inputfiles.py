"""Warnings for files an agent task reads that do not exist (yet).

A missing input is no error: the files may arrive before the task runs, or a
prerequisite may write them. ``mission validate`` and ``mission new`` say so at
once, so nobody learns it only when the agent fails.
"""

from __future__ import annotations

import glob
from pathlib import Path

from missionkit.agents.base import Inputs
from missionkit.agents.registry import load_agent
from missionkit.errors import MissionkitError, Problem
from missionkit.spec.loader import LoadResult
from missionkit.spec.model import Mission, Task
from missionkit.spec.sourcemap import SourceMap, field_path


def missing_inputs(result: LoadResult, workspace: Path) -> list[Problem]:
    """One warning per input file (relative to ``workspace``) that matches nothing."""
    warnings: list[Problem] = []
    for mission in result.missions:
        sources = result.sources[mission.id]
        for index, task in enumerate(mission.tasks):
            warnings += _task_warnings(mission, task, index, sources, workspace)
    return sorted(warnings)


def _task_warnings(
    mission: Mission, task: Task, index: int, sources: SourceMap, workspace: Path
) -> list[Problem]:
    if task.agent is None:
        return []
    try:
        inputs = load_agent(task.agent).Inputs.model_validate(task.with_)
    except (MissionkitError, ValueError):
        return []  # reported as an error by the loader
    if not isinstance(inputs, Inputs):
        return []
    out = []
    for loc, pattern in inputs.files_read():
        if _exists(workspace, pattern):
            continue
        where = ("tasks", index, "with", *loc)
        file, line, column = sources.locate(where)
        if task.depends_on:
            after = ", ".join(task.depends_on)
            message = (
                f"no file matches '{pattern}' yet; fine if a prerequisite ({after}) writes it, "
                f"else the {task.agent} agent fails"
            )
        else:
            message = (
                f"no file matches '{pattern}' (from {workspace}); "
                f"the {task.agent} agent fails unless it is there when the task runs"
            )
        out.append(Problem(file, line, column, field_path(where), message))
    return out


def _exists(workspace: Path, pattern: str) -> bool:
    path = Path(pattern) if Path(pattern).is_absolute() else workspace / pattern
    if glob.has_magic(pattern):
        return any(Path(p).is_file() for p in glob.iglob(str(path), recursive=True))
    return path.exists()
