"""The data agents' implementations: ingest, field mapping, dbt staging, quality checks.

These modules import the optional ``data`` extra (duckdb, rapidfuzz, dbt) only inside the
functions that need it, so ``missionkit`` itself installs and validates missions without it.
Every public entry point takes an :class:`~missionkit.agents.base.AgentContext` and the
agent's validated inputs and returns an :class:`~missionkit.agents.base.AgentResult`; an
expected failure (a missing file, malformed data, a failing test) is a ``FAILED`` result,
never an exception.
"""
