"""The task dependency graph: checks, waves, the ready set and the critical path."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from missionkit.graph.order import task_order
from missionkit.lifecycle import FINISHED, NOT_STARTED, TaskState, satisfies
from missionkit.spec.model import Mission

Located = tuple[str, tuple[str | int, ...], str]


def key(mission_id: str, task_id: str) -> str:
    return f"{mission_id}/{task_id}"


def graph_problems(
    missions: Iterable[Mission], resolve: Callable[[str], Mission | None]
) -> list[Located]:
    """Unknown or self dependencies, and cycles, each located at a ``depends_on`` entry."""
    by_id = {m.id: m for m in missions}
    ids: dict[str, set[str]] = {m.id: {t.id for t in m.tasks} for m in by_id.values()}
    problems: list[Located] = []
    graph: nx.DiGraph[str] = nx.DiGraph()
    where: dict[tuple[str, str], tuple[str, tuple[str | int, ...]]] = {}
    for mission in by_id.values():
        for t, task in enumerate(mission.tasks):
            graph.add_node(key(mission.id, task.id))
            refs = zip(task.depends_on, mission.prerequisites(task), strict=True)
            for d, (ref, (other_id, dep)) in enumerate(refs):
                loc: tuple[str | int, ...] = ("tasks", t, "depends_on", d)
                if other_id == mission.id and dep == task.id:
                    problems.append((mission.id, loc, f"task '{task.id}' depends on itself"))
                    continue
                other = by_id.get(other_id)
                if other is None:
                    outside = resolve(other_id)
                    if outside is None:
                        problems.append(
                            (mission.id, loc, f"unknown mission '{other_id}' in '{ref}'")
                        )
                    elif dep not in {t2.id for t2 in outside.tasks}:
                        problems.append(
                            (mission.id, loc, f"unknown task '{dep}' in mission '{other_id}'")
                        )
                    continue
                if dep not in ids[other_id]:
                    scope = "" if other_id == mission.id else f" in mission '{other_id}'"
                    problems.append((mission.id, loc, f"unknown task '{dep}'{scope}"))
                    continue
                src, dst = key(other_id, dep), key(mission.id, task.id)
                graph.add_edge(src, dst)
                where[(src, dst)] = (mission.id, loc)
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        cycle = nx.find_cycle(graph.subgraph(component))
        src, dst = min(cycle, key=lambda e: where[(e[0], e[1])][1])[:2]
        start = cycle.index(next(e for e in cycle if e[:2] == (src, dst)))
        ordered = cycle[start:] + cycle[:start]
        names = [_short(ordered[0][0], where[(src, dst)][0])]
        names += [_short(e[1], where[(src, dst)][0]) for e in ordered]
        mission_id, loc = where[(src, dst)]
        problems.append((mission_id, loc, "dependency cycle: " + " → ".join(names)))
    return problems


def _short(node: str, mission_id: str) -> str:
    m, t = node.split("/", 1)
    return t if m == mission_id else node


@dataclass(frozen=True)
class TaskGraph:
    """The DAG of one mission's tasks; cross-mission prerequisites appear as external nodes."""

    mission: Mission
    graph: nx.DiGraph[str]

    @classmethod
    def of(cls, mission: Mission) -> TaskGraph:
        graph: nx.DiGraph[str] = nx.DiGraph()
        for task in mission.tasks:
            graph.add_node(task.id, external=False)
        for task in mission.tasks:
            for ref, (other, dep) in zip(task.depends_on, mission.prerequisites(task), strict=True):
                src = dep if other == mission.id else ref
                if src not in graph:
                    graph.add_node(src, external=True)
                graph.add_edge(src, task.id)
        return cls(mission, graph)

    def task_ids(self) -> list[str]:
        return [t.id for t in self.mission.tasks]

    def waves(self) -> list[list[str]]:
        """Tasks grouped so that each group depends only on earlier groups."""
        local = self.graph.subgraph(self.task_ids())
        order = {t: i for i, t in enumerate(self.task_ids())}
        return [sorted(g, key=order.__getitem__) for g in nx.topological_generations(local)]

    def order(self) -> list[str]:
        """The one task order (:func:`missionkit.graph.order.task_order`)."""
        return task_order(self.mission)

    def ready(self, states: Mapping[str, TaskState | str]) -> list[str]:
        """Tasks not yet started whose every prerequisite is done."""

        def state(task: str) -> str:
            return str(states.get(task, TaskState.BLOCKED))

        return [
            t
            for t in self.order()
            if state(t) in NOT_STARTED
            and all(satisfies(state(d)) for d in self.graph.predecessors(t))
        ]

    def critical_path(self, states: Mapping[str, TaskState | str] | None = None) -> list[str]:
        """The longest chain of tasks still to finish (all tasks when no states are given).

        Any state but done and cancelled (``untracked`` included) counts as still to finish.
        """
        states = states or {}
        remaining = [
            t for t in self.task_ids() if str(states.get(t, TaskState.BLOCKED)) not in FINISHED
        ]
        path: list[str] = nx.dag_longest_path(self.graph.subgraph(remaining))
        return path
