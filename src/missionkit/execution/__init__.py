"""Execution: run agents and checks, dispatch ready work, escalate to people, sign off."""
