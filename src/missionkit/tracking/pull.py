"""``mission pull``: turn drift (people's edits on the tracker) into edits of the mission files.

Three-way: each drifted field is compared with the value the last sync wrote (kept in the
item's marker) and with the files.  Changed on the tracker only → the file takes the tracker's
value; changed on both sides to different values → a conflict, reported with both values and
left alone.  A retitled issue becomes ``title``, a reassignment ``owner``, relations added or
removed by hand ``depends_on``, and a sub-issue a person added to a mission's issue a new task
(its id derived from its title) whose issue is adopted: missionkit's marker is written into it.
Afterwards the pulled items' markers are refreshed, so a re-run and the next sync do nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from missionkit.spec.edit import FileEdits, flow_list, scalar
from missionkit.spec.loader import load, load_missions
from missionkit.spec.model import Mission
from missionkit.spec.sourcemap import SourceMap
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.base import Tracker
from missionkit.tracking.drift import Drift
from missionkit.tracking.model import Key
from missionkit.tracking.plan import Plan, make_plan

ID_MAX = 40


@dataclass
class PullResult:
    pulled: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)


def task_id_for(title: str, taken: set[str]) -> str:
    """An id from a title: lower case, words joined by ``-``, at most 40 characters, unique."""
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:ID_MAX].strip("-") or "task"
    found, n = base, 2
    while found in taken:
        suffix = f"-{n}"
        found = base[: ID_MAX - len(suffix)].rstrip("-") + suffix
        n += 1
    return found


def _ref(mission: str, key: str) -> str:
    other = Key.parse(key)
    return other.task if other.mission == mission else key


class _Puller:
    def __init__(self, missions: dict[str, Mission], sources: dict[str, SourceMap]) -> None:
        self.missions = missions
        self.sources = sources
        self.edits = FileEdits()
        self.result = PullResult()
        self.new_tasks: list[tuple[int, Key]] = []

    def _prefix(self, key: Key) -> tuple[str | int, ...]:
        if key.is_mission:
            return ()
        ids = [t.id for t in self.missions[key.mission].tasks]
        return ("tasks", ids.index(key.task))

    def _set(self, key: Key, name: str, text: str, after: str = "title") -> None:
        """Set ``name`` of the mission or task to ``text``, inserting the line if absent."""
        source = self.sources[key.mission]
        prefix = self._prefix(key)
        path, line, column = source.locate((*prefix, name))
        if _doc_has(source, (*prefix, name)):
            self.edits.replace(path, line, column, text)
            return
        path, line, column = source.locate((*prefix, after), key=True)
        self.edits.insert(path, line, [" " * (column - 1) + f"{name}: {text}"])

    def drift(self, d: Drift) -> None:
        label = f"{d.key} #{d.number}: {d.field}"
        if d.conflict:
            self.result.conflicts.append(
                f"{label} changed on both sides: the files say {d.files!r}, GitHub says "
                f"{d.tracker!r} (last synced {d.synced!r}); edit the file, or run "
                "`mission sync --overwrite` to restore the files' side"
            )
            return
        if d.field == "title" and isinstance(d.tracker, str):
            self._set(d.key, "title", scalar(d.tracker))
        elif d.field == "owner" and isinstance(d.tracker, str):
            if not d.tracker or "," in d.tracker:
                self.result.skipped.append(
                    f"{label}: {d.tracker or 'nobody'} assigned; an owner is one person"
                )
                return
            self._set(d.key, "owner", scalar(d.tracker))
        elif d.field == "depends_on" and isinstance(d.tracker, tuple):
            refs = [_ref(d.key.mission, str(k)) for k in d.tracker]
            self._set(d.key, "depends_on", flow_list(refs))
        elif d.field == "sub_issues" and isinstance(d.tracker, tuple):
            for entry in d.tracker:
                number, _, title = str(entry).partition(" ")
                self._new_task(d.key.mission, int(number.lstrip("#")), title)
            return
        elif d.field == "notes":
            self.result.skipped.append(
                f"{label}: a person's text in the body stays on GitHub (sync keeps it)"
            )
            return
        else:
            self.result.skipped.append(
                f"{label}: not kept in the mission file; `mission sync --overwrite` restores it"
            )
            return
        self.result.pulled.append(f"{label} ← {d.tracker!r}")

    def _new_task(self, mission_id: str, number: int, title: str) -> None:
        mission = self.missions[mission_id]
        source = self.sources[mission_id]
        taken = {t.id for t in mission.tasks} | {k.task for _, k in self.new_tasks}
        task_id = task_id_for(title, taken)
        if not mission.tasks:
            self.result.skipped.append(f"#{number}: {mission_id} has no tasks list to add to")
            return
        last = ("tasks", len(mission.tasks) - 1)
        path, line, column = source.locate(last, key=True)
        if path != source.origins[0].path:
            self.result.skipped.append(
                f"#{number} “{title}”: add it as tasks/{task_id}.md by hand (a folder mission)"
            )
            return
        end = self.edits.item_end(path, line, column - 1)
        dash = " " * (column - 3)
        self.edits.insert(path, end, [f"{dash}- id: {task_id}", f"{dash}  title: {scalar(title)}"])
        self.new_tasks.append((number, Key(mission_id, task_id)))
        self.result.pulled.append(f"{mission_id}: new task {task_id} from #{number}")


def _doc_has(source: SourceMap, loc: tuple[str | int, ...]) -> bool:
    for origin in source.origins:
        n = len(origin.prefix)
        if tuple(loc[:n]) == origin.prefix and tuple(loc[n:]) in origin.doc.values:
            return True
    return False


def pull(paths: Iterable[str | Path], tracker: Tracker, *, refresh: bool = True) -> PullResult:
    """Write the tracker's side of every drift into the mission files; report conflicts.

    ``refresh``: rewrite the pulled items' markers, so that the files now edited count as
    synced. Off when the edits go to a pull request instead: until it is merged, the default
    branch still has the old values, and the drift must stay visible (and kept) meanwhile."""
    paths = list(paths)
    loaded = load(paths)
    loaded.raise_for_problems()
    missions = {m.id: m for m in loaded.missions}
    plan = make_plan(loaded.missions, tracker)
    puller = _Puller(missions, loaded.sources)
    for d in plan.drift:
        puller.drift(d)
    result = puller.result
    result.files = puller.edits.write()
    if not result.files:
        return result
    after = make_plan(load_missions(paths), tracker)
    for number, key in puller.new_tasks:
        adopt = getattr(tracker, "adopt", None)
        if adopt is not None and key in after.specs:
            adopt(number, after, key)
            result.adopted.append(f"#{number} → {key}")
    if refresh:
        _refresh_markers(make_plan(load_missions(paths), tracker), plan, tracker)
    return result


def _refresh_markers(after: Plan, before: Plan, tracker: Tracker) -> None:
    """Rewrite the markers of the items pulled, so that they record the files' new values."""
    pulled = {d.key for d in before.drift if not d.conflict}
    changes = tuple(c for c in after.changes if c.action == "update" and c.key in pulled)
    if changes:
        apply_plan(
            Plan(after.tracker, changes, after.items, after.specs, missions=after.missions),
            tracker,
        )
