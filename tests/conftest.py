"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

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


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository folder with missions/, used as the working directory."""
    (tmp_path / "missions").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MISSIONKIT_USER", "tester")
    return tmp_path
