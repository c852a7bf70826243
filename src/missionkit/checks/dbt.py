"""``dbt``: ``dbt test`` (or ``dbt build``) on the mission's dbt project; failing tests named."""

from __future__ import annotations

import json
import shlex
from typing import Literal

from pydantic import BaseModel, Field

from missionkit.checks.base import CheckContext, CheckInputs, CheckKind, CheckOutcome
from missionkit.process import run_command

DBT_TIMEOUT = 1800.0
_BAD = ("error", "fail", "runtime error")


class DbtCheckInputs(CheckInputs):
    select: str | None = Field(None, description="dbt --select; default: the whole project")
    command: Literal["test", "build"] = Field("test", description="dbt test or dbt build")
    project_dir: str = Field("dbt", description="dbt project folder in the repository")
    exclude: str | None = Field(None, description="dbt --exclude")


class DbtCheck(CheckKind):
    Inputs = DbtCheckInputs
    shorthand = "select"

    def run(self, ctx: CheckContext, inputs: BaseModel) -> CheckOutcome:
        assert isinstance(inputs, DbtCheckInputs)
        from missionkit.agents.dbt.build import find_dbt

        dbt = find_dbt(None)
        if dbt is None:
            return CheckOutcome(False, "dbt is not installed: pip install 'missionkit[data]'")
        project = ctx.path(inputs.project_dir)
        if not (project / "dbt_project.yml").is_file():
            return CheckOutcome(False, f"{inputs.project_dir} has no dbt_project.yml")
        target = ctx.run_dir / f"check-{ctx.index}-dbt-target"
        words = [dbt, inputs.command, "--project-dir", str(project), "--profiles-dir"]
        words += [str(project), "--target-path", str(target)]
        words += ["--log-path", str(ctx.run_dir / f"check-{ctx.index}-dbt-logs")]
        if inputs.select:
            words += ["--select", inputs.select]
        if inputs.exclude:
            words += ["--exclude", inputs.exclude]
        env = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false"}
        if ctx.warehouse is not None:
            env.update(ctx.warehouse.dbt_env())
        log = ctx.run_dir / f"check-{ctx.index}-dbt.log"
        command = " ".join(shlex.quote(w) for w in words)
        code, tail = run_command(
            command, ctx.workspace, env, ctx.timeout or DBT_TIMEOUT, log, ctx.hide
        )
        results = target / "run_results.json"
        if code is None:
            return CheckOutcome(False, f"dbt {inputs.command} timed out", artifacts=(log,))
        if not results.is_file():
            last = (tail.strip().splitlines() or [""])[-1][:300]
            return CheckOutcome(False, f"dbt {inputs.command} exited {code}: {last}", (), (log,))
        nodes = json.loads(results.read_text(encoding="utf-8")).get("results", [])
        bad = [n for n in nodes if str(n.get("status")) in _BAD]
        tests = [n for n in nodes if str(n.get("unique_id", "")).startswith("test.")]
        failures = tuple(_name(n) + f" ({n.get('status')})" for n in bad)
        models = tuple(
            str(n["unique_id"]).split(".")[-1]
            for n in nodes
            if str(n.get("unique_id", "")).startswith(("model.", "seed.", "snapshot."))
        )
        if bad or code != 0:
            detail = f"{len(bad)} of {len(nodes)} dbt nodes failed" + (
                ": " + ", ".join(failures) if failures else f" (exit code {code})"
            )
            return CheckOutcome(False, detail, failures, (log, results), models)
        return CheckOutcome(True, f"{len(tests)} tests passed", (), (results,), models)


def _name(node: dict[str, object]) -> str:
    parts = str(node.get("unique_id", "")).split(".")
    return parts[2] if len(parts) > 2 else ".".join(parts)
