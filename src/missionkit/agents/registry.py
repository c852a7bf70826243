"""Find agents through the ``missionkit.agents`` entry-point group."""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points

from missionkit.agents.base import Agent
from missionkit.errors import MissionkitError

GROUP = "missionkit.agents"


@cache
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def agent_names() -> list[str]:
    """Names of every installed agent, sorted."""
    return sorted(_entry_points())


@cache
def load_agent(name: str) -> type[Agent]:
    """The agent class registered as ``name``."""
    try:
        entry = _entry_points()[name]
    except KeyError:
        raise MissionkitError(f"unknown agent '{name}'") from None
    cls = entry.load()
    if not (isinstance(cls, type) and issubclass(cls, Agent)):
        raise MissionkitError(f"entry point '{name}' ({entry.value}) is not an Agent subclass")
    return cls
