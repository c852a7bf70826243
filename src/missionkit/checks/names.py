"""The names of the installed check kinds (entry-point group ``missionkit.checks``).

Apart so that the mission model can name the kinds without importing any of them.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points

GROUP = "missionkit.checks"


@cache
def kind_entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


@cache
def kind_names() -> tuple[str, ...]:
    """Names of every installed check kind, sorted."""
    return tuple(sorted(kind_entry_points()))
