"""The dbt agent: generate staging models from a mapping, run ``dbt build``, read the results.

dbt runs as a subprocess of the dbt executable installed beside this Python, with
``--project-dir`` set to the project folder and ``--profiles-dir`` to a profile the
warehouse writes into the run dir (dbt-duckdb or dbt-postgres; every secret is read from a
variable set on the dbt process alone), and the target and log folders inside the run dir.
Any model error or failing test fails the task, and the report names them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.agents.data.mapping_file import MappingFile, load_mapping
from missionkit.agents.data.target import TargetModel, load_target
from missionkit.agents.data.warehouse import (
    INSTALL_HINT,
    DataError,
    connect,
    display,
    duckdb_missing,
    failed,
    md_table,
    resolve,
    table_columns,
    warehouse_of,
)
from missionkit.agents.dbt.generate import (
    ensure_project,
    generate,
    relative_default,
    write_profile,
)
from missionkit.process import command_env, secret_names
from missionkit.warehouse.duckdb import DuckDBWarehouse

if TYPE_CHECKING:
    from missionkit.agents.dbt.inputs import DbtInputs
    from missionkit.spec.model import Mission

RESULTS = "run_results.json"
SUMMARY = "dbt_summary.md"
LOG = "dbt.log"
BAD_STATUSES = ("error", "fail", "runtime error")


def build(ctx: AgentContext, inputs: DbtInputs) -> AgentResult:
    if (missing := duckdb_missing()) is not None:
        return missing
    dbt = find_dbt(inputs.executable)
    if dbt is None:
        return failed(
            "dbt is not installed",
            f"No `dbt` executable beside {sys.executable} or on PATH; {INSTALL_HINT}.",
        )
    project = resolve(ctx, inputs.project_dir)
    try:
        mapping_path = resolve(ctx, inputs.mapping)
        mapping = load_mapping(mapping_path, inputs.mapping)
        targets = {m.model: load_target(resolve(ctx, m.target), m.target) for m in mapping.models}
        _check_names(mapping, targets)
        warehouse = warehouse_of(ctx)
        columns = _source_columns(ctx, mapping)
        default = (
            relative_default(project, warehouse.path)
            if isinstance(warehouse, DuckDBWarehouse)
            else ""
        )
        profile = ensure_project(project, default, warehouse)
        write_profile(ctx.run_dir / "dbt-profile", profile, warehouse)
        generated = generate(
            project, mapping, targets, columns, inputs.prefix, inputs.mapping, warehouse
        )
        dbt_env = warehouse.dbt_env()
    except DataError as exc:
        return failed("dbt staging failed", str(exc))
    except OSError as exc:
        return failed("dbt staging failed", f"cannot write into {display(ctx, project)}: {exc}")
    files = [display(ctx, p) for g in generated for p in g.files]
    select = inputs.select.split() if inputs.select else [g.model for g in generated]
    result = _run(ctx, inputs, dbt, project, dbt_env, select, files)
    return replace(result, changed=tuple(p for g in generated for p in g.files))


def dbt_process_env(
    env: Mapping[str, str], mission: Mission, warehouse_env: Mapping[str, str], schema: str
) -> dict[str, str]:
    """The environment of a dbt process: a task command's (no secret of the mission), the
    variables the warehouse's profile reads, and the schema the models are built in."""
    return {
        **command_env(env, secret_names(mission)),
        **warehouse_env,
        "MISSIONKIT_DBT_SCHEMA": schema,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
        "DBT_PRINTER_WIDTH": "100",
    }


def find_dbt(executable: str | None) -> str | None:
    if executable:
        return shutil.which(executable) or (executable if Path(executable).is_file() else None)
    beside = Path(sys.executable).parent / ("dbt.exe" if os.name == "nt" else "dbt")
    return str(beside) if beside.is_file() else shutil.which("dbt")


def _check_names(mapping: MappingFile, targets: dict[str, TargetModel]) -> None:
    for model_map in mapping.models:
        name = targets[model_map.model].name
        if name != model_map.model:
            raise DataError(
                f"the mapping calls {model_map.target} '{model_map.model}', "
                f"but the file names its model '{name}'"
            )


def _source_columns(ctx: AgentContext, mapping: MappingFile) -> dict[str, dict[str, str]]:
    con = connect(ctx, read_only=True)
    try:
        return {m.source: dict(table_columns(con, m.source)) for m in mapping.models}
    finally:
        con.close()


