"""The names of the installed check kinds (entry-point group ``missionkit.checks``).

Apart so that the mission model can name the kinds without importing any of them.
"""

from __future__ import annotations

from functools import cache

from missionkit.plugins import group_entry_points

GROUP = "missionkit.checks"


@cache
def kind_names() -> tuple[str, ...]:
    """Names of every installed check kind, sorted."""
    return tuple(sorted(group_entry_points(GROUP)))
