"""Target models: the canonical shape a source table is mapped onto (``targets/*.yaml``).

```yaml
name: patient                      # staging model: stg_patient
description: One row per patient.
owner: dana-lee                    # optional: who decides about the model (a GitHub login)
key: patient_id                    # optional: staging keeps one row per key
fields:
  - name: patient_id
    type: string                   # string | integer | number | boolean | date | timestamp
    description: The EHR's patient identifier.
    synonyms: [patientid, pt_id, mrn]
    required: true                 # → dbt not_null; an unmapped required field asks a person
    unique: true                   # → dbt unique
  - name: sex
    accepted_values: [female, male, unknown]     # → dbt accepted_values
    value_map: {f: female, m: male, u: unknown}  # raw (case-insensitive) → canonical value
  - name: patient_id               # in another model
    references: patient.patient_id # → dbt relationships to stg_patient.patient_id
  - name: email
    shape: email                   # email | phone | postal_code | person_name | icd10 | identifier
  - name: birth_date
    type: date
    formats: ['%Y-%m-%d']          # text formats to parse; default: those found in the data
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from missionkit.agents.data.warehouse import DataError
from missionkit.spec import yamlsafe

Shape = Literal["email", "phone", "postal_code", "person_name", "icd10", "identifier"]
FieldType = Literal["string", "integer", "number", "boolean", "date", "timestamp"]
Scalar = str | int | float | bool
_NAME = r"^[a-z_][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetField(_Strict):
    name: str = Field(pattern=_NAME)
    type: FieldType = "string"
    description: str = ""
    synonyms: list[str] = Field(default_factory=list)
    required: bool = False
    unique: bool = False
    accepted_values: list[Scalar] | None = None
    value_map: dict[str, Scalar] | None = None
    references: str | None = Field(
        None, pattern=r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$", description="<target model>.<field>"
    )
    formats: list[str] = Field(default_factory=list)
    shape: Shape | None = Field(None, description="what the values look like")


class TargetModel(_Strict):
    name: str = Field(pattern=_NAME)
    description: str = ""
    owner: str | None = Field(None, description="who decides about the model (GitHub login)")
    key: str | None = None
    fields: list[TargetField] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> TargetModel:
        names = [f.name for f in self.fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate field names: {', '.join(duplicates)}")
        if self.key is not None and self.key not in names:
            raise ValueError(f"key '{self.key}' is not one of the fields")
        return self

    def field(self, name: str) -> TargetField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def load_target(path: Path, shown: str) -> TargetModel:
    """Read and check a target model file; DataError names ``file:line:column`` and the field."""
    doc = read_yaml(path, shown, "target model")
    try:
        return TargetModel.model_validate(doc.data)
    except ValidationError as exc:
        raise DataError(
            f"{shown} is not a valid target model:\n" + located(exc, doc, shown)
        ) from None


def read_yaml(path: Path, shown: str, what: str) -> yamlsafe.Document:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{what} {shown} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {what} {shown}: {exc}") from None
    try:
        doc = yamlsafe.load(text)
    except yamlsafe.YamlProblem as exc:
        raise DataError(f"{shown}:{exc.line}:{exc.column}: {exc.message}") from None
    if not isinstance(doc.data, dict):
        raise DataError(f"{shown} must hold a mapping (a {what}), not {type(doc.data).__name__}")
    return doc


def located(exc: ValidationError, doc: yamlsafe.Document, shown: str) -> str:
    """One ``- file:line:column: field: message`` line per validation error."""
    lines = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        where = (1, 1)
        for end in range(len(loc), -1, -1):
            if loc[:end] in doc.values:
                where = doc.values[loc[:end]]
                break
        path = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
        message = str(err["msg"]).removeprefix("Value error, ")
        lines.append(f"- {shown}:{where[0]}:{where[1]}: {path or '(top)'}: {message}")
    return "\n".join(lines)
