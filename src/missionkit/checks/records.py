"""How check results live in a tracker's history: event kinds, and reading them back.

A task run whose checks include a ``warn`` one records each warning (``check-warned``) and
then a ``checks`` summary, so the warnings of the latest run and a check's streak of failing
runs are read from the history alone. Success criteria record one ``criterion`` event per
checked criterion (reason ``<status>: <text>: <detail>``), then ``criteria-passed`` or
``criteria-failed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from missionkit.tracking.model import Event

WARNED = "check-warned"
CHECKED = "checks"
CRITERION = "criterion"
CRITERIA_PASSED = "criteria-passed"
CRITERIA_FAILED = "criteria-failed"
CRITERIA = (CRITERIA_PASSED, CRITERIA_FAILED)


def _runs(events: Sequence[Event], end: tuple[str, ...], part: str) -> list[list[str]]:
    """The reasons of ``part`` events of each recorded run, newest run first."""
    runs: list[list[str]] = []
    current: list[str] = []
    for event in events:
        if event.kind == part:
            current.append(event.reason)
        elif event.kind in end:
            runs.append(current)
            current = []
    return runs[::-1]


def latest_warnings(events: Sequence[Event]) -> list[str]:
    """``<check>: <detail>`` of every warning of the task's latest checked run."""
    runs = _runs(events, (CHECKED,), WARNED)
    return runs[0] if runs else []


def warn_streak(events: Sequence[Event], label: str) -> int:
    """How many of the latest runs in a row the check ``label`` warned in."""
    streak = 0
    for warnings in _runs(events, (CHECKED,), WARNED):
        if not any(w.startswith(f"{label}: ") for w in warnings):
            break
        streak += 1
    return streak


@dataclass(frozen=True)
class CriterionRecord:
    status: str  # passed | warned | failed
    text: str
    detail: str


@dataclass(frozen=True)
class CriteriaRecord:
    passed: bool
    summary: str
    criteria: tuple[CriterionRecord, ...]


def latest_criteria(events: Sequence[Event]) -> CriteriaRecord | None:
    """The last recorded evaluation of a mission's success criteria, if any."""
    last = next((e for e in reversed(events) if e.kind in CRITERIA), None)
    if last is None:
        return None
    runs = _runs(events, CRITERIA, CRITERION)
    return CriteriaRecord(
        last.kind == CRITERIA_PASSED,
        last.reason,
        tuple(parse_criterion(r) for r in (runs[0] if runs else [])),
    )


def criterion_reason(status: str, text: str, detail: str) -> str:
    return f"{status}: {text.replace(': ', ' - ')}: {detail}"


def parse_criterion(reason: str) -> CriterionRecord:
    status, _, rest = reason.partition(": ")
    text, _, detail = rest.partition(": ")
    return CriterionRecord(status, text, detail)
