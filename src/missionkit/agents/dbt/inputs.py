"""What the ``dbt`` agent takes under ``with:``."""

from __future__ import annotations

from pydantic import Field

from missionkit.agents.base import InputPath, Inputs

_IDENT = r"^[A-Za-z_][A-Za-z0-9_]*$"


class DbtInputs(Inputs):
    mapping: str = Field(
        description="mapping.yaml written by the field-mapping agent; the "
        "target model files it names give the tests"
    )
    project_dir: str = Field(
        "dbt",
        description="dbt project folder in the repository; "
        "created, with a profile for the warehouse, when it has no dbt_project.yml",
    )
    prefix: str = Field(
        "stg_",
        pattern=r"^[a-z0-9_]*$",
        description="staging model name = prefix + target model name",
    )
    schema_: str = Field(
        "staging",
        alias="schema",
        pattern=_IDENT,
        description="warehouse schema the staging models are built in",
    )
    select: str | None = Field(None, description="dbt --select; default: the generated models")
    executable: str | None = Field(
        None, description="dbt executable; default: the one beside this Python, else on PATH"
    )

    def files_read(self) -> list[tuple[InputPath, str]]:
        return [(("mapping",), self.mapping)]
