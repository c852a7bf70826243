"""The ``shell`` agent: run ``with.command`` in a shell, as ``run:`` does in Actions."""

from __future__ import annotations

from pydantic import BaseModel, Field

from missionkit.agents.base import Agent, AgentContext, AgentResult, Inputs


class ShellInputs(Inputs):
    command: str = Field(min_length=1, description="run with bash -e, like a workflow step")
    env: dict[str, str] = Field(default_factory=dict, description="extra environment variables")


class ShellAgent(Agent):
    Inputs = ShellInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        from missionkit.agents.shellrun import run_shell

        assert isinstance(inputs, ShellInputs)
        return run_shell(ctx, inputs.command, inputs.env)
