"""The agent interface: typed inputs in, a verdict, a report and artifacts out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from missionkit.llm.budget import Budget
    from missionkit.spec.model import Mission, Task
    from missionkit.warehouse.base import Warehouse


class Verdict(StrEnum):
    DONE = "done"
    NEEDS_HUMAN = "needs-human"
    FAILED = "failed"


InputPath = tuple[str | int, ...]


class Inputs(BaseModel):
    """Base of every agent's ``with:`` model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def files_read(self) -> list[tuple[InputPath, str]]:
        """Each file (or glob pattern) the agent reads that must exist when it runs, with its
        place under ``with:``, so that ``mission validate`` can warn when it is missing."""
        return []


@dataclass(frozen=True)
class AgentContext:
    """What an agent may use: the task, a workspace, a place for artifacts."""

    mission: Mission
    task: Task
    workspace: Path
    run_dir: Path
    warehouse: Warehouse | None = None
    answers: tuple[str, ...] = ()
    timeout: float | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    budget: Budget | None = None  # the mission's LLM requests; None: unlimited


@dataclass(frozen=True)
class AgentResult:
    """What an agent returns.

    ``artifacts`` are files kept with the run; ``changed`` are files the agent wrote into the
    repository (generated models, a mapping): on GitHub they are proposed as a pull request
    that closes the task when merged. ``reason`` says in one line why the agent failed; without
    it, the report's first line of text says it. ``reads`` and ``writes`` name the tables the
    run used, for its lineage events.
    """

    verdict: Verdict
    report: str
    artifacts: tuple[Path, ...] = ()
    question: str | None = None
    changed: tuple[Path, ...] = ()
    reason: str = ""
    #: the tables (``schema.table``) the agent read and wrote, for lineage
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()

    @property
    def why(self) -> str:
        """One line saying why: ``reason``, else the report's first line of text (or heading)."""
        heading = ""
        for line in (self.reason or self.report).splitlines():
            text = line.strip()
            if not text or text.startswith("```") or text.startswith("<"):
                continue
            if text.startswith("#"):
                heading = heading or text.lstrip("#").strip()
                continue
            return _shorten(text)
        return _shorten(heading)


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Agent(ABC):
    """A task executor. Subclasses set ``Inputs`` and implement :meth:`run`."""

    Inputs: ClassVar[type[BaseModel]] = Inputs
    runs_command: ClassVar[bool] = False
    """True when the agent runs a command in its own process, which enforces the task's
    timeout by stopping that process; otherwise the runner enforces it around ``run``."""

    @abstractmethod
    def run(self, ctx: AgentContext, inputs: BaseModel) -> AgentResult:
        """Do the task; never raise for an expected failure, return FAILED instead."""
