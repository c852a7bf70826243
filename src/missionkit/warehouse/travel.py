"""How an embedded warehouse (a DuckDB file) travels between a mission's agent jobs.

Each job on GitHub starts on a fresh runner. The job that ran a task uploads the mission's
DuckDB file as a workflow artifact; ``record`` writes its id, run and digest into the task's
history and into the mission's ("wrote warehouse artifact …"), the mission's being the ledger.
The next job's ``prepare`` reads the newest entry of that ledger and names that artifact, and
only that one, to download; ``execute`` takes the downloaded file only when its SHA-256 is the
one recorded, and ``record`` notes in the task's history which artifact it read. A server
warehouse (PostgreSQL, or any ``warehouse_env``) needs none of this: every job connects to it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from missionkit import clock
from missionkit.errors import CheckFailed
from missionkit.spec.model import Mission
from missionkit.tracking.base import ExecutionOps
from missionkit.tracking.model import Event, Item, Key
from missionkit.warehouse.location import scheme

KIND = "warehouse-artifact"
ACTOR = "missionkit-agent"
FILE = "warehouse.json"  # in the handoff folder: the path, and the artifact to take
_SAFE_PATH = re.compile(r"^(?!/)(?!.*(?:^|/)\.\.(?:/|$))[A-Za-z0-9._/-]{1,200}$")
_REASON = re.compile(
    r"^(?P<verb>read|wrote) warehouse artifact (?P<id>\d+) \(run (?P<run>\d+), "
    r"(?P<digest>sha256:[0-9a-f]{64}|no digest); file sha256:(?P<file>[0-9a-f]{64})\)$"
)


@dataclass(frozen=True)
class Artifact:
    id: int
    run_id: int
    digest: str  # the artifact's, as upload-artifact gives it (sha256:…)
    file_sha256: str  # the DuckDB file's own, which missionkit checks on download

    def reason(self, verb: str) -> str:
        digest = self.digest or "no digest"
        return (
            f"{verb} warehouse artifact {self.id} (run {self.run_id}, {digest}; "
            f"file sha256:{self.file_sha256})"
        )


def travels(mission: Mission, env: Mapping[str, str] | None = None) -> str | None:
    """The repository path of the mission's DuckDB file when it travels as an artifact: its
    ``warehouse:`` file, unless the variable ``warehouse_env`` names is set (in ``env``, by
    default the process's), which makes the warehouse a server."""
    location = mission.spec.warehouse
    variables = os.environ if env is None else env
    named = mission.spec.warehouse_env
    if location is None or (named and variables.get(named)) or scheme(location) is not None:
        return None
    if not _SAFE_PATH.match(location):
        raise CheckFailed(
            f"{mission.id}: warehouse '{location}' is not a plain path inside the repository, "
            "so it cannot travel between jobs as an artifact"
        )
    return location


def parse(reason: str) -> tuple[str, Artifact] | None:
    found = _REASON.match(reason)
    if found is None:
        return None
    digest = found["digest"] if found["digest"].startswith("sha256:") else ""
    return found["verb"], Artifact(int(found["id"]), int(found["run"]), digest, found["file"])


def latest(tracker: ExecutionOps, mission_id: str) -> Artifact | None:
    """The newest artifact missionkit recorded for the mission, or None (nothing yet)."""
    key = Key(mission_id)
    item = next((i for i in tracker.read(mission_id) if i.key == key), None)
    if item is None:
        return None
    wrote = [parse(e.reason) for e in tracker.events(item) if e.kind == KIND]
    found = [
        artifact for entry in wrote if entry and entry[0] == "wrote" for artifact in [entry[1]]
    ]
    return found[-1] if found else None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def write_plan(out: Path, path: str, artifact: Artifact | None) -> None:
    """What the job's steps need: where the file goes, and which artifact to download."""
    plan: dict[str, Any] = {"path": path, "artifact": asdict(artifact) if artifact else None}
    (out / FILE).write_text(json.dumps(plan) + "\n", encoding="utf-8")


def read_plan(out: Path, mission: Mission) -> tuple[str, Artifact | None] | None:
    """The plan ``prepare`` wrote, checked against the mission file (the folder is writable by
    task code, so it is data to check, never trusted)."""
    source = out / FILE
    if not source.is_file() or source.is_symlink():
        return None
    data = json.loads(source.read_text(encoding="utf-8"))
    path = travels(mission)
    if path is None:
        return None  # here the warehouse is a server (warehouse_env is set): nothing to take
    if data.get("path") != path:
        raise CheckFailed(f"{FILE} names another warehouse than {mission.id}'s")
    given = data.get("artifact")
    return path, Artifact(**given) if isinstance(given, dict) else None


def take(downloaded: Path, artifact: Artifact, target: Path) -> None:
    """Put the downloaded file whose SHA-256 is the recorded one at ``target``."""
    candidates = [p for p in downloaded.rglob("*") if p.is_file() and not p.is_symlink()]
    match = next((p for p in candidates if file_sha256(p) == artifact.file_sha256), None)
    if match is None:
        raise CheckFailed(
            f"warehouse artifact {artifact.id} holds no file with the SHA-256 missionkit recorded "
            f"({artifact.file_sha256[:12]}…); it is not taken"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(match, target)


#: downloads artifact ``id`` into a folder (GitHub's: tracking.github.artifacts)
Download = Callable[[int, Path], object]


def fetch(tracker: ExecutionOps, mission: Mission, workspace: Path, download: Download) -> str:
    """Put the mission's DuckDB file, as missionkit last recorded it, at its path in
    ``workspace`` (for a job that runs no task but checks the mission, e.g. its success
    criteria); what was done, as a line for the log. A server warehouse needs nothing."""
    path = travels(mission)
    if path is None:
        return ""
    artifact = latest(tracker, mission.id)
    if artifact is None:
        return f"{mission.id}: no warehouse artifact recorded yet"
    with tempfile.TemporaryDirectory() as tmp:
        download(artifact.id, Path(tmp))
        take(Path(tmp), artifact, workspace / path)
    return f"{mission.id}: took warehouse artifact {artifact.id} (run {artifact.run_id})"


def note(tracker: ExecutionOps, item: Item, artifact: Artifact, verb: str) -> None:
    """Write the artifact into the task's history (and the mission's, for one it wrote)."""
    at = clock.now()
    tracker.record(Event(at, item.key, ACTOR, KIND, None, None, artifact.reason(verb)))
    if verb == "wrote":
        mission = Key(item.key.mission)
        tracker.record(Event(at, mission, ACTOR, KIND, None, None, artifact.reason(verb)))
