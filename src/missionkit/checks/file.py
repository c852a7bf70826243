"""``file``: a path in the repository that must exist."""

from __future__ import annotations

from pydantic import BaseModel, Field

from missionkit.checks.base import CheckContext, CheckInputs, CheckKind, CheckOutcome


class FileInputs(CheckInputs):
    path: str = Field(min_length=1, description="path that must exist")


class FileCheck(CheckKind):
    Inputs = FileInputs
    shorthand = "path"

    def run(self, ctx: CheckContext, inputs: BaseModel) -> CheckOutcome:
        assert isinstance(inputs, FileInputs)
        if (ctx.workspace / inputs.path).exists():
            return CheckOutcome(True, "exists")
        return CheckOutcome(False, f"{inputs.path} does not exist")
