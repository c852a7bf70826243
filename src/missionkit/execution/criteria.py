"""Checked success criteria: run before a mission may await sign-off, shown to its approvers.

:func:`may_await_signoff` is the one decision of the move to awaiting sign-off once every task
is finished. A criterion with checks passes when its error-severity checks pass; a failing one
keeps the mission active, and its owner is told (again after ``escalation.after``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from missionkit import clock
from missionkit.checks.base import CheckContext
from missionkit.checks.records import (
    CRITERIA,
    CRITERIA_FAILED,
    CRITERIA_PASSED,
    CRITERION,
    criterion_reason,
    latest_criteria,
)
from missionkit.checks.run import CheckResult, run_checks
from missionkit.execution.escalation import ESCALATED
from missionkit.execution.notify import Notice, Notifier, subject
from missionkit.execution.runner import RUNS_DIR, mission_warehouse
from missionkit.process import secret_names
from missionkit.spec.model import Criterion, Mission
from missionkit.templating import render_template
from missionkit.tracking.base import ExecutionOps
from missionkit.tracking.model import Event, Item
from missionkit.warehouse.base import WarehouseError


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    checks: tuple[CheckResult, ...]

    @property
    def status(self) -> str:
        if any(c.blocks for c in self.checks):
            return "failed"
        return "warned" if any(c.warned for c in self.checks) else "passed"

    @property
    def detail(self) -> str:
        bad = [c for c in self.checks if not c.passed]
        if not bad:
            return f"{len(self.checks)} check{'s' if len(self.checks) > 1 else ''} passed"
        return "; ".join(f"{c.label} ({c.detail})" for c in bad)


def evaluate(mission: Mission, workspace: Path) -> list[CriterionResult]:
    """Run the checks of every checked criterion."""
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    run_dir = workspace / RUNS_DIR / mission.id / "_criteria" / stamp
    results = []
    try:
        warehouse = mission_warehouse(mission, workspace)
    except WarehouseError:
        warehouse = None  # each warehouse check then fails, saying there is none
    for index, criterion in enumerate(c for c in mission.criteria if c.checks):
        ctx = CheckContext(
            mission,
            workspace,
            warehouse,
            run_dir / str(index),
            hide=secret_names(mission),
        )
        results.append(CriterionResult(criterion, tuple(run_checks(criterion.checks, ctx))))
    return results


def may_await_signoff(
    tracker: ExecutionOps,
    notifier: Notifier,
    mission: Mission,
    item: Item,
    workspace: Path,
    actor: str,
) -> tuple[bool, list[CriterionResult]]:
    """Every task is finished: may the mission await sign-off? Runs and records the criteria."""
    if not any(c.checks for c in mission.criteria):
        return True, []
    results = evaluate(mission, workspace)
    passed = not any(r.status == "failed" for r in results)
    events = tracker.events(item)
    last = latest_criteria(events)
    now = clock.now()
    summary = _summary(results)
    changed = last is None or last.passed != passed or last.summary != summary
    if changed:
        table = render_template(
            "checks/criteria.md.j2", {"mission": mission, "results": results, "passed": passed}
        )
        tracker.comment(item, table, actor)
        for r in results:
            reason = criterion_reason(r.status, r.criterion.text, r.detail)
            tracker.record(Event(now, item.key, actor, CRITERION, None, None, reason))
        kind = CRITERIA_PASSED if passed else CRITERIA_FAILED
        tracker.record(Event(now, item.key, actor, kind, None, None, summary))
    if not passed and _due(mission, events, changed):
        _escalate(tracker, notifier, mission, item, results, actor)
    return passed, results


def _summary(results: Sequence[CriterionResult]) -> str:
    counts = {s: sum(1 for r in results if r.status == s) for s in ("passed", "warned", "failed")}
    return f"{len(results)} checked success criteria: " + ", ".join(
        f"{n} {s}" for s, n in counts.items() if n
    )


def _due(mission: Mission, events: Sequence[Event], changed: bool) -> bool:
    """Tell the owner when the criteria start failing, then once per escalation period."""
    if changed:
        return True
    since = [e for e in events if e.kind in CRITERIA]
    start = since[-1].at if since else None
    told = [e.at for e in events if e.kind == ESCALATED and (start is None or e.at >= start)]
    return bool(told) and clock.now() - told[-1] >= mission.spec.escalation.after


def _escalate(
    tracker: ExecutionOps,
    notifier: Notifier,
    mission: Mission,
    item: Item,
    results: Sequence[CriterionResult],
    actor: str,
) -> None:
    people = [mission.spec.owner]
    failing = [r for r in results if r.status == "failed"]
    text = "\n".join(f"- **{r.criterion.text}**: {r.detail}" for r in failing)
    note = render_template(
        "notify/criteria.md.j2", {"mission": mission, "people": people, "text": text}
    )
    refused = tracker.assign(item, people)
    sent = notifier.send(
        Notice(
            "criteria-failed",
            mission,
            subject("criteria-failed"),
            text,
            tuple(people),
            item.url,
        )
    )
    reason = f"escalated to {', '.join(people)}: success criteria fail; " + "; ".join(sent)
    if refused:
        reason += f"; could not assign {', '.join(refused)}"
    tracker.record(Event(clock.now(), item.key, actor, ESCALATED, None, None, reason), note=note)


def signoff_warnings(tracker: ExecutionOps, mission: Mission, item: Item) -> list[str]:
    """What an approver should know before signing off: unchecked or non-passing criteria."""
    out = []
    unchecked = [c.text for c in mission.criteria if not c.checks]
    if unchecked:
        out.append(
            f"{len(unchecked)} success criteri{'on is' if len(unchecked) == 1 else 'a are'} "
            "not checked by missionkit: " + "; ".join(unchecked)
        )
    record = latest_criteria(tracker.events(item))
    if any(c.checks for c in mission.criteria) and record is None:
        out.append("the success criteria's checks have not run")
    for c in record.criteria if record else ():
        if c.status != "passed":
            out.append(f"success criterion {c.status}: {c.text} ({c.detail})")
    return out
