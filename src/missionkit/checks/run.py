"""Run one declared check through its kind, timing it and keeping every failure contained."""

from __future__ import annotations

import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from missionkit.checks.base import CheckContext, CheckOutcome
from missionkit.checks.registry import parse
from missionkit.checks.warehouse import connections, release
from missionkit.errors import MissionkitError
from missionkit.spec.model import Check

if TYPE_CHECKING:
    from missionkit.warehouse.base import Warehouse


@dataclass(frozen=True)
class CheckResult:
    check: Check
    passed: bool
    detail: str
    failures: tuple[str, ...] = ()
    artifacts: tuple[Path, ...] = ()
    datasets: tuple[str, ...] = ()
    seconds: float = field(default=0.0, compare=False)

    @property
    def label(self) -> str:
        return self.check.name or f"{self.check.kind}: {self.check.text}"

    @property
    def severity(self) -> str:
        return self.check.severity

    @property
    def blocks(self) -> bool:
        """A failed error-severity check: the task (or the sign-off) cannot go on."""
        return not self.passed and self.check.blocking

    @property
    def warned(self) -> bool:
        return not self.passed and not self.check.blocking

    @property
    def status(self) -> str:
        return "passed" if self.passed else "warned" if self.warned else "failed"

    def as_dict(self) -> dict[str, object]:
        return {
            "check": self.label,
            "kind": self.check.kind,
            "severity": self.severity,
            "status": self.status,
            "passed": self.passed,
            "detail": self.detail,
            "failures": list(self.failures),
            "datasets": list(self.datasets),
        }


def run_check(check: Check, ctx: CheckContext) -> CheckResult:
    """Run ``check``; whatever happens inside its kind becomes a result, never an exception."""
    started = time.perf_counter()
    outcome = _outcome(check, ctx)
    return CheckResult(
        check,
        outcome.passed,
        outcome.detail,
        outcome.failures,
        outcome.artifacts,
        outcome.datasets,
        time.perf_counter() - started,
    )


def tables_read(result: CheckResult, warehouse: Warehouse | None) -> tuple[str, ...]:
    """The tables a check looked at: those its outcome named, else those its kind finds in
    its inputs (a ``sql`` check's query), for lineage."""
    if result.datasets or warehouse is None:
        return result.datasets
    try:
        kind, inputs = parse(result.check.kind, result.check.value)
        return kind.tables(inputs, warehouse)
    except (MissionkitError, ValidationError):
        return ()


def run_checks(checks: Sequence[Check], ctx: CheckContext) -> list[CheckResult]:
    """Run every check in order; the queries of all of them share one warehouse connection."""
    with connections():
        return [run_check(check, replace(ctx, index=i)) for i, check in enumerate(checks)]


def _outcome(check: Check, ctx: CheckContext) -> CheckOutcome:
    try:
        kind, inputs = parse(check.kind, check.value)
    except MissionkitError as exc:
        return CheckOutcome(False, str(exc))
    except ValidationError as exc:
        return CheckOutcome(False, f"invalid {check.kind} check: {exc.errors()[0]['msg']}")
    if not kind.shares_connection:
        release()
    if kind.needs_warehouse and ctx.warehouse is None:
        return CheckOutcome(False, "the mission sets no warehouse")
    try:
        return kind.run(ctx, inputs)
    except Exception as exc:
        log = ctx.run_dir / f"check-{ctx.index}-crash.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(traceback.format_exc(), encoding="utf-8")
        first = (str(exc).splitlines() or [""])[0]
        return CheckOutcome(
            False, f"the {check.kind} check crashed: {type(exc).__name__}: {first}", (), (log,)
        )