def _run(
    ctx: AgentContext,
    inputs: DbtInputs,
    dbt: str,
    project: Path,
    dbt_env: dict[str, str],
    select: list[str],
    files: list[str],
) -> AgentResult:
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    target_dir, log_path = ctx.run_dir / "dbt-target", ctx.run_dir / LOG
    command = [
        dbt,
        "build",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(ctx.run_dir / "dbt-profile"),
        "--target-path",
        str(target_dir),
        "--log-path",
        str(ctx.run_dir / "dbt-logs"),
        "--select",
        *select,
    ]
    env = dbt_process_env(ctx.env, ctx.mission, dbt_env, inputs.schema_)
    try:
        proc = subprocess.run(
            command,
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=ctx.timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return failed("dbt build timed out", f"`dbt build` ran past {ctx.timeout:.0f} s.")
    except OSError as exc:
        return failed("dbt could not start", f"`{dbt}`: {exc}")
    log_path.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    produced = target_dir / RESULTS
    if not produced.is_file():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        return failed(
            "dbt build failed before running anything",
            f"`dbt build` exited {proc.returncode}:\n\n```\n{tail}\n```",
            [log_path],
        )
    results_path = ctx.run_dir / RESULTS
    shutil.copyfile(produced, results_path)
    try:
        results = json.loads(produced.read_text(encoding="utf-8"))["results"]
    except (ValueError, KeyError) as exc:
        return failed("dbt build failed", f"cannot read {RESULTS}: {exc}", [log_path])
    rows = [result_row(r) for r in results]
    bad = [r for r in rows if r["status"] in BAD_STATUSES]
    ok = proc.returncode == 0 and not bad
    report = _report(rows, bad, ok, files, select, proc.returncode)
    summary = ctx.run_dir / SUMMARY
    summary.write_text(report, encoding="utf-8")
    artifacts = (results_path, summary, log_path)
    reads, writes = _datasets(target_dir, results)
    verdict = Verdict.DONE if ok else Verdict.FAILED
    return AgentResult(verdict, report, artifacts, reads=reads, writes=writes)


def _datasets(target_dir: Path, results: list[dict[str, Any]]) -> tuple[tuple[str, ...], ...]:
    """The sources the built models read and the relations they wrote (``schema.table``)."""
    built = {str(r.get("unique_id", "")) for r in results if r.get("status") == "success"}
    try:
        manifest = json.loads((target_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return (), ()
    nodes, sources = manifest.get("nodes", {}), manifest.get("sources", {})
    writes = [
        f"{n['schema']}.{n.get('alias') or n['name']}"
        for uid, n in nodes.items()
        if uid in built and n.get("resource_type") in ("model", "seed", "snapshot")
    ]
    used = {
        parent
        for uid, n in nodes.items()
        if uid in built
        for parent in n.get("depends_on", {}).get("nodes", [])
    }
    reads = [
        f"{s['schema']}.{s.get('identifier') or s['name']}"
        for uid, s in sources.items()
        if uid in used
    ]
    return tuple(sorted(set(reads))), tuple(sorted(set(writes)))


def result_row(result: dict[str, Any]) -> dict[str, Any]:
    unique_id = str(result.get("unique_id", ""))
    kind, _, rest = unique_id.partition(".")
    name = rest.split(".")[1] if rest.count(".") >= 1 else unique_id
    code = str(result.get("compiled_code") or "")
    return {
        "name": name,
        "kind": "test" if kind == "test" else kind,
        "status": str(result.get("status", "")),
        "failures": result.get("failures"),
        "message": (result.get("message") or "").strip(),
        "time": round(float(result.get("execution_time") or 0.0), 2),
        "sql": "\n".join(line for line in code.splitlines() if line.strip()),
    }


def _report(
    rows: list[dict[str, Any]],
    bad: list[dict[str, Any]],
    ok: bool,
    files: list[str],
    select: list[str],
    code: int,
) -> str:
    models = [r for r in rows if r["kind"] != "test"]
    tests = [r for r in rows if r["kind"] == "test"]
    head = (
        f"## dbt build passed: {len(models)} models, {len(tests)} tests"
        if ok
        else f"## dbt build failed: {len(bad)} of {len(rows)} nodes failed"
    )
    lines = [head, ""]
    failing_tests = [r for r in bad if r["kind"] == "test"]
    if failing_tests:
        lines.append("Failing tests: " + ", ".join(f"`{r['name']}`" for r in failing_tests) + ".")
        lines.append("")
    for r in bad:
        what = f"{r['failures']} failing rows" if r["failures"] else r["status"]
        lines.append(f"- **{r['name']}** ({r['kind']}, {what}): {r['message'] or '-'}")
        if r["sql"] and r["kind"] == "test":
            lines += ["", "  ```sql", *(f"  {line}" for line in r["sql"].splitlines()), "  ```"]
    if bad:
        lines.append("")
    if not ok and not bad:
        lines += [f"`dbt build` exited {code}; see dbt.log.", ""]
    lines += [
        f"Generated: {', '.join(f'`{f}`' for f in files)}; selected: `{' '.join(select)}`.",
        "",
        md_table(
            ["node", "type", "status", "failures", "seconds"],
            [
                (
                    r["name"],
                    r["kind"],
                    r["status"],
                    r["failures"] if r["failures"] is not None else "",
                    r["time"],
                )
                for r in rows
            ],
        ),
    ]
    return "\n".join(lines) + "\n"
