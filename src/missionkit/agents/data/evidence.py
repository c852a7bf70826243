"""The evidence that a source column holds a target field, combined into one score.

Each piece of evidence adds to the log-odds that the pair is right (naive Bayes): the names
(field, synonyms, description), the values' type and shape, key evidence (a ``unique`` field
needs distinct values; a ``references`` field needs values found in the referenced key), and
for a coded field how many values its value map or a standard code system reads. The
proposal (:mod:`.proposal`) turns these log-odds into a probability against the other
candidate columns and the chance that the source has no such column at all.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from missionkit.agents.data.codes import ValueFit, coded, normal, value_fit
from missionkit.agents.data.scoring import (
    Vocabulary,
    description_score,
    description_words,
    name_score,
    words,
)
from missionkit.agents.data.shapes import share
from missionkit.agents.data.target import Scalar, TargetField
from missionkit.agents.data.values import (
    Fit,
    date_fit,
    fit,
    formats_for,
    is_native,
    is_temporal,
)

# log-odds of each piece of evidence (hand-set, checked against the labelled source schemas
# with scripts/evaluate_mapping.py: its reliability table shows what a confidence means)
NAME_SLOPE = 11.0  # per unit of name similarity …
NAME_MIDPOINT = 0.72  # … around this similarity (even odds on the name alone) …
NAME_FLOOR = -5.0  # … and no lower
OPAQUE = -2.0  # for a key or reference, a name the vocabulary cannot read says little
NAME_EXACT = 3.6  # the very name of the field or a synonym
NATIVE = 1.5  # the column already has the field's type (a DATE column for a date) …
TEMPORAL = 0.4  # … or is a date or time of another kind
RAW_COPY = -2.0  # a copy of the source's own values (`raw_*`, `*_source_value`)
CONSTANT = -2.0  # one value throughout: no coded field's column
KEY_COLUMN = 1.0  # the model's key: a distinct column named as an id …
FIRST_COLUMN = 0.5  # … and the table's first column
JOIN_KEY = 3.0  # the same column in the referencing table, every value found here
DESCRIPTION = 1.2  # the column's telling words all appear in the field's description
TYPE_MISFIT = -7.0  # × the share of values that do not parse as the field's type
SHAPE_MISS = {"person_name": -1.0}  # almost no value has the field's shape (else -4.5)
# most values have the field's shape: how telling that is depends on the shape
SHAPE_MATCH = {"email": 3.0, "icd10": 2.5, "phone": 1.5, "postal_code": 1.0, "person_name": 0.3}
KEY_DISTINCT, KEY_REPEATS = 0.8, -4.5  # a unique field's values are / are not distinct
SPARSE = -2.0  # a required field's column is mostly empty
REF_COVERED, REF_MISSING = 1.5, -5.0  # values found / not found among the referenced keys
VALUES_READ = 1.5  # a coded field's values normalise
VALUES_UNREAD = -2.5  # they do not, but they are labels a person could map
CODES_UNREAD = -3.0  # they do not, and they are numbers of some other code list
TOO_MANY_VALUES = -4.0  # far more distinct values than a coded field has
SAMPLE_VALUES = 3
SHAPE_SAMPLE = 200  # distinct values whose shapes, types and formats are judged
IMPLIED_SHAPES = {
    "email": {"email", "e-mail", "mail"},
    "phone": {"phone", "telephone", "mobile"},
    "postal_code": {"postal", "zip", "zipcode", "postcode"},
}


@dataclass(frozen=True)
class Column:
    """A source column and the values sampled from it (non-null, as text, in table order)."""

    name: str
    type: str
    samples: tuple[str, ...]
    rows: int = 0  # rows sampled, nulls included

    @cached_property
    def raw_counts(self) -> Counter[str]:
        """The sampled values, counted: every later pass goes over the distinct ones."""
        return Counter(self.samples)

    @cached_property
    def some_counts(self) -> Counter[str]:
        """The most common distinct values (enough to judge shapes and formats)."""
        if len(self.raw_counts) <= SHAPE_SAMPLE:
            return self.raw_counts
        return Counter(dict(self.raw_counts.most_common(SHAPE_SAMPLE)))

    @cached_property
    def counts(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for value, n in self.raw_counts.items():
            out[normal(value)] += n
        return out

    def shape_share(self, shape: str) -> float:
        if shape not in self._shapes:
            self._shapes[shape] = share(shape, self.some_counts)
        return self._shapes[shape]

    @cached_property
    def _shapes(self) -> dict[str, float]:
        return {}

    @property
    def distinct_ratio(self) -> float:
        return len(self.raw_counts) / len(self.samples) if self.samples else 0.0

    @property
    def fill(self) -> float:
        return len(self.samples) / self.rows if self.rows else 1.0

    @cached_property
    def _fits(self) -> dict[tuple[str, tuple[str, ...]], Fit]:
        return {}

    def fit(self, f: TargetField) -> Fit:
        """How the values fit the field's type; date formats are guessed once per column."""
        key = (f.type, tuple(f.formats))
        if key not in self._fits:
            if f.type in ("date", "timestamp") and self.samples and not is_temporal(self.type):
                candidates = tuple(f.formats) or formats_for(f.type)
                self._fits[key] = date_fit(self.some_counts, candidates)
            else:
                self._fits[key] = fit(f.type, self.type, self.some_counts)
        return self._fits[key]

    def shown(self) -> list[str]:
        return list(dict.fromkeys(self.samples))[:SAMPLE_VALUES]


