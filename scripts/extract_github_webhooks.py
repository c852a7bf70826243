#!/usr/bin/env python3
"""Extract the JSON Schemas of the webhook payloads that ``mission dispatch --event`` reads.

GitHub publishes the schemas of its webhook payloads as an OpenAPI 3.1 description in the npm
package ``@octokit/openapi-webhooks`` (``generated/api.github.com.json``, ~5 MB).  This script keeps
only the events missionkit acts on (``EVENTS`` below: issues closed and reopened, issue_comment
created) plus every component they reference, transitively, and writes
``tests/data/github/webhooks-subset.json``, which the event tests (``tests/workflows``) validate
their payloads against.

OpenAPI 3.1 schemas are JSON Schema 2020-12, so the output is a 2020-12 document: ``webhooks``
maps ``<event>.<action>`` to a ``$ref`` into ``components/schemas`` (the references keep their
original spelling).  Documentation-only keys (``description``, ``example``/``examples``,
``externalDocs``, ``summary``, ``tags``, ``title``) and vendor extensions (``x-*``) are dropped.
The output is deterministic: keys are sorted and nothing depends on time or the environment.

Regenerate (pick the version to pin; the one in use is recorded under ``x-source``)::

    cd /tmp && npm pack @octokit/openapi-webhooks@12.1.0
    tar xzf octokit-openapi-webhooks-12.1.0.tgz && cd -
    python3 scripts/extract_github_webhooks.py /tmp/package/generated/api.github.com.json

The package version is read from the ``package.json`` next to the ``generated/`` folder; pass
``--version`` if the file was moved.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from openapi_trim import clean, components

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "tests" / "data" / "github" / "webhooks-subset.json"
PACKAGE = "@octokit/openapi-webhooks"

#: ``<event>.<action>`` (as in the ``X-GitHub-Event`` header and the payload's ``action``) to the
#: key of the webhook in the description's ``webhooks`` map.
EVENTS: dict[str, str] = {
    "issues.closed": "issues-closed",
    "issues.reopened": "issues-reopened",
    "issue_comment.created": "issue-comment-created",
}

_DOC_KEYS = frozenset(
    {"description", "example", "examples", "externalDocs", "summary", "tags", "title"}
)
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})


def _clean(node: Any) -> Any:
    return clean(node, _NAME_MAPS, _DOC_KEYS)


def _payload_schema(spec: dict[str, Any], key: str) -> dict[str, Any]:
    try:
        hook = spec["webhooks"][key]["post"]
        schema = hook["requestBody"]["content"]["application/json"]["schema"]
    except KeyError:
        raise SystemExit(f"webhook {key!r} is not in the description") from None
    if not isinstance(schema, dict):
        raise SystemExit(f"webhook {key!r} has no JSON schema")
    return schema


def extract(spec: dict[str, Any], version: str) -> dict[str, Any]:
    """Return the schemas of ``EVENTS`` with their transitive components."""
    if not str(spec.get("openapi", "")).startswith("3.1"):
        raise SystemExit(f"expected an OpenAPI 3.1 description, got {spec.get('openapi')!r}")
    webhooks = {event: _clean(_payload_schema(spec, key)) for event, key in EVENTS.items()}
    schemas = components(spec, webhooks, _clean, frozenset({"schemas"})).get("schemas", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "x-source": {
            "package": PACKAGE,
            "version": version,
            "file": "generated/api.github.com.json",
            "openapi": spec["openapi"],
            "generator": "scripts/extract_github_webhooks.py",
        },
        "webhooks": webhooks,
        "components": {"schemas": schemas},
    }


def _package_version(spec_path: Path) -> str | None:
    package_json = spec_path.resolve().parent.parent / "package.json"
    if package_json.is_file():
        data = json.loads(package_json.read_text(encoding="utf-8"))
        if data.get("name") == PACKAGE:
            return str(data["version"])
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "spec", type=Path, help=f"path to generated/api.github.com.json of {PACKAGE}"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output file (default: {DEFAULT_OUT})"
    )
    parser.add_argument("--version", help=f"{PACKAGE} version (default: read from package.json)")
    args = parser.parse_args(argv)

    version = args.version or _package_version(args.spec)
    if not version:
        parser.error("cannot find the package version; pass --version")
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    subset = extract(spec, version)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(subset, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(
        f"wrote {args.out} ({len(text)} bytes; {len(EVENTS)} webhooks; "
        f"{len(subset['components']['schemas'])} schemas)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
