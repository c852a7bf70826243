"""Reading the workflow files, and running their ``run:`` steps the way a runner does.

A step runs as ``bash --noprofile --norc -eo pipefail`` (what ``shell: bash`` means) in a
working folder, with the job's ``GITHUB_*``/``RUNNER_*`` files and variables, and the step's
``env:``.  Values of ``env:`` that are ``${{ }}`` expressions are not evaluated: the test passes
them in ``expressions``; one it does not pass is empty, as an unset secret is.  Scripts hold no
``${{ }}`` at all (a test checks that), so they run unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from workflows.expressions import evaluate, has_status_function, truthy

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"

JSON = dict[str, Any]


def load(path: Path) -> JSON:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: JSON) -> JSON:
    """The ``on:`` mapping (YAML 1.1 reads the bare key ``on`` as ``True``)."""
    keys: dict[Any, Any] = workflow
    on = keys["on"] if "on" in keys else keys[True]
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict)
    return on


def steps(workflow: JSON) -> list[tuple[str, JSON]]:
    return [
        (job_id, step) for job_id, job in workflow["jobs"].items() for step in job.get("steps", [])
    ]


def step(workflow: JSON, job: str, name: str) -> JSON:
    for candidate in workflow["jobs"][job]["steps"]:
        if candidate.get("name") == name:
            assert isinstance(candidate, dict)
            return candidate
    raise KeyError(f"no step {name!r} in job {job!r}")


@dataclass
class StepRun:
    code: int
    out: str
    err: str
    outputs: dict[str, str]
    summary: str

    @property
    def text(self) -> str:
        return self.out + self.err


def _read_outputs(path: Path) -> dict[str, str]:
    """``name=value`` lines and ``name<<DELIM`` blocks, as the runner reads $GITHUB_OUTPUT."""
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, _, delimiter = line.partition("<<")
            value: list[str] = []
            i += 1
            while lines[i] != delimiter:
                value.append(lines[i])
                i += 1
            outputs[name] = "\n".join(value)
        elif line:
            name, _, rest = line.partition("=")
            outputs[name] = rest
        i += 1
    return outputs


def tool_path() -> str:
    """PATH with this interpreter's scripts (``mission``) first, as after ``pip install``."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def run_step(
    step: JSON,
    workdir: Path,
    runner_temp: Path,
    *,
    expressions: dict[str, str] | None = None,
    github: dict[str, str] | None = None,
    timeout: float = 120,
) -> StepRun:
    """Run one ``run:`` step; ``github`` sets ``GITHUB_*`` variables (repository, API URL…)."""
    script = step["run"]
    assert "${{" not in script, "a script must not hold an expression"
    missing = [tool for tool in ("bash", "curl", "jq", "base64") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"a runner's tools are missing here: {', '.join(missing)}")
    runner_temp.mkdir(parents=True, exist_ok=True)
    output = runner_temp / "github_output"
    summary = runner_temp / "step_summary"
    env_file = runner_temp / "github_env"
    path_file = runner_temp / "github_path"
    for path in (output, summary, env_file, path_file):
        path.write_text("", encoding="utf-8")
    script_file = runner_temp / "step.sh"
    script_file.write_text(script, encoding="utf-8")
    env = {
        "PATH": tool_path(),
        "HOME": os.environ.get("HOME", str(runner_temp)),
        "LANG": "C.UTF-8",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ENV": str(env_file),
        "GITHUB_PATH": str(path_file),
        "GITHUB_WORKSPACE": str(workdir),
        "MISSIONKIT_WRITE_DELAY": "0",
        "MISSIONKIT_RETRY_BACKOFF": "0.01",
        "MISSIONKIT_SECONDARY_WAIT": "0.05",
    }
    env.update(github or {})
    given = expressions or {}
    for key, value in (step.get("env") or {}).items():
        text = str(value)
        env[key] = given.get(key, "") if "${{" in text else text
    unknown = set(given) - set(step.get("env") or {})
    assert not unknown, f"the step has no env {sorted(unknown)}"
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return StepRun(
        done.returncode,
        done.stdout,
        done.stderr,
        _read_outputs(output),
        summary.read_text(encoding="utf-8"),
    )


def run_steps(
    job: JSON,
    names: Sequence[str],
    workdir: Path,
    runner_temp: Path,
    *,
    expressions: dict[str, str] | None = None,
    github: dict[str, str] | None = None,
) -> dict[str, StepRun | None]:
    """Run the named ``run:`` steps of one job in order, as a runner does: one RUNNER_TEMP for
    the job, and each step's ``if:`` (``success()`` when it has none, or none that says its
    status) evaluated against the steps before it; a step that does not run maps to ``None``.
    ``expressions`` gives each step the values of its own ``env:`` among them."""
    given = expressions or {}
    done: dict[str, StepRun | None] = {}
    context: dict[str, Any] = {"steps": {}}
    for name in names:
        current = next(s for s in job["steps"] if s.get("name") == name)
        results = [r for r in done.values() if r is not None]
        status = {
            "success": all(r.code == 0 for r in results),
            "failure": any(r.code != 0 for r in results),
            "cancelled": False,
            "always": True,
        }
        condition = str(current.get("if", "")) or "success()"
        if not has_status_function(condition):
            condition = f"success() && ({condition.removeprefix('${{').removesuffix('}}')})"
        if not truthy(evaluate(condition, context, status)):
            done[name] = None
            if "id" in current:
                context["steps"][current["id"]] = {"outcome": "skipped", "outputs": {}}
            continue
        env = current.get("env") or {}
        result = run_step(
            current,
            workdir,
            runner_temp,
            expressions={k: v for k, v in given.items() if k in env},
            github=github,
        )
        done[name] = result
        if "id" in current:
            outcome = "success" if result.code == 0 else "failure"
            context["steps"][current["id"]] = {"outcome": outcome, "outputs": result.outputs}
    return done
