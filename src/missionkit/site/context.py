"""The typed context of each page template, derived from what was collected."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from missionkit.lifecycle import FINISHED, WORK_FINISHED, TaskState
from missionkit.site.collect import REPORT, RESULT, MissionData, RunRecord, SiteData
from missionkit.site.dag import Dag, layout
from missionkit.site.lineage import FailedCheck, TableUse, consumers
from missionkit.site.lineagegraph import lineage_dag
from missionkit.site.palette import PALETTE, StateStyle, style
from missionkit.spec.key import Key
from missionkit.tracking.model import MISSION_AWAITING, Event
from missionkit.tracking.status import TaskStatus, mission_label

MISSIONS = "missions"
_TASK_STATES = {str(s) for s in TaskState}


@dataclass(frozen=True)
class Link:
    """A Markdown link: ``href`` is relative to the page, or None for plain text."""

    text: str
    href: str | None = None


@dataclass(frozen=True)
class RunView:
    name: str
    verdict: str
    report: Link | None
    result: Link | None
    artifacts: tuple[Link, ...]


@dataclass(frozen=True)
class TaskView:
    id: str
    title: str
    state: str
    style: StateStyle
    agent: str | None
    owner: str
    issue: Link | None
    waits_on: str
    waits_on_kind: str
    waits_on_links: tuple[Link, ...]
    last_change: str
    runs: tuple[RunView, ...]
    critical: bool
    warnings: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return f"task-{self.id}"

    @property
    def latest(self) -> RunView | None:
        return self.runs[-1] if self.runs else None

    @property
    def waiting(self) -> bool:
        return bool(self.waits_on) and self.state not in FINISHED


@dataclass(frozen=True)
class EventView:
    at: str
    task: str
    actor: str
    kind: str
    change: str
    reason: str


@dataclass(frozen=True)
class CriterionView:
    text: str
    checked: bool
    status: str | None  # passed | warned | failed | pending, None when unchecked
    detail: str | None


@dataclass(frozen=True)
class DownstreamView:
    """A check of this mission failing on a table, and the tasks anywhere that read it."""

    task: str
    table: str
    consumers: tuple[Link, ...]  # to each reading task's row, on its mission's page


@dataclass(frozen=True)
class MissionView:
    """The context of ``mission.md.j2``; the index shows a summary of each."""

    id: str
    title: str
    href: str  # from the index
    source: str
    owner: str
    stakeholders: tuple[str, ...]
    approvers: tuple[str, ...]
    due: date | None
    overdue: bool
    scope: str | None
    success_criteria: tuple[CriterionView, ...]
    state: str
    state_label: str
    issue: Link | None
    done: int
    total: int
    counts: tuple[tuple[StateStyle, int], ...]
    tasks: tuple[TaskView, ...]
    critical_path: tuple[str, ...]
    history: tuple[EventView, ...]
    dag: Dag
    tables: tuple[TableUse, ...] = ()
    lineage: Dag | None = None  # the tables and their tasks, drawn
    downstream: tuple[DownstreamView, ...] = ()

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def awaiting_signoff(self) -> bool:
        return self.state == MISSION_AWAITING

    @property
    def waiting(self) -> tuple[TaskView, ...]:
        return tuple(t for t in self.tasks if t.waiting)

    def waiting_on(self, kind: str) -> int:
        return sum(1 for t in self.waiting if t.waits_on_kind == kind)

    @property
    def with_runs(self) -> tuple[TaskView, ...]:
        return tuple(t for t in self.tasks if t.runs)


@dataclass(frozen=True)
class IndexView:
    """The context of ``index.md.j2``."""

    missions: tuple[MissionView, ...]
    generated: str
    tracker: str

    def count(self, state: str) -> int:
        return sum(1 for m in self.missions if m.state == state)


@dataclass(frozen=True)
class TableRow:
    """One table on the tables page: every mission that touched it."""

    namespace: str
    name: str
    missions: tuple[tuple[MissionView, TableUse], ...]


@dataclass(frozen=True)
class SiteContext:
    """What every template also sees: the palette (for legends) and the index."""

    index: IndexView
    palette: tuple[StateStyle, ...] = tuple(PALETTE.values())

    @property
    def tables(self) -> tuple[TableRow, ...]:
        """Which missions touched each table, for ``tables.md``."""
        found: dict[tuple[str, str], list[tuple[MissionView, TableUse]]] = {}
        for view in self.index.missions:
            for use in view.tables:
                found.setdefault((use.namespace, use.name), []).append((view, use))
        return tuple(TableRow(ns, name, tuple(uses)) for (ns, name), uses in sorted(found.items()))


def mission_page(mission_id: str) -> str:
    """Where a mission's page is, relative to the docs folder."""
    return f"{MISSIONS}/{mission_id}.md"


def run_folder(mission_id: str, run: RunRecord) -> str:
    """Where a run's files are copied, relative to the mission's page.

    One folder per run, ``<task>.<run>`` (a task id has no dot): fewer folders to make.
    """
    return f"{mission_id}/runs/{run.task}.{run.name}"


