"""Pydantic's validation errors turned into problems located at ``file:line:column``."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from missionkit.errors import Problem
from missionkit.spec.model import Check, Criterion, Escalation, MissionSpec, Task
from missionkit.spec.sourcemap import SourceMap, field_path

_MODELS: dict[tuple[str | int, ...], type[BaseModel]] = {
    (): MissionSpec,
    ("tasks", 0): Task,
    ("tasks", 0, "checks", 0): Check,
    ("escalation",): Escalation,
    ("success_criteria", 0): Criterion,
    ("success_criteria", 0, "checks", 0): Check,
}


def _known_keys(loc: tuple[str | int, ...], base: type[BaseModel] | None) -> list[str]:
    model = base or _MODELS.get(tuple(0 if isinstance(p, int) else p for p in loc))
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def convert(
    exc: ValidationError,
    sources: SourceMap,
    prefix: tuple[str | int, ...],
    model: type[BaseModel] | None = None,
) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            file, line, column = sources.locate(loc, key=True)
            known = _known_keys(loc[:-1], model if len(loc) == len(prefix) + 1 else None)
            hint = difflib.get_close_matches(key, known, n=1)
            message = f"unknown key '{key}'" + (f"; did you mean '{hint[0]}'?" if hint else "")
            if known and not hint:
                message += f"; expected one of: {', '.join(known)}"
        elif kind == "missing":
            file, line, column = sources.locate(loc[:-1])
            message = "required field is missing"
        else:
            file, line, column = sources.locate(loc)
            message = _message(err)
        problems.append(Problem(file, line, column, field_path(loc), message))
    return problems


def _message(err: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} entr{'y' if n == 1 else 'ies'}"
    message = str(err["msg"])
    if kind.endswith("_type") or kind.endswith("_parsing"):
        value = err.get("input")
        shown = repr(value) if isinstance(value, str | int | float | bool) else ""
        message += f" (got {type(value).__name__}{' ' + shown if shown else ''})"
    return message
