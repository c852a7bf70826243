"""Download a workflow artifact by id: its zip, through the redirect GitHub answers with.

The API answers 302 with a signed URL of GitHub's storage (another host, e.g. one of
``blob.core.windows.net``), which is fetched without the token. The zip is untrusted: a member
whose path leaves the folder, or a link, is refused.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import requests

from missionkit.tracking.github.client import GitHubError
from missionkit.tracking.github.tracker import GitHubTracker

CHUNK = 1 << 20


def download_artifact(
    tracker: GitHubTracker, token: str, artifact_id: int, dest: Path, timeout: float = 300
) -> list[Path]:
    """Unzip artifact ``artifact_id`` of the tracker's repository into ``dest``; its files."""
    artifact = tracker.client.call(
        lambda: tracker.repo.get_artifact(artifact_id), what=f"read artifact {artifact_id}"
    )
    if artifact.expired:
        raise GitHubError(f"artifact {artifact_id} ({artifact.name}) has expired")
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        zipped = Path(tmp) / "artifact.zip"
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        try:
            answer = requests.get(
                artifact.archive_download_url, headers=headers, allow_redirects=False, timeout=60
            )
            location = answer.headers.get("Location", "")
            if answer.status_code != 302 or not location.startswith(("https://", "http://")):
                raise GitHubError(
                    f"cannot download artifact {artifact_id}: GitHub answered "
                    f"{answer.status_code} without a download URL"
                )
            with requests.get(location, stream=True, timeout=timeout) as blob:
                blob.raise_for_status()
                with zipped.open("wb") as out:
                    for block in blob.iter_content(CHUNK):
                        out.write(block)
        except (requests.RequestException, OSError) as exc:
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
