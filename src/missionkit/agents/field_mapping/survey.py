"""Sample the sources and propose every model's mapping, before any answer.

A model that others reference is proposed first, so that their reference fields can look
their candidates' values up among its key column's values; a column of the same name in a
referencing and a referenced table is looked up first, as the likely join key.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from missionkit.agents.data.evidence import Column
from missionkit.agents.data.proposal import Proposal, propose
from missionkit.agents.data.sampling import found_share, sample_table
from missionkit.agents.data.scoring import Vocabulary, words
from missionkit.agents.data.target import TargetField, TargetModel, load_target
from missionkit.agents.data.warehouse import DataError, connect, resolve

if TYPE_CHECKING:
    from missionkit.agents.base import AgentContext
    from missionkit.agents.field_mapping.inputs import FieldMappingInputs, SourceTarget
    from missionkit.warehouse.base import Connection

REFERENCE_SAMPLE = 200  # distinct values of a reference candidate looked up among the keys


def propose_all(
    ctx: AgentContext, inputs: FieldMappingInputs, vocab: Vocabulary | None = None
) -> list[Proposal]:
    """Sample every source and propose its mapping, before any answer.

    A model that others reference is proposed first, so that their reference fields can look
    their candidates' values up among its key column's values.
    """
    targets = [
        (pair, load_target(resolve(ctx, pair.target), pair.target)) for pair in inputs.pairs()
    ]
    names = [model.name for _, model in targets]
    if len(set(names)) != len(names):
        raise DataError(f"two maps have the same target model name: {', '.join(names)}")
    order = sorted(range(len(targets)), key=lambda i: _references_others(targets[i][1], names))
    con = connect(ctx, read_only=True)
    done: dict[str, Proposal] = {}
    try:
        tables: dict[str, list[Column]] = {}
        for pair, _ in targets:  # a table mapped onto two models is sampled once
            if pair.source not in tables:
                tables[pair.source] = sample_table(
                    con, pair.source, inputs.sample_size, inputs.ignore
                )
        sampled = {model.name: tables[pair.source] for pair, model in targets}
        joins = _join_keys(con, targets, sampled)
        for i in order:
            pair, model = targets[i]
            done[model.name] = propose(
                model,
                pair.target,
                pair.source,
                sampled[model.name],
                inputs.threshold,
                inputs.min_score,
                vocab,
                partial(_coverage, con, done),
                joins.get(model.name, {}),
            )
    finally:
        con.close()
    return [done[model.name] for _, model in targets]


def _join_keys(
    con: Connection,
    targets: list[tuple[SourceTarget, TargetModel]],
    sampled: dict[str, list[Column]],
) -> dict[str, dict[str, set[str]]]:
    """Model → field → columns that join its table to a table it references.

    A column of the same name in both tables, distinct in the referenced one, whose values
    are all found there, is the reference (``person_id`` in visits and persons) and, in the
    referenced table, its key.
    """
    sources = {model.name: pair.source for pair, model in targets}
    out: dict[str, dict[str, set[str]]] = {}
    for _, model in targets:
        for f in model.fields:
            if not f.references:
                continue
            other, key = f.references.split(".")
            if other not in sampled or other == model.name or sources[other] == sources[model.name]:
                continue
            theirs = {c.name.lower(): c for c in sampled[other]}
            for mine in sampled[model.name]:
                peer = theirs.get(mine.name.lower())
                if peer is None or not mine.samples or "id" not in words(mine.name):
                    continue
                if peer.distinct_ratio < 0.95:
                    continue
                values = list(dict.fromkeys(mine.samples))[:REFERENCE_SAMPLE]
                if found_share(con, sources[other], peer.name, values) >= 0.9:
                    out.setdefault(model.name, {}).setdefault(f.name, set()).add(mine.name)
                    out.setdefault(other, {}).setdefault(key, set()).add(peer.name)
    return out


def _references_others(model: TargetModel, names: list[str]) -> bool:
    return any(
        f.references
        and f.references.split(".")[0] in names
        and f.references.split(".")[0] != model.name
        for f in model.fields
    )


def _coverage(
    con: Connection, done: dict[str, Proposal], f: TargetField, column: Column
) -> float | None:
    """The share of ``column``'s values found in the key column of the model ``f`` references."""
    assert f.references is not None
    model, key = f.references.split(".")
    referenced = done.get(model)
    if referenced is None or not column.samples:
        return None
    decision = referenced.decision(key)
    key_column = decision.column or (decision.candidates[0].column if decision.candidates else None)
    if key_column is None:
        return None
    values = list(dict.fromkeys(_reference_id(v) for v in column.samples))[:REFERENCE_SAMPLE]
    return found_share(con, referenced.source, key_column, values)


def _reference_id(value: str) -> str:
    """``Patient/123`` (a FHIR-style reference) → ``123``."""
    head, sep, tail = value.strip().rpartition("/")
    return tail if sep and head.isalpha() else value.strip()
