"""The ``shell`` agent class; its implementation is imported on first run, not at validation."""

from __future__ import annotations

from pydantic import BaseModel

from missionkit.agents.base import Agent, AgentContext, AgentResult
from missionkit.agents.shell.inputs import ShellInputs


class ShellAgent(Agent):
    Inputs = ShellInputs
    runs_command = True

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        from missionkit.agents.shell.run import run_shell

        assert isinstance(inputs, ShellInputs)
        return run_shell(ctx, inputs.command, inputs.env)
