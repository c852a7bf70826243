from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from missionkit.tracking.local import LocalTracker


@pytest.fixture
def write_mission(workspace: Path) -> Callable[[str, str], Path]:
    def write(mission_id: str, text: str) -> Path:
        path = workspace / "missions" / f"{mission_id}.md"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def local(workspace: Path) -> Iterator[LocalTracker]:
    tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
    yield tracker
    tracker.close()
