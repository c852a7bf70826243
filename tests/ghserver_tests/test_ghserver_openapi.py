"""The OpenAPI side: the extracted subset, the extraction script and the validation itself."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ghserver import GitHubTestServer
from ghserver.client import raw_request
from ghserver.models import PullInfo
from ghserver.openapi import SUBSET_PATH, OpenApi, to_json_schema
from ghserver.render import Renderer
from ghserver.routes import Router

ROOT = Path(__file__).resolve().parents[2]


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "extract_github_openapi", ROOT / "scripts" / "extract_github_openapi.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_routes_script_and_subset_agree() -> None:
    script = load_script()
    listed = {(template, method.upper()) for template, method in script.ENDPOINTS}
    assert Router.operations() == listed
    assert OpenApi().operations() == listed


def test_subset_records_its_source() -> None:
    data = json.loads(SUBSET_PATH.read_text())
    assert data["x-source"]["package"] == "@octokit/openapi"
    assert data["x-source"]["version"] == "23.0.2"
    assert "issue" in data["components"]["schemas"]


def test_extract_keeps_referenced_components_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = load_script()
    spec: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "GitHub", "version": "1.1.4", "description": "long"},
        "paths": {
            "/a": {
                "get": {
                    "operationId": "a",
                    "summary": "drop me",
                    "x-github": {},
                    "responses": {"200": {"$ref": "#/components/responses/ok"}},
                }
            },
            "/b": {"get": {"responses": {"200": {"description": "unused"}}}},
        },
        "components": {
            "responses": {
                "ok": {
                    "description": "d",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/thing"},
                            "examples": {},
                        }
                    },
                }
            },
            "schemas": {
                "thing": {
                    "type": "object",
                    "description": "d",
                    "example": {},
                    "properties": {
                        "description": {"type": "string"},
                        "part": {"$ref": "#/components/schemas/part"},
                    },
                },
                "part": {"type": "string", "nullable": True},
                "unused": {"type": "integer"},
            },
        },
    }
    monkeypatch.setattr(script, "ENDPOINTS", (("/a", "get"),))
    source = tmp_path / "package" / "generated" / "api.github.com.json"
    source.parent.mkdir(parents=True)
    source.write_text(json.dumps(spec))
    (tmp_path / "package" / "package.json").write_text(
        json.dumps({"name": "@octokit/openapi", "version": "9.9.9"})
    )
    out = tmp_path / "subset.json"
    assert script.main([str(source), "--out", str(out)]) == 0
    first = out.read_text()
    assert script.main([str(source), "--out", str(out)]) == 0
    assert out.read_text() == first  # deterministic
    subset = json.loads(first)
    assert subset["x-source"]["version"] == "9.9.9"
    assert list(subset["paths"]) == ["/a"] and subset["paths"]["/a"]["get"] == {
        "operationId": "a",
        "responses": {"200": {"$ref": "#/components/responses/ok"}},
    }
    assert sorted(subset["components"]["schemas"]) == ["part", "thing"]
    assert subset["components"]["schemas"]["thing"]["properties"]["description"] == {
        "type": "string"
    }  # a property, kept
    assert "example" not in subset["components"]["schemas"]["thing"]
    monkeypatch.setattr(script, "ENDPOINTS", (("/missing", "get"),))
    with pytest.raises(SystemExit):
        script.main([str(source), "--out", str(out)])


def test_nullable_conversion() -> None:
    assert to_json_schema({"type": "string", "nullable": True}) == {"type": ["string", "null"]}
    assert to_json_schema({"type": "string", "enum": ["a"], "nullable": True}) == {
        "type": ["string", "null"],
        "enum": ["a", None],
    }
    assert to_json_schema({"oneOf": [{"type": "integer"}], "nullable": True}) == {
        "anyOf": [{"oneOf": [{"type": "integer"}]}, {"type": "null"}]
    }
    assert to_json_schema({"properties": {"nullable": {"type": "boolean"}}}) == {
        "properties": {"nullable": {"type": "boolean"}}
    }


def test_validator_reports_mismatches() -> None:
    api = OpenApi()
    template = "/repos/{owner}/{repo}/labels/{name}"
    good = {
        "id": 1,
        "node_id": "x",
        "url": "http://h/l",
        "name": "n",
        "description": None,
        "color": "ffffff",
        "default": False,
    }
    assert api.validate_response(template, "GET", 200, good) == []
    assert api.validate_response(template, "GET", 200, {**good, "id": "1"}) != []
    assert api.validate_response(template, "GET", 200, {**good, "url": "no uri"}) != []
    assert api.validate_response(template, "GET", 404, {"message": "Not Found"}) == []
    assert api.validate_response(template, "GET", 201, good) != []  # undocumented success status
    issue = "/repos/{owner}/{repo}/issues/{issue_number}"
    assert any(
        "created_at" in e
        for e in api.validate_response(issue, "GET", 200, {"created_at": "yesterday"})
    )
    assert (
        api.validate_request("/repos/{owner}/{repo}/issues", "POST", {"title": "x", "labels": "a"})
        != []
    )


def test_invalid_request_body_is_rejected_and_reported() -> None:
    with GitHubTestServer() as server:
        status, _, body = raw_request(
            server, "POST", "/repos/acme/data/issues", {"title": "x", "labels": "not-a-list"}
        )
        assert status == 422 and body["message"].startswith("Invalid request.")
        assert len(server.validation_errors) == 1 and "labels" in server.validation_errors[0]
        assert server.state.issues == {}


def test_bad_response_is_reported_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Renderer.label

    def broken(self: Renderer, label: Any) -> dict[str, Any]:
        out = original(self, label)
        del out["color"]
        return out

    monkeypatch.setattr(Renderer, "label", broken)
    with GitHubTestServer() as server:
        server.state.create_label("x")
        status, _, _ = raw_request(server, "GET", "/repos/acme/data/labels/x")
        assert status == 200
        assert any("'color' is a required property" in e for e in server.validation_errors)


def _properties(api: OpenApi, name: str) -> set[str]:
    return set(api._components["schemas"][name]["properties"])


def test_rendered_objects_use_only_documented_fields() -> None:
    """Stricter than the description (which allows extra fields): we invent no field."""
    api = OpenApi()
    with GitHubTestServer(users={"dana-lee": "admin"}) as server:
        state = server.state
        issue = state.create_issue("t", "b", labels=["a"], assignees=["dana-lee"])
        pull = state.create_issue("p", pull=PullInfo(head="h", base="main"))
        comment = state.add_comment(issue.number, "c")
        render = Renderer(state, server.url, server.url)
        checks = {
            "issue": [render.issue(issue), render.issue(pull)],
            "label": [render.label(state.labels_of(issue)[0])],
            "issue-comment": [render.comment(comment)],
            "full-repository": [render.repository()],
            "repository": [render.repository(full=False)],
            "simple-user": [render.user("dana-lee")],
            "private-user": [render.private_user("dana-lee")],
            "public-user": [render.public_user("dana-lee")],
            "nullable-collaborator": [render.collaborator(state.users["dana-lee"])],
        }
        for schema, objects in checks.items():
            for obj in objects:
                assert set(obj) - _properties(api, schema) == set(), schema
        status, _, body = raw_request(server, "GET", f"/repos/acme/data/pulls/{pull.number}")
        assert status == 200 and set(body) - _properties(api, "pull-request") == set()
        assert server.validation_errors == []
