"""Run one task: its agent (with retries and a timeout), then its checks, then a report."""

from __future__ import annotations

import json
import os
import threading
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from missionkit import clock
from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.agents.registry import load_agent
from missionkit.checks.base import CheckContext
from missionkit.checks.run import CheckResult, run_checks, tables_read
from missionkit.execution.lineage import Lineage
from missionkit.llm.budget import Budget
from missionkit.process import secret_names
from missionkit.spec.model import Mission, Task
from missionkit.templating import render_template
from missionkit.warehouse.base import Warehouse, WarehouseError
from missionkit.warehouse.registry import open_warehouse

RUNS_DIR = Path(".missionkit") / "runs"


@dataclass(frozen=True)
class RunOutcome:
    """What happened when a task ran: the final verdict and everything to report."""

    verdict: Verdict
    report: str
    run_dir: Path
    attempts: int
    checks: tuple[CheckResult, ...] = ()
    artifacts: tuple[Path, ...] = ()
    question: str | None = None
    reasons: tuple[str, ...] = field(default=())
    changed: tuple[Path, ...] = ()  # repository files the agent wrote (see AgentResult)
    report_path: str = ""  # the report file, as shown to people

    @property
    def warnings(self) -> tuple[CheckResult, ...]:
        """Checks of severity ``warn`` that failed: recorded, shown, never blocking."""
        return tuple(c for c in self.checks if c.warned)

    @property
    def summary(self) -> str:
        if self.verdict == Verdict.DONE:
            warned = len(self.warnings)
            return "agent and checks passed" + (
                f"; {warned} warning{'s' if warned > 1 else ''}" if warned else ""
            )
        if self.verdict == Verdict.NEEDS_HUMAN:
            return "the agent asks a person: " + (self.question or "").splitlines()[0][:200]
        where = f" (report: {self.report_path})" if self.report_path else ""
        return ("; ".join(self.reasons) or "failed") + where


def mission_warehouse(
    mission: Mission, workspace: Path, env: Mapping[str, str] | None = None
) -> Warehouse | None:
    """The warehouse the mission names, credentials from ``env`` over ours; None if none."""
    return open_warehouse(
        mission.spec.warehouse,
        workspace,
        {**os.environ, **(env or {})},
        mission.spec.warehouse_env,
    )


def _call_agent(agent_name: str, ctx: AgentContext, with_: Mapping[str, object]) -> AgentResult:
    cls = load_agent(agent_name)
    try:
        inputs = cls.Inputs.model_validate(dict(with_))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "with"
        reason = f"invalid `with:` inputs: {where}: {first['msg']}"
        return _problem("inputs", detail=str(exc), reason=reason)
    agent = cls()
    if cls.runs_command or ctx.timeout is None:
        return _guarded(agent.run, ctx, inputs)
    box: list[AgentResult] = []
    worker = threading.Thread(
        target=lambda: box.append(_guarded(agent.run, ctx, inputs)), daemon=True
    )
    worker.start()
    worker.join(ctx.timeout)
    if worker.is_alive() or not box:
        return _problem("timeout", timeout=ctx.timeout)
    return box[0]


def _problem(
    problem: str, detail: str = "", timeout: float | None = None, reason: str = ""
) -> AgentResult:
    """A failed result for an agent that gave none of its own."""
    context = {"problem": problem, "detail": detail, "timeout": timeout}
    report = render_template("run/agent_problem.md.j2", context)
    return AgentResult(Verdict.FAILED, report, reason=reason)


def _guarded(run: object, ctx: AgentContext, inputs: object) -> AgentResult:
    try:
        result = run(ctx, inputs)  # type: ignore[operator]
    except Exception as exc:
        reason = f"the agent crashed: {type(exc).__name__}: {exc}"
        return _problem("crash", detail=traceback.format_exc(), reason=reason)
    assert isinstance(result, AgentResult)
    return result


