"""A source profile: what people decided about a source, so its next extract maps unasked.

```yaml
version: 1
models:
  patient:                    # the target model
    source: raw.patients      # the table it was mapped from
    columns:                  # field → source column a person chose (null: the source has none)
      postal_code: addr_cd
      email: null
    values:                   # field → raw value → canonical value a person chose (null: empty)
      sex: {"9": unknown}
```

The field-mapping agent reads it before it asks anything and writes it when a run ends with
people's answers; it lives in the repository and is reviewed like code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from missionkit.agents.data.target import Scalar, located, read_yaml
from missionkit.agents.data.warehouse import DataError

if TYPE_CHECKING:
    from missionkit.agents.data.proposal import Proposal

HEADER = """\
# Source profile written by the missionkit field-mapping agent: what people decided about
# this source's columns and values. The next extract of the source maps with these decisions
# and asks nothing about them. Review it like code; edit or delete an entry to ask again.
"""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelProfile(_Strict):
    source: str
    columns: dict[str, str | None] = Field(default_factory=dict)
    values: dict[str, dict[str, Scalar | None]] = Field(default_factory=dict)


class SourceProfile(_Strict):
    version: Literal[1] = 1
    models: dict[str, ModelProfile] = Field(default_factory=dict)


def load_profile(path: Path, shown: str) -> SourceProfile:
    """The profile at ``path``, or an empty one when there is none yet."""
    if not path.is_file():
        return SourceProfile()
    doc = read_yaml(path, shown, "source profile")
    try:
        return SourceProfile.model_validate(doc.data)
    except ValidationError as exc:
        raise DataError(
            f"{shown} is not a valid source profile:\n" + located(exc, doc, shown)
        ) from None


def remember(profile: SourceProfile, proposals: list[Proposal]) -> SourceProfile:
    """``profile`` with every decision people made in ``proposals``."""
    models = dict(profile.models)
    for p in proposals:
        entry = models.get(p.model.name)
        columns = dict(entry.columns) if entry else {}
        values = {f: dict(v) for f, v in entry.values.items()} if entry else {}
        for d in p.decisions:
            if d.decided_by == "person" and not d.ask:
                columns[d.field.name] = d.column
            if d.values_by == "person" and d.person_values:
                values.setdefault(d.field.name, {}).update(d.person_values)
        if columns or values:
            models[p.model.name] = ModelProfile(source=p.source, columns=columns, values=values)
    return SourceProfile(models=models)


def write_profile(profile: SourceProfile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = profile.model_dump(mode="json")
    for model in data["models"].values():
        for key in ("columns", "values"):
            if not model[key]:
                del model[key]
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(HEADER + text, encoding="utf-8")
