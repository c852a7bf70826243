"""Find agents through the ``missionkit.agents`` entry-point group."""

from __future__ import annotations

from functools import cache

from missionkit.agents.base import Agent
from missionkit.errors import MissionkitError
from missionkit.plugins import group_entry_points, load_named

GROUP = "missionkit.agents"


def agent_names() -> list[str]:
    """Names of every installed agent, sorted."""
    return sorted(group_entry_points(GROUP))


@cache
def load_agent(name: str) -> type[Agent]:
    """The agent class registered as ``name``."""
    return load_named(
        GROUP, name, Agent, MissionkitError, "an Agent subclass", f"unknown agent '{name}'"
    )
