#!/usr/bin/env python3
"""Extract the part of GitHub's OpenAPI description that the test GitHub server implements.

The test server in ``tests/ghserver`` validates every response it sends (and every JSON request
body it receives) against GitHub's official OpenAPI description.  The full description is ~13 MB,
so this script keeps only the operations the server implements (``ENDPOINTS`` below) plus every
component they reference, transitively, and writes ``tests/data/github/openapi-subset.json``.

To keep the file small and stable it drops documentation-only keys (``description``,
``example``/``examples``, ``externalDocs``, ``summary``, ``tags``) and GitHub's vendor extensions
(``x-*`` keys, e.g. ``x-github-breaking-changes``, which only apply to later API versions).
The output is deterministic: keys are sorted and nothing depends on time or the environment.

Regenerate (pick the version to pin; the one in use is recorded in the output under
``x-source``)::

    cd /tmp && npm pack @octokit/openapi@23.0.2 && tar xzf octokit-openapi-23.0.2.tgz
    python3 scripts/extract_github_openapi.py /tmp/package/generated/api.github.com.json

Use the plain ``api.github.com.json`` (with ``$ref``), not the ``.deref.json`` variant.  The package
version is read from the ``package.json`` next to the ``generated/`` folder; pass ``--version`` if
the file was moved.  When the server gains an endpoint, add it to ``ENDPOINTS`` and regenerate; a
test (``tests/ghserver_tests``) checks that the server's routes and this list agree.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from openapi_trim import clean, components

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "tests" / "data" / "github" / "openapi-subset.json"

_R = "/repos/{owner}/{repo}"
_I = _R + "/issues/{issue_number}"

#: (path template, method) pairs implemented by tests/ghserver, as spelled in the description.
ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("/user", "get"),
    ("/users/{username}", "get"),
    ("/rate_limit", "get"),
    (_R, "get"),
    (_R + "/labels", "get"),
    (_R + "/labels", "post"),
    (_R + "/labels/{name}", "get"),
    (_R + "/labels/{name}", "patch"),
    (_R + "/labels/{name}", "delete"),
    (_R + "/issue-types", "get"),
    (_R + "/issues", "get"),
    (_R + "/issues", "post"),
    (_I, "get"),
    (_I, "patch"),
    (_I + "/labels", "get"),
    (_I + "/labels", "post"),
    (_I + "/labels", "put"),
    (_I + "/labels", "delete"),
    (_I + "/labels/{name}", "delete"),
    (_I + "/assignees", "post"),
    (_I + "/assignees", "delete"),
    (_I + "/assignees/{assignee}", "get"),
    (_R + "/assignees", "get"),
    (_R + "/assignees/{assignee}", "get"),
    (_I + "/events", "get"),
    (_I + "/comments", "get"),
    (_I + "/comments", "post"),
    (_R + "/issues/comments/{comment_id}", "get"),
    (_R + "/issues/comments/{comment_id}", "patch"),
    (_R + "/issues/comments/{comment_id}", "delete"),
    (_I + "/sub_issues", "get"),
    (_I + "/sub_issues", "post"),
    (_I + "/sub_issue", "delete"),
    (_I + "/sub_issues/priority", "patch"),
    (_I + "/parent", "get"),
    (_I + "/dependencies/blocked_by", "get"),
    (_I + "/dependencies/blocked_by", "post"),
    (_I + "/dependencies/blocked_by/{issue_id}", "delete"),
    (_I + "/dependencies/blocking", "get"),
    (_R + "/collaborators/{username}/permission", "get"),
    (_R + "/actions/workflows/{workflow_id}", "get"),
    (_R + "/actions/workflows/{workflow_id}/dispatches", "post"),
    (_R + "/actions/runs/{run_id}/artifacts", "get"),
    (_R + "/actions/artifacts/{artifact_id}", "get"),
    (_R + "/actions/artifacts/{artifact_id}/{archive_format}", "get"),
    (_R + "/pulls", "get"),
    (_R + "/pulls", "post"),
    (_R + "/pulls/{pull_number}", "get"),
    (_R + "/pulls/{pull_number}", "patch"),
    (_R + "/pulls/{pull_number}/merge", "put"),
    (_R + "/git/ref/{ref}", "get"),
    (_R + "/git/refs", "post"),
    (_R + "/git/refs/{ref}", "patch"),
    (_R + "/git/refs/{ref}", "delete"),
    (_R + "/git/trees", "post"),
    (_R + "/git/commits", "post"),
    (_R + "/git/commits/{commit_sha}", "get"),
    (_R + "/git/blobs", "post"),
)

_NAME_MAPS = frozenset({"properties", "patternProperties", "definitions", "headers", "content"})


def _clean(node: Any) -> Any:
    return clean(node, _NAME_MAPS)


def extract(spec: dict[str, Any], version: str) -> dict[str, Any]:
    """Return the trimmed description for ``ENDPOINTS`` with its transitive components."""
    paths: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    for template, method in ENDPOINTS:
        operation = spec["paths"].get(template, {}).get(method)
        if operation is None:
            missing.append(f"{method.upper()} {template}")
            continue
        kept = {
            k: operation[k]
            for k in ("operationId", "parameters", "requestBody", "responses")
            if k in operation
        }
        paths.setdefault(template, {})[method] = _clean(kept)
    if missing:
        raise SystemExit("not in the description: " + ", ".join(missing))

    found = components(spec, paths, _clean)

    return {
        "openapi": spec["openapi"],
        "info": {"title": spec["info"]["title"], "version": spec["info"]["version"]},
        "x-source": {
            "package": "@octokit/openapi",
            "version": version,
            "file": "generated/api.github.com.json",
            "generator": "scripts/extract_github_openapi.py",
        },
        "paths": paths,
        "components": found,
    }


def _package_version(spec_path: Path) -> str | None:
    package_json = spec_path.resolve().parent.parent / "package.json"
    if package_json.is_file():
        data = json.loads(package_json.read_text(encoding="utf-8"))
        if data.get("name") == "@octokit/openapi":
            return str(data["version"])
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "spec", type=Path, help="path to generated/api.github.com.json of @octokit/openapi"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output file (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--version", help="@octokit/openapi version (default: read from its package.json)"
    )
    args = parser.parse_args(argv)

    version = args.version or _package_version(args.spec)
    if not version:
        parser.error("cannot find the package version; pass --version")
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    subset = extract(spec, version)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(subset, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    args.out.write_text(text, encoding="utf-8")
    counts = {kind: len(items) for kind, items in sorted(subset["components"].items())}
    print(
        f"wrote {args.out} ({len(text)} bytes; {len(ENDPOINTS)} operations; components {counts})",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
