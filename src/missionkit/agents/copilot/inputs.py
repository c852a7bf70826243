"""The ``copilot`` agent's ``with:`` model: what the assignment tells Copilot."""

from __future__ import annotations

from pydantic import Field

from missionkit.agents.base import Inputs


class CopilotInputs(Inputs):
    base_branch: str | None = Field(
        None, description="branch Copilot starts from; default: the repository's default branch"
    )
    target_repo: str | None = Field(
        None, description="OWNER/REPO where Copilot works; default: the tracking repository"
    )
    custom_agent: str | None = Field(None, description="a custom agent of the repository")
    model: str | None = Field(None, description="model Copilot uses; default: its own choice")
    instructions: str | None = Field(
        None, description="more guidance, added to the instructions missionkit writes"
    )
