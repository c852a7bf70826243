"""One contract, both trackers: every method of every part of the tracker interface, from sync
and read back to relations, lifecycle events, claims, history, comments, assignees and proposals."""

from __future__ import annotations

from pathlib import Path

import pytest

from missionkit import clock
from missionkit.lifecycle import IllegalTransition, MissionEvent, TaskEvent, TaskState
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.base import Tracker
from missionkit.tracking.desired import render_body, specs_for
from missionkit.tracking.labels import label_for
from missionkit.tracking.model import MISSION_ACTIVE, MISSION_AWAITING, MISSION_CLOSED, Event, Key
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


# -- every method of every part of the interface, on both trackers ---------------------------


def test_labels_are_created_once_and_listed(tracker: Tracker) -> None:
    label = label_for("mission:m")
    tracker.create_label(label)
    tracker.create_label(label)  # already there: no error, no second label
    assert "mission:m" in tracker.label_names()


def test_links_name_the_item_or_the_key(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    item = by_key(tracker)[Key("m", "review")]
    assert f"#{item.number}" in tracker.link(item, item.key)  # type: ignore[attr-defined,arg-type]
    assert "m/later" in tracker.link(None, Key("m", "later"))


def test_create_gives_the_first_state_and_the_spec(tracker: Tracker, tmp_path: Path) -> None:
    mission = write(tmp_path)
    spec = next(s for s in specs_for(mission) if s.key == Key("m", "review"))
    body = render_body(spec, lambda k: tracker.link(None, k), {})
    item = tracker.create(spec, body, TaskState.BLOCKED)
    assert (item.key, item.title, item.state) == (spec.key, "Review the mapping", "blocked")
    assert "status:blocked" in item.labels and "after:ingest" in item.labels
    assert item.assignees == {"alex-kim"}
    assert [i.key for i in tracker.read("m")] == [spec.key]


def test_relations_are_added_once_and_removed(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    items = by_key(tracker)
    top, ingest, review = (items[Key("m", t)] for t in ("", "ingest", "review"))
    tracker.add_child(top, ingest)  # type: ignore[arg-type]
    tracker.add_blocker(review, ingest)  # type: ignore[arg-type]
    assert sorted(tracker.children(top)).count(ingest.uid) == 1  # type: ignore[arg-type,attr-defined]
    assert tracker.blockers(review) == [ingest.uid]  # type: ignore[arg-type,attr-defined]
    tracker.remove_blocker(review, ingest)  # type: ignore[arg-type]
    tracker.remove_blocker(review, ingest)  # type: ignore[arg-type]  # gone already: no error
    assert tracker.blockers(review) == []  # type: ignore[arg-type]


def test_claim_takes_a_ready_task_once(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    item = by_key(tracker)[Key("m", "ingest")]
    with pytest.raises(IllegalTransition):
        tracker.claim(item, "runner-1", 60)  # type: ignore[arg-type]  # blocked: not claimable
    ready = tracker.transition(item, TaskEvent.UNBLOCK, "dispatch", "no dependencies")  # type: ignore[arg-type]
    assert ready is not None
    claimed = tracker.claim(ready, "runner-1", 60)
    assert claimed is not None and claimed.state == TaskState.RUNNING
    assert "status:running" in claimed.labels
    assert tracker.claim(ready, "runner-2", 60) is None  # the first claim holds


def test_an_event_the_lifecycle_does_not_allow_is_refused(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    item = by_key(tracker)[Key("m", "ingest")]
    with pytest.raises(IllegalTransition):
        tracker.transition(item, TaskEvent.SUCCEED, "agent", "not running")  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition):
        tracker.transition(by_key(tracker)[Key("m")], MissionEvent.SIGN_OFF, "dana-lee", "early")  # type: ignore[arg-type]
    assert by_key(tracker)[Key("m", "ingest")].state == TaskState.BLOCKED  # type: ignore[attr-defined]


def test_the_mission_lifecycle(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    top = by_key(tracker)[Key("m")]
    awaiting = tracker.transition(top, MissionEvent.TASKS_FINISHED, "dispatch", "all done")  # type: ignore[arg-type]
    assert awaiting is not None and awaiting.state == MISSION_AWAITING
    assert "status:awaiting-signoff" in awaiting.labels
    closed = tracker.transition(awaiting, MissionEvent.SIGN_OFF, "dana-lee", "signed off")
    assert closed is not None and closed.state == MISSION_CLOSED
    assert "status:awaiting-signoff" not in closed.labels
    assert by_key(tracker)[Key("m")].state == MISSION_CLOSED  # type: ignore[attr-defined]


def test_events_and_records_keep_the_history(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    item = by_key(tracker)[Key("m", "ingest")]
    moved = tracker.transition(item, TaskEvent.UNBLOCK, "dispatch", "no dependencies")  # type: ignore[arg-type]
    assert moved is not None
    asked = Event(clock.now(), item.key, "alex-kim", "answer", None, None, "column dob")  # type: ignore[attr-defined]
    tracker.record(asked, note="@dana-lee see the answer")
    kinds = [(e.kind, e.to_state, e.reason) for e in tracker.events(moved)]
    assert kinds[0][0] == "created"
    assert kinds[1:] == [("state", "ready", "no dependencies"), ("answer", None, "column dob")]
    assert [e.kind for e in tracker.history("m") if e.key == item.key][1:] == ["state", "answer"]  # type: ignore[attr-defined]
    assert "@dana-lee see the answer" in [c.body for c in comments_of(tracker, moved)]  # type: ignore[attr-defined]


def test_assign_adds_people_and_keeps_the_owner(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    item = by_key(tracker)[Key("m", "review")]
    assert tracker.assign(item, ["dana-lee"]) == []  # type: ignore[arg-type]
    assert by_key(tracker)[Key("m", "review")].assignees == {"alex-kim", "dana-lee"}  # type: ignore[attr-defined]


def test_a_new_owner_replaces_the_old_one_and_hand_assignees_stay(
    tracker: Tracker, tmp_path: Path
) -> None:
    sync(tracker, write(tmp_path))
    tracker.assign(by_key(tracker)[Key("m", "review")], ["sam-okafor"])  # type: ignore[arg-type]
    moved = write(tmp_path, MISSION.replace("owner: alex-kim", "owner: dana-lee"))
    sync(tracker, moved)
    assert by_key(tracker)[Key("m", "review")].assignees == {"dana-lee", "sam-okafor"}  # type: ignore[attr-defined]
    assert make_plan([moved], tracker).empty


def test_proposing_changes_matches_what_the_tracker_says(tracker: Tracker, tmp_path: Path) -> None:
    sync(tracker, write(tmp_path))
    item = by_key(tracker)[Key("m", "ingest")]
    files = {"dbt/models/staging/stg_patients.sql": b"select 1\n"}
    proposed = tracker.propose_changes(item, files, title="Staging models", body="Generated.")  # type: ignore[arg-type]
    if tracker.proposes_changes:
        assert proposed is not None and proposed[0] > 0 and proposed[1].startswith("http")
    else:
        assert proposed is None
