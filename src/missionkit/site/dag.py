"""Lay a mission's task graph (or its lineage) out for an SVG drawing: columns are the
topological waves.

Nodes sit in rows that line up across columns, so the gaps between rows are free lanes: an
edge to the next column is one curve, and a longer edge runs along the lane nearest to its
ends, never through a node.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx

from missionkit.graph.dag import TaskGraph
from missionkit.site.palette import CRITICAL, EDGE, EXTERNAL, StateStyle, style
from missionkit.tracking.status import UNTRACKED

NODE_WIDTH = 176
NODE_HEIGHT = 44
GAP_X = 64
GAP_Y = 20
PAD = 16
LABEL_CHARS = 22


@dataclass(frozen=True)
class Look:
    """What a node shows: its label, tooltip, second line, colours and link."""

    label: str
    title: str
    state: str  # the second line, and the node's CSS class
    style: StateStyle
    href: str | None  # none: not a link (another mission's task)
    kind: str = "task"  # task or table: the data attribute that names the node


@dataclass(frozen=True)
class Node:
    """A task (or another mission's task it depends on, or a table) placed on the drawing."""

    id: str
    label: str
    title: str
    state: str
    style: StateStyle
    x: int
    y: int
    critical: bool
    external: bool
    href: str | None = None
    kind: str = "task"

    @property
    def width(self) -> int:
        return NODE_WIDTH

    @property
    def height(self) -> int:
        return NODE_HEIGHT


@dataclass(frozen=True)
class Edge:
    """A dependency: from the right side of ``source`` to the left side of ``target``."""

    source: str
    target: str
    x1: int
    y1: int
    x2: int
    y2: int
    critical: bool
    lane: int | None = None  # y of the gap between rows that a longer edge follows

    @property
    def colour(self) -> str:
        return CRITICAL if self.critical else EDGE

    @property
    def middle(self) -> int:
        return (self.x1 + self.x2) // 2

    @property
    def enter(self) -> int:
        """Where the edge reaches its lane: halfway into the gap after the source."""
        return self.x1 + GAP_X // 2

    @property
    def leave(self) -> int:
        """Where the edge leaves its lane: halfway into the gap before the target."""
        return self.x2 - GAP_X // 2


@dataclass(frozen=True)
class Dag:
    """Everything the SVG template needs: the canvas size, the nodes and the edges."""

    width: int
    height: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    columns: int
    edge: str = EDGE
    critical: str = CRITICAL
    label: str = "Task graph"  # what the drawing is, for screen readers
    marker: str = "mk-arrow"  # the id of its arrow heads, one per drawing on a page


def short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _columns(graph: TaskGraph) -> list[list[str]]:
    """External prerequisites first, then the waves, each ordered to follow its parents."""
    external = [n for n, data in graph.graph.nodes(data=True) if data.get("external")]
    return ordered_columns(graph.graph, ([sorted(external)] if external else []) + graph.waves())


def ordered_columns(graph: nx.DiGraph[str], columns: list[list[str]]) -> list[list[str]]:
    """Each column ordered so that nodes sit beside their parents."""
    row: dict[str, float] = {}
    ordered: list[list[str]] = []
    for column in columns:
        rank = {node: _mean_row(graph, node, row) for node in column}
        placed = sorted(column, key=rank.__getitem__)  # stable: ties keep the mission's order
        row.update({node: float(i) for i, node in enumerate(placed)})
        ordered.append(placed)
    return ordered


def _mean_row(graph: nx.DiGraph[str], node: str, row: Mapping[str, float]) -> float:
    """The mean row of a node's placed parents (so children sit beside their parents)."""
    parents = [row[p] for p in graph.predecessors(node) if p in row]
    return sum(parents) / len(parents) if parents else float("inf")


def layout(
    graph: TaskGraph,
    states: Mapping[str, str],
    titles: Mapping[str, str],
    critical_path: Sequence[str],
) -> Dag:
    """Place every node of ``graph``; the edges along ``critical_path`` are marked."""

    def look(node_id: str) -> Look:
        external = bool(graph.graph.nodes[node_id].get("external"))
        state = EXTERNAL if external else states.get(node_id, UNTRACKED)
        title = titles.get(node_id, "")
        shown = f"{node_id}: {title} ({state})" if title else f"{node_id} ({state})"
        href = None if external else f"#task-{node_id}"
        return Look(short(node_id), shown, state, style(state), href)

    return place(graph.graph, _columns(graph), look, critical_path)


def place(
    graph: nx.DiGraph[str],
    columns: list[list[str]],
    look: Callable[[str], Look],
    critical_path: Sequence[str] = (),
    *,
    label: str = "Task graph",
    marker: str = "mk-arrow",
) -> Dag:
    """Place ``columns`` (every node of ``graph``, left to right) and draw its edges."""
    tallest = max((len(c) for c in columns), default=0)
    height = PAD * 2 + max(tallest * (NODE_HEIGHT + GAP_Y) - GAP_Y, 0)
    width = PAD * 2 + max(len(columns) * NODE_WIDTH + (len(columns) - 1) * GAP_X, 0)
    on_path = set(critical_path)
    critical_edges = set(pairwise(critical_path))
    nodes: dict[str, Node] = {}
    for c, column in enumerate(columns):
        for r, node_id in enumerate(column):
            seen = look(node_id)
            nodes[node_id] = Node(
                id=node_id,
                label=seen.label,
                title=seen.title,
                state=seen.state,
                style=seen.style,
                x=PAD + c * (NODE_WIDTH + GAP_X),
                y=PAD + r * (NODE_HEIGHT + GAP_Y),
                critical=node_id in on_path,
                external=seen.href is None,
                href=seen.href,
                kind=seen.kind,
            )
    edges = [
        _edge(nodes[src], nodes[dst], (src, dst) in critical_edges, tallest)
        for src, dst in graph.edges
    ]
    edges.sort(key=lambda e: e.critical)  # critical edges drawn last, on top
    return Dag(
        width, height, tuple(nodes.values()), tuple(edges), len(columns), label=label, marker=marker
    )


def _edge(source: Node, target: Node, critical: bool, rows: int) -> Edge:
    y1, y2 = source.y + NODE_HEIGHT // 2, target.y + NODE_HEIGHT // 2
    lane = None
    if target.x - source.x > NODE_WIDTH + GAP_X:  # skips a column: follow a lane
        pitch = NODE_HEIGHT + GAP_Y
        gap = min(max(round(((y1 + y2) / 2 - PAD + GAP_Y / 2) / pitch), 0), rows)
        lane = PAD + gap * pitch - GAP_Y // 2
    return Edge(source.id, target.id, source.x + NODE_WIDTH, y1, target.x, y2, critical, lane)
