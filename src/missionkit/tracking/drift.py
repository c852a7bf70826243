"""Drift: what people changed on the tracker's side since the last sync.

Each synced item's marker keeps the values sync last wrote from the files (:class:`Synced`):
the title, the owner, the labels missionkit manages and the prerequisites.  Comparing the item
as it is now with those values shows what changed on the tracker's side; comparing the files
with them shows what changed in the files.  A field changed on both sides to different values
is a conflict.  By default sync keeps the tracker's side of a drifted field and warns;
``--overwrite`` restores the files' side; ``mission pull`` writes the tracker's side into the
files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from missionkit.tracking.labels import is_managed
from missionkit.tracking.model import Item, Key, Spec

SYNCED_PREFIX = "<!-- missionkit-synced "
FIELDS = ("title", "owner", "labels", "depends_on", "sub_issues")


def drift_labels(labels: Iterable[str]) -> tuple[str, ...]:
    """The managed labels people may change: not the state or the mirrored dependencies."""
    return tuple(
        sorted(x for x in labels if is_managed(x) and not x.startswith(("status:", "after:")))
    )


@dataclass(frozen=True)
class Synced:
    """What the last sync wrote from the files."""

    title: str
    owner: str
    labels: tuple[str, ...]
    depends_on: tuple[str, ...]

    @classmethod
    def of(cls, spec: Spec) -> Synced:
        return cls(
            spec.title,
            spec.assignees[0] if spec.assignees else "",
            drift_labels(spec.labels),
            tuple(sorted(str(k) for k in spec.blocked_by)),
        )

    def comment(self) -> str:
        data = {
            "title": self.title,
            "owner": self.owner,
            "labels": list(self.labels),
            "depends_on": list(self.depends_on),
        }
        payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        return SYNCED_PREFIX + payload.replace("--", "\\u002d\\u002d") + " -->"

    @classmethod
    def parse(cls, body: str | None) -> Synced | None:
        if not body:
            return None
        start = body.rfind(SYNCED_PREFIX)
        end = body.find(" -->", start)
        if start < 0 or end < 0:
            return None
        try:
            data: Any = json.loads(body[start + len(SYNCED_PREFIX) : end])
            return cls(
                str(data["title"]),
                str(data["owner"]),
                tuple(str(x) for x in data["labels"]),
                tuple(str(x) for x in data["depends_on"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


def keep_drift(change: Any, item: Item) -> Spec:
    """The spec an update writes: the files', except the drifted fields it keeps as they are."""
    spec: Spec = change.spec
    keep = set(change.keep)
    if "title" in keep:
        spec = replace(spec, title=item.title)
    if "labels" in keep:
        after = tuple(x for x in spec.labels if x.startswith("after:"))
        spec = replace(spec, labels=drift_labels(item.labels) + after)
    if "owner" in keep:
        spec = replace(spec, assignees=())
    return spec


def _show(value: object) -> str:
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return f"“{value}”" if value else "(none)"


@dataclass(frozen=True)
class Drift:
    """One field changed on the tracker's side: its value at the last sync, now, in the files."""

    key: Key
    number: int
    field: str
    synced: object
    tracker: object
    files: object
    who: str | None = None
    when: datetime | None = None

    @property
    def conflict(self) -> bool:
        """Both sides changed the field, to different values."""
        return self.files != self.synced and self.files != self.tracker

    @property
    def pulled(self) -> bool:
        """The files already say what the tracker says (nothing left to reconcile)."""
        return self.files == self.tracker

    def describe(self, overwrite: bool = False) -> str:
        by = f" by @{self.who}" if self.who else ""
        at = f" at {self.when:%Y-%m-%d %H:%M} UTC" if self.when else ""
        what = f"{self.field} {_show(self.synced)} → {_show(self.tracker)}"
        if self.conflict:
            then = f"conflict: the files say {_show(self.files)}"
            then += "; sync restores the files' side" if overwrite else "; sync keeps GitHub's"
        elif overwrite:
            then = f"sync restores {_show(self.files)} (--overwrite)"
        else:
            then = "sync keeps it; `mission pull` writes it into the file, --overwrite reverts it"
        return f"{self.key} #{self.number}: {what}{by}{at}; {then}"

    def to_json(self) -> dict[str, Any]:
        def plain(v: object) -> object:
            return list(v) if isinstance(v, tuple) else v

        return {
            "item": str(self.key),
            "number": self.number,
            "field": self.field,
            "synced": plain(self.synced),
            "tracker": plain(self.tracker),
            "files": plain(self.files),
            "who": self.who,
            "when": self.when.isoformat() if self.when else None,
            "conflict": self.conflict,
        }


@runtime_checkable
class DriftSource(Protocol):
    """A tracker people edit by hand: what the last sync wrote, and who changed what since."""

    def synced(self, item: Item) -> Synced | None:
        """The values the last sync wrote into ``item``, if it recorded them."""

    def changed_by(self, item: Item, field: str) -> tuple[str | None, datetime | None]:
        """Who last changed ``field`` of ``item`` (not missionkit), and when."""

    def foreign_children(self, item: Item, known: set[int]) -> list[tuple[int, str]]:
        """Number and title of each sub-item of ``item`` whose uid is not in ``known``."""

    def unlinked_by(self, parent: Item, child: Item) -> tuple[str, datetime] | None:
        """Who took ``child`` out of ``parent``'s sub-items by hand, and when (None: nobody)."""


def field_drift(item: Item, spec: Spec, synced: Synced) -> list[Drift]:
    """Title, owner and label drift of one item (relations are compared by the plan)."""
    files = Synced.of(spec)
    out: list[Drift] = []
    if item.title != synced.title:
        out.append(Drift(item.key, item.number, "title", synced.title, item.title, files.title))
    if synced.owner and synced.owner.casefold() not in {a.casefold() for a in item.assignees}:
        now = sorted(item.assignees)
        owner = now[0] if len(now) == 1 else ", ".join(now)
        out.append(Drift(item.key, item.number, "owner", synced.owner, owner, files.owner))
    labels = drift_labels(item.labels)
    if labels != synced.labels:
        out.append(Drift(item.key, item.number, "labels", synced.labels, labels, files.labels))
    return out


def relation_drift(item: Item, spec: Spec, synced: Synced, current: Iterable[Key]) -> Drift | None:
    """Prerequisites added or removed on the tracker's side."""
    now = tuple(sorted(str(k) for k in current))
    if now == synced.depends_on:
        return None
    files = tuple(sorted(str(k) for k in spec.blocked_by))
    return Drift(item.key, item.number, "depends_on", synced.depends_on, now, files)


def with_authors(drifts: Sequence[Drift], items: dict[Key, Item], tracker: object) -> list[Drift]:
    """Each drift with who made it and when, where the tracker can tell."""
    if not isinstance(tracker, DriftSource):
        return list(drifts)
    out = []
    for d in drifts:
        if d.who is not None:
            out.append(d)
            continue
        who, when = tracker.changed_by(items[d.key], d.field)
        out.append(Drift(d.key, d.number, d.field, d.synced, d.tracker, d.files, who, when))
    return out
