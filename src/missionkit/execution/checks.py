"""The checks a task declares, run after its agent: command, sql and file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from missionkit.process import run_command
from missionkit.spec.model import Check

if TYPE_CHECKING:
    from missionkit.warehouse.base import Warehouse

CHECK_TIMEOUT = 600.0


@dataclass(frozen=True)
class CheckResult:
    check: Check
    passed: bool
    detail: str

    @property
    def label(self) -> str:
        return self.check.name or f"{self.check.kind}: {self.check.text}"


def run_check(
    check: Check,
    workspace: Path,
    warehouse: Warehouse | None,
    run_dir: Path,
    index: int,
    timeout: float | None = None,
    hide: tuple[str, ...] = (),
) -> CheckResult:
    if check.file is not None:
        path = workspace / check.file
        return CheckResult(
            check, path.exists(), "exists" if path.exists() else f"{check.file} does not exist"
        )
    if check.command is not None:
        env = warehouse.task_env() if warehouse else {}
        log = run_dir / f"check-{index}.log"
        code, tail = run_command(check.command, workspace, env, timeout or CHECK_TIMEOUT, log, hide)
        if code is None:
            return CheckResult(check, False, f"timed out; {tail.strip()[-300:]}")
        return CheckResult(
            check, code == 0, f"exit code {code}" + (f": {tail.strip()[-300:]}" if code else "")
        )
    return _sql(check, warehouse)


def _sql(check: Check, warehouse: Warehouse | None) -> CheckResult:
    """The query's first value, read-only, through the mission's warehouse: true passes."""
    from missionkit.warehouse.base import WarehouseError

    assert check.sql is not None
    if warehouse is None:
        return CheckResult(check, False, "the mission sets no warehouse")
    if not warehouse.exists():
        return CheckResult(check, False, f"warehouse {warehouse} does not exist yet")
    try:
        with warehouse.connect(read_only=True) as con:
            rows = con.query(check.sql).rows
    except WarehouseError as exc:
        return CheckResult(check, False, f"query failed: {exc}")
    if not rows:
        return CheckResult(check, False, "query returned no row")
    value = rows[0][0]
    return CheckResult(check, bool(value), f"returned {value!r}")