def run_task(
    mission: Mission,
    task: Task,
    workspace: Path,
    *,
    runs_dir: Path | None = None,
    answers: tuple[str, ...] = (),
    env: Mapping[str, str] | None = None,
    budget: Budget | None = None,
) -> RunOutcome:
    """Run the task's agent and checks, retrying failures ``task.retries`` times."""
    assert task.agent is not None, "people's tasks are not run"
    root = runs_dir if runs_dir is not None else workspace / RUNS_DIR
    try:
        warehouse = mission_warehouse(mission, workspace, env)
        unavailable = None
    except WarehouseError as exc:
        warehouse, unavailable = None, str(exc)
    timeout = task.timeout.total_seconds() if task.timeout else None
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    attempts = task.retries + 1
    result = AgentResult(Verdict.FAILED, "")
    checks: list[CheckResult] = []
    reasons: list[str] = []
    run_dir = root
    lineage = Lineage(mission, task, workspace, warehouse)
    for attempt in range(1, attempts + 1):
        run_dir = root / mission.id / task.id / f"{stamp}-{attempt}"
        _make_dir(run_dir)
        ctx = AgentContext(
            mission, task, workspace, run_dir, warehouse, answers, timeout, env or {}, budget
        )
        agent_run = lineage.start("")
        result = (
            _call_agent(task.agent, ctx, task.with_)
            if unavailable is None
            else AgentResult(Verdict.FAILED, f"The warehouse is unavailable: {unavailable}\n")
        )
        asked = "ABORT" if result.verdict == Verdict.NEEDS_HUMAN else None  # waits for a person
        lineage.end(agent_run, result.verdict == Verdict.DONE, result.reads, result.writes, asked)
        checks = []
        reasons = []
        if result.verdict == Verdict.NEEDS_HUMAN:
            break
        if result.verdict == Verdict.FAILED:
            why = result.why
            reasons.append(f"agent {task.agent} failed" + (f": {why}" if why else ""))
        else:
            check_ctx = CheckContext(
                mission, workspace, warehouse, run_dir, 0, timeout, secret_names(mission)
            )
            began = clock.now()
            checks = run_checks(task.checks, check_ctx)
            for index, check in enumerate(checks):
                check_run = lineage.start(f".check-{index}", began)
                lineage.end(check_run, check.passed, tables_read(check, warehouse))
            reasons += [f"check failed: {c.label} ({c.detail})" for c in checks if c.blocks]
        if not reasons:
            break
    verdict = result.verdict if not reasons else Verdict.FAILED
    if verdict == Verdict.NEEDS_HUMAN and not result.question:
        verdict, reasons = Verdict.FAILED, ["the agent asked a person but gave no question"]
    report = render_template(
        "run/report.md.j2",
        {
            "mission": mission,
            "task": task,
            "verdict": str(verdict),
            "agent_report": result.report.strip(),
            "checks": checks,
            "artifacts": [_rel(a, run_dir) for a in result.artifacts],
            "question": result.question,
            "attempt": attempt,
            "attempts": attempts,
            "reasons": reasons,
            "run_dir": _rel(run_dir, workspace),
            "report_path": _rel(run_dir / "report.md", workspace),
        },
    )
    (run_dir / "report.md").write_text(report, encoding="utf-8")
    (run_dir / "result.json").write_text(
        json.dumps(
            {
                "mission": mission.id,
                "task": task.id,
                "verdict": str(verdict),
                "attempt": attempt,
                "question": result.question,
                "checks": [c.as_dict() for c in checks],
                "artifacts": [_rel(a, run_dir) for a in result.artifacts],
                "reasons": reasons,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return RunOutcome(
        verdict,
        report,
        run_dir,
        attempt,
        tuple(checks),
        tuple(result.artifacts),
        result.question,
        tuple(reasons),
        tuple(result.changed),
        _rel(run_dir / "report.md", workspace),
    )


def _make_dir(path: Path) -> None:
    """One system call in the usual case (the task's folder exists after its first run)."""
    try:
        path.mkdir()
    except FileNotFoundError:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        pass


def _rel(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` when it lies inside it (no symlink resolution)."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    return str(path) if rel.startswith("..") else rel
