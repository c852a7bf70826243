"""GitHub webhook payloads (issues closed/reopened, issue_comment) turned into actions.

Everything in a payload is untrusted text: it is parsed, compared and quoted, never run.
Comment commands are checked against the commenter's permission on the repository.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missionkit.agents.copilot.follow import AGENT as COPILOT
from missionkit.errors import CheckFailed, UsageError
from missionkit.execution import actions
from missionkit.execution.criteria import signoff_warnings
from missionkit.execution.notify import Notifier
from missionkit.lifecycle import (
    IllegalTransition,
    MissionEvent,
    MissionState,
    TaskEvent,
    TaskState,
    allows,
    finishing_event,
    is_finished,
    undo_close,
)
from missionkit.spec.model import Mission
from missionkit.templating import render_text
from missionkit.tracking.desired import parse_marker
from missionkit.tracking.github.commands import parse_command
from missionkit.tracking.github.tracker import GitHubTracker
from missionkit.tracking.labels import state_from_labels, status_label
from missionkit.tracking.model import Item, Key

WRITERS = {"admin", "maintain", "write"}
#: Marks the refusal given to someone with no access: such a person gets one reply per issue,
#: so that an outsider's comments cannot make the bot write without end.
NO_ACCESS_MARK = "<!-- missionkit:refused-no-access -->"


@dataclass(frozen=True)
class Outcome:
    key: Key | None
    text: str


def load_payload(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the event payload {path}: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: an event payload is a JSON object")
    return data


def event_kind(payload: dict[str, Any]) -> str:
    if "comment" in payload and "issue" in payload:
        return "issue_comment"
    if "issue" in payload:
        return "issues"
    return "other"


def handle(
    payload: dict[str, Any], missions: list[Mission], tracker: GitHubTracker, notifier: Notifier
) -> Outcome:
    """Act on one payload; return what was done (or why nothing was)."""
    issue = payload.get("issue") or {}
    marker = parse_marker(str(issue.get("body") or ""))
    if marker is None:
        return Outcome(None, "not a missionkit issue; nothing to do")
    key = marker[0]
    mission = next((m for m in missions if m.id == key.mission), None)
    if mission is None:
        return Outcome(key, f"mission {key.mission} is not in the mission files; nothing to do")
    if key.task and key.task not in {t.id for t in mission.tasks}:
        return Outcome(key, f"{key} is no longer in the mission file; nothing to do")
    sender = str((payload.get("sender") or {}).get("login") or "someone")
    kind = event_kind(payload)
    action = payload.get("action")
    if kind not in ("issues", "issue_comment"):
        return Outcome(key, f"{kind}.{action} needs nothing")
    # Anyone can paste a marker into an issue of their own: act only on the tracked issue.
    item = actions.item_for(tracker, key)
    if issue.get("number") != item.number:
        return Outcome(
            key,
            f"issue #{issue.get('number')} carries the marker of {key}, which is #{item.number};"
            " ignored",
        )
    if kind == "issues" and action in ("closed", "reopened"):
        try:
            return _closed_or_reopened(tracker, notifier, mission, item, str(action), issue, sender)
        except IllegalTransition as exc:
            return Outcome(key, f"{exc}; nothing recorded")
    if kind == "issue_comment" and action == "created":
        comment = payload.get("comment") or {}
        return _command(tracker, notifier, mission, item, comment)
    return Outcome(key, f"{kind}.{action} needs nothing")


def _mission_closed(
    tracker: GitHubTracker,
    notifier: Notifier,
    mission: Mission,
    item: Item,
    sender: str,
    how: str,
) -> Outcome:
    """Closing a mission's issue is a sign-off: an approver's when every task is done;
    anyone else's, or an early one, is undone with a reply saying how to sign off."""
    key = item.key
    awaiting = MissionState.AWAITING_SIGNOFF
    shown = awaiting if status_label(awaiting) in item.labels else MissionState.ACTIVE
    approver = actions.is_approver(mission, sender)
    if allows(shown, MissionEvent.SIGN_OFF) and how == "completed" and approver:
        closed = tracker.observed(
            item,
            shown,
            MissionEvent.SIGN_OFF,
            sender,
            f"signed off by @{sender} (closed the mission's issue)",
        )
        actions.announce_signoff(notifier, mission, closed, sender)
        return Outcome(key, f"{key} signed off by @{sender}")
    if not approver:
        why = f"only the approvers of {mission.id} ({', '.join(mission.approvers)}) sign it off"
    elif not allows(shown, MissionEvent.SIGN_OFF):
        why = "not every task is done yet"
    else:
        why = "a mission is signed off as completed, not closed as not planned"
    reopened = tracker.observed(
        item,
        MissionState.CLOSED,
        undo_close(shown),
        "missionkit",
        f"reopened: @{sender} closed it, but {why}",
    )
    reply = render_text("reply/stays_open.md.j2", {"sender": sender, "why": why})
    tracker.comment(reopened, reply, "missionkit")
    return Outcome(key, f"{key} reopened: {why}")


