"""Find check kinds through the ``missionkit.checks`` entry-point group."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from missionkit.checks.base import CheckKind
from missionkit.checks.names import GROUP
from missionkit.errors import MissionkitError
from missionkit.plugins import load_named


@cache
def load_kind(name: str) -> CheckKind:
    """The check kind registered as ``name`` (one shared instance)."""
    unknown = f"unknown check kind '{name}'"
    cls: type[CheckKind] = load_named(
        GROUP, name, CheckKind, MissionkitError, "a CheckKind subclass", unknown
    )
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
