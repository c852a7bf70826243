"""The field mapping's question and report, rendered from templates/field_mapping/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from missionkit.agents.data.proposal import Candidate, Decision, Proposal
from missionkit.agents.data.warehouse import cell
from missionkit.templating import render_template

ABSENT = 0.2  # below this, the best candidate hardly resembles the field
EVIDENCE_SHOWN = 4


@dataclass(frozen=True)
class Rejected:
    index: int  # position in ctx.answers
    problems: tuple[str, ...]


Pending = list[tuple[Proposal, Decision]]


def question(
    columns: Pending,
    values: Pending,
    declined: Pending,
    rejected: Rejected | None,
    threshold: float,
) -> str:
    shared = _shared_names([*columns, *values, *declined])
    return (
        render_template(
            "field_mapping/question.md.j2",
            {
                "rejected": list(rejected.problems) if rejected else [],
                "columns": [_column_question(p, d, shared) for p, d in columns],
                "values": [_value_question(p, d) for p, d in values],
                "declined": [
                    {
                        "label": f"{p.model.name}.{d.field.name}",
                        "owner": f"@{p.model.owner}, owner of the model"
                        if p.model.owner
                        else "The model's owner",
                        "target": p.target,
                    }
                    for p, d in declined
                ],
                "threshold": threshold,
                "examples": _examples(columns, values, shared) or ["field = column"],
            },
        ).rstrip()
        + "\n"
    )


def report(
    title: str,
    proposals: list[Proposal],
    question_text: str | None,
    superseded: list[int],
    learned: str | None,
    stale: list[str],
) -> str:
    models = []
    for p in proposals:
        unmapped = p.unmapped_columns()
        models.append(
            {
                "source": p.source,
                "model": p.model.name,
                "target": p.target,
                "rows": [
                    {
                        "field": cell(d.field.name + (" *" if d.field.required else "")),
                        "column": cell(d.column or "—"),
                        "confidence": f"{d.confidence:.2f}",
                        "decided_by": d.decided_by,
                        "note": cell(note(d)),
                    }
                    for d in p.decisions
                ],
                "unmapped": ", ".join(f"`{c}`" for c in unmapped) if unmapped else "none",
            }
        )
    return (
        render_template(
            "field_mapping/report.md.j2",
            {
                "title": title,
                "question": question_text,
                "models": models,
                "superseded": ", ".join(f"#{n + 1}" for n in superseded),
                "learned": learned,
                "stale": stale,
            },
        ).rstrip()
        + "\n"
    )


def note(d: Decision) -> str:
    if d.ask:
        best = d.candidates[0] if d.candidates else None
        return "asks a person" + (f"; best: `{best.column}` {best.confidence:.2f}" if best else "")
    if d.column is None:
        if d.decided_by == "person":
            return "the source has none (a person said)"
        return "no likely column; left unmapped"
    parts = []
    if d.ask_values:
        parts.append(f"asks about {len(d.unmapped_values)} value(s)")
    if d.value_map:
        shown = ", ".join(
            f"{k} → {v if v is not None else '∅'}" for k, v in list(d.value_map.items())[:4]
        )
        more = "…" if len(d.value_map) > 4 else ""
        parts.append(f"values {shown}{more}" + (f" ({d.value_system})" if d.value_system else ""))
    if d.formats:
        parts.append("formats " + ", ".join(f"`{f}`" for f in d.formats))
    return "; ".join(parts)


def _column_question(p: Proposal, d: Decision, shared: set[str]) -> dict[str, Any]:
    f = d.field
    best = d.candidates[0].confidence if d.candidates else 0.0
    return {
        "label": f"{p.model.name}.{f.name}",
        "answer_name": _answer_name(p, d, shared),
        "flags": ", ".join([f.type, *(["required"] if f.required else [])]),
        "source": p.source,
        "description": " ".join(f.description.split()),
        "candidates": [_candidate(p, c) for c in d.candidates],
        "absent": best < ABSENT,
    }


def _candidate(p: Proposal, c: Candidate) -> dict[str, str]:
    column = p.column(c.column)
    telling = sorted(c.reasons, key=lambda r: -abs(r[1]))[:EVIDENCE_SHOWN]
    return {
        "column": cell(c.column),
        "confidence": f"{c.confidence:.2f}",
        "name": f"{c.name:.2f} (~{c.matched})",
        "distinct": f"{column.distinct_ratio:.0%} of {len(column.samples)}",
        "samples": cell(", ".join(column.shown())),
        "evidence": cell("; ".join(f"{reason} ({weight:+.1f})" for reason, weight in telling)),
    }


def _value_question(p: Proposal, d: Decision) -> dict[str, Any]:
    proposed = {k: v for k, v in d.value_map.items() if k not in d.person_values}
    return {
        "label": f"{p.model.name}.{d.field.name}",
        "column": d.column,
        "accepted": ", ".join(
            str(v)
            for v in d.field.accepted_values
            or sorted({str(v) for v in (d.field.value_map or {}).values()})
        ),
        "system": d.value_system,
        "proposed": ", ".join(f"{k} → {v}" for k, v in proposed.items()),
        "unmapped": [(cell(raw), rows) for raw, rows in d.unmapped_values],
    }


def _examples(columns: Pending, values: Pending, shared: set[str]) -> list[str]:
    lines = []
    for p, d in columns:
        answer = d.candidates[0].column if d.candidates else "-"
        lines.append(f"{_answer_name(p, d, shared)} = {answer}")
    for p, d in values:
        target = (d.field.accepted_values or ["-"])[0]
        for raw, _ in d.unmapped_values[:1]:
            lines.append(f"{_answer_name(p, d, shared)}[{raw}] = {target}")
    return lines


def _answer_name(p: Proposal, d: Decision, shared: set[str]) -> str:
    return f"{p.model.name}.{d.field.name}" if d.field.name in shared else d.field.name


def _shared_names(pending: Pending) -> set[str]:
    names = [d.field.name for _, d in pending]
    return {n for n in names if names.count(n) > 1}
