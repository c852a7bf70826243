"""One contract, both trackers: sync, read back, relations, transitions, history, comments."""

from __future__ import annotations

from pathlib import Path

from missionkit.lifecycle import TaskEvent, TaskState
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.base import Tracker
from missionkit.tracking.model import MISSION_ACTIVE, Key
from missionkit.tracking.plan import make_plan

from support import HEAD, comments_of

MISSION = (
    HEAD
    + """stakeholders: [sam-okafor]
labels: [healthcare]
tasks:
  - id: ingest
    title: Ingest the extracts
    agent: shell
    with: {command: "true"}
    acceptance: [Tables exist]
  - id: review
    title: Review the mapping
    owner: alex-kim
    depends_on: [ingest]
  - id: model
    title: Build the models
    depends_on: [ingest, review]
---
Context for the mission.
"""
)


def write(tmp_path: Path, text: str = MISSION) -> Mission:
    folder = tmp_path / "missions"
    folder.mkdir(exist_ok=True)
    (folder / "m.md").write_text(text)
    return load_missions([folder])[0]


def sync(tracker: Tracker, mission: Mission, prune: bool = False) -> None:
    apply_plan(make_plan([mission], tracker, prune=prune), tracker)


def by_key(tracker: Tracker) -> dict[Key, object]:
    return {i.key: i for i in tracker.read("m")}


def test_first_sync_creates_one_item_per_task_and_mission(tracker: Tracker, tmp_path: Path) -> None:
    mission = write(tmp_path)
    plan = make_plan([mission], tracker)
    assert [c.action for c in plan.changes if c.action != "label"] == [
        "create",
        "create",
        "create",
        "create",
        "link",
        "link",
        "link",
        "block",
        "block",
        "block",
    ]
    apply_plan(plan, tracker)
    items = {i.key: i for i in tracker.read("m")}
    assert set(items) == {Key("m"), Key("m", "ingest"), Key("m", "review"), Key("m", "model")}
    assert items[Key("m")].state == MISSION_ACTIVE
    assert all(items[k].state == TaskState.BLOCKED for k in items if k.task)
    assert items[Key("m", "ingest")].labels == {
        "mission:m",
        "agent:shell",
        "status:blocked",
        "healthcare",
    }
    assert items[Key("m", "model")].labels == {
        "mission:m",
        "owner:person",
        "after:ingest",
        "after:review",
        "status:blocked",
        "healthcare",
    }
    assert items[Key("m")].labels == {"mission", "mission:m", "healthcare"}
    assert items[Key("m", "review")].assignees == {"alex-kim"}
    assert items[Key("m", "model")].assignees == {"dana-lee"}
    uid = {k: i.uid for k, i in items.items()}
    assert sorted(tracker.blockers(items[Key("m", "model")])) == sorted(
        [uid[Key("m", "ingest")], uid[Key("m", "review")]]
    )
    assert sorted(tracker.children(items[Key("m")])) == sorted(uid[k] for k in items if k.task)


def test_resync_is_a_no_op(tracker: Tracker, tmp_path: Path) -> None:
    mission = write(tmp_path)
    sync(tracker, mission)
    plan = make_plan([mission], tracker)
    assert plan.empty, plan.render()


def test_editing_one_task_plans_one_update(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    edited = write(tmp_path, MISSION.replace("Review the mapping", "Review the field mapping"))
    plan = make_plan([edited], tracker)
    assert [(c.action, str(c.key)) for c in plan.changes] == [("update", "m/review")]
    apply_plan(plan, tracker)
    assert {i.key: i.title for i in tracker.read("m")}[Key("m", "review")] == (
        "Review the field mapping"
    )
    assert make_plan([edited], tracker).empty


def test_dependency_change_moves_relations_and_labels(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    edited = write(
        tmp_path, MISSION.replace("depends_on: [ingest, review]", "depends_on: [review]")
    )
    plan = make_plan([edited], tracker)
    assert [(c.action, str(c.key), str(c.target)) for c in plan.changes] == [
        ("update", "m/model", "None"),
        ("unblock", "m/model", "m/ingest"),
    ]
    apply_plan(plan, tracker)
    items = {i.key: i for i in tracker.read("m")}
    assert tracker.blockers(items[Key("m", "model")]) == [items[Key("m", "review")].uid]
    assert "after:ingest" not in items[Key("m", "model")].labels
    assert make_plan([edited], tracker).empty


def test_removed_task_is_closed_only_with_prune(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    shorter = write(tmp_path, MISSION.split("  - id: model")[0] + "---\n")
    plan = make_plan([shorter], tracker)
    assert [c.action for c in plan.changes] == ["update"]  # the mission's body, not the task
    assert plan.warnings == (
        f"m/model (#{by_key(tracker)[Key('m', 'model')].number}) is no longer in the "  # type: ignore[attr-defined]
        "mission file; sync --prune closes it as not planned",
    )
    apply_plan(plan, tracker)
    pruned = make_plan([shorter], tracker, prune=True)
    assert [(c.action, str(c.key), c.state) for c in pruned.changes] == [
        ("close", "m/model", TaskState.CANCELLED)
    ]
    apply_plan(pruned, tracker)
    assert by_key(tracker)[Key("m", "model")].state == TaskState.CANCELLED  # type: ignore[attr-defined]
    assert make_plan([shorter], tracker, prune=True).empty
    # Putting the task back reopens its item instead of creating a second one.
    again = write(tmp_path)
    plan = make_plan([again], tracker)
    assert ("reopen", "m/model") in [(c.action, str(c.key)) for c in plan.changes]
    apply_plan(plan, tracker)
    assert len(tracker.read("m")) == 4
    assert by_key(tracker)[Key("m", "model")].state == TaskState.BLOCKED  # type: ignore[attr-defined]


def test_drafts_are_never_synced(tracker: Tracker, tmp_path: Path) -> None:
    draft = write(tmp_path, MISSION.replace("stakeholders:", "status: draft\nstakeholders:"))
    plan = make_plan([draft], tracker)
    assert plan.empty
    assert tracker.read("m") == []


def test_transition_is_compare_and_set(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    item = by_key(tracker)[Key("m", "ingest")]
    moved = tracker.transition(item, TaskEvent.UNBLOCK, "dispatch", "deps done")  # type: ignore[arg-type]
    assert moved is not None and moved.state == TaskState.READY
    assert "status:ready" in moved.labels and "status:blocked" not in moved.labels
    again = tracker.transition(item, TaskEvent.UNBLOCK, "dispatch", "again")  # type: ignore[arg-type]
    assert again is None
    done = tracker.transition(moved, TaskEvent.COMPLETE, "alex-kim", "finished")
    assert done is not None
    assert done.state == TaskState.DONE
    assert by_key(tracker)[Key("m", "ingest")].state == TaskState.DONE  # type: ignore[attr-defined]
    history = [
        (e.key.task, e.from_state, e.to_state, e.actor, e.reason)
        for e in tracker.history("m")
        if e.kind == "state"
    ]
    assert history == [
        ("ingest", "blocked", "ready", "dispatch", "deps done"),
        ("ingest", "ready", "done", "alex-kim", "finished"),
    ]


def test_comments_round_trip(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    item = by_key(tracker)[Key("m", "review")]
    tracker.comment(item, "Which column holds the birth date?", "missionkit-agent")  # type: ignore[arg-type]
    bodies = [c.body for c in comments_of(tracker, item)]  # type: ignore[arg-type]
    assert bodies == ["Which column holds the birth date?"]
