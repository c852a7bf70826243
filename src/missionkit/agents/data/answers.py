"""A person's answer to the field-mapping question.

One assignment per line (or separated by ``;``)::

    postal_code = addr_cd          # map the field to a source column
    patient.phone = Phone_Number   # qualify with the model when two models share a field name
    email = -                      # the source has no such column (leave the field unmapped)
    sex[9] = unknown               # a raw value of the field's column → one of its values
    encounter_type[Office Visit] = outpatient
    encounter_type[home] = -       # a raw value that stays empty (NULL)

Blank lines and ``#`` comments are ignored; a column name with spaces may be quoted
(``"zip code"``). Column names match exactly, else case-insensitively when that is unique.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

UNMAPPED = ("-", "none", "null", "unmapped")
_LHS = re.compile(
    r"^(?:(?P<model>[a-z_][a-z0-9_]*)\.)?(?P<field>[a-z_][a-z0-9_]*)(?:\[(?P<raw>[^\]]+)\])?$"
)


@dataclass(frozen=True)
class Assignment:
    model: str
    field: str
    column: str | None  # None: leave unmapped


@dataclass(frozen=True)
class ValueAnswer:
    model: str
    field: str
    raw: str  # as written; compared as the values are (trimmed, lower case)
    value: str | None  # None: the raw value stays empty


@dataclass(frozen=True)
class Parsed:
    assignments: tuple[Assignment, ...]
    problems: tuple[str, ...]
    values: tuple[ValueAnswer, ...] = ()


def parse_answer(
    text: str,
    fields: Mapping[str, Sequence[str]],
    columns: Mapping[str, Sequence[str]],
    asked: Mapping[str, Sequence[str]],
) -> Parsed:
    """Read ``text`` against the models' ``fields`` and source ``columns`` (both by model).

    ``asked`` holds the fields the question was about: a bare field name shared by several
    models resolves to the one model that asked about it.
    """
    assignments: list[Assignment] = []
    values: list[ValueAnswer] = []
    problems: list[str] = []
    lines = [part.strip() for line in text.splitlines() for part in line.split(";")]
    for line in lines:
        line = line.split(" #")[0].strip() if not line.startswith("#") else ""
        if not line:
            continue
        lhs, sep, rhs = line.partition("=")
        lhs, rhs = lhs.strip().strip("`"), rhs.strip().strip("`")
        match = _LHS.match(lhs.split("[")[0].lower() + lhs[len(lhs.split("[")[0]) :])
        if not sep or not match or not rhs:
            problems.append(f"`{line}` is not `field = column`")
            continue
        model = _model_for(match["model"], match["field"], fields, asked, problems)
        if model is None:
            continue
        if match["raw"] is not None:
            value = None if rhs.lower() in UNMAPPED else rhs.strip("\"'")
            values.append(ValueAnswer(model, match["field"], match["raw"].strip(), value))
            continue
        if rhs.lower() in UNMAPPED:
            assignments.append(Assignment(model, match["field"], None))
            continue
        column = _column(rhs.strip("\"'"), columns[model], model, problems)
        if column is not None:
            assignments.append(Assignment(model, match["field"], column))
    if not assignments and not values and not problems:
        problems.append("the answer assigns no field")
    seen: dict[tuple[str, str], str | None] = {}
    for a in assignments:
        key = (a.model, a.field)
        if key in seen and seen[key] != a.column:
            problems.append(f"{a.model}.{a.field} is assigned twice")
        seen[key] = a.column
    return Parsed(tuple(assignments), tuple(problems), tuple(values))


def _model_for(
    model: str | None,
    field: str,
    fields: Mapping[str, Sequence[str]],
    asked: Mapping[str, Sequence[str]],
    problems: list[str],
) -> str | None:
    if model is not None:
        if model not in fields:
            problems.append(f"there is no model '{model}' (models: {', '.join(fields)})")
            return None
        if field not in fields[model]:
            problems.append(f"model '{model}' has no field '{field}'{_hint(field, fields[model])}")
            return None
        return model
    having = [m for m in fields if field in fields[m]]
    if len(having) > 1:
        having = [m for m in having if field in asked.get(m, ())] or having
    if len(having) == 1:
        return having[0]
    if having:
        problems.append(
            f"'{field}' is a field of {' and '.join(having)}; write "
            + " or ".join(f"`{m}.{field}`" for m in having)
        )
    else:
        known = [f for names in fields.values() for f in names]
        problems.append(f"there is no field '{field}'{_hint(field, known)}")
    return None


def _column(name: str, columns: Sequence[str], model: str, problems: list[str]) -> str | None:
    if name in columns:
        return name
    folded = [c for c in columns if c.lower() == name.lower()]
    if len(folded) == 1:
        return folded[0]
    problems.append(f"the source of {model} has no column '{name}'{_hint(name, columns)}")
    return None


def _hint(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f" (one of: {', '.join(known)})" if known else ""
