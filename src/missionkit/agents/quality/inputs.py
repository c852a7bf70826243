"""What the ``quality`` agent takes under ``with:``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field, model_validator

from missionkit.agents.base import Inputs
from missionkit.spec.model import Duration

COLUMN_CHECKS = ("not_null", "unique", "accepted_values", "range", "references")
TABLE_CHECKS = ("freshness", "row_count")


class Bounds(Inputs):
    """Inclusive bounds; dates and timestamps compare as such (``min: 1900-01-01``)."""

    min: float | date | datetime | None = None
    max: float | date | datetime | None = None

    @model_validator(mode="after")
    def _some(self) -> Bounds:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        return self


class Freshness(Inputs):
    column: str = Field(description="date or timestamp column; naive timestamps are UTC")
    max_age: Duration


class QualityCheck(Inputs):
    name: str | None = Field(None, description="label in the report; default: kind(table.column)")
    table: str = Field(description="schema.table")
    column: str | None = None
    not_null: bool = False
    unique: bool = False
    accepted_values: list[Any] | None = None
    range: Bounds | None = None
    freshness: Freshness | None = None
    row_count: Bounds | None = None
    references: str | None = Field(None, description="schema.table.column the column must match")

    @model_validator(mode="after")
    def _coherent(self) -> QualityCheck:
        kinds = self.kinds()
        if not kinds:
            raise ValueError(
                "a check needs at least one of: " + ", ".join(COLUMN_CHECKS + TABLE_CHECKS)
            )
        needs_column = [k for k in kinds if k in COLUMN_CHECKS]
        if needs_column and self.column is None:
            raise ValueError(f"{', '.join(needs_column)} needs a column")
        if self.references is not None and len(self.references.split(".")) != 3:
            raise ValueError(f"references '{self.references}' is not schema.table.column")
        return self

    def kinds(self) -> list[str]:
        """The checks this entry asks for, in a fixed order."""
        given = {
            "not_null": self.not_null,
            "unique": self.unique,
            "accepted_values": self.accepted_values is not None,
            "range": self.range is not None,
            "references": self.references is not None,
            "freshness": self.freshness is not None,
            "row_count": self.row_count is not None,
        }
        return [kind for kind, on in given.items() if on]


class QualityInputs(Inputs):
    checks: list[QualityCheck] = Field(min_length=1)
    sample_rows: int = Field(5, ge=0, le=100, description="failing rows kept per check")