def _stamp(at: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC (a time without a zone is taken as UTC)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return at.isoformat(sep=" ", timespec="seconds")[:19]


def _issue(url: str | None, number: int | None) -> Link | None:
    if number is None:
        return None
    web = url if url and url.startswith(("https://", "http://")) else None
    return Link(f"#{number}", web)


def _run_view(mission_id: str, run: RunRecord) -> RunView:
    base = run_folder(mission_id, run)
    files = {name: Link(name, f"{base}/{name}") for name in run.files}
    artifacts = [link for name, link in files.items() if name not in (REPORT, RESULT)]
    artifacts += [Link(name, f"{base}/workspace/{name}") for _, name in run.outside]
    return RunView(
        name=run.name,
        verdict=run.verdict or "unknown",
        report=files.get(REPORT),
        result=files.get(RESULT),
        artifacts=tuple(artifacts),
    )


def _waits_links(status: TaskStatus, known: set[str]) -> tuple[Link, ...]:
    if status.waits_on_kind != "task":
        return ()
    links = []
    for ref in status.waits_on_refs:
        other, task = Key.of_ref(status.mission, ref)
        if other == status.mission:
            links.append(Link(ref, f"#task-{task}"))
        elif other in known:
            links.append(Link(ref, f"{other}.md#task-{task}"))
        else:
            links.append(Link(ref))
    return tuple(links)


def _event(event: Event) -> EventView:
    change = f"{event.from_state or '·'} → {event.to_state}" if event.to_state else event.kind
    return EventView(
        _stamp(event.at), event.key.task, event.actor, event.kind, change, event.reason
    )


def mission_view(data: MissionData, known: set[str], today: date) -> MissionView:
    """The page context of one mission; ``known`` are the ids of the missions on the site."""
    status, mission = data.status, data.mission
    states = {t.task: t.state for t in status.tasks}
    # critical_path knows only the tracker's states: an untracked task is still to do.
    known_states = {t: s if s in _TASK_STATES else TaskState.BLOCKED for t, s in states.items()}
    critical = data.graph.critical_path(known_states)
    last: dict[str, datetime] = {}
    for event in data.history:
        task = event.key.task
        if task and (task not in last or event.at > last[task]):
            last[task] = event.at
    runs: dict[str, list[RunView]] = {}
    for run in data.runs:
        runs.setdefault(run.task, []).append(_run_view(mission.id, run))
    tasks = tuple(
        TaskView(
            id=t.task,
            title=t.title,
            state=t.state,
            style=style(t.state),
            agent=t.agent,
            owner=t.owner,
            issue=_issue(t.url, t.number),
            waits_on=t.waits_on,
            waits_on_kind=t.waits_on_kind,
            waits_on_links=_waits_links(t, known),
            last_change=_stamp(last[t.task]) if t.task in last else "",
            runs=tuple(runs.get(t.task, ())),
            critical=t.task in critical,
            warnings=t.warnings,
        )
        for t in status.tasks
    )
    counts = status.counts()
    spec = mission.spec
    titles = {t.id: t.title for t in mission.tasks}
    return MissionView(
        id=mission.id,
        title=spec.title,
        href=mission_page(mission.id),
        source=mission.path,
        owner=spec.owner,
        stakeholders=tuple(spec.stakeholders),
        approvers=tuple(mission.approvers),
        due=spec.due,
        overdue=bool(spec.due and spec.due < today) and status.state not in WORK_FINISHED,
        scope=spec.scope,
        success_criteria=tuple(CriterionView(**c) for c in status.to_json()["criteria"]),
        state=status.state,
        state_label=mission_label(status.state),
        issue=_web(status.url),
        done=status.done,
        total=len(status.tasks),
        counts=tuple((s, counts[s.state]) for s in PALETTE.values() if counts.get(s.state)),
        tasks=tasks,
        critical_path=tuple(critical),
        history=tuple(_event(e) for e in data.history),
        dag=layout(data.graph, states, titles, critical),
        tables=data.tables,
        lineage=lineage_dag(data.tables, states, titles),
    )


def _web(url: str | None) -> Link | None:
    if url and url.startswith(("https://", "http://")):
        return Link("tracking issue", url)
    return None


def site_context(data: SiteData, now: datetime) -> SiteContext:
    known = {m.mission.id for m in data.missions}
    views = tuple(mission_view(m, known, now.date()) for m in data.missions)
    if data.failed:
        views = tuple(replace(v, downstream=_downstream(v, data.failed, views)) for v in views)
    return SiteContext(IndexView(views, _stamp(now), data.tracker))


def _downstream(
    view: MissionView, failed: tuple[FailedCheck, ...], views: tuple[MissionView, ...]
) -> tuple[DownstreamView, ...]:
    """For each of ``view``'s failing checks on a table: the tasks of any mission reading it."""
    tables = {other.id: other.tables for other in views}
    return tuple(
        DownstreamView(
            check.task,
            check.table,
            tuple(
                Link(
                    f"{mission}/{task}",
                    f"{'' if mission == view.id else mission + '.md'}#task-{task}",
                )
                for mission, task in consumers(check, tables)
            ),
        )
        for check in failed
        if check.mission == view.id
    )


def _page(mission: str, here: str) -> str:
    """The link from mission ``here``'s page to mission ``mission``'s page ("" for itself)."""
    return "" if mission == here else f"{mission}.md"
