"""The ``copilot`` agent's inputs, and what it does where there is no GitHub issue to assign."""

from __future__ import annotations

from pydantic import BaseModel, Field

from missionkit.agents.base import Agent, AgentContext, AgentResult, Inputs, Verdict


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
