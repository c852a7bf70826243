"""Map source columns onto target models; ask a person about the fields it is unsure of.

Flow: profile each source table, propose a mapping (:mod:`.proposal`), apply the person's
answers from earlier runs (:mod:`.answers`), then either write ``mapping.yaml`` (DONE) or ask
about the fields still undecided (NEEDS_HUMAN, with a draft mapping as artifact). An answer
that cannot be applied is reported and asked again; an older rejected answer is superseded
by the newer ones.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.agents.data.answers import FORMAT_HELP, Assignment, parse_answer
from missionkit.agents.data.mapping_file import (
    Candidate,
    FieldMap,
    MappingFile,
    ModelMap,
    write_mapping,
)
from missionkit.agents.data.evidence import Column
from missionkit.agents.data.proposal import Decision, Proposal, propose
from missionkit.agents.data.sampling import found_share, sample_table
from missionkit.agents.data.scoring import Vocabulary
from missionkit.agents.data.target import TargetField, TargetModel, load_target
from missionkit.agents.data.warehouse import (
    INSTALL_HINT,
    DataError,
    connect,
    display,
    duckdb_missing,
    failed,
    md_table,
    resolve,
)
from missionkit.llm.suggest import suggestions

if TYPE_CHECKING:
    import duckdb

    from missionkit.agents.field_mapping.inputs import FieldMappingInputs, SourceTarget

DRAFT = "mapping.draft.yaml"
OUTPUT = "mapping.yaml"
SAMPLE_VALUES = 3
REFERENCE_SAMPLE = 200  # distinct values of a reference candidate looked up among the keys


@dataclass(frozen=True)
class Rejected:
    index: int  # position in ctx.answers
    problems: tuple[str, ...]


def map_fields(ctx: AgentContext, inputs: FieldMappingInputs) -> AgentResult:
    if (missing := duckdb_missing()) is not None:
        return missing
    try:
        import rapidfuzz  # noqa: F401
    except ImportError:
        return failed(
            "rapidfuzz is not installed", f"Field mapping needs rapidfuzz; {INSTALL_HINT}."
        )
    try:
        proposals = propose_all(ctx, inputs)
    except DataError as exc:
        return failed("Field mapping failed", str(exc))
    proposals, rejected = apply_answers(proposals, ctx.answers)
    mapping = to_mapping(proposals, inputs.threshold)
    pending = [(p, d) for p in proposals for d in p.decisions if d.ask]
    latest_rejected = bool(rejected) and rejected[-1].index == len(ctx.answers) - 1
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    if pending or latest_rejected:
        draft = ctx.run_dir / DRAFT
        write_mapping(mapping, draft)
        question = _question(pending, rejected[-1] if latest_rejected else None, inputs.threshold)
        question += suggestions(  # optional: the LLM ranks the candidates, never applied
            ctx,
            [
                (
                    f"{p.model.name}.{d.field.name}",
                    d.field.description,
                    [(c.column, _distinct(p.column(c.column).samples)) for c in d.candidates],
                )
                for p, d in pending
            ],
        )
        report = _report(ctx, proposals, rejected, "Field mapping needs a person", question)
        return AgentResult(Verdict.NEEDS_HUMAN, report, (draft,), question)
    out = output_path(ctx, inputs.output)
    try:
        write_mapping(mapping, out)
    except OSError as exc:
        return failed("Field mapping failed", f"cannot write {display(ctx, out)}: {exc}")
    decisions = [d for p in proposals for d in p.decisions]
    mapped = sum(1 for d in decisions if d.column is not None)
    title = f"Mapped {mapped} of {len(decisions)} fields → `{display(ctx, out)}`"
    report = _report(ctx, proposals, rejected, title, None)
    inside = out.resolve().is_relative_to(ctx.workspace.resolve())
    return AgentResult(
        Verdict.DONE, report, (out,), changed=(out,) if inputs.output and inside else ()
    )


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
        sampled = {
            model.name: sample_table(con, pair.source, inputs.sample_size, inputs.ignore)
            for pair, model in targets
        }
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
    con: duckdb.DuckDBPyConnection,
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
            if other not in sampled or other == model.name:
                continue
            theirs = {c.name.lower(): c for c in sampled[other]}
            for mine in sampled[model.name]:
                peer = theirs.get(mine.name.lower())
                if peer is None or not mine.samples or peer.distinct_ratio < 0.95:
                    continue
                values = list(dict.fromkeys(mine.samples))[:REFERENCE_SAMPLE]
                if found_share(con, sources[other], peer.name, values) >= 0.9:
                    out.setdefault(model.name, {}).setdefault(f.name, set()).add(mine.name)
                    out.setdefault(other, {}).setdefault(key, set()).add(peer.name)
    return out


def _references_others(model: TargetModel, names: list[str]) -> bool:
    return any(
        f.references and f.references.split(".")[0] in names and f.references.split(".")[0] != model.name
        for f in model.fields
    )


def _coverage(
    con: duckdb.DuckDBPyConnection, done: dict[str, Proposal], f: TargetField, column: Column
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


def apply_answers(
    proposals: list[Proposal], answers: tuple[str, ...]
) -> tuple[list[Proposal], list[Rejected]]:
    """Apply each answer in turn, oldest first; one that cannot be applied changes nothing."""
    rejected: list[Rejected] = []
    fields = {p.model.name: [f.name for f in p.model.fields] for p in proposals}
    columns = {p.model.name: [c.name for c in p.columns] for p in proposals}
    for index, text in enumerate(answers):
        asked = {p.model.name: [d.field.name for d in p.decisions if d.ask] for p in proposals}
        parsed = parse_answer(text, fields, columns, asked)
        problems = list(parsed.problems)
        updated = copy.deepcopy(proposals)
        if not problems:
            problems = _assign(updated, parsed.assignments)
        if problems:
            rejected.append(Rejected(index, tuple(problems)))
        else:
            proposals = updated
    return proposals, rejected


def _assign(proposals: list[Proposal], assignments: tuple[Assignment, ...]) -> list[str]:
    by_model = {p.model.name: p for p in proposals}
    problems: list[str] = []
    for a in assignments:
        proposal = by_model[a.model]
        decision = proposal.decision(a.field)
        if a.column is None and decision.field.required:
            problems.append(
                f"{a.model}.{a.field} is required: name its column "
                f"(or make it optional in {proposal.target})"
            )
            continue
        decision.column, decision.decided_by, decision.ask = a.column, "person", False
        cand = proposal.scores.get((a.field, a.column)) if a.column else None
        decision.confidence = cand.confidence if cand else 0.0
        decision.formats = cand.formats if cand else ()
    for proposal in proposals:
        owner: dict[str, str] = {}
        for d in proposal.decisions:
            if d.column is None:
                continue
            if d.column in owner:
                problems.append(
                    f"column '{d.column}' would feed both {proposal.model.name}.{owner[d.column]} "
                    f"and {proposal.model.name}.{d.field.name}; reassign one of them "
                    f"(`{owner[d.column]} = -` or another column)"
                )
            owner[d.column] = d.field.name
    return problems


def to_mapping(proposals: list[Proposal], threshold: float) -> MappingFile:
    return MappingFile(
        threshold=threshold,
        models=[
            ModelMap(
                model=p.model.name,
                target=p.target,
                source=p.source,
                fields=[_field_map(p, d) for d in p.decisions],
                unmapped_columns=p.unmapped_columns(),
            )
            for p in proposals
        ],
    )


def _field_map(proposal: Proposal, d: Decision) -> FieldMap:
    return FieldMap(
        field=d.field.name,
        column=d.column,
        type=d.field.type,
        column_type=proposal.column(d.column).type if d.column else None,
        confidence=d.confidence,
        decided_by=d.decided_by,
        formats=list(d.formats),
        candidates=[Candidate(column=c.column, confidence=c.confidence) for c in d.candidates]
        if d.column is None
        else [],
    )


def _question(
    pending: list[tuple[Proposal, Decision]], rejected: Rejected | None, threshold: float
) -> str:
    lines: list[str] = []
    if rejected is not None:
        lines += ["Your last answer could not be applied, so nothing in it was used:", ""]
        lines += [f"- {problem}" for problem in rejected.problems] + [""]
    if pending:
        names = ", ".join(f"{p.model.name}.{d.field.name}" for p, d in pending)
        verb = "holds" if len(pending) == 1 else "hold"
        lines += [
            f"Which source column {verb} {names}? No candidate reached confidence {threshold:.2f}.",
            "",
        ]
    for proposal, d in pending:
        f = d.field
        flags = ", ".join([f.type, *(["required"] if f.required else [])])
        lines.append(
            f"**{proposal.model.name}.{f.name}** ({flags}) from `{proposal.source}`"
            + (f": {f.description.strip()}" if f.description.strip() else "")
        )
        lines.append("")
        if d.candidates:
            lines.append(
                md_table(
                    ["candidate column", "confidence", "name", "type fit", "sample values"],
                    [
                        (
                            c.column,
                            f"{c.confidence:.2f}",
                            f"{c.name:.2f} (~{c.matched})",
                            f"{c.fit:.2f}",
                            ", ".join(_distinct(proposal.column(c.column).samples)),
                        )
                        for c in d.candidates
                    ],
                )
            )
        else:
            lines.append("No free source column resembles it.")
        lines.append("")
    example = [
        f"{p.model.name}.{d.field.name}" if _shared(pending, d) else d.field.name
        for p, d in pending
    ]
    lines.append(FORMAT_HELP + " For example:")
    lines.append("")
    for (_, d), name in zip(pending, example, strict=True):
        best = d.candidates[0].column if d.candidates else "<column>"
        lines.append(f"    {name} = {best}")
    if not pending:
        lines.append("    field = column")
    return "\n".join(lines) + "\n"


def _distinct(values: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(values))[:SAMPLE_VALUES]


def _shared(pending: list[tuple[Proposal, Decision]], d: Decision) -> bool:
    return sum(1 for _, other in pending if other.field.name == d.field.name) > 1


def _report(
    ctx: AgentContext,
    proposals: list[Proposal],
    rejected: list[Rejected],
    title: str,
    question: str | None,
) -> str:
    lines = [f"## {title}", ""]
    if question:
        lines += [question, ""]
    for p in proposals:
        lines += [f"### {p.source} → {p.model.name} (`{p.target}`)", ""]
        lines.append(
            md_table(
                ["field", "column", "confidence", "decided by", "note"],
                [
                    (
                        d.field.name + (" *" if d.field.required else ""),
                        d.column or "—",
                        f"{d.confidence:.2f}",
                        d.decided_by,
                        _note(d),
                    )
                    for d in p.decisions
                ],
            )
        )
        unmapped = p.unmapped_columns()
        lines += [
            "",
            "`*` required. Source columns not mapped: "
            + (", ".join(f"`{c}`" for c in unmapped) if unmapped else "none")
            + ".",
            "",
        ]
    older = [r for r in rejected if r.index < len(ctx.answers) - 1]
    if older:
        lines.append(
            f"Superseded answers that could not be applied: "
            f"{', '.join(f'#{r.index + 1}' for r in older)}."
        )
    return "\n".join(lines).rstrip() + "\n"


def _note(d: Decision) -> str:
    if d.ask:
        best = (
            f"; best: `{d.candidates[0].column}` {d.candidates[0].confidence:.2f}"
            if d.candidates
            else ""
        )
        return "asks a person" + best
    if d.column is None:
        return "unmapped" if d.decided_by == "person" else "no candidate; left unmapped"
    if d.formats:
        return "formats " + ", ".join(f"`{f}`" for f in d.formats)
    return ""


def output_path(ctx: AgentContext, output: str | None) -> Path:
    return resolve(ctx, output) if output else ctx.run_dir / OUTPUT
