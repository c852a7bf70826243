"""Map source columns onto target models; ask a person about what it is unsure of.

Flow: sample the sources and propose a mapping (:mod:`.survey`), apply what people decided
about this source before (its source profile) and their answers to this run's questions,
then either write ``mapping.yaml`` and the updated profile (DONE) or ask (NEEDS_HUMAN, with a
draft mapping as artifact): which column holds a field, what a column's unknown codes stand
for, or, when a person said the source lacks a required field, the target model's owner.
An answer that cannot be applied is reported and asked again; an older rejected answer is
superseded by the newer ones.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.agents.data.answers import Assignment, ValueAnswer, parse_answer
from missionkit.agents.data.codes import coded, normal
from missionkit.agents.data.mapping_file import (
    Candidate,
    FieldMap,
    MappingFile,
    ModelMap,
    write_mapping,
)
from missionkit.agents.data.proposal import Decision, Proposal
from missionkit.agents.data.source_profile import (
    SourceProfile,
    load_profile,
    remember,
    write_profile,
)
from missionkit.agents.data.warehouse import (
    INSTALL_HINT,
    DataError,
    display,
    duckdb_missing,
    failed,
    resolve,
)
from missionkit.agents.field_mapping import report
from missionkit.agents.field_mapping.report import Rejected
from missionkit.agents.field_mapping.survey import propose_all
from missionkit.llm.suggest import suggestions

if TYPE_CHECKING:
    from missionkit.agents.field_mapping.inputs import FieldMappingInputs

DRAFT = "mapping.draft.yaml"
OUTPUT = "mapping.yaml"


def map_fields(ctx: AgentContext, inputs: FieldMappingInputs) -> AgentResult:
    if (missing := duckdb_missing()) is not None:
        return missing
    for module in ("rapidfuzz", "scipy"):
        if importlib.util.find_spec(module) is None:
            return failed(f"{module} is not installed", f"Field mapping needs it; {INSTALL_HINT}.")
    profile_file = profile_path(ctx, inputs.profile)
    shown_profile = display(ctx, profile_file)
    try:
        proposals = propose_all(ctx, inputs)
        profile = load_profile(profile_file, shown_profile)
    except DataError as exc:
        return failed("Field mapping failed", str(exc))
    stale = apply_profile(proposals, profile)
    proposals, rejected = apply_answers(proposals, ctx.answers)
    mapping = to_mapping(proposals, inputs.threshold)
    columns = [(p, d) for p in proposals for d in p.decisions if d.ask]
    values = [(p, d) for p in proposals for d in p.decisions if d.ask_values]
    declined = [
        (p, d)
        for p in proposals
        for d in p.decisions
        if d.field.required and d.column is None and d.decided_by == "person" and not d.ask
    ]
    latest_rejected = bool(rejected) and rejected[-1].index == len(ctx.answers) - 1
    superseded = [r.index for r in rejected if r.index < len(ctx.answers) - 1]
    learned = remember(profile, proposals)
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    if columns or values or declined or latest_rejected:
        draft = ctx.run_dir / DRAFT
        write_mapping(mapping, draft)
        asked = report.question(
            columns, values, declined, rejected[-1] if latest_rejected else None, inputs.threshold
        )
        asked += suggestions(  # optional: the LLM ranks the candidates, never applied
            ctx,
            [
                (
                    f"{p.model.name}.{d.field.name}",
                    d.field.description,
                    [(c.column, p.column(c.column).shown()) for c in d.candidates],
                )
                for p, d in columns
            ],
        )
        text = report.report(
            "Field mapping needs a person", proposals, asked, superseded, None, stale
        )
        return AgentResult(Verdict.NEEDS_HUMAN, text, (draft,), asked)
    out = output_path(ctx, inputs.output)
    written = [out] if inputs.output else []
    try:
        write_mapping(mapping, out)
        if learned != profile:
            write_profile(learned, profile_file)
            written.append(profile_file)
    except OSError as exc:
        return failed("Field mapping failed", f"cannot write the mapping or profile: {exc}")
    decisions = [d for p in proposals for d in p.decisions]
    mapped = sum(1 for d in decisions if d.column is not None)
    title = f"Mapped {mapped} of {len(decisions)} fields → `{display(ctx, out)}`"
    kept = shown_profile if learned.models else None
    text = report.report(title, proposals, None, superseded, kept, stale)
    inside = ctx.workspace.resolve()
    changed = tuple(p for p in written if p.resolve().is_relative_to(inside))
    sources = tuple(dict.fromkeys(pair.source for pair in inputs.pairs()))
    return AgentResult(Verdict.DONE, text, (out,), changed=changed, reads=sources)


def apply_profile(proposals: list[Proposal], profile: SourceProfile) -> list[str]:
    """Apply what people decided about this source before; the entries whose column is gone."""
    stale = []
    for p in proposals:
        entry = profile.models.get(p.model.name)
        if entry is None:
            continue
        names = {c.name.lower(): c.name for c in p.columns}
        fields = {f.name for f in p.model.fields}
        for field, column in entry.columns.items():
            if field not in fields:
                continue
            found = names.get(column.lower()) if column is not None else None
            if column is not None and found is None:
                stale.append(f"`{p.model.name}.{field} = {column}`")
                continue
            p.set_column(p.decision(field), found, "person")
        for field, answered in entry.values.items():
            if field in fields:
                d = p.decision(field)
                d.person_values.update({normal(k): v for k, v in answered.items()})
                d.values_by = "person"
                p.refresh_values(d)
    return stale


def apply_answers(
    proposals: list[Proposal], answers: tuple[str, ...]
) -> tuple[list[Proposal], list[Rejected]]:
    """Apply each answer in turn, oldest first; one that cannot be applied changes nothing."""
    rejected: list[Rejected] = []
    fields = {p.model.name: [f.name for f in p.model.fields] for p in proposals}
    columns = {p.model.name: [c.name for c in p.columns] for p in proposals}
    for index, text in enumerate(answers):
        asked = {
            p.model.name: [d.field.name for d in p.decisions if d.ask or d.ask_values]
            for p in proposals
        }
        parsed = parse_answer(text, fields, columns, asked)
        problems = list(parsed.problems)
        updated = copy.deepcopy(proposals)
        if not problems:
            problems = _assign(updated, parsed.assignments) + _values(updated, parsed.values)
        if problems:
            rejected.append(Rejected(index, tuple(problems)))
        else:
            proposals = updated
    return proposals, rejected


def _assign(proposals: list[Proposal], assignments: tuple[Assignment, ...]) -> list[str]:
    by_model = {p.model.name: p for p in proposals}
    for a in assignments:
        proposal = by_model[a.model]
        proposal.set_column(proposal.decision(a.field), a.column, "person")
    problems: list[str] = []
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


def _values(proposals: list[Proposal], answers: tuple[ValueAnswer, ...]) -> list[str]:
    by_model = {p.model.name: p for p in proposals}
    problems: list[str] = []
    touched: list[tuple[Proposal, Decision]] = []
    for a in answers:
        proposal = by_model[a.model]
        d = proposal.decision(a.field)
        label = f"{a.model}.{a.field}"
        if not coded(d.field):
            problems.append(f"{label} has no value map (no accepted values): map its column only")
            continue
        accepted = {str(v).lower(): v for v in d.field.accepted_values or ()}
        value = accepted.get(a.value.lower()) if a.value is not None and accepted else a.value
        if a.value is not None and accepted and value is None:
            known = ", ".join(map(str, accepted.values()))
            problems.append(f"'{a.value}' is not a value of {label} (one of: {known})")
            continue
        d.person_values[normal(a.raw)] = value
        d.values_by = "person"
        touched.append((proposal, d))
    for proposal, d in touched:
        proposal.refresh_values(d)
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
    own = {k.lower(): v for k, v in (d.field.value_map or {}).items()}
    extra = {k: v for k, v in d.value_map.items() if own.get(k, object()) != v}
    return FieldMap(
        field=d.field.name,
        column=d.column,
        type=d.field.type,
        column_type=proposal.column(d.column).type if d.column else None,
        confidence=d.confidence,
        decided_by=d.decided_by,
        formats=list(d.formats),
        value_map=extra if d.column else {},
        candidates=[Candidate(column=c.column, confidence=c.confidence) for c in d.candidates]
        if d.column is None
        else [],
    )


def output_path(ctx: AgentContext, output: str | None) -> Path:
    return resolve(ctx, output) if output else ctx.run_dir / OUTPUT


def profile_path(ctx: AgentContext, profile: str | None) -> Path:
    return resolve(ctx, profile or f"profiles/{ctx.mission.id}.yaml")
