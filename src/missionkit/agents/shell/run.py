"""The ``shell`` agent's run: the command's exit code is the verdict, its output tail the report."""

from __future__ import annotations

from collections.abc import Mapping

from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.process import run_command, secret_names
from missionkit.templating import render_template


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
        variables.update(ctx.warehouse.task_env())
    code, tail = run_command(
        command, ctx.workspace, variables, ctx.timeout, log, secret_names(ctx.mission)
    )
    verdict = Verdict.DONE if code == 0 else Verdict.FAILED
    report = render_template(
        "agents/shell.md.j2",
        {
            "command": command,
            "stopped": code is None,
            "code": code,
            "timeout": ctx.timeout,
            "tail": tail,
        },
    )
    if code is None:
        return AgentResult(Verdict.FAILED, report, (log,), reason=report.strip().splitlines()[0])
    last = next((line.strip() for line in reversed(tail.splitlines()) if line.strip()), "")
    reason = f"`{command}` failed with exit code {code}" + (f": {last}" if last else "")
    return AgentResult(verdict, report, (log,), reason=reason if code else "")