def _closed_or_reopened(
    tracker: GitHubTracker,
    notifier: Notifier,
    mission: Mission,
    item: Item,
    action: str,
    issue: dict[str, Any],
    sender: str,
) -> Outcome:
    key = item.key
    if action == "closed":
        how = "not planned" if issue.get("state_reason") == "not_planned" else "completed"
        if key.task:
            # The issue is closed already (so the item reads done or cancelled); record the
            # change from the state its label still shows, and drop that label.
            shown = state_from_labels(item.labels, TaskState.BLOCKED)
            if shown == TaskState.RUNNING and mission.task(key.task).agent == COPILOT:
                # a merge of Copilot's pull request: done only once the checks pass (dispatch)
                return Outcome(key, f"{key} closed; its checks on the merged result decide")
            moved = tracker.observed(
                item,
                shown,
                finishing_event(item.state),
                sender,
                f"issue closed as {how} by @{sender}",
            )
            return Outcome(key, f"{key} closed by @{sender}: {moved.state}")
        return _mission_closed(tracker, notifier, mission, item, sender, how)
    if key.task:
        still = state_from_labels(item.labels, "")
        if still and not is_finished(still):
            # its label says the task never finished (missionkit reopened it): nothing changes
            return Outcome(key, f"{key} reopened by @{sender}: still {still}")
        moved = tracker.observed(
            item,
            _last_finished(tracker, item),
            TaskEvent.REOPEN,
            sender,
            f"issue reopened by @{sender}",
        )
        return Outcome(key, f"{key} reopened by @{sender}: {moved.state} until dispatch")
    return Outcome(key, f"{key} reopened by @{sender}")


def _last_finished(tracker: GitHubTracker, item: Item) -> str:
    """How a reopened task's issue had been closed: the last state its history recorded, if
    that is a finished one; done otherwise."""
    recorded = [e.to_state for e in tracker.events(item) if e.kind == "state" and e.to_state]
    return recorded[-1] if recorded and is_finished(recorded[-1]) else TaskState.DONE


def _command(
    tracker: GitHubTracker,
    notifier: Notifier,
    mission: Mission,
    item: Item,
    comment: dict[str, Any],
) -> Outcome:
    key = item.key
    author = str((comment.get("user") or {}).get("login") or "")
    command = parse_command(str(comment.get("body") or ""))
    if command is None:
        return Outcome(key, "no command in the comment")
    word, text = command
    if author in tracker.events_log.trusted():
        return Outcome(key, "a comment of missionkit's own; ignored")
    permission = tracker.permission(author)
    try:
        if word == "/approve":
            if key.task:
                raise actions.Refused("comment `/approve` on the mission's issue, not on a task")
            if not actions.is_approver(mission, author):
                raise actions.Refused(
                    f"only the approvers of {mission.id} ({', '.join(mission.approvers)}) "
                    "may sign it off"
                )
            if permission == "none":
                raise actions.Refused(
                    f"@{author} is an approver of {mission.id} but has no access to this repository"
                )
            warnings = signoff_warnings(tracker, mission, item)
            actions.approve(tracker, notifier, mission, author)
            done = f"{mission.id} signed off by @{author}"
            if warnings:
                lines = "\n".join(f"- {w}" for w in warnings)
                tracker.comment(
                    item, f"@{author} signed {mission.id} off. Note:\n\n{lines}\n", "missionkit"
                )
        elif permission not in WRITERS:
            raise actions.Refused(f"`{word}` needs write access to the repository")
        elif not key.task:
            raise actions.Refused(f"`{word}` works on a task's issue, not on the mission's")
        elif word == "/retry":
            actions.retry(tracker, mission, key.task, author)
            done = f"{key} re-queued by @{author}"
        else:
            actions.answer(tracker, mission, key.task, author, text)
            done = f"{key} answered by @{author}"
    except CheckFailed as exc:
        refused = f"refused {word} from @{author}: {exc}"
        mark = ""
        if permission == "none":
            if _refused_no_access_before(tracker, item):
                return Outcome(key, f"{refused} (no reply: this issue has had its one)")
            mark = f"\n\n{NO_ACCESS_MARK}"
        reply = render_text("reply/refused.md.j2", {"author": author, "problem": exc})
        tracker.comment(item, reply + mark, "missionkit")
        return Outcome(key, refused)
    return Outcome(key, done)


def _refused_no_access_before(tracker: GitHubTracker, item: Item) -> bool:
    trusted = tracker.events_log.trusted()
    return any(
        c.author in trusted and NO_ACCESS_MARK in (c.body or "")
        for c in tracker.issues.comments(item)
    )
