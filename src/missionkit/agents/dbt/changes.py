"""What a change to a mission's dbt project touches, built the way dbt CI builds it.

The base branch's copy of each dbt project that a mission's ``dbt`` tasks name is parsed into
a manifest: the production state, what the agent builds once the change is merged. The
change's copy is then listed and built with ``--select state:modified+ --defer --state <it>``,
so only the modified nodes and what depends on them run, and unmodified parents resolve to the
production relations.

The build runs in a copy of the mission's DuckDB warehouse (the newest artifact missionkit
recorded, or the local file), never in the warehouse itself. A mission whose warehouse is a
server is listed, not built: the job that runs a pull request's code holds no credential.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missionkit.agents.dbt.build import BAD_STATUSES, dbt_process_env, result_row
from missionkit.agents.dbt.generate import PROFILE, write_profile
from missionkit.agents.dbt.inputs import DbtInputs
from missionkit.errors import CheckFailed
from missionkit.spec.model import Mission
from missionkit.warehouse.base import Warehouse
from missionkit.warehouse.duckdb import DuckDBWarehouse
from missionkit.warehouse.location import scheme

SELECTOR = "state:modified+"
TIMEOUT = 1800.0
_LISTED = ("model", "seed", "snapshot", "test")


@dataclass(frozen=True)
class Node:
    kind: str  # model, seed, snapshot or test
    name: str
    status: str = ""  # dbt's, once built; empty when only listed
    message: str = ""
    failures: int | None = None


@dataclass(frozen=True)
class ProjectChanges:
    mission: str
    project: str  # the project folder, as the mission names it
    nodes: tuple[Node, ...]  # what the change selects
    built: bool
    note: str  # what the selection was measured against, or why nothing was built
    error: str = ""  # dbt could not parse, list or build

    @property
    def failed(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.status in BAD_STATUSES)

    @property
    def ok(self) -> bool:
        return not self.error and not self.failed


def dbt_projects(mission: Mission) -> dict[str, str]:
    """The dbt project folders the mission's ``dbt`` tasks build, each with its schema."""
    found: dict[str, str] = {}
    for task in mission.tasks:
        if task.agent == "dbt":
            inputs = DbtInputs.model_validate(task.with_)
            found.setdefault(inputs.project_dir.rstrip("/") or ".", inputs.schema_)
    return found


