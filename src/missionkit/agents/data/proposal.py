"""Propose a mapping: score every (target field, source column) pair, assign the sure ones.

A pair's confidence is its name similarity (:mod:`.scoring`) times how well the column's
sampled values fit the field's type (:mod:`.values`). Pairs are assigned greedily, best
first, one column per field, while the confidence reaches the threshold. A field left over
asks a person when it is required or when its best free candidate reaches ``min_score``;
otherwise it stays unmapped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from missionkit.agents.data.scoring import entity_words, name_score
from missionkit.agents.data.target import TargetField, TargetModel
from missionkit.agents.data.values import date_fit, fit
from missionkit.agents.data.warehouse import split_table, table_columns

if TYPE_CHECKING:
    from missionkit.warehouse.base import Connection

SHOWN_CANDIDATES = 3


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    samples: tuple[str, ...]  # non-null values as text, in table order


@dataclass(frozen=True)
class Candidate:
    column: str
    confidence: float
    name: float
    fit: float
    matched: str  # the field name or synonym the column resembles most
    formats: tuple[str, ...] = ()


@dataclass
class Decision:
    field: TargetField
    column: str | None = None
    confidence: float = 0.0
    decided_by: Literal["agent", "person"] = "agent"
    formats: tuple[str, ...] = ()
    candidates: list[Candidate] = dataclasses.field(default_factory=list)
    ask: bool = False


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


def profile(con: Connection, source: str, sample_size: int, ignore: list[str]) -> list[Column]:
    """The source table's columns with up to ``sample_size`` non-null values each."""
    columns = []
    for name, duck_type in table_columns(con, source):
        if name in ignore:
            continue
        samples = con.sample(source, name, sample_size)
        columns.append(Column(name, duck_type, tuple(samples)))
    return columns


def score(
    model: TargetModel, source: str, columns: list[Column]
) -> dict[tuple[str, str], Candidate]:
    entity = entity_words(split_table(source)[1], model.name)
    scores = {}
    for f in model.fields:
        names = [f.name, *f.synonyms]
        for c in columns:
            similar = name_score(c.name, names, entity)
            if f.formats and f.type in ("date", "timestamp"):
                value_fit = date_fit(c.samples, f.formats) if c.samples else fit(f.type, c.type, ())
            else:
                value_fit = fit(f.type, c.type, c.samples)
            scores[(f.name, c.name)] = Candidate(
                c.name,
                round(similar.score * value_fit.score, 3),
                round(similar.score, 3),
                round(value_fit.score, 3),
                similar.matched,
                value_fit.formats,
            )
    return scores


def propose(
    model: TargetModel,
    target: str,
    source: str,
    columns: list[Column],
    threshold: float,
    min_score: float,
) -> Proposal:
    scores = score(model, source, columns)
    decisions = {f.name: Decision(f) for f in model.fields}
    order = {f.name: i for i, f in enumerate(model.fields)}
    taken: set[str] = set()
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1].confidence, order[kv[0][0]]))
    for (field_name, column), cand in ranked:
        if cand.confidence < threshold:
            break
        decision = decisions[field_name]
        if decision.column is not None or column in taken:
            continue
        decision.column, decision.confidence, decision.formats = (
            column,
            cand.confidence,
            cand.formats,
        )
        taken.add(column)
    for decision in decisions.values():
        if decision.column is not None:
            continue
        free = [scores[(decision.field.name, c.name)] for c in columns if c.name not in taken]
        free.sort(key=lambda cand: (-cand.confidence, -cand.name))
        decision.candidates = free[:SHOWN_CANDIDATES]
        best = decision.candidates[0].confidence if decision.candidates else 0.0
        decision.ask = decision.field.required or best >= min_score
    return Proposal(model, target, source, columns, list(decisions.values()), scores)
