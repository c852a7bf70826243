"""What the ``ingest`` agent takes under ``with:``."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from missionkit.agents.base import InputPath, Inputs

_IDENT = r"^[A-Za-z_][A-Za-z0-9_]*$"


class IngestInputs(Inputs):
    files: list[str] = Field(min_length=1, description="files or glob patterns, from the repo root")
    schema_: str = Field(
        "raw", alias="schema", pattern=_IDENT, description="warehouse schema the tables go into"
    )
    format: Literal["auto", "csv", "parquet", "json"] = Field(
        "auto", description="auto: from the extension (.csv/.tsv/.txt, .parquet, .json/.jsonl)"
    )
    mode: Literal["replace", "append"] = "replace"
    tables: dict[str, str] = Field(
        default_factory=dict,
        description="file (as listed, relative path or file name) → table name; default: the "
        "file's stem. Files given the same table are loaded into it together",
    )
    all_varchar: bool = Field(
        False, description="load every CSV column as text instead of the inferred types"
    )
    metadata: bool = Field(
        True, description="add _source_file and _loaded_at (UTC) columns to every table"
    )

    @field_validator("tables")
    @classmethod
    def _table_names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [name for name in value.values() if not re.match(_IDENT, name)]
        if bad:
            raise ValueError(f"not a table name: {', '.join(bad)} (letters, digits and _)")
        return value

    def files_read(self) -> list[tuple[InputPath, str]]:
        return [(("files", index), pattern) for index, pattern in enumerate(self.files)]
