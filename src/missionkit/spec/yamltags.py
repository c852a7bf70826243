"""Scalars and tags of the safe YAML reader: what a value reads as, and why a tag is refused."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml import events as ev
from yaml.nodes import ScalarNode

from missionkit.errors import printable

Position = tuple[int, int]

_STD = "tag:yaml.org,2002:"
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
# What PyYAML's constructors raise on a value that does not fit their tag.
_UNFIT = (ValueError, KeyError, IndexError, AttributeError, TypeError, OverflowError)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_HINTS = {
    "int": "write a whole number, e.g. 42",
    "float": "write a number, e.g. 1.5",
    "bool": "write true or false",
    "null": "write null or leave the value empty",
    "timestamp": "write a date or a time, e.g. 2026-12-15 or 2026-12-15T09:30:00Z",
}
_KIND = {"str": "a plain value", "map": "a mapping", "seq": "a sequence"}
_UNSUPPORTED = {"binary", "set", "omap", "pairs", "value", "yaml"}


class TagProblem(Exception):
    """A tag that does not fit its value, at a 1-based position."""

    def __init__(self, position: Position, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


class _MergeKey:
    """The merge key ``<<`` as read in a key's place."""

    def __repr__(self) -> str:
        return "<<"


MERGE_KEY = _MergeKey()


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


def _shown(value: str) -> str:
    text = printable(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _refused(tag: str, kind: str) -> str:
    """Why ``tag`` cannot tag a value of ``kind`` (str, map or seq)."""
    name = tag[len(_STD) :] if tag.startswith(_STD) else None
    if name in _HINTS or name in _KIND:
        need = _KIND.get(name or "", "a plain value")
        return f"a {_short_tag(tag)} tag needs {need}, not {_KIND[kind]}"
    if name in _UNSUPPORTED:
        return f"YAML tag '{_short_tag(tag)}' is not supported; write {_KIND[kind]} without it"
    if name == "merge":
        return "a !!merge tag marks a merge key ('<<: …'); it cannot tag a value"
    return f"YAML tag '{_short_tag(tag)}' is not allowed; tags that build objects are never run"


def scalar(event: ev.ScalarEvent, in_key: bool) -> Any:
    tag = event.tag
    value: str = event.value
    if tag is None or tag == "!":
        if tag == "!" or not event.implicit[0]:
            return value
        tag_name = _implicit_tag(value)
        if tag_name is None:
            return value
        if tag_name == _MERGE:
            return MERGE_KEY if in_key else value
        if tag_name not in _CONVERT:  # '=' (!!value): only tags written in the file are refused
            return value
        try:
            return _CONVERT[tag_name](ScalarNode(tag_name, value))
        except _UNFIT:  # looked like a date or a number but is none: the model reports it
            return value
    if tag == _STD + "str":
        return value
    if tag == _MERGE and in_key:
        return MERGE_KEY
    if tag not in _CONVERT:
        raise TagProblem(pos_of(event.start_mark), _refused(tag, "str"))
    name = tag[len(_STD) :]
    try:
        if name == "null" and not _NULL.match(value):
            raise ValueError(value)
        return _CONVERT[tag](ScalarNode(tag, value))
    except _UNFIT:
        what = f"'{_shown(value)}' is" if value else "an empty value is"
        raise TagProblem(
            pos_of(event.start_mark), f"{what} not a valid !!{name}; {_HINTS[name]}"
        ) from None


def check_collection_tag(event: ev.CollectionStartEvent, kind: str) -> None:
    tag = event.tag
    if tag is not None and tag != "!" and tag != _STD + kind:
        raise TagProblem(pos_of(event.start_mark), _refused(tag, kind))


def _implicit_tag(value: str) -> str | None:
    """The tag PyYAML's resolver gives a plain scalar, if any."""
    for tag, regexp in _RESOLVERS.get(value[:1], []) + _RESOLVERS.get(None, []):
        if regexp.match(value):
            return tag
    return None


def pos_of(mark: Any) -> Position:
    """A mark of libyaml (0-based) as a 1-based ``(line, column)``."""
    return (mark.line + 1, mark.column + 1)
