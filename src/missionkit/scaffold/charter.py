"""A mission's charter: what ``mission draft`` starts from.

A Markdown file whose YAML frontmatter holds ``title``, ``owner``, and optionally ``scope``,
``success_criteria``, ``stakeholders``, ``due``, ``labels`` and ``warehouse``; the body is free
text (context, constraints, decisions). Unknown keys are errors, like in a mission file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from missionkit.errors import InputError, Problem
from missionkit.spec.frontmatter import ProblemError, split

FIELDS = (
    "title",
    "owner",
    "scope",
    "success_criteria",
    "stakeholders",
    "due",
    "labels",
    "warehouse",
)
LISTS = ("success_criteria", "stakeholders", "labels")


@dataclass(frozen=True)
class Charter:
    path: str
    title: str
    owner: str
    fields: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    @property
    def words(self) -> str:
        """Everything a person wrote, for matching against the blueprints."""
        parts = [self.title, str(self.fields.get("scope") or ""), self.text]
        parts += [str(c) for c in self.fields.get("success_criteria") or []]
        return "\n".join(parts)


def read_charter(text: str, path: str) -> Charter:
    """Parse a charter; every problem names the file and the field."""
    try:
        parts = split(text, path)
    except ProblemError as exc:
        raise InputError([exc.problem]) from None
    try:
        raw = yaml.safe_load(parts.yaml) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + parts.first_line if mark is not None else 1
        raise InputError([Problem(path, line, 1, "", "frontmatter is not valid YAML")]) from None
    if not isinstance(raw, dict):
        raise InputError([Problem(path, 1, 1, "", "the frontmatter must be a mapping")])
    problems = [
        Problem(path, 1, 1, str(key), f"unknown key; a charter has {', '.join(FIELDS)}")
        for key in raw
        if key not in FIELDS
    ]
    for key in ("title", "owner"):
        if not isinstance(raw.get(key), str) or not str(raw.get(key)).strip():
            problems.append(Problem(path, 1, 1, key, "required"))
    for key in LISTS:
        if key in raw and not isinstance(raw[key], list):
            problems.append(Problem(path, 1, 1, key, "must be a list"))
    if problems:
        raise InputError(problems)
    known = {k: v for k, v in raw.items() if k not in ("title", "owner")}
    return Charter(path, str(raw["title"]), str(raw["owner"]), known, parts.body.strip())
