"""An item's identity, and the one parser of the task references that ``depends_on`` holds."""

from __future__ import annotations

from typing import NamedTuple


class Key(NamedTuple):
    """A mission (``task == ""``) or one of its tasks."""

    mission: str
    task: str = ""

    def __str__(self) -> str:
        return f"{self.mission}/{self.task}" if self.task else self.mission

    @property
    def is_mission(self) -> bool:
        return not self.task

    @classmethod
    def parse(cls, text: str) -> Key:
        mission, _, task = text.partition("/")
        return cls(mission, task)

    @classmethod
    def of_ref(cls, mission_id: str, ref: str) -> Key:
        """``task`` (in ``mission_id``) or ``mission/task`` → the task's key."""
        if "/" in ref:
            other, task = ref.split("/", 1)
            return cls(other, task)
        return cls(mission_id, ref)
