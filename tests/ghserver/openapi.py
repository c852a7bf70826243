"""Validation of request and response bodies against GitHub's OpenAPI description.

The description (``tests/data/github/openapi-subset.json``, produced by
``scripts/extract_github_openapi.py`` from the ``@octokit/openapi`` npm package) is OpenAPI 3.0:
``nullable: true`` is rewritten to JSON Schema (``type: [T, "null"]`` or ``anyOf [..., null]``)
and the result is checked with a Draft 4 validator, plus ``date-time`` and ``uri`` format checks
(GitHub's timestamps must look like ``2026-01-31T12:00:00Z``).
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SUBSET_PATH = Path(__file__).resolve().parents[1] / "data" / "github" / "openapi-subset.json"
_ROOT_URI = "urn:github-openapi"
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

_BARE_LIST_BODIES = {
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("PUT", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
}

#: Responses described as ``oneOf`` schemas that a plain validation error matches more than once
#: (``repository-rule-violation-error`` has only optional fields): checked as ``validation-error``.
_ONE_OF_VALIDATION_ERRORS = {("POST", "/repos/{owner}/{repo}/git/blobs", 422)}

_formats = FormatChecker(formats=())


@_formats.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@_formats.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    return (
        bool(parts.scheme and (parts.netloc or parts.scheme in ("mailto", "urn")))
        and " " not in value
    )


def to_json_schema(node: Any) -> Any:
    """Rewrite OpenAPI 3.0 ``nullable`` into plain JSON Schema, recursively."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: to_json_schema(value) for key, value in node.items() if key != "nullable"}
    if "properties" in node and isinstance(node["properties"], dict):
        out["properties"] = {
            name: to_json_schema(schema) for name, schema in node["properties"].items()
        }
    if node.get("nullable") is True:
        if "type" in out and isinstance(out["type"], str):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            return {"anyOf": [out, {"type": "null"}]}
    return out


class OpenApi:
    """Lookup of operations and cached validators for the trimmed description."""

    def __init__(self, path: Path = SUBSET_PATH) -> None:
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.source: dict[str, Any] = raw.get("x-source", {})
        self.paths: dict[str, dict[str, Any]] = raw["paths"]
        self._root = to_json_schema({"components": raw["components"]})
        self._components: dict[str, dict[str, Any]] = raw["components"]
        resource = Resource.from_contents(self._root, default_specification=DRAFT4)
        self._registry: Registry[Any] = Registry().with_resource(_ROOT_URI, resource)
        self._cache: dict[str, Draft4Validator | None] = {}
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return str(self.source.get("version", "unknown"))

    def operations(self) -> set[tuple[str, str]]:
        return {
            (path, method.upper()) for path, methods in self.paths.items() for method in methods
        }

    def _operation(self, template: str, method: str) -> dict[str, Any] | None:
        op = self.paths.get(template, {}).get(method.lower())
        return op if isinstance(op, dict) else None

    def _deref(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            _, _, rest = str(node["$ref"]).partition("#/components/")
            kind, _, name = rest.partition("/")
            node = self._components[kind][name]
        return node

    def documented_statuses(self, template: str, method: str) -> set[int]:
        op = self._operation(template, method)
        return {int(code) for code in (op or {}).get("responses", {}) if code.isdigit()}

    def _validator(self, key: str, schema: dict[str, Any] | None) -> Draft4Validator | None:
        with self._lock:
            if key not in self._cache:
                if schema is None:
                    self._cache[key] = None
                else:
                    converted = to_json_schema(_rebase(schema))
                    self._cache[key] = Draft4Validator(
                        converted, registry=self._registry, format_checker=_formats
                    )
            return self._cache[key]

    def _response_schema(
        self, template: str, method: str, status: int
    ) -> tuple[bool, dict[str, Any] | None]:
        op = self._operation(template, method)
        if op is None:
            return False, None
        response = op.get("responses", {}).get(str(status))
        if response is None:
            return False, None
        content = self._deref(response).get("content", {})
        media = content.get("application/json")
        return True, (media or {}).get("schema")

    def validate_response(self, template: str, method: str, status: int, body: Any) -> list[str]:
        """Problems with a response; an undocumented error status is checked as ``basic-error``."""
        where = f"{method} {template} -> {status}"
        if self._operation(template, method) is None:
            return [f"{where}: operation not in the OpenAPI description"]
        documented, schema = self._response_schema(template, method, status)
        if not documented:
            if status >= 400:
                schema = {"$ref": "#/components/schemas/basic-error"}
            else:
                return [f"{where}: status {status} is not documented for this operation"]
        if (method, template, status) in _ONE_OF_VALIDATION_ERRORS:
            schema = {"$ref": "#/components/schemas/validation-error"}
        if schema is None:
            return [] if body is None else [f"{where}: a body was sent where none is documented"]
        if body is None:
            return [f"{where}: no body, but the description has a JSON schema"]
        validator = self._validator(
            f"resp {method} {template} {status if documented else 'error'}", schema
        )
        return _errors(where, validator, body)

    def validate_request(self, template: str, method: str, body: Any) -> list[str]:
        where = f"{method} {template} request body"
        if (method, template) in _BARE_LIST_BODIES and isinstance(body, list):
            # GitHub accepts a bare array of label names here (PyGithub sends one), which the
            # published description no longer lists.
            if not body:
                return []
            body = {"labels": body}
        op = self._operation(template, method)
        if op is None or body is None:
            return []
        request_body = self._deref(op.get("requestBody") or {})
        schema = request_body.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return []
        validator = self._validator(f"req {method} {template}", schema)
        return _errors(where, validator, body)


def _rebase(schema: dict[str, Any]) -> dict[str, Any]:
    """Point local ``#/components/...`` references at the registered root document."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: walk(v) for k, v in node.items()}
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                out["$ref"] = _ROOT_URI + ref
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    rebased: dict[str, Any] = walk(schema)
    return rebased


def _errors(where: str, validator: Draft4Validator | None, body: Any) -> list[str]:
    if validator is None:
        return []
    errors = list(validator.iter_errors(body))
    if not errors:
        return []
    out: list[str] = []
    for error in _sorted(errors):
        best = best_match([error]) or error
        location = "/".join(str(p) for p in best.absolute_path) or "(root)"
        out.append(f"{where}: at {location}: {best.message[:300]}")
    return out


def _sorted(errors: Iterable[Any]) -> list[Any]:
    return sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])


def foreign_urls(body: Any, template: str, netloc: str) -> list[str]:
    """``url`` and ``*_url`` fields that do not point at ``netloc`` (the emulator itself)."""
    bad: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                is_link = key == "url" or (key.endswith("_url") and key != "documentation_url")
                if isinstance(value, str) and is_link:
                    host = urllib.parse.urlsplit(value).netloc
                    if value.startswith("http") and host != netloc:
                        bad.append(f"{template}: {where}/{key} points at {host}, not the server")
                else:
                    walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}/{i}")

    walk(body, "")
    return bad
