"""Propose a mapping: weigh every (target field, source column) pair, assign the sure ones.

Every pair gets log-odds from its evidence (:mod:`.evidence`). Columns are assigned to fields
one-to-one by the best overall fit (``scipy.optimize.linear_sum_assignment``), each field
free to take no column when none is likely. A field's confidence is the probability of its
column against every other free column and against the source having no such column; and
when giving its column to another field would cost almost nothing (two fields, two columns,
a coin toss), the confidence drops to match. A field whose confidence reaches the threshold
is mapped; a required field, or one with a plausible candidate, asks a person. A coded field
whose column is right but whose values neither its value map nor a standard code system
reads asks about the values instead.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from missionkit.agents.data.codes import ValueFit, coded, normal, value_fit
from missionkit.agents.data.evidence import (
    JOIN_KEY,
    Column,
    Evidence,
    add_coverage,
    probability,
    weigh,
)
from missionkit.agents.data.scoring import (
    TEMPORAL,
    Vocabulary,
    description_words,
    entity_words,
    vocabulary,
    words,
)
from missionkit.agents.data.target import Scalar, TargetField, TargetModel
from missionkit.agents.data.warehouse import split_table

SHOWN_CANDIDATES = 3
REFERENCE_CANDIDATES = 6  # columns whose values are looked up among the referenced keys
CLIP = 30.0

Coverage = Callable[[TargetField, Column], float | None]


@dataclass(frozen=True)
class Candidate:
    column: str
    confidence: float
    name: float
    fit: float
    matched: str  # the field name or synonym the column resembles most
    formats: tuple[str, ...] = ()
    reasons: tuple[tuple[str, float], ...] = ()
    coverage: float | None = None
    values: ValueFit | None = None


@dataclass
class Decision:
    field: TargetField
    column: str | None = None
    confidence: float = 0.0
    decided_by: Literal["agent", "person"] = "agent"
    formats: tuple[str, ...] = ()
    candidates: list[Candidate] = dataclasses.field(default_factory=list)
    ask: bool = False
    value_map: dict[str, Scalar | None] = dataclasses.field(default_factory=dict)
    person_values: dict[str, Scalar | None] = dataclasses.field(default_factory=dict)
    values_by: Literal["agent", "person"] = "agent"
    unmapped_values: tuple[tuple[str, int], ...] = ()
    value_system: str | None = None

    @property
    def ask_values(self) -> bool:
        """The column is decided, but some of its values neither map nor were answered."""
        return self.column is not None and bool(self.unmapped_values) and not self.ask


@dataclass
class Proposal:
    model: TargetModel
    target: str  # the target model file, as the inputs name it
    source: str
    columns: list[Column]
    decisions: list[Decision]
    scores: dict[tuple[str, str], Candidate]

    def decision(self, name: str) -> Decision:
        return next(d for d in self.decisions if d.field.name == name)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def unmapped_columns(self) -> list[str]:
        used = {d.column for d in self.decisions}
        return [c.name for c in self.columns if c.name not in used]

    def set_column(self, d: Decision, column: str | None, by: Literal["agent", "person"]) -> None:
        """Give ``d`` its column (or none), with the values evidence of that column."""
        cand = self.scores.get((d.field.name, column)) if column else None
        d.column, d.decided_by, d.ask = column, by, False
        d.confidence = cand.confidence if cand else 0.0
        d.formats = cand.formats if cand else ()
        self.refresh_values(d)

    def refresh_values(self, d: Decision) -> None:
        """The proposed value map and the values nothing reads, for ``d``'s column."""
        if d.column is None or not coded(d.field):
            d.unmapped_values, d.value_system = (), None
            return
        person = {normal(k): v for k, v in d.person_values.items()}
        known: dict[str, Scalar] = {k: v for k, v in person.items() if v is not None}
        fitted = value_fit(d.field, self.column(d.column).counts, known)
        d.value_map = {**fitted.proposed, **person}
        d.value_system = fitted.system
        d.unmapped_values = tuple((v, n) for v, n in fitted.unmapped if v not in person)


