"""Property-based: ``mission validate`` never fails unexpectedly, whatever the YAML.

Documents are generated from the grammar of mission files (known keys, plausible and
implausible values), then salted with random tags, anchors, aliases, merge keys and
scalars. Every one must give exit 0, or exit 1 with located problems; never exit 3.
The default run is short; ``-m slow`` runs a longer one (``MISSIONKIT_FUZZ_EXAMPLES`` sets its
number of examples).
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missionkit.cli.main import main
from missionkit.spec import yamlsafe

TAGS = [
    "!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!map", "!!seq",
    "!!merge", "!!value", "!!binary", "!!set", "!!omap", "!!pairs", "!", "!local",
    "!!python/object/apply:os.system", "!<tag:yaml.org,2002:str>", "!<tag:example.com,2000:x>",
]  # fmt: skip
SCALARS = [
    "", "<<", "=", "~", "null", "Null", "yes", "No", "on", "true", "FALSE", "0", "-0", "0x1F",
    "0o17", "017", "0b101", "1_000", "190:20:30", "1e3", "-.inf", ".NaN", "1.5", "2026-12-15",
    "2026-02-30", "2026-12-15T09:30:00Z", "2026-12-15 25:00:00", "2001-12-14t21:59:43.10-05:00",
    "30m", "1h30m", "24h", "0s", "soon", "shell", "ingest", "dbt", "quality", "field-mapping",
    "a", "b", "t1", "other/a", "a/b/c", "dana-lee", "sam-okafor", "x@example.org", "SLACK_URL",
    "https://hooks.slack.com/x", "select 1", "true && exit 1", "data/*.csv", "ünïcødé", "😀",
    "9" * 30, "-" * 3, "...", "#", "a: b", "[x", "{y", "'", '"', "@", "`", "|", ">",
]  # fmt: skip
MISSION_KEYS = [
    "title", "owner", "stakeholders", "status", "due", "labels", "warehouse", "scope",
    "success_criteria", "approvers", "escalation", "tasks", "todos",
]  # fmt: skip
TASK_KEYS = [
    "id", "title", "agent", "owner", "depends_on", "with", "acceptance", "checks", "timeout",
    "retries", "description",
]  # fmt: skip
OTHER_KEYS = [
    "to", "after", "slack_webhook_env", "email", "sql", "command", "file", "files", "schema",
    "env", "source", "target", "mapping", "<<", "=", "~", "1", "true", "2026-12-15", "agnet",
]  # fmt: skip


PLAIN_TAGS = ["!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!"]
VALUES = {
    "tasks": "tasks", "todos": "tasks", "checks": "checks", "escalation": "escalation",
    "with": "with", "stakeholders": "list", "success_criteria": "list", "labels": "list",
    "approvers": "list", "depends_on": "refs", "acceptance": "list", "to": "list",
    "email": "list", "files": "list", "env": "with",
}  # fmt: skip
FIELDS = {
    "mission": MISSION_KEYS,
    "tasks": TASK_KEYS,
    "checks": ["sql", "command", "file"],
    "escalation": ["to", "after", "slack_webhook_env", "email"],
    "with": ["command", "env", "files", "schema", "source", "target", "mapping", "format"],
}


@dataclass
class Node:
    kind: str  # scalar, alias, map, seq
    value: Any = None
    tag: str | None = None
    anchor: bool = False
    flow: bool = True
    style: str = "plain"  # plain, single, double
    items: list[Any] = field(default_factory=list)


NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
PRINTABLE = st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"])
ANY_CHARACTER = st.characters(codec="utf-8", exclude_categories=["Cs"])


@st.composite
def scalars(draw: st.DrawFn, choices: list[str] | None = None) -> Node:
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return Node("alias", draw(st.integers(0, 20)))
    if choices is not None and roll > 4:
        text = draw(st.sampled_from(choices))
    elif roll > 8:
        text = draw(st.sampled_from(SCALARS))
    else:
        chars = ANY_CHARACTER if roll == 1 else PRINTABLE
        text = draw(st.text(chars, max_size=10))
    plain_ok = text in SCALARS or (choices is not None and text in choices)
    style = draw(st.sampled_from(["plain", "plain", "single", "double"])) if plain_ok else "double"
    return decorate(draw, Node("scalar", text, style=style), PLAIN_TAGS)


def decorate(draw: st.DrawFn, node: Node, likely: list[str]) -> Node:
    """Maybe a tag (mostly one that fits) and an anchor on ``node``."""
    roll = draw(st.integers(0, 39))
    if roll < 2:
        node.tag = draw(st.sampled_from(likely))
    elif roll == 3:
        node.tag = draw(st.sampled_from(TAGS))
    node.anchor = draw(st.integers(0, 7)) == 0
    return node


@st.composite
def nodes(draw: st.DrawFn, shape: str = "any", depth: int = 0) -> Node:
    """A value shaped as a mission field expects (``shape``), or now and then anything."""
    if depth > 5 or (shape == "any" and draw(st.integers(0, 2)) == 0):
        return draw(scalars())
    if shape != "any" and draw(st.integers(0, 9)) == 0:
        shape = "any"  # the wrong kind of value where a field expects another
    if shape == "any":
        shape = draw(st.sampled_from(["list", "map", "refs"]))
    flow = draw(st.booleans())
    if shape in ("list", "refs", "tasks", "checks"):
        item_shape = {"list": "any", "refs": "ref", "tasks": "tasks", "checks": "checks"}[shape]
        size = draw(st.integers(0, 3))
        items = [
            draw(scalars(["a", "b", "t1", "c", "other/a", "a/b/c"]))
            if item_shape == "ref"
            else draw(nodes(item_shape, depth + 1))
            if item_shape != "any"
            else draw(nodes("any", depth + 1))
            for _ in range(size)
        ]
        node = Node("seq", items=items, flow=flow and shape != "tasks")
        return decorate(draw, node, ["!!seq"])
    keys = FIELDS.get(shape, OTHER_KEYS + TASK_KEYS)
    chosen = draw(st.lists(st.sampled_from([*keys, *OTHER_KEYS[-8:]]), max_size=6, unique=True))
    if shape == "tasks" and "id" not in chosen and draw(st.integers(0, 4)):
        chosen.insert(0, "id")
    pairs = []
    for key in chosen:
        value_shape = VALUES.get(key, "any")
        if key == "id":
            value = draw(scalars(["a", "b", "c", "t1", "Bad_Id", "a" * 41]))
        elif key == "agent":
            value = draw(scalars(["shell", "ingest", "dbt", "quality", "field-mapping", "x"]))
        elif value_shape == "any":
            value = draw(scalars()) if draw(st.integers(0, 3)) else draw(nodes("any", depth + 1))
        else:
            value = draw(nodes(value_shape, depth + 1))
        pairs.append((draw(scalars([key])), value))
    node = Node("map", items=pairs, flow=flow and shape not in ("mission", "tasks"))
    return decorate(draw, node, ["!!map"])


@st.composite
def missions(draw: st.DrawFn) -> Node:
    node = draw(nodes("mission"))
    node.flow, node.tag, node.anchor = False, None, False
    return node


@st.composite
def folder_missions(draw: st.DrawFn) -> tuple[Node, list[Node]]:
    """A folder mission: ``mission.md`` and up to two task files."""
    tasks = draw(st.lists(nodes("tasks"), min_size=1, max_size=2))
    for task in tasks:
        task.flow, task.tag, task.anchor = False, None, False
    return draw(missions()), tasks


class Renderer:
    """YAML text for a node tree; aliases refer to the anchors defined before them."""

    def __init__(self) -> None:
        self.anchors: list[str] = []

    def props(self, node: Node) -> str:
        parts = []
        if node.anchor:
            name = f"a{len(self.anchors)}"
            self.anchors.append(name)
            parts.append("&" + name)
        if node.tag:
            parts.append(node.tag)
        return " ".join(parts)

    def inline(self, node: Node) -> str:
        if node.kind == "alias":
            if not self.anchors and node.value % 4:
                return "~"
            names = self.anchors or ["missing"]
            return "*" + names[node.value % len(names)]
        props = self.props(node)
        if node.kind == "scalar":
            text = node.value
            if node.style == "single":
                text = "'" + text.replace("'", "''") + "'"
            elif node.style == "double":
                text = NON_PRINTABLE.sub(
                    lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(text, ensure_ascii=False)
                )
            elif not text and not props:
                text = "''"
            body = text
        elif node.kind == "seq":
            body = "[" + ", ".join(self.inline(i) for i in node.items) + "]"
        else:
            body = "{" + ", ".join(f"{self.inline(k)}: {self.inline(v)}" for k, v in node.items)
            body += "}"
        return f"{props} {body}" if props else body

    def block(self, node: Node, indent: int) -> str:
        pad = " " * indent
        if node.kind == "map":
            out = []
            for key, value in node.items:
                out.append(f"{pad}{self.inline(key)}:{self.after(value, indent)}")
            return "".join(out) or f"{pad}{{}}\n"
        out = []
        for item in node.items:
            out.append(f"{pad}-{self.after(item, indent)}")
        return "".join(out) or f"{pad}[]\n"

    def after(self, value: Node, indent: int) -> str:
        """What follows ``key:`` or ``-``: an inline value, or a nested block."""
        if value.kind in ("map", "seq") and not value.flow and value.items:
            props = self.props(value)
            return (f" {props}" if props else "") + "\n" + self.block(value, indent + 2)
        return " " + self.inline(value) + "\n"


def render(node: Node) -> str:
    return Renderer().block(node, 0)


LOCATED = re.compile(r"^m(/mission|/tasks/t\d+)?\.md(:\d+:\d+)?: ")


def check_validate(text: str, task_files: tuple[str, ...] = ()) -> None:
    """Validate ``text`` as ``m.md``, or with ``task_files`` as the folder mission ``m/``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.md"
        if task_files:
            (Path(tmp) / "m" / "tasks").mkdir(parents=True)
            path = Path(tmp) / "m" / "mission.md"
            for n, task_text in enumerate(task_files):
                task_path = path.parent / "tasks" / f"t{n}.md"
                task_path.write_text("---\n" + task_text + "---\nNotes\n", encoding="utf-8")
        path.write_text("---\n" + text + "---\nBody\n", encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["validate", str(path)])
    lines = err.getvalue().replace(tmp + "/", "").split("\n")[:-1]
    assert code in (0, 1), f"exit {code} on:\n{text}\n{task_files}\n{err.getvalue()}"
    if code == 1:
        assert lines and re.fullmatch(r"\d+ problems? found", lines[-1]), lines
        assert all(LOCATED.match(line) for line in lines[:-1]), lines


