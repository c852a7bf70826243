"""The tracker interface: a few operations that both trackers implement.

Diffing and planning live once in the core (:mod:`missionkit.tracking.plan`); a
tracker only reads items into the shared models and applies single changes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence

from missionkit.tracking.labels import Label
from missionkit.tracking.model import Comment, Event, Item, Key, Spec


class Tracker(ABC):
    """Where task state lives."""

    name: str = "tracker"
    proposes_changes: bool = False  # does propose_changes open a review (a pull request)?
    warnings: list[str]

    def __init__(self) -> None:
        self.warnings = []

    # -- reading ---------------------------------------------------------------------------
    @abstractmethod
    def read(self, mission_id: str) -> list[Item]:
        """Every item (the mission's and its tasks') that carries this mission's marker."""

    @abstractmethod
    def label_names(self) -> set[str]:
        """Names of the labels that exist."""

    @abstractmethod
    def blockers(self, item: Item) -> list[int]:
        """``uid`` of every item that blocks ``item``."""

    @abstractmethod
    def children(self, item: Item) -> list[int]:
        """``uid`` of every sub-item of ``item``."""

    @abstractmethod
    def link(self, item: Item | None, key: Key) -> str:
        """How a body refers to another item (``#12`` on GitHub)."""

    # -- single changes --------------------------------------------------------------------
    @abstractmethod
    def create_label(self, label: Label) -> None: ...

    @abstractmethod
    def create(self, spec: Spec, body: str, state: str) -> Item:
        """Create an item; must not create a second one if an earlier attempt was committed."""

    @abstractmethod
    def update(self, item: Item, spec: Spec, body: str) -> Item:
        """Bring title, body, managed labels and owner in line with ``spec``; keep the state."""

    @abstractmethod
    def set_state(self, item: Item, state: str, actor: str, reason: str) -> Item:
        """Move an item to ``state`` (closing or reopening it as needed) and record it."""

    @abstractmethod
    def add_child(self, parent: Item, child: Item) -> None: ...

    @abstractmethod
    def add_blocker(self, item: Item, blocker: Item) -> None: ...

    @abstractmethod
    def remove_blocker(self, item: Item, blocker: Item) -> None: ...

    # -- execution -------------------------------------------------------------------------
    @abstractmethod
    def transition(
        self,
        item: Item,
        expected: Sequence[str],
        state: str,
        actor: str,
        reason: str,
    ) -> Item | None:
        """Move ``item`` to ``state`` only if it is in one of ``expected``; None if it was not."""

    def claim(self, item: Item, actor: str, lease_seconds: float) -> Item | None:
        """Take a ready task for one runner (ready → running); None if another took it."""
        from missionkit.spec.model import TaskState

        return self.transition(item, [TaskState.READY], TaskState.RUNNING, actor, "claimed")

    @abstractmethod
    def events(self, item: Item) -> list[Event]:
        """The history of one item, oldest first."""

    @abstractmethod
    def comment(self, item: Item, body: str, author: str) -> None: ...

    @abstractmethod
    def comments(self, item: Item) -> list[Comment]: ...

    @abstractmethod
    def assign(self, item: Item, logins: Sequence[str]) -> list[str]:
        """Add assignees; return the logins that could not be assigned."""

    @abstractmethod
    def history(self, mission_id: str) -> list[Event]: ...

    @abstractmethod
    def record(self, event: Event, note: str | None = None) -> None:
        """Add an event to the history; ``note`` is a message for people shown with it."""

    def propose_changes(
        self, item: Item, files: Mapping[str, bytes], *, title: str, body: str
    ) -> tuple[int, str] | None:
        """Offer repository files for review (a pull request on GitHub) that closes ``item``
        when accepted; ``None`` where files are simply left in the workspace (locally)."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook, most trackers hold nothing
        """Release connections and files."""
