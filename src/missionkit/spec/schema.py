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
    criteria = props["success_criteria"]
    criteria["items"] = {"anyOf": [{"type": "string", "minLength": 1}, criteria["items"]]}
    schema["$defs"]["Check"] = _check_schema(schema["$defs"]["Check"], schema["$defs"])
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def _check_schema(base: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """``name``, ``severity`` and exactly one kind key, each kind by its own model."""
    from missionkit.checks.names import kind_names
    from missionkit.checks.registry import load_kind

    properties = dict(base["properties"])
    for name in kind_names():
        kind = load_kind(name)
        model = kind.Inputs.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        defs.update(model.pop("$defs", {}))
        title = f"{name.capitalize()}Check"
        defs[title] = model
        ref = {"$ref": f"#/$defs/{title}"}
        if kind.shorthand is not None:
            short = dict(model["properties"][kind.shorthand])
            short.pop("title", None)
            short.pop("default", None)
            properties[name] = {"anyOf": [short, ref], "description": short.get("description", "")}
        else:
            properties[name] = ref
    return {
        "description": base.get("description", ""),
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "oneOf": [{"required": [name]} for name in kind_names()],
        "title": "Check",
    }


def schema_json() -> str:
    return json.dumps(mission_schema(), indent=2, ensure_ascii=False) + "\n"
