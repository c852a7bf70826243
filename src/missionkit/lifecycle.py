"""The task and mission lifecycle, written once: states, events, one transition table.

Every state change anywhere (dispatch, agents, people's actions, sync, GitHub webhooks, both
trackers) names an event and asks this module for the state it leads to; a move the table does
not hold is an :class:`IllegalTransition`. The finished set, the sign-off rule and what a
prerequisite must reach are decided here too. ``docs/lifecycle.md`` is generated from the table
(``python scripts/lifecycle_doc.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from missionkit.errors import CheckFailed


class TaskState(StrEnum):
    BLOCKED = "blocked"
    READY = "ready"
    RUNNING = "running"
    DONE = "done"
    NEEDS_HUMAN = "needs-human"
    FAILED = "failed"
    CANCELLED = "cancelled"


class MissionState(StrEnum):
    ACTIVE = "active"
    AWAITING_SIGNOFF = "awaiting-signoff"
    CLOSED = "closed"


class TaskEvent(StrEnum):
    UNBLOCK = "unblock"
    BLOCK = "block"
    CLAIM = "claim"
    RELEASE = "release"
    SUCCEED = "succeed"
    FAIL = "fail"
    ASK = "ask"
    HOLD = "hold"
    ANSWER = "answer"
    RETRY = "retry"
    COMPLETE = "complete"
    CLOSE = "close"
    CANCEL = "cancel"
    REOPEN = "reopen"


class MissionEvent(StrEnum):
    TASKS_FINISHED = "tasks-finished"
    SIGN_OFF = "sign-off"
    REOPEN = "reopen"
    REFUSE_SIGNOFF = "refuse-signoff"


LifecycleEvent = TaskEvent | MissionEvent

FINISHED: frozenset[str] = frozenset({TaskState.DONE, TaskState.CANCELLED})
"""A finished task needs nothing more; a mission awaits sign-off once all its tasks are."""

WORK_FINISHED: frozenset[str] = frozenset({MissionState.AWAITING_SIGNOFF, MissionState.CLOSED})
"""Mission states in which no task is left to do (a due date can no longer be missed)."""

NOT_STARTED: frozenset[str] = frozenset({TaskState.BLOCKED, TaskState.READY})
ESCALATING: frozenset[str] = frozenset({TaskState.NEEDS_HUMAN, TaskState.FAILED})
"""States that wait on a person, who is reminded until they act."""

_OPEN = (
    TaskState.BLOCKED,
    TaskState.READY,
    TaskState.RUNNING,
    TaskState.NEEDS_HUMAN,
    TaskState.FAILED,
)
_STARTED = (TaskState.READY, TaskState.RUNNING, TaskState.NEEDS_HUMAN, TaskState.FAILED)


@dataclass(frozen=True)
class Rule:
    """One row of the table: ``event`` moves an item from any of ``sources`` to ``target``."""

    event: LifecycleEvent
    sources: tuple[str, ...]
    target: str
    by: str  # who or what fires it, for the docs


TASK_RULES: tuple[Rule, ...] = (
    Rule(
        TaskEvent.UNBLOCK,
        (TaskState.BLOCKED,),
        TaskState.READY,
        "dispatch: every prerequisite is done",
    ),
    Rule(
        TaskEvent.BLOCK,
        (TaskState.READY,),
        TaskState.BLOCKED,
        "dispatch: a prerequisite is no longer done",
    ),
    Rule(TaskEvent.CLAIM, (TaskState.READY,), TaskState.RUNNING, "a runner takes an agent task"),
    Rule(
        TaskEvent.RELEASE,
        (TaskState.RUNNING,),
        TaskState.READY,
        "a stale claim, an interrupted run, or a merged pull request whose checks run next",
    ),
    Rule(
        TaskEvent.SUCCEED, (TaskState.RUNNING,), TaskState.DONE, "the agent and every check passed"
    ),
    Rule(TaskEvent.FAIL, (TaskState.RUNNING,), TaskState.FAILED, "the agent or a check failed"),
    Rule(
        TaskEvent.ASK,
        (TaskState.RUNNING,),
        TaskState.NEEDS_HUMAN,
        "the agent asks a person, or proposes files for review",
    ),
    Rule(
        TaskEvent.HOLD,
        (TaskState.RUNNING,),
        TaskState.RUNNING,
        "its issue was closed (a merge) before its checks gave a verdict: reopened, still running",
    ),
    Rule(
        TaskEvent.ANSWER,
        (TaskState.NEEDS_HUMAN,),
        TaskState.READY,
        "a person answers (`mission answer`, `/answer`)",
    ),
    Rule(
        TaskEvent.RETRY,
        (TaskState.FAILED,),
        TaskState.READY,
        "a person re-queues it (`mission retry`, `/retry`)",
    ),
    Rule(TaskEvent.COMPLETE, _STARTED, TaskState.DONE, "a person marks it done (`mission done`)"),
    Rule(
        TaskEvent.CLOSE,
        _OPEN,
        TaskState.DONE,
        "its issue is closed as completed (by hand, or a merged pull request)",
    ),
    Rule(
        TaskEvent.CANCEL,
        _OPEN,
        TaskState.CANCELLED,
        "it left the mission file (`sync --prune`), or its issue is closed as not planned",
    ),
    Rule(
        TaskEvent.REOPEN,
        (TaskState.DONE, TaskState.CANCELLED),
        TaskState.BLOCKED,
        "it is back in the mission file, or its issue is reopened",
    ),
)

MISSION_RULES: tuple[Rule, ...] = (
    Rule(
        MissionEvent.TASKS_FINISHED,
        (MissionState.ACTIVE,),
        MissionState.AWAITING_SIGNOFF,
        "dispatch: every task is finished",
    ),
    Rule(
        MissionEvent.SIGN_OFF,
        (MissionState.AWAITING_SIGNOFF,),
        MissionState.CLOSED,
        "an approver signs off (`mission approve`, `/approve`, closing its issue)",
    ),
    Rule(
        MissionEvent.REOPEN,
        (MissionState.CLOSED,),
        MissionState.ACTIVE,
        "its issue was closed before every task was finished",
    ),
    Rule(
        MissionEvent.REFUSE_SIGNOFF,
        (MissionState.CLOSED,),
        MissionState.AWAITING_SIGNOFF,
        "its issue was closed by someone who may not sign off",
    ),
)


def _table(rules: Iterable[Rule]) -> dict[tuple[str, LifecycleEvent], str]:
    table: dict[tuple[str, LifecycleEvent], str] = {}
    for rule in rules:
        for source in rule.sources:
            assert (source, rule.event) not in table, f"two rows for {source}, {rule.event}"
            table[(source, rule.event)] = rule.target
    return table


TASK_TRANSITIONS: Mapping[tuple[str, LifecycleEvent], str] = _table(TASK_RULES)
MISSION_TRANSITIONS: Mapping[tuple[str, LifecycleEvent], str] = _table(MISSION_RULES)


class IllegalTransition(CheckFailed):
    """An event the lifecycle does not allow from an item's state."""

    def __init__(self, what: str, state: str, event: LifecycleEvent) -> None:
        self.what, self.state, self.event = what, state, event
        sources = sorted({s for (s, e) in _transitions(event) if e == event})
        super().__init__(
            f"{what} is {state}: '{event}' is allowed only from {', '.join(sources) or 'nowhere'}"
        )


