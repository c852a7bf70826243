"""The labels missionkit manages, with their colours and descriptions."""

from __future__ import annotations

from dataclasses import dataclass

from missionkit.lifecycle import MissionState, TaskState

MANAGED_PREFIXES = ("mission:", "status:", "agent:", "owner:", "after:")
MISSION_LABEL = "mission"
PERSON_LABEL = "owner:person"


@dataclass(frozen=True)
class Label:
    name: str
    color: str
    description: str


STATUS_COLOURS = {
    TaskState.BLOCKED: "cfd8dc",
    TaskState.READY: "1e88e5",
    TaskState.RUNNING: "ffb300",
    TaskState.DONE: "43a047",
    TaskState.NEEDS_HUMAN: "d81b60",
    TaskState.FAILED: "e53935",
    TaskState.CANCELLED: "9e9e9e",
}


def status_label(state: str) -> str:
    return f"status:{state}"


def is_status(label: str) -> bool:
    return label.startswith("status:")


def is_managed(label: str) -> bool:
    return label == MISSION_LABEL or label.startswith(MANAGED_PREFIXES)


def state_from_labels(labels: frozenset[str] | set[str], default: str) -> str:
    for label in labels:
        if is_status(label):
            return label.removeprefix("status:")
    return default


def label_for(name: str) -> Label:
    """Colour and description of a managed label."""
    if name == MISSION_LABEL:
        return Label(name, "5319e7", "Tracking issue of a missionkit mission")
    prefix, _, rest = name.partition(":")
    if prefix == "mission":
        return Label(name, "7e57c2", f"Part of mission {rest}")
    if prefix == "status":
        if rest == MissionState.AWAITING_SIGNOFF:
            return Label(name, "8e24aa", "All tasks done; waits for an approver to sign off")
        colour = (
            STATUS_COLOURS.get(TaskState(rest), "cfd8dc") if rest in set(TaskState) else "cfd8dc"
        )
        return Label(name, colour, f"Task state: {rest}")
    if prefix == "agent":
        return Label(name, "00897b", f"Done by the {rest} agent")
    if name == PERSON_LABEL:
        return Label(name, "fb8c00", "Done by a person")
    if prefix == "after":
        return Label(name, "bdbdbd", f"Waits on task {rest}")
    return Label(name, "ededed", "")


def all_status_labels() -> list[str]:
    return [status_label(s) for s in TaskState] + [status_label(MissionState.AWAITING_SIGNOFF)]
