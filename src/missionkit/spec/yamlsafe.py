"""A safe YAML reader that remembers where every value came from.

PyYAML's loaders accept duplicate keys, build Python objects from tags and
expand aliases without limit. This reader walks libyaml's event stream with an
explicit stack (so deep nesting cannot exhaust the interpreter's stack), keeps
``line, column`` for every key and value, and refuses:

* duplicate keys,
* tags other than YAML's own scalar and collection tags (nothing is ever
  constructed from a tag, so ``!!python/object`` cannot run code),
* alias expansion past a fixed budget ("billion laughs"),
* nesting deeper than a fixed limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev
from yaml.nodes import ScalarNode

try:  # libyaml when available, else the pure-Python parser.
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover - depends on the platform's wheel
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

Path = tuple[str | int, ...]
Position = tuple[int, int]

MAX_DEPTH = 64
MAX_NODES = 1_000_000

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MERGE = _STD + "merge"
_RESOLVERS: dict[str | None, list[tuple[str, re.Pattern[str]]]] = (
    yaml.resolver.Resolver.yaml_implicit_resolvers
)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONVERT = {
    _STD + "int": _CONSTRUCTOR.construct_yaml_int,
    _STD + "float": _CONSTRUCTOR.construct_yaml_float,
    _STD + "bool": _CONSTRUCTOR.construct_yaml_bool,
    _STD + "null": _CONSTRUCTOR.construct_yaml_null,
    _STD + "timestamp": _CONSTRUCTOR.construct_yaml_timestamp,
}


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
    size: int = 1
    key: Any = None
    key_pos: Position | None = None
    has_key: bool = False
    merges: list[tuple[Any, Position]] = field(default_factory=list)


def _pos(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


def _scalar(event: ev.ScalarEvent) -> Any:
    tag = event.tag
    value: str = event.value
    if tag is None or tag == "!":
        if tag == "!" or not event.implicit[0]:
            return value
        for tag_name, regexp in _RESOLVERS.get(value[:1], []) + _RESOLVERS.get(None, []):
            if regexp.match(value):
                tag = tag_name
                break
        else:
            return value
    if tag == _STD + "str":
        return value
    if tag not in _SCALAR_TAGS and tag != _MERGE:
        raise YamlProblem(
            *_pos(event.start_mark),
            f"YAML tag '{_short_tag(tag)}' is not allowed; tags that build objects are never run",
        )
    if tag == _MERGE:
        return _MERGE_KEY
    try:
        return _CONVERT[tag](ScalarNode(tag, value))
    except (ValueError, yaml.YAMLError) as exc:
        if event.tag is None:  # looked like a date but is none: the model reports it
            return value
        raise YamlProblem(
            *_pos(event.start_mark), f"'{value}' is not a valid {_short_tag(tag)}: {exc}"
        ) from None


class _MergeKey:
    def __repr__(self) -> str:
        return "<<"


_MERGE_KEY = _MergeKey()


def _check_collection_tag(event: ev.CollectionStartEvent, expected: str) -> None:
    tag = event.tag
    if tag is not None and tag != "!" and tag != _STD + expected:
        raise YamlProblem(
            *_pos(event.start_mark),
            f"YAML tag '{_short_tag(tag)}' is not allowed; tags that build objects are never run",
        )


def load(text: str) -> Document:
    """Parse one YAML document; raise :class:`YamlProblem` on the first problem."""
    parser = _Parser(text)
    try:
        return _build(parser)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = _pos(mark) if mark is not None else (1, 1)
        message = " ".join(p for p in (exc.context, exc.problem) if p)
        raise YamlProblem(line, column, f"invalid YAML: {message}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, 1, f"invalid YAML: {exc}") from None
    finally:
        parser.dispose()


def _build(parser: Any) -> Document:
    doc = Document(None)
    values = doc.values
    keys = doc.keys
    anchors: dict[str, tuple[Any, int]] = {}
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
                raise YamlProblem(*_pos(event.start_mark), "expected one YAML document, found more")
            continue
        if kind is ev.StreamStartEvent or kind is ev.DocumentEndEvent:
            continue

        pos = _pos(event.start_mark)
        if kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
            frame = stack.pop()
            value: Any = frame.container
            if frame.merges:
                assert isinstance(value, dict)
                _apply_merges(value, frame, values, keys)
            size = frame.size
            anchor = frame.anchor
            path = frame.path
        elif kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
            is_map = kind is ev.MappingStartEvent
            _check_collection_tag(event, "map" if is_map else "seq")
            if len(stack) >= MAX_DEPTH:
                raise YamlProblem(*pos, f"YAML nested deeper than {MAX_DEPTH} levels")
            parent_path = _child_path(stack, pos) if stack else ()
            stack.append(_Frame({} if is_map else [], parent_path, event.anchor))
            values[parent_path] = pos
            continue
        elif kind is ev.ScalarEvent:
            value = _scalar(event)
            size = 1
            anchor = event.anchor
            path = _child_path(stack, pos) if stack and not _expects_key(stack) else ()
        elif kind is ev.AliasEvent:
            if event.anchor not in anchors:
                raise YamlProblem(*pos, f"unknown alias '*{event.anchor}'")
            value, size = anchors[event.anchor]
            anchor = None
            path = _child_path(stack, pos) if stack and not _expects_key(stack) else ()
        else:  # pragma: no cover - libyaml emits no other events
            continue

        total += size
        if total > MAX_NODES:
            raise YamlProblem(
                *pos, f"YAML aliases expand to more than {MAX_NODES:,} values (alias bomb?)"
            )
        if anchor is not None:
            anchors[anchor] = (value, size)
        if not stack:
            doc.data = value
            values[()] = values.get((), pos)
            continue
        top = stack[-1]
        top.size += size
        container = top.container
        if isinstance(container, list):
            container.append(value)
            values[path] = values.get(path, pos)
        elif not top.has_key:
            if isinstance(value, dict | list):
                raise YamlProblem(*pos, "a mapping key must be a plain value")
            top.key, top.key_pos, top.has_key = value, pos, True
        else:
            key = top.key
            top.has_key = False
            if key is _MERGE_KEY:
                top.merges.append((value, pos))
                continue
            if key in container:
                first = keys[(*top.path, key)]
                line, column = top.key_pos or pos
                raise YamlProblem(
                    line,
                    column,
                    f"duplicate key '{key}' (first defined at line {first[0]})",
                    (*top.path, key),
                )
            container[key] = value
            keys[(*top.path, key)] = top.key_pos  # type: ignore[assignment]
            values[path] = values.get(path, pos)
    if documents == 0:
        doc.data = None
    return doc


def _expects_key(stack: list[_Frame]) -> bool:
    top = stack[-1]
    return isinstance(top.container, dict) and not top.has_key


def _child_path(stack: list[_Frame], pos: Position) -> Path:
    top = stack[-1]
    container = top.container
    if isinstance(container, list):
        return (*top.path, len(container))
    if not top.has_key:
        raise YamlProblem(*pos, "a mapping key must be a plain value")
    key = top.key
    if isinstance(key, str | int):
        return (*top.path, key)
    return (*top.path, str(key))


def _apply_merges(
    mapping: dict[Any, Any],
    frame: _Frame,
    values: dict[Path, Position],
    keys: dict[Path, Position],
) -> None:
    sources: list[tuple[Any, Position]] = []
    for value, pos in frame.merges:
        if isinstance(value, list):
            sources.extend((item, pos) for item in value)
        else:
            sources.append((value, pos))
    for source, pos in sources:
        if not isinstance(source, dict):
            raise YamlProblem(*pos, "a merge key '<<' needs a mapping or a list of mappings")
        for key, item in source.items():
            if key not in mapping:
                mapping[key] = item
                keys[(*frame.path, key)] = pos
                values[(*frame.path, key)] = pos
