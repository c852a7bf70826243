"""The JSON Schema of the mission frontmatter, for editors and pre-commit."""

from __future__ import annotations

import json
from typing import Any

from missionkit.spec.model import MissionSpec

SCHEMA_ID = "https://missionkit.dev/schema/mission.schema.json"


def mission_schema() -> dict[str, Any]:
    schema = MissionSpec.model_json_schema(by_alias=True)
    props = schema["properties"]
    props["todos"] = {**props["tasks"], "title": "Todos", "description": "alias of tasks"}
    schema["not"] = {"required": ["tasks", "todos"]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def schema_json() -> str:
    return json.dumps(mission_schema(), indent=2, ensure_ascii=False) + "\n"
