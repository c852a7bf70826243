"""Tracking: where task state lives (local SQLite or GitHub Issues), and plan/apply sync."""
