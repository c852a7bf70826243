"""The tables each mission's tasks read and wrote, from the OpenLineage events runs emitted.

Read from ``.missionkit/lineage/events.jsonl`` (see ``execution/lineage.py``): every ended run
(COMPLETE, FAIL or ABORT) names its mission (the parent run's job), its task (the job's name)
and its input and output datasets. A line that is not such an event is skipped: the file is
data, never trusted to be well formed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missionkit.execution.lineage import EVENTS

ENDED = ("COMPLETE", "FAIL", "ABORT")
_CHECK = re.compile(r"\.check-\d+$")


@dataclass(frozen=True)
class TableUse:
    """One table as one mission used it: the tasks that wrote and read it."""

    namespace: str
    name: str
    writers: tuple[str, ...]
    readers: tuple[str, ...]

    @property
    def anchor(self) -> str:
        return "table-" + re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


@dataclass(frozen=True)
class FailedCheck:
    """A check whose latest run failed, on a table that other tasks read."""

    mission: str
    task: str
    check: str  # the check's job name, e.g. ``m.task.check-0``
    namespace: str
    table: str


def _lines(workspace: Path) -> list[str]:
    try:
        return (workspace / EVENTS).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def failed_checks(workspace: Path) -> tuple[FailedCheck, ...]:
    """Every check whose latest run failed, once per table it looked at."""
    latest: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for line in _lines(workspace):
        found = _event(line)
        if found is not None and _CHECK.search(found[2]["job"]["name"]):
            latest[found[2]["job"]["name"]] = found
    return tuple(
        FailedCheck(mission, task, job, str(d.get("namespace", "")), d["name"])
        for job, (mission, task, event) in sorted(latest.items())
        if event.get("eventType") == "FAIL"
        for d in event.get("inputs") or ()
        if isinstance(d, dict) and isinstance(d.get("name"), str)
    )


def read_tables(workspace: Path) -> dict[str, tuple[TableUse, ...]]:
    """Mission id → the tables its runs read or wrote, sorted by name."""
    uses: dict[str, dict[tuple[str, str], tuple[set[str], set[str]]]] = {}
    for line in _lines(workspace):
        found = _event(line)
        if found is None:
            continue
        mission, task, event = found
        for side, key in ((0, "outputs"), (1, "inputs")):
            for dataset in event.get(key) or ():
                if isinstance(dataset, dict) and isinstance(dataset.get("name"), str):
                    table = (str(dataset.get("namespace", "")), dataset["name"])
                    entry = uses.setdefault(mission, {}).setdefault(table, (set(), set()))
                    entry[side].add(task)
    return {
        mission: tuple(
            TableUse(ns, name, tuple(sorted(w)), tuple(sorted(r)))
            for (ns, name), (w, r) in sorted(tables.items(), key=lambda kv: kv[0][1])
        )
        for mission, tables in uses.items()
    }


def _event(line: str) -> tuple[str, str, dict[str, Any]] | None:
    try:
        event = json.loads(line)
        if not isinstance(event, dict) or event.get("eventType") not in ENDED:
            return None
        mission = event["run"]["facets"]["parent"]["job"]["name"]
        job = event["job"]["name"]
    except (ValueError, KeyError, TypeError):
        return None
    if not (isinstance(mission, str) and isinstance(job, str) and job.startswith(mission + ".")):
        return None
    return mission, _CHECK.sub("", job[len(mission) + 1 :]), event


def consumers(
    check: FailedCheck, tables: Mapping[str, tuple[TableUse, ...]]
) -> list[tuple[str, str]]:
    """(mission, task) of every task that read the table ``check`` fails on, but its own and
    those that write it (upstream of the table, whatever their checks read)."""
    return [
        (mission, reader)
        for mission, uses in tables.items()
        for use in uses
        if (use.namespace, use.name) == (check.namespace, check.table)
        for reader in use.readers
        if (mission, reader) != (check.mission, check.task) and reader not in use.writers
    ]
