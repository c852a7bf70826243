"""The colour of each task state, shared by the diagram, the badges and the stylesheet."""

from __future__ import annotations

from dataclasses import dataclass

from missionkit.lifecycle import TaskState
from missionkit.tracking.status import UNTRACKED

EXTERNAL = "external"


@dataclass(frozen=True)
class StateStyle:
    """How one state is drawn: a light fill, a darker outline and the text colour."""

    state: str
    fill: str
    stroke: str
    text: str
    dashed: bool = False

    @property
    def css(self) -> str:
        """The state as a CSS class suffix (``needs-human`` stays as it is)."""
        return self.state


# The same colours as the Mermaid diagram of ``mission graph``.
PALETTE: dict[str, StateStyle] = {
    s.state: s
    for s in (
        StateStyle(TaskState.BLOCKED, "#eceff1", "#90a4ae", "#37474f"),
        StateStyle(TaskState.READY, "#e3f2fd", "#1e88e5", "#0d47a1"),
        StateStyle(TaskState.RUNNING, "#fff8e1", "#ffb300", "#6d4c00"),
        StateStyle(TaskState.DONE, "#e8f5e9", "#43a047", "#1b5e20"),
        StateStyle(TaskState.NEEDS_HUMAN, "#fce4ec", "#d81b60", "#880e4f"),
        StateStyle(TaskState.FAILED, "#ffebee", "#e53935", "#b71c1c"),
        StateStyle(TaskState.CANCELLED, "#f5f5f5", "#bdbdbd", "#757575", dashed=True),
        StateStyle(UNTRACKED, "#ffffff", "#616161", "#424242", dashed=True),
        StateStyle(EXTERNAL, "#ffffff", "#9e9e9e", "#616161", dashed=True),
    )
}

CRITICAL = "#c62828"
EDGE = "#90a4ae"


def style(state: str) -> StateStyle:
    """The style of ``state``; a state this version does not know is drawn as untracked."""
    return PALETTE.get(state) or PALETTE[UNTRACKED]