def _transitions(event: LifecycleEvent) -> Mapping[tuple[str, LifecycleEvent], str]:
    return TASK_TRANSITIONS if isinstance(event, TaskEvent) else MISSION_TRANSITIONS


def allows(state: str, event: LifecycleEvent) -> bool:
    """Whether ``event`` may happen to an item in ``state``."""
    return (state, event) in _transitions(event)


def next_state(state: str, event: LifecycleEvent, what: str = "the item") -> str:
    """The state ``event`` leads to from ``state``; :class:`IllegalTransition` if none."""
    target = _transitions(event).get((state, event))
    if target is None:
        raise IllegalTransition(what, state, event)
    return target


def is_finished(state: str) -> bool:
    return state in FINISHED


def all_finished(states: Iterable[str]) -> bool:
    """Every state finished, and at least one of them (a mission without tasks never is)."""
    seen = False
    for state in states:
        if state not in FINISHED:
            return False
        seen = True
    return seen


def satisfies(state: str | None) -> bool:
    """A prerequisite lets its dependents run only once it is done (cancelled is not)."""
    return state == TaskState.DONE


def awaits_signoff(mission_state: str, task_states: Iterable[str]) -> bool:
    """The sign-off rule, first half: an active mission awaits sign-off once every task is
    finished (the dispatcher fires ``tasks-finished``; status shows it before then)."""
    return mission_state == MissionState.ACTIVE and all_finished(task_states)


def is_approver(login: str, approvers: Iterable[str]) -> bool:
    """The sign-off rule, second half: only an approver signs off (logins ignore case)."""
    return login.casefold() in {a.casefold() for a in approvers}


def undo_close(shown: str) -> MissionEvent:
    """The event that reopens a mission's issue closed without a valid sign-off, from the
    state its issue showed before (awaiting sign-off, or still active)."""
    if shown == MissionState.AWAITING_SIGNOFF:
        return MissionEvent.REFUSE_SIGNOFF
    return MissionEvent.REOPEN


def finishing_event(state: str) -> TaskEvent:
    """The event that records a task issue closed in the tracker as ``state`` (done or not)."""
    return TaskEvent.CANCEL if state == TaskState.CANCELLED else TaskEvent.CLOSE
