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

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from missionkit.tracking.labels import is_managed
from missionkit.tracking.model import Item, Key, Spec

SYNCED_PREFIX = "<!-- missionkit-synced "
FIELDS = ("title", "owner", "labels", "depends_on", "sub_issues", "body", "notes")
#: The lines around missionkit's part of an issue body; people's text outside them is theirs.
BODY_BEGIN = (
    "<!-- missionkit: the text from here to the end line is missionkit's; write outside it -->"
)
BODY_END = "<!-- missionkit: end -->"
NOTES_SHOWN = 80  # characters of a person's text that the plan shows


def digest(text: str) -> str:
    """A short hash of text as a person sees it (line endings and trailing blanks aside: the
    web editor writes CRLF)."""
    lines = text.replace("\r\n", "\n").split("\n")
    normal = "\n".join(line.rstrip() for line in lines).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class BodyParts:
    """An issue body in three: the text before missionkit's part, the text missionkit rendered
    (as it is now), the text after. ``section`` None: render missionkit's part afresh."""

    before: str = ""
    section: str | None = None
    after: str = ""

    @property
    def notes(self) -> str:
        """What people wrote outside missionkit's part."""
        return (self.before.strip() + "\n\n" + self.after.strip()).strip()

    def keeping(self, section: bool) -> BodyParts:
        return BodyParts(self.before, self.section if section else None, self.after)


def split_body(body: str | None) -> BodyParts | None:
    """The parts of a body missionkit wrote between its begin and end lines; None for one
    without them (none yet, or written by an earlier missionkit)."""
    if not body:
        return None
    start, end = body.find(BODY_BEGIN), body.rfind(BODY_END)
    if start < 0 or end < start:
        return None
    inner = body[start + len(BODY_BEGIN) : end]
    cut = inner.rfind(SYNCED_PREFIX)
    section = (inner[:cut] if cut >= 0 else inner).strip("\r\n")
    after = body[end + len(BODY_END) :]
    return BodyParts(body[:start], section, after[1:] if after.startswith("\n") else after)


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
    body: str | None = None  # digest of missionkit's part as rendered from the files
    notes: str | None = None  # digest of the text people wrote outside it

    @classmethod
    def of(cls, spec: Spec, body: str | None = None, notes: str | None = None) -> Synced:
        return cls(
            spec.title,
            spec.assignees[0] if spec.assignees else "",
            drift_labels(spec.labels),
            tuple(sorted(str(k) for k in spec.blocked_by)),
            body,
            notes,
        )

    def comment(self) -> str:
        data: dict[str, Any] = {
            "title": self.title,
            "owner": self.owner,
            "labels": list(self.labels),
            "depends_on": list(self.depends_on),
        }
        if self.body is not None:
            data["body"] = self.body
        if self.notes is not None:
            data["notes"] = self.notes
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
                _text(data.get("body")),
                _text(data.get("notes")),
            )
        except (ValueError, KeyError, TypeError):
            return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


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
        if self.field == "notes":
            then = "sync removes it (--overwrite)" if overwrite else "sync keeps it"
            text = _show(self.tracker)
            return f"{self.key} #{self.number}: a person's text in the body: {text}; {then}"
        if self.field == "body":
            what = f"{self.key} #{self.number}: missionkit's part of the body edited by hand"
            if overwrite:
                return f"{what}; sync restores it from the files (--overwrite)"
            if self.conflict:
                return (
                    f"{what}, and the task changed in the files: conflict; sync keeps "
                    "GitHub's text, --overwrite restores the files'"
                )
            return f"{what}; sync keeps it, --overwrite restores it from the files"
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

    def body(self, item: Item) -> str:
        """The item's body as it is now."""

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


BODY_SYNCED, BODY_EDITED, FILES_CHANGED = (
    "missionkit's text",
    "edited by hand",
    "changed in the files",
)


def body_drift(item: Item, spec: Spec, synced: Synced, parts: BodyParts | None) -> list[Drift]:
    """People's text outside missionkit's part of the body, and hand edits inside it."""
    if parts is None:
        return []
    out: list[Drift] = []
    notes = parts.notes
    if synced.notes is not None and digest(notes) != synced.notes and notes:
        shown = notes if len(notes) <= NOTES_SHOWN else notes[: NOTES_SHOWN - 1] + "…"
        out.append(Drift(item.key, item.number, "notes", "", " ".join(shown.split()), ""))
    section = parts.section
    if synced.body is not None and section is not None and digest(section) != synced.body:
        files = BODY_SYNCED if item.spec_hash == spec.spec_hash else FILES_CHANGED
        out.append(Drift(item.key, item.number, "body", BODY_SYNCED, BODY_EDITED, files))
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