def base_tree(workspace: Path, ref: str, folders: list[str], dest: Path) -> None:
    """``folders`` as they are at the git commit ``ref``, extracted under ``dest``; a folder
    the commit does not have is left out (the change adds it)."""
    present = [
        f for f in folders if _git(workspace, "cat-file", "-e", f"{ref}:{f}").returncode == 0
    ]
    dest.mkdir(parents=True, exist_ok=True)
    if not present:
        known = _git(workspace, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if known.returncode != 0:
            raise CheckFailed(f"'{ref}' is not a commit of the repository at {workspace}")
        return
    with tempfile.TemporaryFile() as archive:
        made = subprocess.run(
            ["git", "archive", "--format=tar", ref, "--", *present],
            cwd=workspace,
            stdout=archive,
            stderr=subprocess.PIPE,
            check=False,
        )
        if made.returncode != 0:
            raise CheckFailed(f"git archive {ref}: {made.stderr.decode(errors='replace').strip()}")
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(dest, filter="data")


def _git(workspace: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=workspace, capture_output=True, check=False)


def changes(
    mission: Mission,
    workspace: Path,
    base: Path,
    out: Path,
    dbt: str,
    warehouse_file: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> list[ProjectChanges]:
    """Every dbt project of ``mission``: what the change selects, built where it can be.

    ``base`` holds the base branch's copy of the projects (as :func:`base_tree` writes it);
    ``warehouse_file`` is the production DuckDB file to build in a copy of (default: the
    mission's local file, when there is one).
    """
    results = []
    variables = dict(os.environ if env is None else env)
    for project, schema in dbt_projects(mission).items():
        scratch = out / mission.id / _slug(project)
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        run = _ProjectRun(mission, workspace, project, schema, scratch, dbt, variables)
        results.append(run.measure(base / project, warehouse_file))
    return results


class _ProjectRun:
    def __init__(
        self,
        mission: Mission,
        workspace: Path,
        project: str,
        schema: str,
        scratch: Path,
        dbt: str,
        env: dict[str, str],
    ) -> None:
        self.mission, self.project, self.schema = mission, project, schema
        self.head = workspace / project
        self.scratch, self.dbt, self.env = scratch, dbt, env
        self.workspace = workspace

    def done(
        self, nodes: tuple[Node, ...], built: bool, note: str, error: str = ""
    ) -> ProjectChanges:
        return ProjectChanges(self.mission.id, self.project, nodes, built, note, error)

    def measure(self, base: Path, warehouse_file: Path | None) -> ProjectChanges:
        if not (self.head / "dbt_project.yml").is_file():
            return self.done((), False, f"{self.project} has no dbt_project.yml in this change")
        warehouse, why_not = self.warehouse(warehouse_file)
        profile = write_profile(self.scratch / "profile", _profile_name(self.head), warehouse)
        self.profiles = profile.parent
        self.dbt_env = warehouse.dbt_env()
        state: Path | None = None
        if (base / "dbt_project.yml").is_file():
            state = self.scratch / "base-target"
            parsed = self.call("parse", base, state, [])
            if parsed.returncode != 0 or not (state / "manifest.json").is_file():
                return self.done(
                    (), False, "", "the base branch's project does not parse: " + _tail(parsed)
                )
        select = ["--select", SELECTOR, "--state", str(state)] if state else []
        against = (
            "changed against the base branch's project"
            if state
            else "the base branch has no such project, so all of it is new"
        )
        listed = self.call(
            "ls",
            self.head,
            self.scratch / "head-target",
            [*select, "--output", "json", "--output-keys", "unique_id resource_type name"],
            quiet=True,
        )
        if listed.returncode != 0:
            return self.done((), False, against, "dbt ls failed: " + _tail(listed))
        nodes = _listed(listed.stdout)
        if not nodes:
            return self.done((), False, "nothing in the project changed against the base branch")
        if why_not:
            return self.done(nodes, False, f"{against}; not built: {why_not}")
        target = self.scratch / "build-target"
        defer = ["--defer"] if state else []
        built = self.call("build", self.head, target, [*select, *defer])
        results = target / "run_results.json"
        if not results.is_file():
            return self.done(nodes, False, against, "dbt build ran nothing: " + _tail(built))
        rows = [result_row(r) for r in json.loads(results.read_text(encoding="utf-8"))["results"]]
        by_name = {(r["kind"], r["name"]): r for r in rows}
        merged = tuple(_merge(n, by_name.get((n.kind, n.name))) for n in nodes)
        error = (
            ""
            if built.returncode == 0 or any(n.status in BAD_STATUSES for n in merged)
            else (f"dbt build exited {built.returncode}: " + _tail(built))
        )
        return self.done(merged, True, against + ", built in a copy of the warehouse", error)

    def warehouse(self, given: Path | None) -> tuple[Warehouse, str]:
        """Where to build: a copy of the production DuckDB file, or (with the reason nothing
        is built) an empty scratch file that only parsing and listing use."""
        location = self.mission.spec.warehouse
        if self.mission.spec.warehouse_env and self.env.get(self.mission.spec.warehouse_env):
            location = self.env[self.mission.spec.warehouse_env]
        if location is None or scheme(location) is not None:
            return _scratch(self.scratch / "warehouse" / "scratch.duckdb"), (
                "the mission's warehouse is a server, and this job holds no credential for it"
                if location
                else "the mission names no warehouse"
            )
        source = given or (self.workspace / location)
        copy = self.scratch / "warehouse" / Path(location).name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if not source.is_file():
            return _scratch(copy), "the mission's warehouse has no production copy yet"
        shutil.copyfile(source, copy)
        return _scratch(copy), ""

    def call(
        self, verb: str, project: Path, target: Path, args: list[str], quiet: bool = False
    ) -> subprocess.CompletedProcess[str]:
        command = [self.dbt, *(["--quiet"] if quiet else []), verb, "--project-dir", str(project)]
        command += ["--profiles-dir", str(self.profiles), "--target-path", str(target)]
        command += ["--log-path", str(self.scratch / "logs"), *args]
        env = dbt_process_env(self.env, self.mission, self.dbt_env, self.schema)
        env["DBT_PARTIAL_PARSE"] = "false"
        try:
            proc = subprocess.run(
                command,
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess(command, 124, "", f"dbt {verb} timed out")
        except OSError as exc:
            return subprocess.CompletedProcess(command, 127, "", f"{self.dbt}: {exc}")
        with (self.scratch / f"dbt-{verb}.log").open("a", encoding="utf-8") as log:
            log.write(proc.stdout + proc.stderr)
        return proc


def _scratch(path: Path) -> DuckDBWarehouse:
    return DuckDBWarehouse(path.name, {}, path)


def _profile_name(project: Path) -> str:
    import yaml

    try:
        data = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return PROFILE
    return str(data.get("profile") or PROFILE) if isinstance(data, dict) else PROFILE


def _listed(stdout: str) -> tuple[Node, ...]:
    nodes = []
    for line in stdout.splitlines():
        try:
            entry: Any = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("resource_type") in _LISTED:
            nodes.append(Node(str(entry["resource_type"]), str(entry.get("name", ""))))
    return tuple(sorted(nodes, key=lambda n: (n.kind != "model", n.kind, n.name)))


def _merge(node: Node, row: dict[str, Any] | None) -> Node:
    if row is None:
        return node
    return Node(node.kind, node.name, row["status"], row["message"], row["failures"])


def _slug(project: str) -> str:
    return project.replace("/", "-").strip(".-") or "project"


def _tail(proc: subprocess.CompletedProcess[str]) -> str:
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    return " / ".join(line.strip() for line in lines[-3:])[:600] or f"exit {proc.returncode}"
