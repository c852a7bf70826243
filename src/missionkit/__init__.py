"""missionkit: missions as code for data teams."""

from __future__ import annotations

__version__ = "0.1.0"
