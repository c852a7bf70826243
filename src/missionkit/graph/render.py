"""Render a task graph as Mermaid, Graphviz dot or JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from missionkit.graph.dag import TaskGraph
from missionkit.lifecycle import TaskState
from missionkit.templating import render_template

FORMATS = ("mermaid", "dot", "json")


def _node_id(task_id: str) -> str:
    return "t_" + re.sub(r"[^A-Za-z0-9_]", "_", task_id)


def _label(text: str) -> str:
    return text.replace('"', "'").replace("<", "‹").replace(">", "›")


def graph_context(
    graph: TaskGraph, states: Mapping[str, TaskState | str] | None = None
) -> dict[str, object]:
    states = states or {}
    critical = set(graph.critical_path(states))
    nodes = []
    for node, data in graph.graph.nodes(data=True):
        task = None if data.get("external") else graph.mission.task(node)
        state = str(states.get(node, TaskState.BLOCKED)) if task else "external"
        nodes.append(
            {
                "id": node,
                "node_id": _node_id(node),
                "title": _label(task.title if task else node),
                "agent": task.agent if task else None,
                "owner": (graph.mission.owner_of(task) if task else None),
                "state": state,
                "css": state.replace("-", "_"),
                "critical": node in critical,
                "external": task is None,
            }
        )
    edges = [
        {
            "src": _node_id(a),
            "dst": _node_id(b),
            "from": a,
            "to": b,
            "critical": a in critical and b in critical,
        }
        for a, b in graph.graph.edges()
    ]
    return {"mission": graph.mission, "nodes": nodes, "edges": edges}


def render_graph(
    graph: TaskGraph, fmt: str, states: Mapping[str, TaskState | str] | None = None
) -> str:
    if fmt == "json":
        ctx = graph_context(graph, states)
        nodes: list[dict[str, object]] = ctx["nodes"]  # type: ignore[assignment]
        edges: list[dict[str, object]] = ctx["edges"]  # type: ignore[assignment]
        keys = ("id", "title", "agent", "owner", "state", "external")
        data = {
            "mission": graph.mission.id,
            "nodes": [{k: n[k] for k in keys} for n in nodes],
            "edges": [{"from": e["from"], "to": e["to"]} for e in edges],
            "waves": graph.waves(),
            "critical_path": graph.critical_path(states),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return render_template(f"graph/{fmt}.j2", graph_context(graph, states))
