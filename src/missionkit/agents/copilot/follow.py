"""Owning a task through the Copilot coding agent, from the dispatcher.

``start`` assigns a claimed task's issue to Copilot (or escalates with the reason it cannot be).
``follow`` looks, on each dispatch, for the pull request whose body closes the issue:

- none yet: wait, until the task's ``timeout`` (default one hour) since the assignment, then
  needs-human;
- open: wait for a person to review and merge it;
- closed without merging: needs-human;
- merged: the task goes back to ready and is claimed for an agent job like any other, where the
  ``copilot`` agent confirms the merge and the task's checks run on the merged result (in the
  step that holds no token); every check passes: done; one fails: failed, escalated.

Merging closes the issue on GitHub before the checks ran; the issue keeps its ``status:running``
label, so ``follow`` still owns it and reopens it until the checks have decided.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from github import Github, GithubException
from github.PullRequest import PullRequest

from missionkit import clock
from missionkit.agents.copilot.assign import (
    LOGINS,
    NotAssigned,
    assign,
    check_assignable,
    payload,
)
from missionkit.agents.copilot.inputs import CopilotInputs
from missionkit.execution.claims import DEFAULT_TIMEOUT, stale_reason
from missionkit.execution.escalation import escalate
from missionkit.execution.notify import Notifier
from missionkit.lifecycle import TaskEvent, TaskState
from missionkit.spec.model import Mission, Task
from missionkit.templating import render_template
from missionkit.tracking.base import ExecutionOps
from missionkit.tracking.github.client import connect
from missionkit.tracking.labels import status_label
from missionkit.tracking.model import Event, Item

if TYPE_CHECKING:
    from missionkit.tracking.github.tracker import GitHubTracker

AGENT = "copilot"
ACTOR = "missionkit-copilot"
ASSIGNED = "copilot-assigned"
MERGED = "copilot-merged"
_CLOSING = r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+(?:{repo})?#{number}\b"


def owns(item: Item) -> bool:
    """A running task, or one whose issue a merge closed before its checks ran."""
    return item.state == TaskState.RUNNING or (
        item.state == TaskState.DONE and status_label(TaskState.RUNNING) in item.labels
    )


def merge_record(tracker: ExecutionOps, item: Item) -> str | None:
    """ "pull request #N merged as <sha>" when that happened since the last assignment."""
    last: str | None = None
    for event in tracker.events(item):
        if event.kind == ASSIGNED:
            last = None
        elif event.kind == MERGED:
            last = event.reason
    return last


@dataclass(frozen=True)
class PullState:
    number: int
    url: str
    merged_sha: str | None
    open: bool


class CopilotOwner:
    """Assigns and follows the ``copilot`` tasks of one GitHub repository."""

    def __init__(
        self,
        tracker: GitHubTracker,
        notifier: Notifier,
        *,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.tracker = tracker
        self.notifier = notifier
        self.env = os.environ if env is None else env

    @property
    def repository(self) -> str:
        return str(self.tracker.repo.full_name)

    # ------------------------------------------------------------------ start

    def start(self, mission: Mission, task: Task, item: Item) -> tuple[Item, str, bool]:
        """Assign the claimed task's issue to Copilot, or hand it to a person with the reason;
        once its pull request is merged, the claim is for an agent job that runs its checks
        (the last value says so)."""
        if merge_record(self.tracker, item) is not None:
            return item, f"{item.key}: claimed to run its checks on the merged result", True
        item, line = self._assign(mission, task, item)
        return item, line, False

    def _assign(self, mission: Mission, task: Task, item: Item) -> tuple[Item, str]:
        inputs = CopilotInputs.model_validate(task.with_)
        token_name = mission.spec.ai.copilot_token_env
        token = self.env.get(token_name, "")
        try:
            if not token:
                raise NotAssigned(
                    f"no user token: the secret {token_name} is not set (the workflow's "
                    "GITHUB_TOKEN cannot assign Copilot)"
                )
            gh = self._user_client(token)
            try:
                check_assignable(gh, self.repository)
                body = payload(
                    self.repository, self.tracker.repo.default_branch, mission, task, inputs
                )
                again = any(a.lower() in LOGINS for a in item.assignees)
                assign(gh, self.repository, item.number, body, again=again)
            finally:
                gh.close()
        except NotAssigned as exc:
            return self._to_person(mission, task, item, f"Copilot was not assigned: {exc}")
        self.tracker.record(
            Event(clock.now(), item.key, ACTOR, ASSIGNED, None, None, "assigned to Copilot")
        )
        text = render_template(
            "copilot/assigned.md.j2", {"task": task, "timeout": self._timeout(task)}
        )
        self.tracker.comment(item, text, ACTOR)
        return item, f"{item.key}: assigned to the Copilot coding agent"

    def _user_client(self, token: str) -> Github:
        return connect(self.tracker.gh.requester.base_url, token, 0)

    # ------------------------------------------------------------------ follow

    def follow(self, mission: Mission, task: Task, item: Item) -> tuple[Item, str | None]:
        """Move the task on if its pull request was merged, closed, or never came."""
        if item.state == TaskState.RUNNING and merge_record(self.tracker, item) is not None:
            # claimed by an agent job that runs the checks; back to ready if that job is gone
            why = stale_reason(item, task, clock.now())
            if why is None:
                return item, None
            moved = self._move(item, TaskEvent.RELEASE, f"back to ready: {why}")
            return (moved or item), f"{item.key}: recovered, {why}"
        pulls = self._closing_pulls(item.number)
        merged = [p for p in pulls if p.merged_sha]
        if merged:
            return self._verify(mission, task, item, merged[0])
        if item.state == TaskState.DONE:
            return self._reopen(item, "its issue was closed, but no merged pull request closes it")
        if any(p.open for p in pulls):
            return item, None
        if pulls:
            newest = pulls[0]
            return self._to_person(
                mission,
                task,
                item,
                f"Copilot's pull request #{newest.number} ({newest.url}) was closed without "
                "being merged",
            )
        since = self._assigned_at(item)
        if since is None:  # claimed, but the assignment never happened (an error midway)
            return self._assign(mission, task, item)
        timeout = self._timeout(task)
        if clock.now() - since > timeout:
            return self._to_person(
                mission,
                task,
                item,
                f"no pull request closes #{item.number} within the task's timeout "
                f"({_duration(timeout)} since Copilot was assigned)",
            )
        return item, None

    def _closing_pulls(self, number: int) -> list[PullState]:
        """Pull requests (newest first) whose body closes issue ``number``."""
        pattern = re.compile(
            _CLOSING.format(repo=re.escape(self.repository), number=number), re.IGNORECASE
        )

        def read() -> list[PullState]:
            found = []
            pulls = self.tracker.repo.get_pulls(state="all", sort="created", direction="desc")
            for pr in pulls.get_page(0):
                if pattern.search(pr.body or ""):
                    found.append(_state_of(pr))
            return found

        return self.tracker.client.call(read, what=f"list pull requests closing #{number}")

    def _assigned_at(self, item: Item) -> datetime | None:
        events = [e for e in self.tracker.events(item) if e.kind == ASSIGNED]
        return events[-1].at if events else None

    @staticmethod
    def _timeout(task: Task) -> timedelta:
        return task.timeout or DEFAULT_TIMEOUT

    # ------------------------------------------------------------------ verdicts

    def _verify(
        self, mission: Mission, task: Task, item: Item, pull: PullState
    ) -> tuple[Item, str | None]:
        """Merged: the task goes back to ready, for an agent job to run its checks."""
        assert pull.merged_sha is not None
        evidence = f"pull request #{pull.number} merged as {pull.merged_sha}"
        self.tracker.record(Event(clock.now(), item.key, ACTOR, MERGED, None, None, evidence))
        moved = self._move(
            item, TaskEvent.RELEASE, f"{evidence}; the task's checks run on the merged result next"
        )
        return (moved or item), f"{item.key}: pull request #{pull.number} merged"

    def _move(self, item: Item, event: TaskEvent, reason: str) -> Item | None:
        if item.state == TaskState.DONE:
            # closed by the merge, still labelled running: that is the state it leaves
            return self.tracker.observed(item, TaskState.RUNNING, event, ACTOR, reason)
        return self.tracker.transition(item, event, ACTOR, reason)

    def _reopen(self, item: Item, reason: str) -> tuple[Item, str | None]:
        moved = self._move(item, TaskEvent.HOLD, f"reopened: {reason}")
        return (moved or item), f"{item.key}: {reason}"

    def _to_person(self, mission: Mission, task: Task, item: Item, reason: str) -> tuple[Item, str]:
        moved = self._move(item, TaskEvent.ASK, reason)
        if moved is None:
            return item, f"{item.key}: changed meanwhile; left as it is"
        escalate(self.tracker, self.notifier, mission, task, moved, "needs-human", reason, ACTOR)
        return moved, f"{item.key}: needs a person ({reason})"


def _state_of(pr: PullRequest) -> PullState:
    merged = pr.merged_at is not None
    return PullState(
        pr.number, pr.html_url, pr.merge_commit_sha if merged else None, pr.state == "open"
    )


def _duration(value: timedelta) -> str:
    from missionkit.spec.durations import format_duration

    return format_duration(value)


__all__ = ["AGENT", "CopilotOwner", "GithubException", "owns"]
