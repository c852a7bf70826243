"""Blueprints: jinja2 templates that expand a use case into a mission file.

Each blueprint is ``NAME.md.j2`` beside ``NAME.yaml``, which describes it and its
parameters (``description``, ``params: {name: {default, description}}``; a
parameter without a default is required).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import yaml

from missionkit.errors import MissionkitError, UsageError
from missionkit.spec.model import check_id
from missionkit.templating import overlay

_PACKAGE = "missionkit.scaffold.blueprints"


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    default: str | None


@dataclass(frozen=True)
class Blueprint:
    name: str
    description: str
    params: tuple[Param, ...]


@cache
def blueprints() -> dict[str, Blueprint]:
    found: dict[str, Blueprint] = {}
    for entry in sorted(files(_PACKAGE).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        meta = yaml.safe_load(entry.read_text(encoding="utf-8"))
        name = entry.name.removesuffix(".yaml")
        params_meta = meta.get("params") if isinstance(meta, dict) else None
        if (
            not isinstance(meta, dict)
            or not isinstance(params_meta or {}, dict)
            or not all(isinstance(v, dict) for v in (params_meta or {}).values())
        ):
            raise MissionkitError(
                f"blueprint metadata {entry.name} must be a mapping with 'description' and "
                "'params: {name: {default, description}}'"
            )
        params = tuple(
            Param(
                key,
                str(spec.get("description", "")),
                None if spec.get("default") is None else str(spec["default"]),
            )
            for key, spec in (meta.get("params") or {}).items()
        )
        found[name] = Blueprint(name, str(meta.get("description", "")), params)
    return found


def blueprint_names() -> list[str]:
    return list(blueprints())


@cache
def _environment() -> jinja2.Environment:
    # Blueprints are Markdown with YAML frontmatter, written with every newline meant.
    return overlay("scaffold/blueprints", trim_blocks=False, lstrip_blocks=False)


_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def _yaml_str(value: object) -> str:
    """Quote a value as a YAML double-quoted scalar so a parameter never changes the structure.

    JSON's string syntax is valid in YAML's double quotes; line and paragraph separators and
    every control character are escaped too, so nothing can end a line or the frontmatter.
    """
    text = json.dumps(str(value), ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def render_blueprint(name: str, mission_id: str, settings: dict[str, str]) -> str:
    """The mission file text for ``name`` with ``settings`` applied."""
    check = blueprints().get(name)
    if check is None:
        raise UsageError(f"unknown blueprint '{name}'; available: {', '.join(blueprint_names())}")
    try:
        check_id(mission_id)
    except ValueError as exc:
        raise UsageError(f"mission id {exc}") from None
    known = {p.name for p in check.params}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise UsageError(
            f"blueprint '{name}' has no parameter {', '.join(unknown)}; "
            f"parameters: {', '.join(sorted(known))}"
        )
    values: dict[str, Any] = {p.name: p.default for p in check.params}
    values.update(settings)
    missing = sorted(k for k, v in values.items() if v is None)
    if missing:
        raise UsageError(f"blueprint '{name}' needs --set " + " ".join(f"{k}=…" for k in missing))
    env = _environment()
    env.filters["q"] = _yaml_str
    template = env.get_template(f"{name}.md.j2")
    return template.render(
        mission_id=mission_id,
        today=date.today().isoformat(),
        in_weeks=lambda n: (date.today() + timedelta(weeks=int(n))).isoformat(),
        **values,
    )


def write_blueprint(
    missions_dir: Path, mission_id: str, name: str, settings: dict[str, str], *, force: bool = False
) -> Path:
    """Render a blueprint into ``missions_dir/ID.md`` and check the result."""
    from missionkit.spec.loader import load_missions

    text = render_blueprint(name, mission_id, settings)
    path = missions_dir / f"{mission_id}.md"
    if path.exists() and not force:
        raise UsageError(f"{path} exists; pass --force to overwrite it")
    if (missions_dir / mission_id).exists():
        raise UsageError(f"{missions_dir / mission_id} exists; a mission id must be unique")
    missions_dir.mkdir(parents=True, exist_ok=True)
    previous = path.read_bytes() if path.exists() else None
    path.write_text(text, encoding="utf-8")
    try:
        load_missions([path])
    except Exception:
        if previous is None:
            path.unlink()
        else:
            path.write_bytes(previous)
        raise
    return path
