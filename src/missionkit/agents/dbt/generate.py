"""Write staging models and their tests into a dbt project, from a mapping and target models.

For each model in the mapping: ``models/staging/<prefix><model>.sql`` (rename, trim, cast,
normalise values, drop exact duplicates) and ``<prefix><model>.yml`` (its source, column
descriptions and tests: ``required`` → not_null, ``unique``, ``accepted_values``,
``references`` → relationships). A project folder without ``dbt_project.yml`` gets the
skeleton (project file and a profile for the mission's warehouse).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missionkit.agents.data.mapping_file import MappingFile, ModelMap
from missionkit.agents.data.target import TargetField, TargetModel
from missionkit.agents.data.values import is_native
from missionkit.agents.data.warehouse import DataError, split_table
from missionkit.agents.dbt.staging import expression, sql_type
from missionkit.templating import render_template
from missionkit.warehouse.base import Warehouse

PROFILE = "missionkit"
PROJECT = "missionkit"  # never "dbt": that name is dbt's own macro package
STAGING = Path("models") / "staging"


@dataclass(frozen=True)
class Generated:
    model: str  # dbt model name
    files: tuple[Path, ...]


def quoted(value: Any) -> str:
    """A string or list as JSON, which YAML and dbt's Jinja both read."""
    return json.dumps(value, ensure_ascii=False)


def ensure_project(project: Path, warehouse_default: str, warehouse: Warehouse) -> str:
    """Create the dbt project skeleton when ``project`` has none; the project's profile name.

    The skeleton's ``profiles.yml`` is for building by hand; the agent itself always uses
    the profile :func:`write_profile` makes from the mission's warehouse.
    """
    project_file = project / "dbt_project.yml"
    profile = PROFILE
    if not project_file.is_file():
        project.mkdir(parents=True, exist_ok=True)
        project_file.write_text(
            render_template(
                "dbt/dbt_project.yml.j2",
                {
                    "name": PROJECT,
                    "profile": profile,
                    "project_dir": project.name,
                },
            ),
            encoding="utf-8",
        )
    else:
        import yaml

        try:
            data = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise DataError(f"{project_file} is not valid YAML: {exc}") from None
        profile = str(data.get("profile") or PROFILE) if isinstance(data, dict) else PROFILE
    profiles = project / "profiles.yml"
    if not profiles.is_file():
        write_profile(project, profile, warehouse, warehouse_default)
    return profile


def write_profile(folder: Path, profile: str, warehouse: Warehouse, default_path: str = "") -> Path:
    """``folder/profiles.yml``: the warehouse's dbt target as the one output of ``profile``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "profiles.yml"
    context = {
        "profile": profile,
        "adapter": warehouse.dbt_adapter,
        "output": warehouse.dbt_output(),
        "default_path": default_path,
        "q": quoted,
    }
    path.write_text(render_template("dbt/profiles.yml.j2", context), encoding="utf-8")
    return path


def generate(
    project: Path,
    mapping: MappingFile,
    targets: dict[str, TargetModel],
    columns: dict[str, dict[str, str]],
    prefix: str,
    mapping_shown: str,
    warehouse: Warehouse,
) -> list[Generated]:
    """Write every staging model of ``mapping``; ``columns`` is the source tables' schema."""
    out_dir = project / STAGING
    out_dir.mkdir(parents=True, exist_ok=True)
    known = {m.model for m in mapping.models}
    generated = []
    for model_map in mapping.models:
        target = targets[model_map.model]
        name = prefix + target.name
        context = _context(
            model_map,
            target,
            columns[model_map.source],
            prefix,
            known,
            out_dir,
            mapping_shown,
            warehouse,
        )
        sql_path, yml_path = out_dir / f"{name}.sql", out_dir / f"{name}.yml"
        sql_path.write_text(render_template("dbt/staging_model.sql.j2", context), encoding="utf-8")
        yml_path.write_text(render_template("dbt/staging_model.yml.j2", context), encoding="utf-8")
        generated.append(Generated(name, (sql_path, yml_path)))
    return generated


def _context(
    model_map: ModelMap,
    target: TargetModel,
    source_columns: dict[str, str],
    prefix: str,
    known: set[str],
    out_dir: Path,
    mapping_shown: str,
    warehouse: Warehouse,
) -> dict[str, Any]:
    schema, table = split_table(model_map.source)
    missing = [f.name for f in target.fields if model_map.field_map(f.name) is None]
    if missing:
        raise DataError(
            f"{mapping_shown} has no entry for {model_map.model}."
            f"{', '.join(missing)}; run the field-mapping task again"
        )
    extra = [f.field for f in model_map.fields if f.field not in {t.name for t in target.fields}]
    if extra:
        raise DataError(
            f"{mapping_shown} maps {', '.join(extra)}, which {model_map.target} does not define"
        )
    columns = []
    for f in target.fields:
        entry = model_map.field_map(f.name)
        assert entry is not None
        column = entry.column
        if column is not None and column not in source_columns:
            raise DataError(
                f"{mapping_shown}: {model_map.model}.{f.name} maps column "
                f"'{column}', which {model_map.source} does not have"
            )
        formats = list(f.formats) or entry.formats
        native = column is not None and is_native(f.type, source_columns[column])
        columns.append(
            {
                "name": f.name,
                "expression": expression(
                    f, column, native, formats, warehouse, entry.value_map
                ).sql(dialect=warehouse.dialect, pretty=False),
                "sql_type": sql_type(f.type, warehouse),
                "description": f.description.strip(),
                "tests": _tests(f, prefix, known, out_dir),
            }
        )
    return {
        "mapping": mapping_shown,
        "source": model_map.source,
        "target": model_map.target,
        "model": prefix + target.name,
        "description": target.description.strip(),
        "source_name": f"{schema}_{target.name}",
        "source_schema": schema,
        "source_table": table,
        "columns": columns,
        "q": quoted,
    }


def _tests(f: TargetField, prefix: str, known: set[str], out_dir: Path) -> list[dict[str, Any]]:
    tests: list[dict[str, Any]] = []
    if f.required:
        tests.append({"kind": "not_null"})
    if f.unique:
        tests.append({"kind": "unique"})
    if f.accepted_values:
        tests.append({"kind": "accepted_values", "accepted": list(f.accepted_values)})
    if f.references:
        model, column = f.references.split(".")
        if model not in known and not (out_dir / f"{prefix}{model}.sql").is_file():
            raise DataError(
                f"{f.name} references {f.references}, but model {model} is neither in this "
                f"mapping nor already staged as {prefix}{model}"
            )
        tests.append({"kind": "relationships", "to": prefix + model, "field": column})
    return tests


def relative_default(project: Path, warehouse: Path) -> str:
    """The warehouse path relative to the project folder, for the profile's default."""
    try:
        return Path(os.path.relpath(warehouse, project)).as_posix()
    except ValueError:
        return warehouse.as_posix()
