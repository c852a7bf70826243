"""``command``: a shell command, run in the repository, that must exit 0."""

from __future__ import annotations

from pydantic import BaseModel, Field

from missionkit.checks.base import CheckContext, CheckInputs, CheckKind, CheckOutcome
from missionkit.process import run_command

CHECK_TIMEOUT = 600.0


class CommandInputs(CheckInputs):
    run: str = Field(min_length=1, description="shell command that must exit 0")


class CommandCheck(CheckKind):
    Inputs = CommandInputs
    shorthand = "run"

    def run(self, ctx: CheckContext, inputs: BaseModel) -> CheckOutcome:
        assert isinstance(inputs, CommandInputs)
        env = ctx.warehouse.task_env() if ctx.warehouse else {}
        log = ctx.run_dir / f"check-{ctx.index}.log"
        timeout = ctx.timeout or CHECK_TIMEOUT
        code, tail = run_command(inputs.run, ctx.workspace, env, timeout, log, ctx.hide)
        if code is None:
            return CheckOutcome(False, f"timed out; {tail.strip()[-300:]}", artifacts=(log,))
        output = tail.strip()[-300:]
        detail = f"exit code {code}" + (f": {output}" if code and output else "")
        return CheckOutcome(code == 0, detail, artifacts=(log,) if code else ())
