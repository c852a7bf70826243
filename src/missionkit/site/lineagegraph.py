"""Draw a mission's lineage at build time, like its task graph: the tasks and the tables they
wrote and read, left to right (a writer before its table, a table before its readers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx

from missionkit.site.dag import Dag, Look, ordered_columns, place, short
from missionkit.site.lineage import TableUse
from missionkit.site.palette import StateStyle, style
from missionkit.tracking.status import UNTRACKED

TABLE = StateStyle("table", "#ede7f6", "#5e35b1", "#311b92")
_TASK, _TABLE = "task:", "table:"


def lineage_dag(
    tables: Sequence[TableUse], states: Mapping[str, str], titles: Mapping[str, str]
) -> Dag | None:
    """The drawing of ``tables`` and their tasks, or None when no run named a table."""
    if not tables:
        return None
    graph: nx.DiGraph[str] = nx.DiGraph()
    uses = {_TABLE + t.name: t for t in tables}
    for node, use in uses.items():
        graph.add_node(node)
        for writer in use.writers:
            graph.add_edge(_TASK + writer, node)
        for reader in use.readers:
            if not graph.has_edge(node, _TASK + reader):
                graph.add_edge(node, _TASK + reader)
    _break_cycles(graph)
    order = {n: i for i, n in enumerate(graph.nodes)}
    columns = [sorted(g, key=order.__getitem__) for g in nx.topological_generations(graph)]

    def look(node: str) -> Look:
        if node in uses:
            use = uses[node]
            return Look(
                short(use.name), f"{use.name} (table)", "table", TABLE, "#" + use.anchor, "table"
            )
        task = node.removeprefix(_TASK)
        state = states.get(task, UNTRACKED)
        title = titles.get(task, "")
        shown = f"{task}: {title} ({state})" if title else f"{task} ({state})"
        return Look(short(task), shown, state, style(state), f"#task-{task}")

    return place(
        graph, ordered_columns(graph, columns), look, label="Lineage", marker="mk-lineage-arrow"
    )


def _break_cycles(graph: nx.DiGraph[str]) -> None:
    """A task that reads a table it (or a later task) writes makes a loop: drop the reads that
    close loops, so the writes decide where each table stands."""
    while True:
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            return
        read = next(((a, b) for a, b, *_ in cycle if a.startswith(_TABLE)), cycle[0][:2])
        graph.remove_edge(read[0], read[1])
