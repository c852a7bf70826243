from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from missionkit.cli.main import main


@pytest.fixture
def validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Callable[[str | bytes], tuple[int, list[str]]]:
    """Write a mission file, run ``mission validate`` on it: (exit code, stderr lines)."""

    def run(content: str | bytes, name: str = "m.md") -> tuple[int, list[str]]:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
        code = main(["validate", str(path)])
        err = capsys.readouterr().err
        lines = [line.replace(str(tmp_path) + "/", "") for line in err.splitlines()]
        return code, lines

    return run
