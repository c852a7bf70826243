"""How well sampled column values fit a target type, and which text formats dates use.

The same formats drive the staging SQL (DuckDB's ``strptime`` shares Python's directives), so
a date the field mapping recognised is a date the staging model parses. Formats are guessed
once per column from a small sample (:func:`guess_formats`); the rest of the sample is only
matched against the chosen formats' patterns, which is cheap.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

# Month-first before day-first: 03/04/2024 reads as March 4 (US extracts); a target field's
# ``formats`` overrides this.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
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
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    *DATE_FORMATS,
)
GUESS_SAMPLE = 50  # distinct values the formats are guessed from
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


def is_temporal(duck_type: str) -> bool:
    return base_type(duck_type) in ("DATE", *_TIMESTAMP_TYPES)


def fit(target_type: str, duck_type: str, values: Sequence[str] | Mapping[str, int]) -> Fit:
    """How well ``values`` (non-null, as text, or counted) of a column fit ``target_type``."""
    kind = base_type(duck_type)
    if target_type == "string":
        return Fit(1.0)
    if is_native(target_type, duck_type) and target_type != "integer":
        return Fit(1.0)
    if target_type in ("date", "timestamp") and is_temporal(duck_type):
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
    return date_fit(values, formats_for(target_type))


def formats_for(target_type: str) -> tuple[str, ...]:
    """The formats a date (dates first, then timestamps) or timestamp column may use."""
    if target_type == "date":
        return DATE_FORMATS + tuple(f for f in TIMESTAMP_FORMATS if f not in DATE_FORMATS)
    return TIMESTAMP_FORMATS


def date_fit(values: Sequence[str] | Mapping[str, int], candidates: Sequence[str]) -> Fit:
    """The share of values that one of the formats guessed from a few of them reads."""
    counts = _counted(values)
    total = sum(counts.values())
    formats = guess_formats(list(counts), tuple(candidates))
    if not total or not formats:
        return Fit(0.0 if total else UNKNOWN, formats)
    patterns = [_pattern(f) for f in formats]
    parsed = sum(n for v, n in counts.items() if any(p.fullmatch(v.strip()) for p in patterns))
    return Fit(parsed / total, formats)


def guess_formats(values: Sequence[str], candidates: tuple[str, ...]) -> tuple[str, ...]:
    """The fewest ``candidates`` that read a small sample of distinct ``values``.

    Each value may parse with several formats (``03/04/2024``); a format that reads more of
    the sample is chosen first, so a day-first extract (``25/03/2024``) gets only ``%d/%m/%Y``.
    """
    sample = list(dict.fromkeys(v.strip() for v in values))[:GUESS_SAMPLE]
    if sum(1 for v in sample if any(c.isdigit() for c in v)) * 2 < len(sample):
        return ()  # mostly values without a digit: no dates
    readers: dict[str, set[int]] = {fmt: set() for fmt in candidates}
    for i, text in enumerate(sample):
        for fmt in candidates:
            if _pattern(fmt).fullmatch(text) and _parses(text, fmt):
                readers[fmt].add(i)
    left = set().union(*readers.values()) if readers else set()
    chosen: list[str] = []
    while left:
        fmt = max(candidates, key=lambda f: (len(readers[f] & left), -candidates.index(f)))
        chosen.append(fmt)
        left -= readers[fmt]
    return tuple(f for f in candidates if f in chosen)


def _parses(text: str, fmt: str) -> bool:
    try:
        datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


_DIRECTIVES = {
    "Y": r"\d{4}",
    "m": r"\d{1,2}",
    "d": r"\d{1,2}",
    "H": r"\d{1,2}",
    "I": r"\d{1,2}",
    "M": r"\d{2}",
    "S": r"\d{2}",
    "f": r"\d{1,6}",
    "b": r"[A-Za-z]{3}",
    "p": r"(?:AM|PM|am|pm)",
    "z": r"(?:Z|[+-]\d{2}:?\d{2})",
}


@cache
def _pattern(fmt: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            out.append(_DIRECTIVES.get(fmt[i + 1], ".+?"))
            i += 2
        else:
            out.append(re.escape(fmt[i]))
            i += 1
    return re.compile("".join(out))


def _counted(values: Sequence[str] | Mapping[str, int]) -> Mapping[str, int]:
    return values if isinstance(values, Mapping) else Counter(values)


def _share(values: Sequence[str] | Mapping[str, int], ok: Callable[[str], bool]) -> float:
    counts = _counted(values)
    return sum(n for v, n in counts.items() if ok(v)) / sum(counts.values())
