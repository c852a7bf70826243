"""Find check kinds through the ``missionkit.checks`` entry-point group."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from missionkit.checks.base import CheckKind
from missionkit.checks.names import kind_entry_points
from missionkit.errors import MissionkitError


@cache
def load_kind(name: str) -> CheckKind:
    """The check kind registered as ``name`` (one shared instance)."""
    try:
        entry = kind_entry_points()[name]
    except KeyError:
        raise MissionkitError(f"unknown check kind '{name}'") from None
    cls = entry.load()
    if not (isinstance(cls, type) and issubclass(cls, CheckKind)):
        raise MissionkitError(f"entry point '{name}' ({entry.value}) is not a CheckKind subclass")
    return cls()


def as_mapping(kind: CheckKind, value: Any) -> Any:
    """A check's value as its model's input: a scalar fills the kind's shorthand field."""
    if kind.shorthand is not None and not isinstance(value, dict):
        return {kind.shorthand: value}
    return value


def parse(name: str, value: Any) -> tuple[CheckKind, BaseModel]:
    """The kind and its validated inputs (raises pydantic's ``ValidationError``)."""
    kind = load_kind(name)
    return kind, kind.Inputs.model_validate(as_mapping(kind, value))
