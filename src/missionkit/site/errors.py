"""The one error the site builder raises on purpose."""

from __future__ import annotations

from missionkit.errors import CheckFailed


class SiteBuildError(CheckFailed):
    """A template, the configuration or the strict site build failed (exit 1)."""