def check_matches_pyyaml(text: str) -> None:
    """Whatever both readers accept, they read alike, key order included."""
    try:
        ours = yamlsafe.load(text).data
    except yamlsafe.YamlProblem:
        return
    if re.search(r"<<:\s*\[", text):
        return  # PyYAML 6.0.4 lets a later source of a merge list win for some keys
    if re.search(r"(^|[\s\[{,])!($|[\s\]},])", text):
        return  # PyYAML reads '! 1' as 1; YAML (and this reader) as the string '1'
    try:
        theirs = yaml.load(text, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return
    assert _ordered(ours) == _ordered(theirs), text


def _ordered(data: Any) -> Any:
    if isinstance(data, dict):
        return [(k, _ordered(v)) for k, v in data.items()]
    if isinstance(data, list):
        return [_ordered(v) for v in data]
    if isinstance(data, float) and data != data:
        return "nan"
    return data


QUICK = settings(
    max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
# The slow run is part of ``make test``; MISSIONKIT_FUZZ_EXAMPLES=20000 makes it a long one.
LONG_EXAMPLES = int(os.environ.get("MISSIONKIT_FUZZ_EXAMPLES", "2000"))
LONG = settings(max_examples=LONG_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


@QUICK
@given(missions())
def test_validate_never_fails_unexpectedly(mission: Node) -> None:
    check_validate(render(mission))


@QUICK
@given(missions())
def test_the_reader_reads_as_pyyaml_does(mission: Node) -> None:
    check_matches_pyyaml(render(mission))


@settings(QUICK, max_examples=25)
@given(folder_missions())
def test_validate_never_fails_unexpectedly_on_folder_missions(
    folder: tuple[Node, list[Node]],
) -> None:
    mission, tasks = folder
    check_validate(render(mission), tuple(render(t) for t in tasks))


@pytest.mark.slow
@LONG
@given(missions())
def test_validate_never_fails_unexpectedly_long_run(mission: Node) -> None:
    text = render(mission)
    check_validate(text)
    check_matches_pyyaml(text)


@pytest.mark.slow
@settings(LONG, max_examples=max(1, LONG_EXAMPLES // 4))
@given(folder_missions())
def test_validate_never_fails_unexpectedly_on_folder_missions_long_run(
    folder: tuple[Node, list[Node]],
) -> None:
    mission, tasks = folder
    check_validate(render(mission), tuple(render(t) for t in tasks))
