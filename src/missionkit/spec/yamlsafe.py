"""A safe YAML reader that remembers where every value came from.

PyYAML's loaders accept duplicate keys, build Python objects from tags and
expand aliases without limit. This reader walks libyaml's event stream with an
explicit stack (so deep nesting cannot exhaust the interpreter's stack), keeps
``line, column`` for every key and value, and refuses:

* duplicate keys (a second merge key ``<<`` included),
* tags other than YAML's own scalar and collection tags, and those tags on a
  value they do not fit (nothing is ever constructed from a tag, so
  ``!!python/object`` cannot run code),
* documents of more than a fixed number of values, aliases expanded
  ("billion laughs"),
* nesting deeper than a fixed limit, aliases followed.

Merge keys follow PyYAML: ``<<: [*a, *b]`` gives the keys of ``a``, then the new
keys of ``b``, then the mapping's own new keys; an earlier source wins over a later
one and the mapping's own keys win over all (keeping the merged key's place).
A bare ``<<`` anywhere but a key is the string ``"<<"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev

from missionkit.spec.yamltags import (
    MERGE_KEY,
    Position,
    TagProblem,
    check_collection_tag,
    pos_of,
    scalar,
)

try:  # libyaml when available, else the pure-Python parser.
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover - depends on the platform's wheel
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

Path = tuple[str | int, ...]

MAX_DEPTH = 64
MAX_NODES = 1_000_000

# Characters YAML forbids anywhere in a document (PyYAML's reader refuses them).
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class YamlProblem(Exception):
    """A problem at a 1-based position of the YAML text."""

    def __init__(self, line: int, column: int, message: str, path: Path = ()) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message
        self.path = path


@dataclass
class Document:
    """A parsed YAML document and the position of every value and key in it."""

    data: Any
    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)


@dataclass
class _Frame:
    container: dict[Any, Any] | list[Any]
    path: Path
    anchor: str | None
    size: int = 1  # values in this collection, itself included, aliases expanded
    height: int = 1  # levels of collections, itself included
    key: Any = None
    key_pos: Position | None = None
    has_key: bool = False
    merge: tuple[Any, Position] | None = None
    merge_key_pos: Position | None = None


def load(text: str) -> Document:
    """Parse one YAML document; raise :class:`YamlProblem` on the first problem."""
    parser = _Parser(text)
    try:
        return _build(parser)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = pos_of(mark) if mark is not None else (1, 1)
        message = " ".join(p for p in (exc.context, exc.problem) if p)
        raise YamlProblem(line, column, f"invalid YAML: {message}") from None
    except yaml.reader.ReaderError as exc:
        line, column = _bad_character(text)
        raise YamlProblem(
            line, column, f"invalid YAML: character #x{exc.character:04x}: {exc.reason}"
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, 1, f"invalid YAML: {exc}") from None
    finally:
        parser.dispose()


def _bad_character(text: str) -> Position:
    """Where the first character YAML forbids is (libyaml reports a byte offset)."""
    found = _NON_PRINTABLE.search(text)
    if found is None:
        return (1, 1)
    start = found.start()
    breaks = list(_LINE_BREAK.finditer(text, 0, start))
    line_start = breaks[-1].end() if breaks else 0
    return (len(breaks) + 1, start - line_start + 1)


def _build(parser: Any) -> Document:
    doc = Document(None)
    values = doc.values
    keys = doc.keys
    anchors: dict[str, tuple[Any, int, int]] = {}  # value, size, height
    stack: list[_Frame] = []
    total = 0
    documents = 0
    get_event = parser.get_event

    while True:
        event = get_event()
        kind = type(event)
        if kind is ev.StreamEndEvent:
            break
        if kind is ev.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlProblem(
                    *pos_of(event.start_mark), "expected one YAML document, found more"
                )
            continue
        if kind is ev.StreamStartEvent or kind is ev.DocumentEndEvent:
            continue

        pos = pos_of(event.start_mark)
        in_key = bool(stack) and _expects_key(stack)
        if kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
            frame = stack.pop()
            value: Any = frame.container
            if frame.merge is not None:
                assert isinstance(value, dict)
                value = _merged(value, frame, values, keys)
            size, height, anchor, path = frame.size, frame.height, frame.anchor, frame.path
            in_key = bool(stack) and _expects_key(stack)
        elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
            is_map = kind is ev.MappingStartEvent
            parent_path = _child_path(stack, pos) if stack else ()
            try:
                check_collection_tag(event, "map" if is_map else "seq")
            except TagProblem as exc:
                raise YamlProblem(*exc.position, exc.message, parent_path) from None
            if len(stack) >= MAX_DEPTH:
                raise YamlProblem(*pos, f"YAML nested deeper than {MAX_DEPTH} levels")
            total += 1
            stack.append(_Frame({} if is_map else [], parent_path, event.anchor))
            values[parent_path] = pos
            continue
        elif kind is ev.ScalarEvent:
            path = _child_path(stack, pos) if stack and not in_key else ()
            try:
                value = scalar(event, in_key)
            except TagProblem as exc:
                where = path or (stack[-1].path if stack else ())
                raise YamlProblem(*exc.position, exc.message, where) from None
            size, height, anchor = 1, 0, event.anchor
            total += 1
        elif kind is ev.AliasEvent:
            path = _child_path(stack, pos) if stack and not in_key else ()
            if event.anchor not in anchors:
                raise YamlProblem(*pos, f"unknown alias '*{event.anchor}'", path)
            value, size, height = anchors[event.anchor]
            if value is MERGE_KEY and not in_key:
                value = "<<"
            if len(stack) + height > MAX_DEPTH:
                raise YamlProblem(
                    *pos, f"YAML nested deeper than {MAX_DEPTH} levels (aliases followed)"
                )
            anchor = None
            total += size
        else:  # pragma: no cover - libyaml emits no other events
            continue

        if total > MAX_NODES:
            raise YamlProblem(
                *pos, f"YAML holds more than {MAX_NODES:,} values, aliases expanded (alias bomb?)"
            )
        if anchor is not None:
            anchors[anchor] = (value, size, height)
        if not stack:
            doc.data = value
            values[()] = values.get((), pos)
            continue
        top = stack[-1]
        top.size += size
        if height >= top.height:
            top.height = height + 1
        container = top.container
        if isinstance(container, list):
            container.append(value)
            values[path] = values.get(path, pos)
        elif not top.has_key:
            if isinstance(value, dict | list):
                raise YamlProblem(*pos, "a mapping key must be a plain value", top.path)
            top.key, top.key_pos, top.has_key = value, pos, True
        else:
            _place(top, value, pos, path, keys, values)
    if documents == 0:
        doc.data = None
    return doc


def _place(
    top: _Frame,
    value: Any,
    pos: Position,
    path: Path,
    keys: dict[Path, Position],
    values: dict[Path, Position],
) -> None:
    """Put ``value`` under the key just read; refuse a key given twice."""
    container = top.container
    assert isinstance(container, dict)
    key = top.key
    top.has_key = False
    key_pos = top.key_pos or pos
    if key is MERGE_KEY:
        if top.merge_key_pos is not None:
            raise YamlProblem(
                *key_pos,
                f"duplicate key '<<' (first defined at line {top.merge_key_pos[0]}); "
                "merge several mappings with '<<: [*a, *b]'",
                top.path,
            )
        top.merge, top.merge_key_pos = (value, pos), key_pos
        return
    if key in container:
        first = keys[(*top.path, key)]
        raise YamlProblem(
            *key_pos,
            f"duplicate key '{key}' (first defined at line {first[0]})",
            (*top.path, key),
        )
    container[key] = value
    keys[(*top.path, key)] = key_pos
    values[path] = values.get(path, pos)


def _expects_key(stack: list[_Frame]) -> bool:
    top = stack[-1]
    return isinstance(top.container, dict) and not top.has_key


def _child_path(stack: list[_Frame], pos: Position) -> Path:
    top = stack[-1]
    container = top.container
    if isinstance(container, list):
        return (*top.path, len(container))
    if not top.has_key:
        raise YamlProblem(*pos, "a mapping key must be a plain value", top.path)
    key = top.key
    if isinstance(key, str | int):
        return (*top.path, key)
    return (*top.path, str(key))


def _merged(
    own: dict[Any, Any],
    frame: _Frame,
    values: dict[Path, Position],
    keys: dict[Path, Position],
) -> dict[Any, Any]:
    """The mapping with its merge key applied, in PyYAML's order (see the module's doc)."""
    assert frame.merge is not None
    value, pos = frame.merge
    sources = value if isinstance(value, list) else [value]
    merged: dict[Any, Any] = {}
    for source in sources:
        if not isinstance(source, dict):
            raise YamlProblem(
                *pos, "a merge key '<<' needs a mapping or a list of mappings", frame.path
            )
        for key, item in source.items():
            if key not in merged:
                merged[key] = item
                if key not in own:
                    keys[(*frame.path, key)] = pos
                    values[(*frame.path, key)] = pos
    merged.update(own)
    return merged
