"""Each check's value validated by its kind's own model, located at ``file:line:column``."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from missionkit.checks.registry import as_mapping, load_kind
from missionkit.errors import MissionkitError, Problem
from missionkit.spec.located import convert
from missionkit.spec.model import Check
from missionkit.spec.sourcemap import SourceMap, field_path


def check_problems(
    checks: Sequence[Check],
    prefix: tuple[str | int, ...],
    sources: SourceMap,
    has_warehouse: bool,
) -> list[Problem]:
    problems: list[Problem] = []
    for index, check in enumerate(checks):
        loc = (*prefix, index, check.kind)

        def add(message: str, at: tuple[str | int, ...] = loc) -> None:
            file, line, column = sources.locate(at)
            problems.append(Problem(file, line, column, field_path(at), message))

        try:
            kind = load_kind(check.kind)
        except MissionkitError as exc:
            add(str(exc))
            continue
        if kind.needs_warehouse and not has_warehouse:
            add(f"a {check.kind} check runs against the mission's 'warehouse', which is not set")
        try:
            kind.Inputs.model_validate(as_mapping(kind, check.value))
        except ValidationError as exc:
            if isinstance(check.value, dict):
                problems.extend(convert(exc, sources, loc, kind.Inputs))
            else:
                for err in exc.errors(include_url=False):
                    add(str(err["msg"]))
    return problems
