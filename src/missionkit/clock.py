"""The one clock; tests patch :func:`now` at this process edge."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
