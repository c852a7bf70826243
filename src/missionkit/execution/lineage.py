"""OpenLineage run events for agent and check runs, through ``openlineage-python``.

Each agent run and each check run is a run of its own: START, then COMPLETE or FAIL, with the
mission as the parent run and the tables it read and wrote as input and output datasets. The
events go to ``.missionkit/lineage/events.jsonl`` in the workspace, one JSON object a line,
unless the user configures a transport the way openlineage-python reads one
(``OPENLINEAGE_URL``, ``OPENLINEAGE_CONFIG`` or an ``openlineage.yml``). Lineage never fails a
task: an event that cannot be written is logged and dropped.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from missionkit import clock
from missionkit.spec.model import Mission, Task
from missionkit.warehouse.base import Warehouse

EVENTS = Path(".missionkit") / "lineage" / "events.jsonl"
NAMESPACE = "missionkit"
PRODUCER = "https://pypi.org/project/missionkit/"
#: the variables and file by which openlineage-python takes the user's own transport
USER_CONFIG = ("OPENLINEAGE_URL", "OPENLINEAGE_CONFIG")

log = logging.getLogger(__name__)


def mission_run_id(mission: Mission) -> str:
    """The parent run of every agent and check run of ``mission``: stable across jobs."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"missionkit:mission:{mission.id}"))


def dataset_namespace(warehouse: Warehouse | None) -> str:
    """Where a table lives, as OpenLineage names it; never a credential (locations hold none)."""
    if warehouse is None:
        return "file"
    location = warehouse.location
    return location if "://" in location else f"{warehouse.name}://{location}"


@dataclass
class LineageRun:
    """One run (an agent's or a check's) whose START was emitted."""

    job: str
    run_id: str


class Lineage:
    """The emitter of one task's runs."""

    def __init__(
        self, mission: Mission, task: Task, workspace: Path, warehouse: Warehouse | None
    ) -> None:
        self.mission = mission
        self.task = task
        self.workspace = workspace
        self.namespace = dataset_namespace(warehouse)
        self._client: Any = None

    def start(self, job: str, at: datetime | None = None) -> LineageRun | None:
        run = LineageRun(f"{self.mission.id}.{self.task.id}{job}", str(_new_id()))
        return run if self._emit("START", run, (), (), at) else None

    def end(
        self,
        run: LineageRun | None,
        ok: bool,
        reads: Iterable[str] = (),
        writes: Iterable[str] = (),
        state: str | None = None,
    ) -> None:
        """COMPLETE or FAIL (or ``state``: ABORT for a run that stopped to ask a person)."""
        if run is not None:
            final = state or ("COMPLETE" if ok else "FAIL")
            self._emit(final, run, tuple(reads), tuple(writes), None)

    def _emit(
        self,
        state: str,
        run: LineageRun,
        reads: Sequence[str],
        writes: Sequence[str],
        at: datetime | None,
    ) -> bool:
        try:
            from openlineage.client.event_v2 import (
                InputDataset,
                Job,
                OutputDataset,
                Run,
                RunEvent,
                RunState,
            )
            from openlineage.client.facet_v2 import parent_run

            parent = parent_run.ParentRunFacet(
                run=parent_run.Run(runId=mission_run_id(self.mission)),
                job=parent_run.Job(namespace=NAMESPACE, name=self.mission.id),
            )
            event = RunEvent(
                eventType=RunState[state],
                eventTime=(at or clock.now()).isoformat(),
                run=Run(runId=run.run_id, facets={"parent": parent}),
                job=Job(namespace=NAMESPACE, name=run.job),
                producer=PRODUCER,
                inputs=[InputDataset(self.namespace, name) for name in reads],
                outputs=[OutputDataset(self.namespace, name) for name in writes],
            )
            self.client().emit(event)
        except Exception as exc:  # lineage is a record; it never fails the task
            log.warning("lineage event not written: %s: %s", type(exc).__name__, exc)
            return False
        return True

    def client(self) -> Any:
        if self._client is None:
            from openlineage.client import OpenLineageClient

            configured = any(os.environ.get(name) for name in USER_CONFIG)
            if configured or (self.workspace / "openlineage.yml").is_file():
                self._client = OpenLineageClient()
            else:
                from openlineage.client.transport.file import FileConfig, FileTransport

                path = self.workspace / EVENTS
                path.parent.mkdir(parents=True, exist_ok=True)
                config = FileConfig(log_file_path=str(path), append=True)
                self._client = OpenLineageClient(transport=FileTransport(config))
        return self._client


def _new_id() -> uuid.UUID:
    """A time-ordered id, as OpenLineage recommends (UUIDv7) where the client has it."""
    try:
        from openlineage.client.uuid import generate_new_uuid

        return generate_new_uuid()
    except ImportError:
        return uuid.uuid4()
