"""The ``shell`` agent's run: the command's exit code is the verdict, its output tail the report."""

from __future__ import annotations

from collections.abc import Mapping

from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.process import run_command, secret_names


def run_shell(ctx: AgentContext, command: str, env: Mapping[str, str]) -> AgentResult:
    log = ctx.run_dir / "output.log"
    variables = {
        **ctx.env,
        **env,
        "MISSION_ID": ctx.mission.id,
        "MISSION_TASK": ctx.task.id,
        "MISSION_RUN_DIR": str(ctx.run_dir),
    }
    if ctx.warehouse is not None:
        variables["MISSION_WAREHOUSE"] = str(ctx.warehouse)
    code, tail = run_command(
        command, ctx.workspace, variables, ctx.timeout, log, secret_names(ctx.mission)
    )
    fence = "```"
    if code is None:
        report = f"`{command}` was stopped after {ctx.timeout:g} s (timeout).\n"
        report += f"\n{fence}\n{tail}\n{fence}\n"
        return AgentResult(Verdict.FAILED, report, (log,))
    verdict = Verdict.DONE if code == 0 else Verdict.FAILED
    status = "succeeded" if code == 0 else f"failed with exit code {code}"
    report = f"`{command}` {status}.\n"
    if tail.strip():
        report += f"\n{fence}\n{tail.rstrip()}\n{fence}\n"
    return AgentResult(verdict, report, (log,))
