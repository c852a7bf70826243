"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

pytest_plugins = ["ghserver.fixtures", "llmserver", "pgfixtures"]


@pytest.fixture(autouse=True)
def _no_write_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to a loopback server: no pacing, quick retries."""
    monkeypatch.setenv("MISSIONKIT_WRITE_DELAY", "0")
    monkeypatch.setenv("MISSIONKIT_RETRY_BACKOFF", "0.01")
    monkeypatch.setenv("MISSIONKIT_SECONDARY_WAIT", "0.05")
    for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_API_URL", "MISSIONKIT_TRACKER"):
        monkeypatch.delenv(name, raising=False)
