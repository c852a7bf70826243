"""Agents: plug-ins that execute tasks. Registered under ``missionkit.agents``."""

from __future__ import annotations

from missionkit.agents.base import Agent, AgentContext, AgentResult, Verdict
from missionkit.agents.registry import agent_names, load_agent

__all__ = ["Agent", "AgentContext", "AgentResult", "Verdict", "agent_names", "load_agent"]
