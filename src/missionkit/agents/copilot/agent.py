"""The ``copilot`` agent's inputs, and what it does where there is no GitHub issue to assign."""

from __future__ import annotations

from pydantic import BaseModel

from missionkit.agents.base import Agent, AgentContext, AgentResult, Verdict
from missionkit.agents.copilot.inputs import CopilotInputs


class CopilotAgent(Agent):
    """On GitHub the dispatcher assigns the issue (nothing runs here); elsewhere a person must."""

    Inputs = CopilotInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        question = (
            f"`{ctx.task.id}` is for the Copilot coding agent, which works on GitHub issues: "
            "track this mission on GitHub (`--tracker github`) for the dispatcher to assign it, "
            "or do the task yourself and mark it done."
        )
        return AgentResult(Verdict.NEEDS_HUMAN, question, question=question)