def propose(
    model: TargetModel,
    target: str,
    source: str,
    columns: list[Column],
    threshold: float,
    min_score: float,
    vocab: Vocabulary | None = None,
    coverage: Coverage | None = None,
    joins: dict[str, set[str]] | None = None,
) -> Proposal:
    """``joins``: field → columns that join this table to the other model's (same name, keys)."""
    vocab = vocab or vocabulary()
    evidence = weigh_all(model, source, columns, vocab, coverage, joins or {})
    logits = [[_clip(evidence[(f.name, c.name)].logit) for c in columns] for f in model.fields]
    assigned = _assign(logits)
    taken = {c: f for f, c in assigned.items()}
    scores: dict[tuple[str, str], Candidate] = {}
    decisions = []
    same = _same_values(columns, vocab)
    for i, f in enumerate(model.fields):
        free = [j for j in range(len(columns)) if taken.get(j, i) == i]
        odds = {j: math.exp(logits[i][j]) for j in free}
        none_odds = 1.0 + sum(odds.values())
        for j, c in enumerate(columns):
            p = odds[j] / none_odds if j in odds else probability(logits[i][j]) * 0.5
            scores[(f.name, c.name)] = _candidate(c.name, p, evidence[(f.name, c.name)])
        decision = Decision(f)
        ranked = sorted(free, key=lambda j: (-logits[i][j], j))
        decision.candidates = [scores[(f.name, columns[j].name)] for j in ranked[:SHOWN_CANDIDATES]]
        if i in assigned:
            j = assigned[i]
            twins = same.get(j, set())
            alone = odds[j] / (none_odds - sum(odds.get(k, 0.0) for k in twins))
            confidence = min(alone, probability(_margin(logits, i, j, twins)))
            cand = scores[(f.name, columns[j].name)] = dataclasses.replace(
                scores[(f.name, columns[j].name)], confidence=round(confidence, 3)
            )
            if confidence >= threshold:
                decision.column, decision.confidence, decision.formats = (
                    cand.column,
                    cand.confidence,
                    cand.formats,
                )
            decision.candidates = [cand] + [
                c for c in decision.candidates if c.column != cand.column
            ]
            decision.candidates = decision.candidates[:SHOWN_CANDIDATES]
        if decision.column is None:
            best = decision.candidates[0].confidence if decision.candidates else 0.0
            decision.confidence = best
            decision.ask = f.required or best >= min_score
        decisions.append(decision)
    proposal = Proposal(model, target, source, columns, decisions, scores)
    for d in decisions:
        proposal.refresh_values(d)
    return proposal


def weigh_all(
    model: TargetModel,
    source: str,
    columns: list[Column],
    vocab: Vocabulary,
    coverage: Coverage | None,
    joins: dict[str, set[str]],
) -> dict[tuple[str, str], Evidence]:
    entity = entity_words(model.name, split_table(source)[1], vocab)
    out: dict[tuple[str, str], Evidence] = {}
    for f in model.fields:
        described = description_words(f.description, vocab)
        key = f.name == model.key
        for n, c in enumerate(columns):
            ev = weigh(f, c, entity, vocab, described, key=key, first=n == 0)
            if c.name in joins.get(f.name, ()):
                ev.add("join key of both tables", JOIN_KEY)
            out[(f.name, c.name)] = ev
        if f.references and coverage is not None:
            ranked = sorted(columns, key=lambda c: -out[(f.name, c.name)].logit)
            for c in ranked[:REFERENCE_CANDIDATES]:
                found = coverage(f, c)
                if found is not None:
                    add_coverage(out[(f.name, c.name)], found)
    return out


def _candidate(column: str, p: float, ev: Evidence) -> Candidate:
    return Candidate(
        column,
        round(p, 3),
        ev.name,
        round(ev.fit.score, 3),
        ev.matched,
        ev.fit.formats,
        tuple(ev.reasons),
        ev.coverage,
        ev.values,
    )


def _clip(x: float) -> float:
    return max(-CLIP, min(CLIP, x))


def _costs(logits: list[list[float]]) -> list[list[float]]:
    """Fields × (columns + one "no column" per field): the assignment's costs."""
    fields = len(logits)
    return [[-x for x in row] + [0.0] * fields for row in logits]


def _solve(costs: list[list[float]]) -> tuple[float, dict[int, int]]:
    from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

    rows, cols = linear_sum_assignment(costs)
    total = float(sum(costs[r][c] for r, c in zip(rows, cols, strict=True)))
    width = len(costs[0]) - len(costs)
    return total, {int(r): int(c) for r, c in zip(rows, cols, strict=True) if c < width}


def _assign(logits: list[list[float]]) -> dict[int, int]:
    """Field index → column index of the best one-to-one assignment (fields may take none)."""
    if not logits or not logits[0]:
        return {}
    return _solve(_costs(logits))[1]


def _margin(
    logits: list[list[float]],
    field: int,
    column: int,
    twins: frozenset[int] | set[int] = frozenset(),
) -> float:
    """How much worse the best assignment is that gives ``field`` neither ``column`` nor a twin."""
    costs = _costs(logits)
    best, _ = _solve(costs)
    for j in {column, *twins}:
        costs[field][j] = 10 * CLIP * (len(logits) + 1)
    other, _ = _solve(costs)
    return other - best


def _same_values(columns: list[Column], vocab: Vocabulary) -> dict[int, set[int]]:
    """Columns that hold one value at two precisions (``visit_start_date``, ``…_datetime``).

    Either is the field when one is, so they are no competitors of each other.
    """
    stems: dict[tuple[str, ...], list[int]] = {}
    for j, c in enumerate(columns):
        named = words(c.name, vocab)
        if set(named) & TEMPORAL:
            stems.setdefault(tuple(w for w in named if w not in TEMPORAL), []).append(j)
    out: dict[int, set[int]] = {}
    for group in stems.values():
        for j in group:
            if len(group) > 1:
                out[j] = set(group) - {j}
    return out
