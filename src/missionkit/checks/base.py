"""The check-kind interface: a validated model in, an outcome out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from missionkit.spec.model import Mission
    from missionkit.warehouse.base import Warehouse


class CheckInputs(BaseModel):
    """Base of every kind's model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class CheckContext:
    """What a check may use: the repository, the mission's warehouse, a folder for artifacts."""

    mission: Mission
    workspace: Path
    warehouse: Warehouse | None
    run_dir: Path
    index: int = 0
    timeout: float | None = None
    hide: tuple[str, ...] = ()

    def path(self, name: str) -> Path:
        """``name`` as given when absolute, else relative to the workspace."""
        candidate = Path(name).expanduser()
        return candidate if candidate.is_absolute() else self.workspace / candidate


@dataclass(frozen=True)
class CheckOutcome:
    """What a check found: passed or not, a one-line detail, each failed rule, artifacts.

    ``datasets`` names the tables the check looked at (``schema.table``), for lineage and for
    showing who consumed a dataset whose check failed.
    """

    passed: bool
    detail: str
    failures: tuple[str, ...] = ()
    artifacts: tuple[Path, ...] = ()
    datasets: tuple[str, ...] = field(default=())


class CheckKind(ABC):
    """A kind of check. Subclasses set ``Inputs`` (and ``shorthand``) and implement ``run``.

    ``shorthand`` is the field a scalar value fills: ``sql: select …`` means
    ``sql: {query: select …}`` when ``shorthand = "query"``.
    """

    Inputs: ClassVar[type[BaseModel]] = CheckInputs
    shorthand: ClassVar[str | None] = None
    needs_warehouse: ClassVar[bool] = False
    #: reads only through :func:`missionkit.checks.warehouse.query`; other kinds (commands,
    #: dbt) may open the warehouse themselves, so the shared connection is closed before them
    shares_connection: ClassVar[bool] = False

    @abstractmethod
    def run(self, ctx: CheckContext, inputs: BaseModel) -> CheckOutcome:
        """Run the check; return a failed outcome (never raise) for an expected failure."""

    def tables(self, inputs: BaseModel, warehouse: Warehouse) -> tuple[str, ...]:
        """The tables (``schema.table``) the check reads, known without running it, for
        lineage; a kind whose outcome names them (``datasets``) need not say."""
        return ()
