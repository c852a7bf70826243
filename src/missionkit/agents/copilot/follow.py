"""Owning a task through the Copilot coding agent, from the dispatcher.

``start`` assigns a claimed task's issue to Copilot (or escalates with the reason it cannot be).
``follow`` looks, on each dispatch, for the pull request whose body closes the issue:

- none yet: wait, until the task's ``timeout`` (default one hour) since the assignment, then
  needs-human;
- open: wait for a person to review and merge it;
- closed without merging: needs-human;
- merged: run the task's checks on the merged result (this checkout, which must contain the
  merge commit); every check passes: done; one fails: failed, escalated.

Merging closes the issue on GitHub before the checks ran; the issue keeps its ``status:running``
label, so ``follow`` still owns it and reopens it if the verdict cannot be given yet.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from github import Github, GithubException
from github.PullRequest import PullRequest

from missionkit import clock
from missionkit.agents.copilot.assign import NotAssigned, assign, check_assignable, payload
from missionkit.agents.copilot.inputs import CopilotInputs
from missionkit.execution.checks import CheckResult, run_check
from missionkit.execution.claims import DEFAULT_TIMEOUT
from missionkit.execution.escalation import escalate
from missionkit.execution.notify import Notifier
from missionkit.execution.runner import RUNS_DIR, warehouse_path
from missionkit.process import secret_names
from missionkit.spec.model import Mission, Task, TaskState
from missionkit.templating import render_template
from missionkit.tracking.github.client import connect
from missionkit.tracking.labels import status_label
from missionkit.tracking.model import Event, Item

if TYPE_CHECKING:
    from missionkit.tracking.github.tracker import GitHubTracker

AGENT = "copilot"
ACTOR = "missionkit-copilot"
ASSIGNED = "copilot-assigned"
_CLOSING = r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+(?:{repo})?#{number}\b"


def owns(item: Item) -> bool:
    """A running task, or one whose issue a merge closed before its checks ran."""
    return item.state == TaskState.RUNNING or (
        item.state == TaskState.DONE and status_label(TaskState.RUNNING) in item.labels
    )


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
        workspace: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.tracker = tracker
        self.notifier = notifier
        self.workspace = workspace or Path.cwd()
        self.env = os.environ if env is None else env

    @property
    def repository(self) -> str:
        return str(self.tracker.repo.full_name)

    # ------------------------------------------------------------------ start

    def start(self, mission: Mission, task: Task, item: Item) -> tuple[Item, str]:
        """Assign the claimed task's issue to Copilot, or hand it to a person with the reason."""
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
                assign(gh, self.repository, item.number, body)
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
            return self.start(mission, task, item)
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
        assert pull.merged_sha is not None
        missing = self._lacks(pull.merged_sha)
        if missing:
            if item.state == TaskState.DONE:
                return self._reopen(item, f"pull request #{pull.number} merged; {missing}")
            return item, f"{item.key}: pull request #{pull.number} merged; {missing}"
        checks = self._run_checks(mission, task)
        failed = [f"check failed: {c.label} ({c.detail})" for c in checks if not c.passed]
        report = render_template(
            "copilot/verified.md.j2",
            {"task": task, "pull": pull, "checks": checks, "failed": failed},
        )
        self.tracker.comment(item, report, ACTOR)
        if failed:
            moved = self._move(
                item, TaskState.FAILED, f"pull request #{pull.number} merged; " + "; ".join(failed)
            )
            if moved is None:
                return item, None
            text = "\n".join(f"- {r}" for r in failed) + (
                f"\n\nCopilot's pull request #{pull.number} was merged as {pull.merged_sha[:7]}, "
                "but the task's checks fail on the merged result."
            )
            escalate(self.tracker, self.notifier, mission, task, moved, "failed", text, ACTOR)
            return moved, f"{item.key}: failed ({'; '.join(failed)})"
        reason = f"pull request #{pull.number} merged and every check passed on the merged result"
        moved = self._move(item, TaskState.DONE, reason)
        return (moved or item), f"{item.key}: done ({reason})"

    def _lacks(self, sha: str) -> str | None:
        """Why this checkout is not the merged result yet, or None when it is."""
        if not (self.workspace / ".git").exists():
            return None  # not a git checkout: the files are taken as they are
        found = subprocess.run(
            ["git", "merge-base", "--is-ancestor", sha, "HEAD"],
            cwd=self.workspace,
            capture_output=True,
            check=False,
        )
        if found.returncode == 0:
            return None
        return f"this checkout does not contain {sha[:7]} yet; the checks run on a later dispatch"

    def _run_checks(self, mission: Mission, task: Task) -> list[CheckResult]:
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        run_dir = self.workspace / RUNS_DIR / mission.id / task.id / f"{stamp}-merged"
        run_dir.mkdir(parents=True, exist_ok=True)
        warehouse = warehouse_path(mission, self.workspace)
        timeout = task.timeout.total_seconds() if task.timeout else None
        hidden = secret_names(mission)
        return [
            run_check(check, self.workspace, warehouse, run_dir, index, timeout, hidden)
            for index, check in enumerate(task.checks)
        ]

    def _move(self, item: Item, state: str, reason: str) -> Item | None:
        if item.state == TaskState.DONE:
            # closed by the merge, still labelled running: that is the state it leaves
            return self.tracker.set_state(
                replace(item, state=TaskState.RUNNING), state, ACTOR, reason
            )
        return self.tracker.transition(item, [item.state], state, ACTOR, reason)

    def _reopen(self, item: Item, reason: str) -> tuple[Item, str | None]:
        moved = self._move(item, TaskState.RUNNING, f"reopened: {reason}")
        return (moved or item), f"{item.key}: {reason}"

    def _to_person(self, mission: Mission, task: Task, item: Item, reason: str) -> tuple[Item, str]:
        moved = self._move(item, TaskState.NEEDS_HUMAN, reason)
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
