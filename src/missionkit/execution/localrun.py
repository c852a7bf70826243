"""``mission run``: the whole loop on one machine, agents in parallel on a bounded pool."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from missionkit.execution import actions
from missionkit.execution.agentrun import AGENT_ACTOR, finish
from missionkit.execution.claims import runner_id
from missionkit.execution.dispatch import Dispatcher
from missionkit.execution.notify import Notifier
from missionkit.execution.runner import RunOutcome, run_task
from missionkit.lifecycle import TaskEvent, allows
from missionkit.llm.budget import Budget, deferred_budget, recorder
from missionkit.process import kill_all
from missionkit.spec.model import Mission, Task
from missionkit.tracking.base import Tracker
from missionkit.tracking.model import Item, Key
from missionkit.tracking.status import MissionStatus, mission_status

Progress = Callable[[str, Key | None, str], None]


@dataclass
class RunSummary:
    ran: int = 0
    outcomes: dict[Key, str] = field(default_factory=dict)
    statuses: list[MissionStatus] = field(default_factory=list)
    auto_answered: list[Key] = field(default_factory=list)


class LocalRun:
    """Dispatch, run ready agent tasks (at most ``workers`` at a time) and repeat until idle."""

    def __init__(
        self,
        missions: list[Mission],
        tracker: Tracker,
        workspace: Path,
        notifier: Notifier,
        *,
        workers: int = 2,
        progress: Progress | None = None,
        demo_answers: Mapping[str, str] | None = None,
    ) -> None:
        self.missions = missions
        self.by_id = {m.id: m for m in missions}
        self.tracker = tracker
        self.workspace = workspace
        self.notifier = notifier
        self.workers = max(1, workers)
        self.progress = progress or (lambda kind, key, text: None)
        self.demo_answers = dict(demo_answers or {})
        self.dispatcher = Dispatcher(tracker, notifier, claimer=runner_id())
        self.budgets: dict[str, Budget] = {}

    def _budget(self, mission: Mission) -> Budget:
        """One budget per mission for the whole run; its requests are recorded as tasks end."""
        if mission.id not in self.budgets:
            self.budgets[mission.id] = deferred_budget(
                self.tracker, mission.id, mission.spec.ai.budget
            )
        return self.budgets[mission.id]

    def _task(self, key: Key) -> tuple[Mission, Task]:
        mission = self.by_id[key.mission]
        return mission, mission.task(key.task)

    def run(self) -> RunSummary:
        summary = RunSummary()
        active, items = self.dispatcher.read(self.missions)
        first = self.dispatcher.reconcile(active, items, limit=self.workers)
        running: dict[Future[RunOutcome], tuple[Key, Item]] = {}
        claimed = [Key(c.mission, c.task) for c in first.claimed]
        for line in first.lines:
            self.progress("dispatch", None, line)
        dependents = self._dependents()
        # Ready agent tasks left unclaimed for want of a free worker.
        pending = {k for k, i in items.items() if k.task and allows(i.state, TaskEvent.CLAIM)}
        with ThreadPoolExecutor(self.workers, thread_name_prefix="agent") as pool:
            try:
                while True:
                    for key in claimed:
                        mission, task = self._task(key)
                        item = items[key]
                        self.progress("start", key, task.title)
                        future = pool.submit(
                            run_task,
                            mission,
                            task,
                            self.workspace,
                            answers=actions.answers(self.tracker, item),
                            budget=self._budget(mission),
                        )
                        running[future] = (key, item)
                    claimed = []
                    if not running:
                        break
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    touched: set[Key] = set()
                    for future in finished:
                        key, item = running.pop(future)
                        touched |= self._record(key, item, future.result(), items, summary)
                        touched |= dependents.get(key, set())
                    free = self.workers - len(running)
                    result = self.dispatcher.step(
                        self.missions, items, touched | pending, limit=free
                    )
                    pending = {
                        k for k in touched | pending if allows(items[k].state, TaskEvent.CLAIM)
                    }
                    for line in result.lines:
                        self.progress("dispatch", None, line)
                    claimed = [Key(c.mission, c.task) for c in result.claimed]
            except BaseException:
                kill_all()
                for future, (_key, item) in running.items():
                    future.cancel()
                    self.tracker.transition(
                        item, TaskEvent.RELEASE, AGENT_ACTOR, "the local run was interrupted"
                    )
                raise
        summary.statuses = [mission_status(m, self.tracker) for m in active]
        return summary

    def _record(
        self, key: Key, item: Item, outcome: RunOutcome, items: dict[Key, Item], summary: RunSummary
    ) -> set[Key]:
        mission, task = self._task(key)
        self._budget(mission).flush(recorder(self.tracker, mission.id))
        moved = finish(self.tracker, self.notifier, mission, task, item, outcome)
        summary.ran += 1
        summary.outcomes[key] = str(outcome.verdict)
        self.progress(str(outcome.verdict), key, outcome.summary)
        touched = {key, Key(mission.id)}
        if moved is None:
            fresh = {i.key: i for i in self.tracker.read(mission.id)}
            items.update(fresh)
            return touched
        items[key] = moved
        answer = self.demo_answers.get(str(key))
        if allows(moved.state, TaskEvent.ANSWER) and answer and key not in summary.auto_answered:
            items[key] = actions.answer(self.tracker, mission, task.id, "demo-answers", answer)
            summary.auto_answered.append(key)
            self.progress("answer", key, "answered from the demo answer file")
        return touched

    def _dependents(self) -> dict[Key, set[Key]]:
        out: dict[Key, set[Key]] = {}
        for mission in self.missions:
            for task in mission.tasks:
                for dep in mission.prerequisites(task):
                    out.setdefault(dep, set()).add(Key(mission.id, task.id))
        return out
