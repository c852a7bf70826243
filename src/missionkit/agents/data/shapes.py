"""What sampled values look like: e-mail addresses, phone numbers, postal codes, names, codes.

A target field may say which shape its values have (``shape: email``); a column whose values
do not have it is very unlikely to hold the field, however alike the names (a street
``ADDRESS`` is no ``email_address``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

_PATTERNS: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"),
    # 7 to 15 digits with the usual separators, an optional + and extension
    "phone": re.compile(r"\+?(?=(?:\D*\d){7,15}\D*$)[\d\s().\-/]+(?:\s*(?:x|ext\.?)\s*\d+)?", re.I),
    # US ZIP (+4), UK postcode, Canadian, and 4–6 digit codes of most other countries
    "postal_code": re.compile(
        r"\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{4,6}",
        re.I,
    ),
    # letters, with the digits synthetic data appends (Synthea: "Ada123")
    "person_name": re.compile(r"[^\W\d_][^\W\d_'’. -]*(?:['’. -]+[^\W\d_]+)*\.?\d*"),
    "icd10": re.compile(r"[A-TV-Z]\d[0-9AB](?:\.?[0-9A-TV-Z]{1,4})?", re.I),
    "identifier": re.compile(r"[\w.:/-]{1,64}"),
}


def share(shape: str, values: Sequence[str] | Mapping[str, int]) -> float:
    """The share of ``values`` (or of counted values) with ``shape`` (1.0 for none)."""
    pattern = _PATTERNS.get(shape)
    counts = values if isinstance(values, Mapping) else Counter(values)
    total = sum(counts.values())
    if pattern is None or not total:
        return 1.0
    return sum(n for v, n in counts.items() if pattern.fullmatch(v.strip())) / total


def shapes() -> tuple[str, ...]:
    return tuple(_PATTERNS)
