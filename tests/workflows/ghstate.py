"""Reading the GitHub test server's state in the workflow tests, and the CLI's result; a
warehouse artifact recorded as an agent job leaves it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from missionkit.tracking.desired import parse_marker
from missionkit.tracking.github.tracker import GitHubTracker
from missionkit.tracking.model import Key
from missionkit.warehouse import travel

from ghserver import GitHubTestServer
from ghserver.artifacts import ArtifactStore


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def issue_number(server: GitHubTestServer, ref: str) -> int:
    """The number of the issue of ``mission`` or ``mission/task``, found by its marker."""
    mission, _, task = ref.partition("/")
    wanted = Key(mission, task)
    for number, issue in server.state.issues.items():
        found = parse_marker(issue.body)
        if found is not None and found[0] == wanted and issue.user == server.state.bot_login:
            return int(number)
    raise KeyError(ref)


def labels_of(server: GitHubTestServer, number: int) -> set[str]:
    return {label.name for label in server.state.labels_of(server.state.issues[number])}


def comments_of(server: GitHubTestServer, number: int) -> list[tuple[str, str]]:
    """(author, body) of each comment on issue ``number``."""
    return [(c.user, c.body) for c in server.state.comments_of(number)]


def record_warehouse(
    server: GitHubTestServer,
    store: Path,
    key: Key,
    run_id: int,
    files: dict[str, bytes],
    recorded: bytes,
) -> int:
    """A DuckDB file as an agent job leaves it on GitHub: ``files`` uploaded as the artifact of
    run ``run_id`` (into act's layout under ``store``, which the server then serves), and the
    artifact recorded in task ``key``'s history with ``recorded``'s SHA-256; its id."""
    artifacts = ArtifactStore(store)
    server.state.artifacts = artifacts
    name = f"missionkit-warehouse-{key.mission}-{key.task}-{run_id}-1"
    artifact = artifacts.add(run_id, name, files)
    tracker = GitHubTracker.connect(server.url, "acme/data", "token-bot")
    try:
        item = next(i for i in tracker.read(key.mission) if i.key == key)
        sha = hashlib.sha256(recorded).hexdigest()
        noted = travel.Artifact(artifact.id, run_id, artifact.digest, sha)
        travel.note(tracker, item, noted, "wrote")
    finally:
        tracker.close()
    return artifact.id
