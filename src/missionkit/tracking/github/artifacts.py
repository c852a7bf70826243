"""Download a workflow artifact by id: its zip, through the redirect GitHub answers with.

PyGithub follows the redirect to the storage URL without the token when the host differs.
The zip is untrusted: a member whose path leaves the folder, or a link, is refused.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from github import GithubException

from missionkit.tracking.github.client import GitHubError
from missionkit.tracking.github.tracker import GitHubTracker

CHUNK = 1 << 20


def download_artifact(tracker: GitHubTracker, artifact_id: int, dest: Path) -> list[Path]:
    """Unzip artifact ``artifact_id`` of the tracker's repository into ``dest``; its files."""
    artifact = tracker.client.call(
        lambda: tracker.repo.get_artifact(artifact_id), what=f"read artifact {artifact_id}"
    )
    if artifact.expired:
        raise GitHubError(f"artifact {artifact_id} ({artifact.name}) has expired")
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        zipped = Path(tmp) / "artifact.zip"
        try:
            tracker.gh.requester.getFile(
                artifact.archive_download_url, str(zipped), chunk_size=CHUNK
            )
        except (GithubException, OSError) as exc:
            raise GitHubError(f"cannot download artifact {artifact_id}: {exc}") from None
        return _unzip(zipped, dest, artifact_id)


def _unzip(zipped: Path, dest: Path, artifact_id: int) -> list[Path]:
    try:
        archive = zipfile.ZipFile(zipped)
    except zipfile.BadZipFile:
        raise GitHubError(f"artifact {artifact_id} is not a zip file") from None
    written = []
    with archive:
        for member in archive.infolist():
            name = PurePosixPath(member.filename)
            is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
            if name.is_absolute() or ".." in name.parts or is_link:
                raise GitHubError(f"artifact {artifact_id} holds an unsafe path: {name}")
            if member.is_dir():
                continue
            target = dest.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, target.open("wb") as out:
                while block := source.read(CHUNK):
                    out.write(block)
            written.append(target)
    return written
