"""Plug-ins found through entry-point groups: agents, check kinds and warehouses alike.

Each registry names its group, the base class its plug-ins must subclass and the error it
raises; the reading, loading and checking are done here once. The classes come back as
``type[Any]`` (an abstract base cannot be a ``type[T]`` argument); each registry's own return
type states what it hands out.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any


@cache
def group_entry_points(group: str) -> dict[str, EntryPoint]:
    """The entry points of ``group`` by name (read once per process)."""
    return {ep.name: ep for ep in entry_points(group=group)}


def load_plugin(
    entry: EntryPoint, base: type[object], error: type[Exception], what: str
) -> type[Any]:
    """The class ``entry`` names, which must subclass ``base`` (``error`` otherwise)."""
    cls = entry.load()
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise error(f"entry point '{entry.name}' ({entry.value}) is not {what}")
    return cls


def load_named(
    group: str, name: str, base: type[object], error: type[Exception], what: str, unknown: str
) -> type[Any]:
    """The class registered as ``name`` in ``group``; ``error(unknown)`` when none is."""
    try:
        entry = group_entry_points(group)[name]
    except KeyError:
        raise error(unknown) from None
    return load_plugin(entry, base, error, what)