@dataclass
class Evidence:
    """Why a column may hold a field: each reason with the log-odds it adds."""

    name: float  # name similarity 0–1
    matched: str  # the field name or synonym the column resembles most
    fit: Fit
    reasons: list[tuple[str, float]] = field(default_factory=list)
    values: ValueFit | None = None
    coverage: float | None = None  # share of values found among the referenced keys

    @property
    def logit(self) -> float:
        return sum(weight for _, weight in self.reasons)

    def add(self, reason: str, weight: float) -> None:
        if weight:
            self.reasons.append((reason, round(weight, 2)))


def weigh(
    f: TargetField,
    column: Column,
    entity: frozenset[str],
    vocab: Vocabulary,
    described: frozenset[str] | None = None,
    value_map: dict[str, Scalar] | None = None,
    key: bool = False,
    first: bool = False,
) -> Evidence:
    """Every piece of evidence but references (which need the referenced model's column)."""
    similar = name_score(column.name, [f.name, *f.synonyms], entity, vocab)
    ev = Evidence(round(similar.score, 3), similar.matched, column.fit(f))
    by_name = NAME_EXACT if similar.score >= 0.99 else NAME_SLOPE * (similar.score - NAME_MIDPOINT)
    column_words = set(words(column.name, vocab))
    keyish = f.unique or f.references is not None
    floor = OPAQUE if keyish and _opaque(column_words, vocab, entity) else NAME_FLOOR
    ev.add(f"name ~{similar.matched} {similar.score:.2f}", max(floor, by_name))
    if column_words & {"raw", "source"}:
        ev.add("source's own values", RAW_COPY)
    if described is None:
        described = description_words(f.description, vocab)
    if described and similar.score < 1.0:
        named = frozenset(w for n in (f.name, *f.synonyms) for w in words(n, vocab))
        told = description_score(column.name, described, entity, named, vocab)
        if told >= 0.5:
            ev.add("described", DESCRIPTION * told)
    ev.add(f"type fit {ev.fit.score:.2f}", TYPE_MISFIT * (1.0 - ev.fit.score))
    if f.type != "string" and is_native(f.type, column.type):
        ev.add(f"{column.type.lower()} column", NATIVE)
    elif f.type in ("date", "timestamp") and is_temporal(column.type):
        ev.add(f"{column.type.lower()} column", TEMPORAL)
    shape = f.shape or implied_shape(f.name)
    if shape and column.samples:
        shaped = column.shape_share(shape)
        if shaped >= 0.8:
            ev.add(f"{shape} shape {shaped:.0%}", SHAPE_MATCH.get(shape, 1.0) * shaped)
        elif shaped < 0.5:
            miss = SHAPE_MISS.get(shape, -4.5)
            ev.add(f"{shape} shape {shaped:.0%}", miss * (1 - shaped / 0.5))
    if f.unique and column.samples:
        ratio = column.distinct_ratio
        if ratio >= 0.95:
            ev.add(f"distinct {ratio:.0%}", KEY_DISTINCT)
        elif ratio < 0.9:
            ev.add(f"distinct {ratio:.0%}", KEY_REPEATS * min(1.0, (0.9 - ratio) / 0.3 + 0.5))
    if key and column.samples and column.distinct_ratio >= 0.95:
        if "id" in column_words:
            ev.add("distinct id", KEY_COLUMN)
        if first:
            ev.add("first column", FIRST_COLUMN)
    if f.required and column.rows and column.fill < 0.5:
        ev.add(f"filled {column.fill:.0%}", SPARSE * (1 - column.fill / 0.5))
    if coded(f) and column.samples and len(column.raw_counts) > _most_values(f):
        ev.add(f"{len(column.raw_counts)} distinct values", TOO_MANY_VALUES)
    elif coded(f) and column.samples:
        ev.values = value_fit(f, column.counts, value_map)
        weight = _values_weight(f, ev.values)
        if len(column.counts) < 2 <= len(column.samples) // 10:
            ev.add("one value only", CONSTANT)
        elif weight <= 0 or similar.score >= 0.5:  # any 1/2 column reads as sex codes
            ev.add(f"values read {ev.values.coverage:.0%}", weight)
    return ev


def implied_shape(field: str) -> str | None:
    """The shape a field's name promises when its model declares none (``email`` → email)."""
    named = set(field.lower().split("_"))
    for shape, hints in IMPLIED_SHAPES.items():
        if named & hints:
            return shape
    return None


def _most_values(f: TargetField) -> int:
    """More distinct values than this, and a column cannot hold the coded field."""
    allowed = len({str(v) for v in (f.accepted_values or [])} | set(f.value_map or {}))
    return max(3 * allowed, 12)


def _values_weight(f: TargetField, values: ValueFit) -> float:
    if values.distinct > _most_values(f):
        return TOO_MANY_VALUES
    if values.coverage >= 0.9:
        return VALUES_READ * values.coverage
    numbers = all(v.isdigit() for v, _ in values.unmapped)
    return (CODES_UNREAD if numbers else VALUES_UNREAD) * (1 - values.coverage / 0.9)


def _opaque(column_words: set[str], vocab: Vocabulary, entity: frozenset[str]) -> bool:
    known = vocab.known
    telling = {w for w in column_words if w not in vocab.generic and w not in entity}
    return bool(telling) and not telling & known


def add_coverage(ev: Evidence, coverage: float) -> None:
    ev.coverage = coverage
    if coverage >= 0.9:
        ev.add(f"found in the referenced keys {coverage:.0%}", REF_COVERED)
    elif coverage < 0.5:
        ev.add(f"found in the referenced keys {coverage:.0%}", REF_MISSING * (1 - coverage / 0.5))


def probability(logit: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, logit))))
