"""How well sampled column values fit a target type, and which text formats dates use.

The same formats drive the staging SQL (DuckDB's ``strptime`` shares Python's directives), so
a date the field mapping recognised is a date the staging model parses.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

# Month-first before day-first: 03/04/2024 reads as March 4 (US extracts); a target field's
# ``formats`` overrides this.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d-%b-%Y",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%Y%m%d",
    "%b %d, %Y",
    "%d %b %Y",
)
TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    *DATE_FORMATS,
)
BOOLEAN_WORDS = {
    "true": True,
    "t": True,
    "yes": True,
    "y": True,
    "1": True,
    "false": False,
    "f": False,
    "no": False,
    "n": False,
    "0": False,
}
UNKNOWN = 0.5  # no values to judge by (an all-null column)

_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}
_NUMBER_TYPES = _INTEGER_TYPES | {"FLOAT", "DOUBLE", "REAL"}
_TIMESTAMP_TYPES = {
    "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE",
    "TIMESTAMP_S",
    "TIMESTAMP_MS",
    "TIMESTAMP_NS",
    "DATETIME",
}
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?\$?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")
NUMBER_STRIP = r"[$,\s]"  # characters the staging model removes before casting a number


@dataclass(frozen=True)
class Fit:
    """``score``: the share of sampled values that parse as the type."""

    score: float
    formats: tuple[str, ...] = ()


def base_type(duck_type: str) -> str:
    """``DECIMAL(10,2)`` → ``DECIMAL``."""
    return duck_type.split("(")[0].strip().upper()


def is_native(target_type: str, duck_type: str) -> bool:
    """Whether the column's DuckDB type already holds the target type."""
    kind = base_type(duck_type)
    return {
        "string": kind == "VARCHAR",
        "integer": kind in _INTEGER_TYPES,
        "number": kind in _NUMBER_TYPES or kind == "DECIMAL",
        "boolean": kind == "BOOLEAN",
        "date": kind == "DATE",
        "timestamp": kind in _TIMESTAMP_TYPES,
    }.get(target_type, False)


def fit(target_type: str, duck_type: str, values: Sequence[str]) -> Fit:
    """How well ``values`` (non-null, as text) of a ``duck_type`` column fit ``target_type``."""
    kind = base_type(duck_type)
    if target_type == "string":
        return Fit(1.0)
    if is_native(target_type, duck_type) and target_type != "integer":
        return Fit(1.0)
    if not values:
        return Fit(UNKNOWN)
    if kind in ("DATE", *_TIMESTAMP_TYPES) and target_type in ("date", "timestamp"):
        return Fit(1.0)
    if target_type == "integer":
        return Fit(_share(values, lambda v: bool(_INTEGER.match(v.strip()))))
    if target_type == "number":
        return Fit(
            _share(values, lambda v: bool(_NUMBER.match(v.strip())) and any(c.isdigit() for c in v))
        )
    if target_type == "boolean":
        return Fit(_share(values, lambda v: v.strip().lower() in BOOLEAN_WORDS))
    candidates = DATE_FORMATS if target_type == "date" else TIMESTAMP_FORMATS
    return date_fit(values, candidates)


def date_fit(values: Sequence[str], candidates: Sequence[str]) -> Fit:
    """The share of values that parse with one of ``candidates``, and the formats used."""
    used: Counter[str] = Counter()
    parsed = 0
    for value in values:
        text = value.strip()
        for fmt in candidates:
            try:
                datetime.strptime(text, fmt)
            except ValueError:
                continue
            used[fmt] += 1
            parsed += 1
            break
    formats = tuple(fmt for fmt in candidates if used[fmt])
    return Fit(parsed / len(values), formats)


def _share(values: Sequence[str], ok: Callable[[str], bool]) -> float:
    return sum(1 for v in values if ok(v)) / len(values)
