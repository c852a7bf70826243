"""Workflow run artifacts: the files a runner's artifact service stored, as the REST API lists
and serves them.

The runner side (``actions/upload-artifact`` talking to the Actions results service) is played by
nektos/act's artifact server, which keeps each artifact as ``<root>/<run id>/<name>/<name>.zip``
and numbers it with the 32-bit FNV-1a hash of its name; this store reads that layout, so an
artifact one act run uploaded is listed and downloaded through the API (``GET
/repos/{o}/{r}/actions/runs/{run_id}/artifacts``, ``GET …/actions/artifacts/{id}/zip``, which
redirects to an unauthenticated blob URL, as GitHub does) by a later run. The digest is the
SHA-256 of the zip, as GitHub records it.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BLOB_PREFIX = "/_blobs/artifacts/"  # the unauthenticated download URLs: /_blobs/artifacts/<id>


def artifact_id(name: str) -> int:
    """act's artifact id: the 32-bit FNV-1a hash of the name."""
    value = 0x811C9DC5
    for byte in name.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


@dataclass(frozen=True)
class StoredArtifact:
    id: int
    name: str
    run_id: int
    path: Path
    created_at: datetime

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.path.read_bytes()).hexdigest()


class ArtifactStore:
    """The artifacts under ``root`` (act's ``--artifact-server-path``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def of_run(self, run_id: int) -> list[StoredArtifact]:
        folder = self.root / str(run_id)
        if not folder.is_dir():
            return []
        found = []
        for entry in sorted(folder.iterdir()):
            archive = entry / f"{entry.name}.zip"
            if archive.is_file():
                made = datetime.fromtimestamp(archive.stat().st_mtime, UTC).replace(microsecond=0)
                found.append(
                    StoredArtifact(artifact_id(entry.name), entry.name, run_id, archive, made)
                )
        return found

    def all(self) -> list[StoredArtifact]:
        if not self.root.is_dir():
            return []
        runs = [int(p.name) for p in self.root.iterdir() if p.is_dir() and p.name.isdigit()]
        return [artifact for run in sorted(runs) for artifact in self.of_run(run)]

    def get(self, artifact_id: int) -> StoredArtifact | None:
        return next((a for a in self.all() if a.id == artifact_id), None)

    def add(self, run_id: int, name: str, files: dict[str, bytes]) -> StoredArtifact:
        """An artifact as ``upload-artifact`` leaves it under act: ``files`` zipped, in run
        ``run_id``."""
        folder = self.root / str(run_id) / name
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(folder / f"{name}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            for path, data in files.items():
                archive.writestr(path, data)
        found = self.get(artifact_id(name))
        assert found is not None and found.run_id == run_id, f"artifact {name} was not stored"
        return found
