"""The one order of tasks (and of missions): prerequisites first, otherwise as written.

Sync creates items in this order, dispatch walks tasks in it and ``mission graph`` lists them
so: among the tasks whose prerequisites are all placed, the one earliest in the file comes next.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from missionkit.spec.model import Mission


def task_order(mission: Mission) -> list[str]:
    """The mission's task ids, each after the tasks of the mission it depends on."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(t.id for t in mission.tasks)
    for task in mission.tasks:
        for dep in mission.prerequisites(task):
            if dep.mission == mission.id:
                graph.add_edge(dep.task, task.id)
    position = {t.id: i for i, t in enumerate(mission.tasks)}
    return list(nx.lexicographical_topological_sort(graph, key=position.__getitem__))


def mission_order(missions: Sequence[Mission]) -> list[Mission]:
    """Missions ordered so that cross-mission prerequisites come first."""
    by_id = {m.id: m for m in missions}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(by_id)
    for mission in missions:
        for task in mission.tasks:
            for dep in mission.prerequisites(task):
                if dep.mission != mission.id and dep.mission in by_id:
                    graph.add_edge(dep.mission, mission.id)
    position = {m.id: i for i, m in enumerate(missions)}
    return [by_id[i] for i in nx.lexicographical_topological_sort(graph, key=position.__getitem__)]
