"""Standard code systems (``codes.yaml``) and the value maps they propose for a coded column.

A field with ``accepted_values`` (and perhaps a ``value_map``) normalises raw values. For a
candidate column, the values its sample holds are looked up: first in the field's own value
map and accepted values, then in the one code system that reads most of the rest and speaks
of the field's concepts (sex codes for a sex field). What that reads is *covered*; what no
one reads is asked of a person as a value-map question.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from missionkit.agents.data.target import Scalar, TargetField

SYSTEM_MIN = 0.8  # a system must read this share of the rows its field's map does not
CONCEPTS_SHARED = 2  # and share this many concepts with the field's accepted values


@dataclass(frozen=True)
class CodeSystem:
    name: str
    codes: dict[str, str]  # normalised code → concept


@dataclass(frozen=True)
class ValueFit:
    """How a column's sampled values normalise onto a coded field."""

    coverage: float  # share of sampled rows whose value maps (by the field or a system)
    distinct: int
    system: str | None = None
    proposed: dict[str, Scalar] = field(default_factory=dict)  # raw → accepted, from the system
    unmapped: tuple[tuple[str, int], ...] = ()  # (raw value, rows) nothing maps, most first


@cache
def systems() -> tuple[CodeSystem, ...]:
    data: dict[str, Any] = yaml.safe_load(
        resources.files("missionkit.agents.data").joinpath("codes.yaml").read_text("utf-8")
    )
    return tuple(
        CodeSystem(str(s["name"]), {normal(str(k)): str(v) for k, v in s["codes"].items()})
        for s in data["systems"]
    )


def normal(value: str) -> str:
    """How raw values are compared: trimmed, lower case, ``8507.0`` → ``8507``."""
    text = value.strip().lower()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


def coded(f: TargetField) -> bool:
    return bool(f.accepted_values or f.value_map)


def own_map(f: TargetField) -> dict[str, Scalar]:
    """The field's raw → canonical values: its value map and its accepted values themselves."""
    out: dict[str, Scalar] = {normal(str(v)): v for v in f.accepted_values or ()}
    out.update({normal(k): v for k, v in (f.value_map or {}).items()})
    return out


def value_fit(
    f: TargetField, counts: Counter[str], extra: dict[str, Scalar] | None = None
) -> ValueFit:
    """How the sampled values (``counts`` of normalised values) normalise onto ``f``."""
    total = sum(counts.values())
    if not total:
        return ValueFit(0.0, 0)
    known = {**own_map(f), **(extra or {})}
    left = Counter({v: n for v, n in counts.items() if v not in known})
    accepted = {normal(str(v)): v for v in f.accepted_values or ()}
    system, proposed = _system(left, accepted)
    unmapped = [(v, n) for v, n in left.most_common() if v not in proposed]
    mapped = total - sum(n for _, n in unmapped)
    return ValueFit(mapped / total, len(counts), system, proposed, tuple(unmapped))


def _system(
    left: Counter[str], accepted: dict[str, Scalar]
) -> tuple[str | None, dict[str, Scalar]]:
    rows = sum(left.values())
    if not rows:
        return None, {}
    best: tuple[float, CodeSystem] | None = None
    for system in systems():
        concepts = {c for c in system.codes.values() if c in accepted}
        if len(concepts) < min(CONCEPTS_SHARED, len(accepted)):
            continue
        read = sum(n for v, n in left.items() if v in system.codes) / rows
        if read >= SYSTEM_MIN and (best is None or read > best[0]):
            best = (read, system)
    if best is None:
        return None, {}
    system = best[1]
    proposed = {
        v: accepted[system.codes[v]]
        for v in left
        if v in system.codes and system.codes[v] in accepted
    }
    return system.name, proposed
