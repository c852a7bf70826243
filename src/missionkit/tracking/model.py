"""What every tracker reads into: items (issues), their specs, events and comments."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from missionkit.lifecycle import MissionState
from missionkit.spec.key import Key as Key  # re-exported: items are keyed like the spec

MISSION_ACTIVE = MissionState.ACTIVE
MISSION_AWAITING = MissionState.AWAITING_SIGNOFF
MISSION_CLOSED = MissionState.CLOSED


@dataclass(frozen=True)
class Spec:
    """What the mission files say an item should be (everything but its state)."""

    key: Key
    title: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    blocked_by: tuple[Key, ...]
    parent: Key | None
    context: dict[str, Any] = field(hash=False, compare=False)

    @property
    def spec_hash(self) -> str:
        payload = {
            "title": self.title,
            "labels": sorted(self.labels),
            "assignees": sorted(self.assignees),
            "blocked_by": sorted(str(k) for k in self.blocked_by),
            "parent": str(self.parent) if self.parent else None,
            "context": self.context,
        }
        raw = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class Item:
    """An item as a tracker holds it."""

    key: Key
    number: int
    uid: int
    title: str
    state: str
    labels: frozenset[str]
    assignees: frozenset[str]
    spec_hash: str | None
    url: str
    owner: str | None = None
    blocked_by_count: int | None = None
    sub_issue_count: int | None = None
    updated_at: datetime | None = None
    claimed_by: str | None = None
    claim_expires: datetime | None = None


@dataclass(frozen=True)
class Event:
    """One recorded transition or action."""

    at: datetime
    key: Key
    actor: str
    kind: str
    from_state: str | None
    to_state: str | None
    reason: str


@dataclass(frozen=True)
class Comment:
    key: Key
    at: datetime
    author: str
    body: str
