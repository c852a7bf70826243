"""The pieces of the builder on their own: layout, escaping, the offline check, collecting."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

from missionkit.graph.dag import TaskGraph
from missionkit.site.collect import _run
from missionkit.site.dag import GAP_X, NODE_WIDTH, PAD, layout
from missionkit.site.offline import external_resources, html_resources
from missionkit.site.palette import CRITICAL, PALETTE
from missionkit.site.render import environment, markdown_text
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission

DIAMOND = """---
title: Diamond
owner: dana-lee
success_criteria: [Shaped]
tasks:
  - {id: a, title: A, agent: shell, with: {command: "true"}}
  - {id: b, title: B, agent: shell, with: {command: "true"}, depends_on: [a]}
  - {id: c, title: C, owner: alex-kim, depends_on: [a, other/x]}
  - {id: d, title: D, agent: shell, with: {command: "true"}, depends_on: [b, c]}
  - {id: a-very-long-task-identifier-indeed, title: Long, owner: alex-kim}
---
"""


OTHER = """---
title: Other
owner: dana-lee
success_criteria: [Exists]
tasks: [{id: x, title: X, owner: dana-lee}]
---
"""


def _mission(tmp_path: Path) -> Mission:
    (tmp_path / "diamond.md").write_text(DIAMOND, encoding="utf-8")
    (tmp_path / "other.md").write_text(OTHER, encoding="utf-8")
    return next(m for m in load_missions([tmp_path]) if m.id == "diamond")


def test_layout_puts_each_wave_in_a_column_after_external_prerequisites(tmp_path: Path) -> None:
    graph = TaskGraph.of(_mission(tmp_path))
    states = {"a": "done", "b": "done", "c": "ready", "d": "blocked"}
    dag = layout(graph, states, {"a": "A"}, ["c", "d"])
    column = {n.id: (n.x - PAD) // (NODE_WIDTH + GAP_X) for n in dag.nodes}
    assert column == {
        "other/x": 0,
        "a": 1,
        "a-very-long-task-identifier-indeed": 1,
        "b": 2,
        "c": 2,
        "d": 3,
    }
    assert graph.waves() == [["a", "a-very-long-task-identifier-indeed"], ["b", "c"], ["d"]]
    by_id = {n.id: n for n in dag.nodes}
    assert by_id["other/x"].external and by_id["other/x"].style == PALETTE["external"]
    assert by_id["c"].style == PALETTE["ready"] and by_id["c"].critical
    assert by_id["a-very-long-task-identifier-indeed"].style == PALETTE["untracked"]
    assert by_id["a-very-long-task-identifier-indeed"].label == "a-very-long-task-iden…"
    assert by_id["a"].title == "a: A (done)"
    assert [(e.source, e.target) for e in dag.edges if e.critical] == [("c", "d")]
    assert all(e.colour == CRITICAL for e in dag.edges if e.critical)
    assert dag.width == PAD * 2 + 4 * NODE_WIDTH + 3 * GAP_X
    for edge in dag.edges:  # from the right side of the source to the left side of the target
        assert edge.x1 == by_id[edge.source].x + NODE_WIDTH and edge.x2 == by_id[edge.target].x


def test_markdown_text_is_shown_as_written() -> None:
    assert markdown_text("a *b* | <c> & `d` [e](f) _g_ #1\nnext") == (
        r"a \*b\* \| &lt;c&gt; &amp; \`d\` \[e\](f) \_g\_ \#1 next"
    )


def test_offline_check_finds_scripts_styles_fonts_and_images(tmp_path: Path) -> None:
    page = """<html><head>
<link rel="stylesheet" href="https://cdn.example.org/x.css">
<link rel="preconnect" href="https://fonts.gstatic.com">
<link rel="canonical" href="https://example.org/page/">
<script src="//unpkg.com/mermaid.js"></script>
<style>@font-face { src: url("https://fonts.example/f.woff2") }</style>
</head><body><img src='http://img.example/i.png' srcset="a.png 1x, https://img.example/b.png 2x">
<a href="https://github.com/acme/data/issues/1">#1</a><script src="assets/local.js"></script>
</body></html>"""
    assert html_resources(page) == [
        "https://cdn.example.org/x.css",
        "https://fonts.gstatic.com",
        "//unpkg.com/mermaid.js",
        "http://img.example/i.png",
        "https://img.example/b.png",
        "https://fonts.example/f.woff2",
    ]
    (tmp_path / "p.html").write_text(page)
    (tmp_path / "s.css").write_text("@import 'https://x.example/y.css';")
    (tmp_path / "copied.html").write_text(page)
    found = external_resources(tmp_path, skip={"copied.html"})
    assert [str(f) for f in found if f.file == "s.css"] == ["s.css: loads https://x.example/y.css"]
    assert {f.file for f in found} == {"p.html", "s.css"}


def test_runs_publish_listed_artifacts_only_from_the_workspace(tmp_path: Path) -> None:
    run = tmp_path / "runs" / "m" / "t" / "20260101T000000-1"
    run.mkdir(parents=True)
    (run / "report.md").write_text("# report")
    (run / "output.log").write_text("log")
    (run / "scratch.bin").write_text("not listed")
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "mapping.yaml").write_text("a: b")
    secret = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    secret.write_text("outside the workspace")
    artifacts = ["output.log", str(tmp_path / "targets" / "mapping.yaml"), str(secret), "gone.txt"]
    (run / "result.json").write_text(json.dumps({"verdict": "done", "artifacts": artifacts}))
    record = _run("t", run, tmp_path)
    assert record.verdict == "done"
    assert record.files == ("report.md", "result.json", "output.log")
    assert record.outside == ((tmp_path / "targets" / "mapping.yaml", "targets/mapping.yaml"),)
    (run / "result.json").write_text("{not json")
    broken = _run("t", run, tmp_path)
    assert broken.verdict is None and broken.files == ("report.md", "result.json")


def test_diagram_is_well_formed_svg_with_escaped_text(tmp_path: Path) -> None:
    graph = TaskGraph.of(_mission(tmp_path))
    dag = layout(graph, {"a": "done"}, {"a": 'A <script>&"'}, ["b", "d"])
    page = SimpleNamespace(title="T <b>&")
    svg = environment().get_template("dag.svg.j2").render(dag=dag, page=page)
    root = ElementTree.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("aria-label") == "Task graph of T <b>&"
    titles = [t.text for t in root.iter(f"{ns}title")]
    assert 'a: A <script>&" (done)' in titles
    assert "<script>" not in svg and "\n\n" not in svg  # no blank line ends the HTML block
    rects = {g.get("data-task"): g.find(f".//{ns}rect") for g in root.iter(f"{ns}g")}
    assert rects["a"] is not None and rects["a"].get("fill") == PALETTE["done"].fill
    paths = {(p.get("data-source"), p.get("data-target")): p.get("d") or "" for p in root.iter()}
    assert " L" not in paths[("a", "b")]  # to the next column: one curve
    lane = paths[("other/x", "c")]  # skips the first wave: along the gap between two rows
    assert lane == "M192,38 C208,38 208,70 224,70 L464,70 C480,70 480,102 496,102"
    assert not any(n.y <= 70 <= n.y + n.height for n in dag.nodes)
