"""The task graph: dependency errors, cycles, waves, the ready set and the critical path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from missionkit.cli.main import main
from missionkit.graph.dag import TaskGraph
from missionkit.lifecycle import TaskState
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission

from support import HEAD

Validate = Callable[..., tuple[int, list[str]]]


def tasks(spec: str) -> str:
    """``"a; b<a; c<a,b"`` → a tasks: block."""
    out = "tasks:\n"
    for item in spec.split(";"):
        name, _, deps = item.strip().partition("<")
        out += f"  - id: {name}\n    title: Task {name}\n"
        if deps:
            out += f"    depends_on: [{deps}]\n"
    return out


def load(tmp_path: Path, spec: str) -> Mission:
    path = tmp_path / "m.md"
    path.write_text(HEAD + tasks(spec) + "---\n")
    return load_missions([path])[0]


def test_unknown_dependency(validate: Validate) -> None:
    code, lines = validate(HEAD + tasks("a; b<a,zz") + "---\n")
    assert code == 1
    assert lines[0] == "m.md:10:20: tasks[1].depends_on[1]: unknown task 'zz'"


def test_self_dependency(validate: Validate) -> None:
    code, lines = validate(HEAD + tasks("a<a") + "---\n")
    assert code == 1
    assert lines[0] == "m.md:8:18: tasks[0].depends_on[0]: task 'a' depends on itself"


def test_cycle_is_spelled_out(validate: Validate) -> None:
    code, lines = validate(HEAD + tasks("a<c; b<a; c<b; d<a") + "---\n")
    assert code == 1
    assert lines == [
        "m.md:8:18: tasks[0].depends_on[0]: dependency cycle: c → a → b → c",
        "1 problem found",
    ]


def test_two_cycles_are_both_reported(validate: Validate) -> None:
    code, lines = validate(HEAD + tasks("a<b; b<a; c<d; d<c") + "---\n")
    assert code == 1
    assert [line.split(": ", 2)[2] for line in lines[:-1]] == [
        "dependency cycle: b → a → b",
        "dependency cycle: d → c → d",
    ]


def test_waves_group_parallel_tasks(tmp_path: Path) -> None:
    graph = TaskGraph.of(load(tmp_path, "a; b; c<a; d<a,b; e<c,d"))
    assert graph.waves() == [["a", "b"], ["c", "d"], ["e"]]


def test_ready_set_follows_states(tmp_path: Path) -> None:
    graph = TaskGraph.of(load(tmp_path, "a; b; c<a; d<a,b; e<c,d"))
    assert graph.ready({}) == ["a", "b"]
    assert graph.ready({"a": TaskState.DONE}) == ["b", "c"]
    assert graph.ready({"a": "done", "b": "running"}) == ["c"]
    assert graph.ready({"a": "done", "b": "done", "c": "failed"}) == ["d"]
    assert graph.ready({t: "done" for t in "abcd"}) == ["e"]


def test_critical_path_is_the_longest_remaining_chain(tmp_path: Path) -> None:
    graph = TaskGraph.of(load(tmp_path, "a; b; c<a; d<c; e<b"))
    assert graph.critical_path() == ["a", "c", "d"]
    assert graph.critical_path({"a": "done", "c": "done"}) in (["d"], ["b", "e"])
    assert graph.critical_path({"a": "done", "c": "done", "b": "done"}) in (["d"], ["e"])


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "json"])
def test_graph_command_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    (tmp_path / "m.md").write_text(HEAD + tasks("a; b<a") + "---\n")
    code = main(["graph", "m", "--missions", str(tmp_path), "--format", fmt])
    out = capsys.readouterr().out
    assert code == 0
    if fmt == "json":
        data = json.loads(out)
        assert data["edges"] == [{"from": "a", "to": "b"}]
        assert data["waves"] == [["a"], ["b"]]
        assert data["critical_path"] == ["a", "b"]
    elif fmt == "mermaid":
        assert out.startswith("flowchart LR\n")
        assert 't_a["Task a"]:::blocked' in out
        assert "t_a ==> t_b" in out
    else:
        assert '"a" -> "b" [penwidth=2];' in out


def test_graph_of_unknown_mission_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.md").write_text(HEAD + tasks("a") + "---\n")
    code = main(["graph", "zz", "--missions", str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err == f"error: no mission 'zz' in {tmp_path}/; known: m\n"
