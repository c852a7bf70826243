"""Shared by the extract scripts: drop documentation from a JSON schema, and find its $refs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DOC_KEYS = frozenset({"description", "example", "examples", "externalDocs", "summary", "tags"})


def clean(
    node: Any,
    name_maps: frozenset[str],
    doc_keys: frozenset[str] = DOC_KEYS,
    *,
    names: bool = False,
) -> Any:
    """Drop documentation and vendor keys. Under a key in ``name_maps`` the keys are names
    (schema properties, header names, media types), kept whatever they are."""
    if isinstance(node, list):
        return [clean(item, name_maps, doc_keys) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if not names and (key in doc_keys or key.startswith("x-")):
            continue
        out[key] = clean(value, name_maps, doc_keys, names=(not names and key in name_maps))
    return out


def refs(node: Any, found: set[str]) -> None:
    """Add every ``$ref`` under ``node`` to ``found``."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        for value in node.values():
            refs(value, found)
    elif isinstance(node, list):
        for item in node:
            refs(item, found)


def components(
    spec: dict[str, Any],
    root: Any,
    clean_one: Callable[[Any], Any],
    kinds: frozenset[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every ``#/components/<kind>/<name>`` that ``root`` refers to, transitively, cleaned."""
    found: dict[str, dict[str, Any]] = {}
    pending: set[str] = set()
    refs(root, pending)
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        prefix, _, rest = ref.partition("#/components/")
        kind, _, name = rest.partition("/")
        if prefix or not name or "/" in name or (kinds is not None and kind not in kinds):
            raise SystemExit(f"unsupported $ref {ref!r}")
        target = clean_one(spec["components"][kind][name])
        found.setdefault(kind, {})[name] = target
        refs(target, pending)
    return found
