"""``mission run``: the whole loop on one machine, agents in parallel on a bounded pool.

:func:`run_local` is the one call behind the command: choose the missions, sync them to the
local tracker, dispatch and run agents until every task is done or waits on a person, and
return what happened; :class:`LocalRun` is the loop itself, on any tracker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from missionkit.errors import UsageError
from missionkit.execution import actions
from missionkit.execution.agentrun import AGENT_ACTOR, finish
from missionkit.execution.claims import runner_id
from missionkit.execution.dispatch import Dispatcher
from missionkit.execution.notify import Notifier
from missionkit.execution.runner import RunOutcome, run_task
from missionkit.lifecycle import TaskEvent, allows, is_finished
from missionkit.llm.budget import Budget, deferred_budget, recorder
from missionkit.process import kill_all
from missionkit.spec.loader import load_missions
from missionkit.spec.missions import find_mission
from missionkit.spec.model import Mission, Task
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.base import Tracker
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.model import Item, Key
from missionkit.tracking.plan import make_plan
from missionkit.tracking.select import TrackerSettings
from missionkit.tracking.status import MissionStatus, mission_status, with_reasons

Progress = Callable[[str, Key | None, str], None]


@dataclass(frozen=True)
class Step:
    """One thing that happened during a run, with the tasks finished so far out of ``total``.

    ``kind``: ``sync`` (the missions are synced), ``dispatch`` (a dispatcher note), ``start``
    (a task starts), a verdict (``done``, ``failed``, ``needs-human``) or ``answer`` (a demo
    answer was given)."""

    kind: str
    key: Key | None
    text: str
    finished: int
    total: int


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
        self.dispatcher = Dispatcher(tracker, notifier, claimer=runner_id(), workspace=workspace)
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


def read_answers(path: str | Path | None) -> dict[str, str]:
    """The demo answers file: ``MISSION/TASK: answer text`` (given when that task asks)."""
    if not path:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"cannot read the answers file {path}: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UsageError(f"{path}: expected a mapping of MISSION/TASK to answer text")
    return {str(k): v for k, v in data.items()}


def run_local(
    missions_dir: str | Path,
    mission_id: str | None = None,
    *,
    workers: int = 2,
    answers_file: str | Path | None = None,
    progress: Callable[[Step], None] | None = None,
    workspace: Path | None = None,
    tracker_path: Path | None = None,
) -> RunSummary:
    """Run ``mission_id`` (or every active mission) on this machine with the local tracker."""
    if mission_id:
        missions = [find_mission(missions_dir, mission_id)]
    else:
        missions = [m for m in load_missions([missions_dir]) if m.spec.status == "active"]
    answers = read_answers(answers_file)
    tracker = LocalTracker(tracker_path or TrackerSettings.from_env("local").local_path)
    try:
        apply_plan(make_plan(missions, tracker), tracker)
        total = sum(len(m.tasks) for m in missions)

        def finished() -> int:
            return sum(
                1
                for m in missions
                for i in tracker.read(m.id)
                if i.key.task and is_finished(i.state)
            )

        def step(kind: str, key: Key | None, text: str) -> None:
            if progress is not None:
                progress(Step(kind, key, text, finished(), total))

        step("sync", None, f"{len(missions)} mission(s) synced")
        run = LocalRun(
            missions,
            tracker,
            workspace or Path.cwd(),
            Notifier(),
            workers=workers,
            progress=step if progress is not None else None,
            demo_answers=answers,
        )
        summary = run.run()
        summary.statuses = [with_reasons(s, tracker) for s in summary.statuses]
        return summary
    finally:
        tracker.close()
