"""Choose and open a tracker from flags and the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from missionkit.errors import UsageError
from missionkit.tracking.base import Tracker

TRACKERS = ("local", "github")
DEFAULT_API = "https://api.github.com"


@dataclass(frozen=True)
class TrackerSettings:
    name: str = "local"
    local_path: Path = Path(".missionkit") / "tracker.db"
    repository: str | None = None
    api_url: str = DEFAULT_API
    token: str | None = None

    @classmethod
    def from_env(
        cls,
        name: str | None = None,
        repository: str | None = None,
        api_url: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> TrackerSettings:
        env = os.environ if env is None else env
        chosen = name or env.get("MISSIONKIT_TRACKER") or "local"
        if chosen not in TRACKERS:
            raise UsageError(f"unknown tracker '{chosen}'; use one of: {', '.join(TRACKERS)}")
        return cls(
            name=chosen,
            local_path=Path(env.get("MISSIONKIT_DB", str(cls.local_path))),
            repository=repository or env.get("GITHUB_REPOSITORY"),
            api_url=(api_url or env.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/"),
            token=env.get("GITHUB_TOKEN"),
        )


def open_tracker(settings: TrackerSettings) -> Tracker:
    if settings.name == "local":
        from missionkit.tracking.local import LocalTracker

        return LocalTracker(settings.local_path)
    if not settings.repository or "/" not in settings.repository:
        raise UsageError("the github tracker needs GITHUB_REPOSITORY=owner/name (or --repo)")
    if not settings.token:
        raise UsageError("the github tracker needs a token in the GITHUB_TOKEN variable")
    from missionkit.tracking.github.tracker import GitHubTracker

    return GitHubTracker.connect(settings.api_url, settings.repository, settings.token)
