"""Prompt files in GitHub Models' ``.prompt.yml`` format, with ``{{name}}`` variables.

Only the keys GitHub Models documents are accepted (``name``, ``description``, ``model``,
``modelParameters``, ``messages``, ``responseFormat``, ``jsonSchema``, ``testData``,
``evaluators``); a typo is an error naming the file and the key. Variables are replaced as
plain text, never evaluated, so a value cannot change the prompt's structure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from missionkit.errors import CheckFailed

SUFFIXES = (".prompt.yml", ".prompt.yaml")
KEYS = {
    "name",
    "description",
    "model",
    "modelParameters",
    "messages",
    "responseFormat",
    "jsonSchema",
    "testData",
    "evaluators",
}
PARAMETERS = {"maxTokens": "max_tokens", "temperature": "temperature", "topP": "top_p"}
ROLES = {"system", "user", "assistant", "developer"}
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")


class PromptError(CheckFailed):
    """A prompt file that cannot be used, with the file and the field."""


@dataclass(frozen=True)
class Prompt:
    """A parsed prompt file."""

    path: str
    messages: tuple[tuple[str, str], ...]
    name: str = ""
    model: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    schema: Mapping[str, Any] | None = None
    schema_name: str = "answer"

    @property
    def variables(self) -> list[str]:
        found: list[str] = []
        for _, text in self.messages:
            for name in _VARIABLE.findall(text):
                if name not in found:
                    found.append(name)
        return found

    def render(self, values: Mapping[str, Any]) -> list[dict[str, str]]:
        """The chat messages with every ``{{name}}`` replaced; a missing value is an error."""
        missing = [name for name in self.variables if name not in values]
        if missing:
            raise PromptError(
                f"{self.path}: no value for {', '.join(missing)}; give them under `with: vars:`"
            )

        def text_of(value: Any) -> str:
            return value if isinstance(value, str) else json.dumps(value, default=str)

        return [
            {"role": role, "content": _VARIABLE.sub(lambda m: text_of(values[m.group(1)]), text)}
            for role, text in self.messages
        ]


def load_prompt(path: Path, shown: str | None = None) -> Prompt:
    """Read and check a ``.prompt.yml`` file."""
    where = shown or str(path)
    if not path.name.endswith(SUFFIXES):
        raise PromptError(f"{where}: a prompt file's name ends with .prompt.yml or .prompt.yaml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PromptError(f"{where}: cannot read the prompt file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise PromptError(f"{where}{at}: not valid YAML") from None
    return parse_prompt(raw, where)


def parse_prompt(raw: Any, where: str) -> Prompt:
    if not isinstance(raw, dict):
        raise PromptError(f"{where}: a prompt file is a mapping with `messages:`")
    unknown = sorted(set(raw) - KEYS)
    if unknown:
        raise PromptError(f"{where}: {unknown[0]}: unknown key; known: {', '.join(sorted(KEYS))}")
    messages = raw.get("messages")
    if not isinstance(messages, list) or not messages:
        raise PromptError(f"{where}: messages: give at least one message")
    parsed: list[tuple[str, str]] = []
    for index, message in enumerate(messages):
        if (
            not isinstance(message, dict)
            or message.get("role") not in ROLES
            or not isinstance(message.get("content"), str)
        ):
            raise PromptError(
                f"{where}: messages[{index}]: a message is {{role: system|user|assistant, "
                "content: text}}"
            )
        parsed.append((str(message["role"]), str(message["content"])))
    parameters: dict[str, Any] = {}
    for key, value in (raw.get("modelParameters") or {}).items():
        if key not in PARAMETERS:
            raise PromptError(
                f"{where}: modelParameters.{key}: unknown; known: {', '.join(PARAMETERS)}"
            )
        parameters[PARAMETERS[key]] = value
    schema, schema_name = _schema(raw, where)
    model = raw.get("model")
    return Prompt(
        where,
        tuple(parsed),
        str(raw.get("name") or ""),
        str(model) if model else None,
        parameters,
        schema,
        schema_name,
    )


def _schema(raw: dict[str, Any], where: str) -> tuple[dict[str, Any] | None, str]:
    kind = raw.get("responseFormat", "text")
    if kind not in ("text", "json_object", "json_schema"):
        raise PromptError(f"{where}: responseFormat: one of text, json_object, json_schema")
    if kind != "json_schema":
        if "jsonSchema" in raw:
            raise PromptError(f"{where}: jsonSchema: needs `responseFormat: json_schema`")
        return ({"type": "object"}, "answer") if kind == "json_object" else (None, "answer")
    value = raw.get("jsonSchema")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise PromptError(f"{where}: jsonSchema: not valid JSON") from None
    if not isinstance(value, dict):
        raise PromptError(f"{where}: jsonSchema: give the JSON Schema of the answer")
    if isinstance(value.get("schema"), dict):  # the wrapped form: {name, strict, schema}
        return dict(value["schema"]), str(value.get("name") or "answer")
    return dict(value), "answer"
