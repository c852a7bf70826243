"""What the ``shell`` agent takes under ``with:``."""

from __future__ import annotations

from pydantic import Field

from missionkit.agents.base import Inputs


class ShellInputs(Inputs):
    command: str = Field(min_length=1, description="run with bash -e, like a workflow step")
    env: dict[str, str] = Field(default_factory=dict, description="extra environment variables")
