"""What the ``field-mapping`` agent takes under ``with:``."""

from __future__ import annotations

from pydantic import Field, model_validator

from missionkit.agents.base import InputPath, Inputs

METADATA_COLUMNS = ["_source_file", "_loaded_at"]


class SourceTarget(Inputs):
    source: str = Field(description="warehouse table (schema.table) holding the source data")
    target: str = Field(description="target model YAML: fields, types, descriptions, synonyms")


class FieldMappingInputs(Inputs):
    source: str | None = Field(None, description="warehouse table (schema.table) to map")
    target: str | None = Field(None, description="target model YAML the source maps onto")
    maps: list[SourceTarget] = Field(
        default_factory=list,
        description="several source → target pairs, mapped together into one mapping.yaml "
        "(instead of source and target)",
    )
    output: str | None = Field(None, description="where mapping.yaml goes; default: the run dir")
    threshold: float = Field(0.8, ge=0, le=1, description="below this, a person decides")
    min_score: float = Field(
        0.3,
        ge=0,
        le=1,
        description="an optional field whose best candidate's confidence is below this is left "
        "unmapped without asking; a required field always asks",
    )
    sample_size: int = Field(
        1000, ge=1, description="rows sampled to weigh values (types, shapes, keys, codes)"
    )
    profile: str | None = Field(
        None,
        description="source profile: what people decided about this source, applied before "
        "asking and updated after their answers (default: profiles/<mission>.yaml)",
    )
    ignore: list[str] = Field(
        default_factory=lambda: list(METADATA_COLUMNS),
        description="source columns never mapped (default: the ingest agent's metadata)",
    )

    @model_validator(mode="after")
    def _one_form(self) -> FieldMappingInputs:
        single = self.source is not None or self.target is not None
        if single and self.maps:
            raise ValueError("give either source and target, or maps, not both")
        if single and (self.source is None or self.target is None):
            raise ValueError("source and target go together")
        if not single and not self.maps:
            raise ValueError("give source and target (or maps)")
        return self

    def files_read(self) -> list[tuple[InputPath, str]]:
        if self.target is not None:
            return [(("target",), self.target)]
        return [(("maps", index, "target"), pair.target) for index, pair in enumerate(self.maps)]

    def pairs(self) -> list[SourceTarget]:
        if self.source is not None and self.target is not None:
            return [SourceTarget(source=self.source, target=self.target)]
        return list(self.maps)
