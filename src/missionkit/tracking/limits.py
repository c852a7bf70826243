"""GitHub's limits, checked before anything is written, and what sync does instead.

* at most :data:`MAX_SUB_ISSUES` sub-issues per parent: a larger mission gets *phase* issues
  under its tracking issue, each the parent of up to 100 tasks in dependency order (so up to
  10,000 tasks keep their link);
* at most :data:`MAX_BLOCKED_BY` "blocked by" relations per issue, and as many "blocking": the
  prerequisites past the limit are kept as ``after:`` labels and body links only;
* a pull request is never sent as a blocker (GitHub refuses it).

``mission validate`` reports the same limits (:func:`limit_warnings`) and says what sync will do.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from missionkit.errors import Problem
from missionkit.spec.model import Mission
from missionkit.spec.sourcemap import SourceMap, field_path
from missionkit.tracking.model import Key, Spec

MAX_SUB_ISSUES = 100
MAX_BLOCKED_BY = 50  # per issue and per relation type (blocked by, blocking)
PHASE_PREFIX = "phase:"


def phase_key(mission_id: str, n: int) -> Key:
    """Phase ``n`` (1-based) of a mission; ``:`` never occurs in a task id, so no clash."""
    return Key(mission_id, f"{PHASE_PREFIX}{n}")


def is_phase(key: Key) -> bool:
    return key.task.startswith(PHASE_PREFIX)


def chunks(keys: Sequence[Key], size: int = MAX_SUB_ISSUES) -> list[list[Key]]:
    return [list(keys[i : i + size]) for i in range(0, len(keys), size)]


def phase_specs(
    mission: Mission, mission_spec: Spec, task_keys: Sequence[Key], specs: dict[Key, Spec]
) -> list[Spec]:
    """Phase parents for a mission over the limit (none below it); re-parents the task specs."""
    if len(task_keys) <= MAX_SUB_ISSUES:
        return []
    phases = []
    groups = chunks(task_keys)
    for n, group in enumerate(groups, start=1):
        key = phase_key(mission.id, n)
        context: dict[str, Any] = {
            "mission_title": mission.spec.title,
            "phase": n,
            "phases": len(groups),
            "first": group[0].task,
            "last": group[-1].task,
            "count": len(group),
        }
        phases.append(
            Spec(
                key=key,
                title=f"{mission.spec.title}: phase {n} of {len(groups)}",
                labels=(f"mission:{mission.id}",),
                assignees=mission_spec.assignees,
                blocked_by=(),
                parent=mission_spec.key,
                context=context,
            )
        )
        for task in group:
            specs[task] = replace(specs[task], parent=key)
    return phases


def sub_issue_groups(mission_key: Key, task_keys: Sequence[Key]) -> list[tuple[Key, list[Key]]]:
    """Each parent and the children it holds: the mission its tasks, or its phases theirs.

    Phases come first: tasks that hung under the mission move under their phase before the
    phases take their places under the mission (which holds 100 at most meanwhile)."""
    if len(task_keys) <= MAX_SUB_ISSUES:
        return [(mission_key, list(task_keys))]
    groups = chunks(task_keys)
    phases = [phase_key(mission_key.mission, n) for n in range(1, len(groups) + 1)]
    return [*zip(phases, groups, strict=True), (mission_key, phases)]


class RelationBudget:
    """Counts blocked-by and blocking relations so that neither passes GitHub's limit."""

    def __init__(self) -> None:
        self.blocking: Counter[Key] = Counter()

    def allow(self, key: Key, wanted: Sequence[Key]) -> tuple[list[Key], list[str]]:
        """The prerequisites of ``key`` sync may relate, and a warning for each one it may not."""
        kept: list[Key] = []
        warnings: list[str] = []
        for dep in wanted:
            if len(kept) >= MAX_BLOCKED_BY:
                warnings.append(
                    f"{key}: GitHub allows {MAX_BLOCKED_BY} blocked-by relations per issue; "
                    f"{dep} is kept as its after: label only"
                )
            elif self.blocking[dep] >= MAX_BLOCKED_BY:
                warnings.append(
                    f"{key}: {dep} already blocks {MAX_BLOCKED_BY} issues (GitHub's limit); "
                    "kept as an after: label only"
                )
            else:
                kept.append(dep)
                self.blocking[dep] += 1
        return kept, warnings


def limit_warnings(mission: Mission, sources: SourceMap) -> list[Problem]:
    """What ``mission validate`` says about a mission past GitHub's limits, where it is."""

    def at(loc: tuple[str | int, ...], message: str) -> Problem:
        path, line, column = sources.locate(loc, key=True)
        return Problem(path, line, column, field_path(loc), message)

    out = []
    n = len(mission.tasks)
    if n > MAX_SUB_ISSUES:
        phases = math.ceil(n / MAX_SUB_ISSUES)
        out.append(
            at(
                ("tasks",),
                f"{n} tasks; GitHub allows {MAX_SUB_ISSUES} sub-issues per issue, so sync on "
                f"GitHub groups them under {phases} phase issues of up to {MAX_SUB_ISSUES} tasks "
                "each, beneath the mission's issue",
            )
        )
    blocking: Counter[str] = Counter()
    first: dict[str, int] = {}
    for index, task in enumerate(mission.tasks):
        if len(task.depends_on) > MAX_BLOCKED_BY:
            out.append(
                at(
                    ("tasks", index, "depends_on"),
                    f"{len(task.depends_on)} dependencies; GitHub allows {MAX_BLOCKED_BY} "
                    f"blocked-by relations per issue, so sync relates the first {MAX_BLOCKED_BY} "
                    "and keeps the rest as after: labels",
                )
            )
        for ref in task.depends_on:
            blocking[ref] += 1
            first.setdefault(ref, index)
    for ref, count in sorted(blocking.items()):
        if count > MAX_BLOCKED_BY:
            out.append(
                at(
                    ("tasks", first[ref], "depends_on"),
                    f"{count} tasks depend on {ref}; GitHub lets an issue block "
                    f"{MAX_BLOCKED_BY}, so sync relates the first {MAX_BLOCKED_BY} and keeps the "
                    "rest as after: labels",
                )
            )
    return out
