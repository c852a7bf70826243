"""``mapping.yaml``: what the field-mapping agent decided, read back by the dbt agent.

```yaml
version: 1
threshold: 0.8
models:
  - model: patient                 # the target model's name
    target: targets/patient.yaml   # its file, relative to the repository root
    source: raw.patients           # the warehouse table it is built from
    fields:
      - field: patient_id
        column: PatientID          # null: unmapped (the staging model emits NULL)
        type: string
        column_type: VARCHAR
        confidence: 1.0
        decided_by: agent          # agent | person
      - field: birth_date
        column: DOB
        type: date
        formats: ['%Y-%m-%d', '%m/%d/%Y']   # text formats found in the sampled values
      - field: sex
        column: gender_concept_id
        value_map: {'8507': male, '8532': female}  # raw → canonical, beside the model's own
        ...
    unmapped_columns: [_notes]
```

A person reviewing the mapping may edit it by hand (change a ``column``, set
``decided_by: person``); the dbt agent reads whatever the file says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from missionkit.agents.data.target import FieldType, Scalar, located, read_yaml
from missionkit.agents.data.warehouse import DataError

HEADER = """\
# Field mapping written by the missionkit field-mapping agent.
# Review it like code: change a `column` (and set `decided_by: person`) to correct it.
"""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Candidate(_Strict):
    column: str
    confidence: float


class FieldMap(_Strict):
    field: str
    column: str | None
    type: FieldType = "string"
    column_type: str | None = None
    confidence: float = Field(0.0, ge=0, le=1)
    decided_by: Literal["agent", "person"] = "agent"
    formats: list[str] = Field(default_factory=list)
    value_map: dict[str, Scalar | None] = Field(default_factory=dict)  # None: no value
    candidates: list[Candidate] = Field(default_factory=list)


class ModelMap(_Strict):
    model: str
    target: str
    source: str
    fields: list[FieldMap]
    unmapped_columns: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_field_per_column(self) -> ModelMap:
        used: dict[str, str] = {}
        for f in self.fields:
            if f.column is None:
                continue
            if f.column in used:
                raise ValueError(
                    f"column '{f.column}' is mapped to both '{used[f.column]}' and '{f.field}'"
                )
            used[f.column] = f.field
        return self

    def field_map(self, name: str) -> FieldMap | None:
        return next((f for f in self.fields if f.field == name), None)


class MappingFile(_Strict):
    version: Literal[1] = 1
    threshold: float = Field(0.8, ge=0, le=1)
    models: list[ModelMap] = Field(min_length=1)


def load_mapping(path: Path, shown: str) -> MappingFile:
    doc = read_yaml(path, shown, "mapping")
    try:
        return MappingFile.model_validate(doc.data)
    except ValidationError as exc:
        raise DataError(f"{shown} is not a valid mapping:\n" + located(exc, doc, shown)) from None


def dump_mapping(mapping: MappingFile) -> str:
    data = mapping.model_dump(mode="json")
    for model in data["models"]:
        for f in model["fields"]:
            for key in ("formats", "value_map", "candidates", "column_type"):
                if not f[key]:
                    del f[key]
    return HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_mapping(mapping: MappingFile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_mapping(mapping), encoding="utf-8")
