"""``soda``: a Soda Core v4 data contract in the repository, verified on the mission's warehouse.

The contract's ``dataset`` is ``<data source>/<database>/<schema>/<table>``; the data source
configuration is written for the run from the mission's warehouse (DuckDB or PostgreSQL),
under the contract's data-source name, so the contract file is all a mission needs. Every
failed rule is listed.

A PostgreSQL password never reaches the configuration file: the file refers to a variable
(``${env.…}``) that is set in this process only while Soda verifies the contract.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from missionkit.checks.base import CheckContext, CheckInputs, CheckKind, CheckOutcome
from missionkit.warehouse.base import Warehouse, WarehouseError

#: the variable the PostgreSQL data source file names for the password
PASSWORD_VARIABLE = "MISSIONKIT_SODA_PASSWORD"  # noqa: S105 (a name, not a value)

INSTALL_HINT = "install the data extra: pip install 'missionkit[data]'"


class SodaInputs(CheckInputs):
    contract: str = Field(min_length=1, description="Soda v4 contract YAML file in the repository")
    variables: dict[str, str] = Field(
        default_factory=dict, description="values for ${var.NAME} in the contract"
    )


class SodaCheck(CheckKind):
    Inputs = SodaInputs
    shorthand = "contract"
    needs_warehouse = True

    def run(self, ctx: CheckContext, inputs: BaseModel) -> CheckOutcome:
        assert isinstance(inputs, SodaInputs) and ctx.warehouse is not None
        contract = ctx.path(inputs.contract)
        if not contract.is_file():
            return CheckOutcome(False, f"contract {inputs.contract} does not exist")
        dataset = _dataset(contract)
        if dataset is None:
            return CheckOutcome(
                False,
                f"{inputs.contract} names no dataset; write "
                "'dataset: <data source>/<database>/<schema>/<table>'",
            )
        if not ctx.warehouse.exists():
            return CheckOutcome(False, f"warehouse {ctx.warehouse} does not exist yet")
        os.environ.setdefault("SODA_CORE_TELEMETRY_ENABLED", "false")
        try:
            from soda_core.contracts import verify_contract_locally
        except ImportError:
            return CheckOutcome(False, f"soda-core is not installed: {INSTALL_HINT}")
        try:
            config, password = _data_source(dataset[0], ctx.warehouse)
        except WarehouseError as exc:
            return CheckOutcome(False, str(exc))
        source = ctx.run_dir / f"check-{ctx.index}-soda-datasource.yml"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(config, encoding="utf-8")
        with _variable(PASSWORD_VARIABLE, password):
            result = verify_contract_locally(
                data_source_file_path=str(source),
                contract_file_path=str(contract),
                variables=dict(inputs.variables) or None,
            )
        table = ".".join(dataset[-2:])
        rows = [_rule(r) for c in result.contract_verification_results for r in c.check_results]
        report = ctx.run_dir / f"check-{ctx.index}-soda.json"
        report.write_text(json.dumps({"contract": inputs.contract, "rules": rows}, indent=2))
        failed = [r for r in rows if r["outcome"] == "FAILED"]
        failures = tuple(f"{r['rule']} (contract line {r['line']})" for r in failed)
        if result.has_errors:
            first = (result.get_errors_str().strip().splitlines() or ["error"])[0]
            return CheckOutcome(
                False, f"contract could not be verified: {first}", failures, (report,), (table,)
            )
        if failed:
            detail = f"{len(failed)} of {len(rows)} rules failed: " + "; ".join(failures)
            return CheckOutcome(False, detail, failures, (report,), (table,))
        return CheckOutcome(True, f"{len(rows)} rules passed", (), (report,), (table,))


def _dataset(contract: Path) -> list[str] | None:
    try:
        data = yaml.safe_load(contract.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    name = data.get("dataset") if isinstance(data, dict) else None
    if not isinstance(name, str) or name.count("/") < 2:
        return None
    return name.split("/")


def _data_source(name: str, warehouse: Warehouse) -> tuple[str, str | None]:
    """The data source file for ``warehouse``, and the password its file refers to."""
    path = getattr(warehouse, "path", None)
    if warehouse.name == "duckdb" and isinstance(path, Path):
        connection: dict[str, Any] = {"database": str(path), "read_only": True}
        config = {"type": "duckdb", "name": name, "connection": connection}
        return yaml.safe_dump(config, sort_keys=False), None
    dbt_env = getattr(warehouse, "dbt_env", None)
    if warehouse.name != "postgres" or dbt_env is None:
        raise WarehouseError(f"soda checks run on DuckDB and PostgreSQL, not {warehouse.name}")
    settled = dbt_env()  # what libpq settled on: URL, variables and defaults
    connection = {
        "host": settled["MISSIONKIT_PG_HOST"],
        "port": int(settled["MISSIONKIT_PG_PORT"]),
        "database": settled["MISSIONKIT_PG_DBNAME"],
        "user": settled["MISSIONKIT_PG_USER"],
        "password": f"${{env.{PASSWORD_VARIABLE}}}",
        "sslmode": settled["MISSIONKIT_PG_SSLMODE"],
    }
    config = {"type": "postgres", "name": name, "connection": connection}
    return yaml.safe_dump(config, sort_keys=False), settled["DBT_ENV_SECRET_PG_PASSWORD"]


@contextmanager
def _variable(name: str, value: str | None) -> Iterator[None]:
    """``name`` set to ``value`` in this process for the block only (nothing when None)."""
    if value is None:
        yield
        return
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _rule(result: Any) -> dict[str, Any]:
    check = result.check
    where = f"column {check.column_name}" if check.column_name else "dataset"
    return {
        "rule": f"{where}: {check.name} ({check.type})",
        "outcome": str(result.outcome.value),
        "line": (check.contract_file_line or 0) + 1,  # soda counts from 0
        "metrics": {k: v for k, v in (result.diagnostic_metric_values or {}).items()},
    }
