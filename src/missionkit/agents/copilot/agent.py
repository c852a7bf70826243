"""The ``copilot`` agent's inputs, and what it does where there is no GitHub issue to assign."""

from __future__ import annotations

import re
import subprocess

from pydantic import BaseModel

from missionkit.agents.base import Agent, AgentContext, AgentResult, Verdict
from missionkit.agents.copilot.inputs import CopilotInputs

MERGED_ENV = "MISSIONKIT_COPILOT_MERGED"  # "pull request #N merged as <sha>", from the tracker


class CopilotAgent(Agent):
    """On GitHub the dispatcher assigns the issue and follows its pull request; once it is
    merged, this runs in an agent job and the task's checks decide. Elsewhere a person must."""

    Inputs = CopilotInputs

    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        merged = ctx.env.get(MERGED_ENV)
        if merged:
            return _merged(ctx, merged)
        question = (
            f"`{ctx.task.id}` is for the Copilot coding agent, which works on GitHub issues: "
            "track this mission on GitHub (`--tracker github`) for the dispatcher to assign it, "
            "or do the task yourself and mark it done."
        )
        return AgentResult(Verdict.NEEDS_HUMAN, question, question=question)


def _merged(ctx: AgentContext, merged: str) -> AgentResult:
    """Copilot's pull request is merged: the checks decide, on a checkout that holds it."""
    found = re.search(r"\b([0-9a-f]{40})\b", merged)
    if found and (ctx.workspace / ".git").exists():
        inside = subprocess.run(
            ["git", "merge-base", "--is-ancestor", found.group(1), "HEAD"],
            cwd=ctx.workspace,
            capture_output=True,
            check=False,
        )
        if inside.returncode != 0:
            return AgentResult(
                Verdict.FAILED,
                f"This checkout does not contain {found.group(1)[:7]} ({merged}): the checks "
                "would not see Copilot's work. Retry the task once the branch holds it.",
            )
    return AgentResult(
        Verdict.DONE,
        f"The Copilot coding agent's {merged}. What it says about its work does not count: "
        "the task's checks on the merged result decide.",
    )
