"""A mission's LLM request budget: every request counts, on the tracker, across runs."""

from __future__ import annotations

import threading
from collections.abc import Callable

from missionkit import clock
from missionkit.llm.errors import BudgetExhausted
from missionkit.tracking.base import ExecutionOps
from missionkit.tracking.model import Event, Key

REQUEST = "llm-request"
ACTOR = "missionkit-llm"


class Budget:
    """``limit`` requests in all, ``used`` so far (or a function that counts them, asked on
    first use so that a run that asks nothing reads nothing); ``record`` is told of each one.
    Without ``record``, the reasons wait in :attr:`pending` for :meth:`flush`."""

    def __init__(
        self,
        limit: int,
        used: int | Callable[[], int] = 0,
        record: Callable[[str], None] | None = None,
    ) -> None:
        self.limit = limit
        self._used = used
        self._record = record
        self._lock = threading.Lock()
        self.pending: list[str] = []

    @property
    def used(self) -> int:
        if callable(self._used):
            self._used = self._used()
        return self._used

    @property
    def left(self) -> int:
        return max(self.limit - self.used, 0)

    def spend(self, purpose: str) -> None:
        """Count one request, or refuse it when none is left."""
        with self._lock:
            used = self.used
            if used >= self.limit:
                raise BudgetExhausted(
                    f"the LLM request budget is used up ({used} of {self.limit} requests); "
                    "raise ai.budget in the mission file to allow more"
                )
            self._used = used + 1
            reason = f"LLM request {used + 1} of {self.limit}: {purpose}"
            if self._record is None:
                self.pending.append(reason)
        if self._record is not None:
            self._record(reason)

    def flush(self, record: Callable[[str], None]) -> None:
        """Hand the waiting reasons to ``record`` (on the thread that owns the tracker)."""
        with self._lock:
            pending, self.pending = self.pending, []
        for reason in pending:
            record(reason)


def _counter(tracker: ExecutionOps, key: Key) -> Callable[[], int]:
    def used() -> int:
        item = next((i for i in tracker.read(key.mission) if i.key == key), None)
        return 0 if item is None else sum(1 for e in tracker.events(item) if e.kind == REQUEST)

    return used


def recorder(tracker: ExecutionOps, mission_id: str) -> Callable[[str], None]:
    """Writes one request onto the mission's history."""
    key = Key(mission_id)

    def record(reason: str) -> None:
        tracker.record(Event(clock.now(), key, ACTOR, REQUEST, None, None, reason))

    return record


def tracker_budget(tracker: ExecutionOps, mission_id: str, limit: int) -> Budget:
    """A budget whose requests are events on the mission's item, so every run sees them."""
    return Budget(limit, _counter(tracker, Key(mission_id)), recorder(tracker, mission_id))


def deferred_budget(tracker: ExecutionOps, mission_id: str, limit: int) -> Budget:
    """The same for agents on worker threads: counted now, recorded by :meth:`Budget.flush`."""
    return Budget(limit, _counter(tracker, Key(mission_id))(), None)
