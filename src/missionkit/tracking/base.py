"""The tracker interface, split by the caller each part serves.

* :class:`PlanReads` — what :mod:`missionkit.tracking.plan` reads to diff the mission files;
* :class:`ApplyWrites` — the single changes :mod:`missionkit.tracking.apply` makes;
* :class:`ExecutionOps` — what dispatch, the runner and people's actions need;
* :class:`ReportReads` — what status, ``mission log`` and the site read.

Every state change is a :meth:`Transitions.transition`: a lifecycle event, checked against
:mod:`missionkit.lifecycle`, applied compare-and-set. Diffing and planning live once in the
core; a tracker only reads items into the shared models and applies single changes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence

from missionkit.lifecycle import LifecycleEvent
from missionkit.tracking.labels import Label
from missionkit.tracking.model import Event, Item, Key, Spec


class Items(ABC):
    """What every caller needs: the tracker's name, its warnings and the items of a mission."""

    name: str = "tracker"
    warnings: list[str]

    def __init__(self) -> None:
        self.warnings = []

    @abstractmethod
    def read(self, mission_id: str) -> list[Item]:
        """Every item (the mission's and its tasks') that carries this mission's marker."""


class Transitions(ABC):
    """The one way a state changes."""

    @abstractmethod
    def transition(self, item: Item, event: LifecycleEvent, actor: str, reason: str) -> Item | None:
        """Fire ``event`` on ``item`` and record it; return the item as it now is.

        Raises :class:`~missionkit.lifecycle.IllegalTransition` when the lifecycle does not
        allow ``event`` from ``item.state`` (the caller's mistake). Returns None when the
        tracker's current state no longer allows it (someone else moved the item meanwhile).
        """


class PlanReads(Items):
    """What the plan reads besides the items: labels and relations."""

    @abstractmethod
    def label_names(self) -> set[str]:
        """Names of the labels that exist."""

    @abstractmethod
    def blockers(self, item: Item) -> list[int]:
        """``uid`` of every item that blocks ``item``."""

    @abstractmethod
    def children(self, item: Item) -> list[int]:
        """``uid`` of every sub-item of ``item``."""


class ApplyWrites(Transitions):
    """The single changes a plan is made of."""

    warnings: list[str]

    @abstractmethod
    def link(self, item: Item | None, key: Key) -> str:
        """How a body refers to another item (``#12`` on GitHub)."""

    @abstractmethod
    def create_label(self, label: Label) -> None: ...

    @abstractmethod
    def create(self, spec: Spec, body: str, state: str) -> Item:
        """Create an item; must not create a second one if an earlier attempt was committed."""

    @abstractmethod
    def update(self, item: Item, spec: Spec, body: str) -> Item:
        """Bring title, body, managed labels and owner in line with ``spec``; keep the state.

        Assignees: the owner ``spec`` names is added; a previous owner who is no longer in
        ``spec`` is removed; assignees added by hand or by an escalation stay."""

    @abstractmethod
    def add_child(self, parent: Item, child: Item) -> None: ...

    @abstractmethod
    def add_blocker(self, item: Item, blocker: Item) -> None: ...

    @abstractmethod
    def remove_blocker(self, item: Item, blocker: Item) -> None: ...


class ExecutionOps(Items, Transitions):
    """What dispatch, agent runs and people's actions do to tasks."""

    proposes_changes: bool = False  # does propose_changes open a review (a pull request)?

    @abstractmethod
    def claim(self, item: Item, actor: str, lease_seconds: float) -> Item | None:
        """Take a ready task for one runner (the ``claim`` event, with a lease); None if
        another runner took it first."""

    @abstractmethod
    def events(self, item: Item) -> list[Event]:
        """The history of one item, oldest first."""

    @abstractmethod
    def comment(self, item: Item, body: str, author: str) -> None:
        """Say something to the people following the item."""

    @abstractmethod
    def assign(self, item: Item, logins: Sequence[str]) -> list[str]:
        """Add assignees; return the logins that could not be assigned."""

    @abstractmethod
    def record(self, event: Event, note: str | None = None) -> None:
        """Add a non-state event to the history; ``note`` is a message for people with it."""

    def propose_changes(
        self, item: Item, files: Mapping[str, bytes], *, title: str, body: str
    ) -> tuple[int, str] | None:
        """Offer repository files for review (a pull request on GitHub) that closes ``item``
        when accepted; ``None`` where files are simply left in the workspace (locally)."""
        return None


class ReportReads(Items):
    """What reports read: the history of a whole mission."""

    @abstractmethod
    def history(self, mission_id: str) -> list[Event]: ...


class Tracker(PlanReads, ApplyWrites, ExecutionOps, ReportReads):
    """Where task state lives: every part, and the connection to close."""

    def close(self) -> None:
        """Release connections and files."""
