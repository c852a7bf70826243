"""Load mission files into models, collecting every problem with its location."""

from __future__ import annotations

import difflib
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from missionkit.agents.registry import agent_names, load_agent
from missionkit.checks.validate import check_problems
from missionkit.errors import InputError, MissionkitError, Problem
from missionkit.spec import frontmatter, yamlsafe
from missionkit.spec.located import convert
from missionkit.spec.model import Mission, MissionSpec, Task, check_id
from missionkit.spec.sourcemap import Origin, SourceMap, field_path

MISSION_FILE = "mission.md"
TASKS_DIR = "tasks"
_SKIP = {"readme.md", "index.md"}


@dataclass
class LoadResult:
    missions: list[Mission] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, SourceMap] = field(default_factory=dict)

    def raise_for_problems(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Expand files and folders into mission entry files (``x.md`` or ``x/mission.md``)."""
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            if path.name.lower() in _SKIP:
                continue  # a README beside the missions is documentation, not a mission
            if path.parent.name == TASKS_DIR and (path.parent.parent / MISSION_FILE).is_file():
                path = path.parent.parent / MISSION_FILE
            elif path.name != MISSION_FILE and (path.parent / MISSION_FILE).is_file():
                path = path.parent / MISSION_FILE  # a note inside a folder mission
            found.append(path)
        elif path.is_dir():
            if (path / MISSION_FILE).is_file():
                found.append(path / MISSION_FILE)
                continue
            for child in sorted(path.iterdir()):
                if child.is_file() and child.suffix == ".md" and child.name.lower() not in _SKIP:
                    found.append(child)
                elif child.is_dir() and (child / MISSION_FILE).is_file():
                    found.append(child / MISSION_FILE)
        else:
            problems.append(Problem(str(raw), 0, 0, "", "no such file or directory"))
    unique = list(dict.fromkeys(found))
    return unique, problems


def mission_id_for(path: Path) -> str:
    return path.parent.name if path.name == MISSION_FILE else path.stem


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Loading builds many objects that all live on; the cyclic collector's passes over them
    would make the cost grow faster than the number of tasks, so it waits until the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load(paths: Iterable[str | Path]) -> LoadResult:
    """Load every mission under ``paths`` and check each one and the graph between them."""
    with _no_gc_pauses():
        return _load(paths)


def _load(paths: Iterable[str | Path]) -> LoadResult:
    from missionkit.graph.dag import graph_problems

    files, problems = discover(paths)
    result = LoadResult(problems=problems)
    seen: dict[str, str] = {}
    for path in files:
        mission_id = mission_id_for(path)
        if mission_id in seen:
            result.problems.append(
                Problem(
                    str(path),
                    1,
                    1,
                    "",
                    f"mission id '{mission_id}' also defined by {seen[mission_id]}",
                )
            )
            continue
        seen[mission_id] = str(path)
        mission, sources, found = _load_one(path, mission_id)
        result.problems.extend(found)
        if mission is not None:
            result.missions.append(mission)
            result.sources[mission.id] = sources
    for mission_id, loc, message in graph_problems(result.missions, _resolver(files)):
        file, line, column = result.sources[mission_id].locate(loc)
        result.problems.append(Problem(file, line, column, field_path(loc), message))
    result.problems.sort()
    return result


def load_missions(paths: Iterable[str | Path]) -> list[Mission]:
    """Load and check; raise :class:`InputError` with every problem found."""
    result = load(paths)
    result.raise_for_problems()
    return result.missions


def _resolver(files: list[Path]) -> Any:
    """Find a mission that is not among ``files``, for cross-mission dependencies."""
    roots = {(f.parent.parent if f.name == MISSION_FILE else f.parent) for f in files}

    def resolve(mission_id: str) -> Mission | None:
        for root in roots:
            for candidate in (root / f"{mission_id}.md", root / mission_id / MISSION_FILE):
                if candidate.is_file():
                    mission, _, found = _load_one(candidate, mission_id)
                    return mission if not found else None
        return None

    return resolve


def _read(path: Path) -> tuple[frontmatter.Split, yamlsafe.Document]:
    raw = path.read_bytes()
    text = frontmatter.decode(raw, str(path))
    split = frontmatter.split(text, str(path))
    try:
        doc = yamlsafe.load(split.yaml)
    except yamlsafe.YamlProblem as exc:
        raise frontmatter.ProblemError(
            Problem(
                str(path),
                exc.line + split.first_line - 1,
                exc.column,
                field_path(exc.path),
                exc.message,
            )
        ) from None
    return split, doc


def _load_one(path: Path, mission_id: str) -> tuple[Mission | None, SourceMap, list[Problem]]:
    sources = SourceMap()
    problems: list[Problem] = []
    try:
        split, doc = _read(path)
    except frontmatter.ProblemError as exc:
        return None, sources, [exc.problem]
    except OSError as exc:
        return None, sources, [Problem(str(path), 0, 0, "", exc.strerror or str(exc))]
    data = doc.data
    renames: dict[str, str] = {}
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        return (
            None,
            sources,
            [
                Problem(
                    str(path),
                    split.first_line,
                    1,
                    "",
                    f"frontmatter must be a mapping of fields, found {kind}",
                )
            ],
        )
    try:
        check_id(mission_id)
    except ValueError as exc:
        problems.append(Problem(str(path), 1, 1, "id", f"mission {exc} (from the file name)"))
    if "todos" in data:
        if "tasks" in data:
            line, column = doc.keys[("todos",)]
            problems.append(
                Problem(
                    str(path),
                    line + split.first_line - 1,
                    column,
                    "todos",
                    "give either 'tasks' or its alias 'todos', not both",
                )
            )
        else:
            data = {("tasks" if k == "todos" else k): v for k, v in data.items()}
            renames["tasks"] = "todos"
    sources.add(Origin(str(path), doc, split.first_line, (), renames))
    body = split.body
    if path.name == MISSION_FILE:
        data, body_problems = _add_task_files(path.parent / TASKS_DIR, data, sources)
        problems.extend(body_problems)
    spec = _validate(data, sources, problems)
    if spec is None:
        return None, sources, problems
    mission = Mission(mission_id, str(path), spec, body)
    problems.extend(_check_tasks(mission, sources))
    return (mission if not problems else None), sources, problems


def _validate(
    data: dict[str, Any], sources: SourceMap, problems: list[Problem]
) -> MissionSpec | None:
    """Validate the mission and each task on its own, so one bad task hides no other problem."""
    raw_tasks = data.get("tasks")
    if not isinstance(raw_tasks, list):
        try:
            return MissionSpec.model_validate(data)
        except ValidationError as exc:
            problems.extend(convert(exc, sources, ()))
            return None
    tasks: list[Task] = []
    for index, raw in enumerate(raw_tasks):
        try:
            tasks.append(Task.model_validate(raw))
        except ValidationError as exc:
            problems.extend(convert(exc, sources, ("tasks", index)))
    spec: MissionSpec | None = None
    try:
        spec = MissionSpec.model_validate({**data, "tasks": []})
    except ValidationError as exc:
        problems.extend(convert(exc, sources, ()))
    if spec is not None and len(tasks) == len(raw_tasks):
        return spec.model_copy(update={"tasks": tasks})
    # Report what can still be checked in the valid tasks, then give up on this mission.
    where = {k: data[k] for k in ("warehouse", "warehouse_env") if isinstance(data.get(k), str)}
    partial = MissionSpec.model_construct(
        title="",
        owner="",
        success_criteria=[],
        warehouse=where.get("warehouse"),
        warehouse_env=where.get("warehouse_env"),
        tasks=tasks,
    )
    indexes = [i for i, raw in enumerate(raw_tasks) if _is_valid(raw)]
    problems.extend(_check_tasks(Mission("", "", partial, ""), sources, indexes))
    return None


def _is_valid(raw: Any) -> bool:
    try:
        Task.model_validate(raw)
    except ValidationError:
        return False
    return True


def _add_task_files(
    folder: Path, data: dict[str, Any], sources: SourceMap
) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    if not folder.is_dir():
        return data, problems
    tasks = data.get("tasks")
    tasks = list(tasks) if isinstance(tasks, list) else []
    for task_file in sorted(folder.glob("*.md")):
        try:
            split, doc = _read(task_file)
        except frontmatter.ProblemError as exc:
            problems.append(exc.problem)
            continue
        if not isinstance(doc.data, dict):
            problems.append(
                Problem(
                    str(task_file),
                    split.first_line,
                    1,
                    "",
                    "frontmatter must be a mapping of task fields",
                )
            )
            continue
        task = dict(doc.data)
        task.setdefault("id", task_file.stem)
        if task["id"] != task_file.stem:
            line, column = doc.values[("id",)]
            problems.append(
                Problem(
                    str(task_file),
                    line + split.first_line - 1,
                    column,
                    "id",
                    f"id '{task['id']}' differs from the file name '{task_file.stem}'",
                )
            )
        if split.body.strip() and "description" not in task:
            task["description"] = split.body.strip()
        sources.add(Origin(str(task_file), doc, split.first_line, ("tasks", len(tasks))))
        tasks.append(task)
    return {**data, "tasks": tasks}, problems


def _check_tasks(
    mission: Mission, sources: SourceMap, indexes: list[int] | None = None
) -> list[Problem]:
    """Duplicate ids, agents and their inputs, sql checks without a warehouse.

    ``indexes`` gives each task's position in the file when some tasks were left out.
    """
    problems: list[Problem] = []
    first: dict[str, int] = {}
    names = set(agent_names())

    def add(loc: tuple[str | int, ...], message: str) -> None:
        file, line, column = sources.locate(loc)
        problems.append(Problem(file, line, column, field_path(loc), message))

    has_warehouse = bool(mission.spec.warehouse or mission.spec.warehouse_env)
    for position, task in enumerate(mission.tasks):
        index = indexes[position] if indexes is not None else position
        if task.id in first:
            _, first_line, _ = sources.locate(("tasks", first[task.id], "id"))
            add(
                ("tasks", index, "id"),
                f"duplicate task id '{task.id}' (first at line {first_line})",
            )
        else:
            first[task.id] = index
        if task.agent is None:
            if task.with_:
                add(
                    ("tasks", index, "with"),
                    "'with' gives inputs to an agent, but this task has no agent",
                )
        elif task.agent not in names:
            hint = difflib.get_close_matches(task.agent, sorted(names), n=1)
            add(
                ("tasks", index, "agent"),
                f"unknown agent '{task.agent}'"
                + (
                    f"; did you mean '{hint[0]}'?"
                    if hint
                    else f"; installed: {', '.join(sorted(names))}"
                ),
            )
        else:
            try:
                inputs_model = load_agent(task.agent).Inputs
            except MissionkitError as exc:
                add(("tasks", index, "agent"), str(exc))
                continue
            try:
                inputs_model.model_validate(task.with_)
            except ValidationError as exc:
                problems.extend(convert(exc, sources, ("tasks", index, "with"), inputs_model))
        problems += check_problems(task.checks, ("tasks", index, "checks"), sources, has_warehouse)
    for index, criterion in enumerate(mission.criteria):
        problems += check_problems(
            criterion.checks,
            ("success_criteria", index, "checks"),
            sources,
            has_warehouse,
        )
    return problems
