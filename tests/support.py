"""Shared test helpers (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

HEAD = """---
title: Test mission
owner: dana-lee
success_criteria: [It works]
"""
