"""dbt in pull requests: ``mission dbt-changes`` and missions-pr's dbt job, with real dbt.

A shop mission's dbt project (orders_clean → order_totals → big_orders) is built on the
default branch into the production DuckDB file. A change edits order_totals: the pull request
builds order_totals, big_orders and their tests (state:modified+), defers orders_clean to the
production relation, and does all of it in a copy of the warehouse.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from missionkit.agents.dbt.build import find_dbt
from missionkit.tracking.model import Key
from workflows.ghactions import WORKFLOWS, load, run_steps
from workflows.ghstate import Result, record_warehouse

from ghserver import GitHubTestServer

pytestmark = pytest.mark.slow

CLI = Callable[..., Result]
MISSION = """\
---
title: Shop orders
owner: dana-lee
success_criteria: [Order totals are built]
warehouse: {warehouse}
tasks:
  - id: build
    title: Build the order models
    agent: dbt
    with: {{mapping: dbt/mapping.yaml, project_dir: dbt}}
---
"""
PROJECT = """\
name: shop
version: "1.0.0"
config-version: 2
profile: shop
model-paths: ["models"]
"""
MODELS = {
    "orders_clean.sql": "select id, amount from raw.orders where amount is not null\n",
    "order_totals.sql": "select id, sum(amount) as total from {{ ref('orders_clean') }} group by 1",
    "big_orders.sql": "select id from {{ ref('order_totals') }} where total > 10\n",
    "schema.yml": """\
version: 2
models:
  - name: order_totals
    columns:
      - name: id
        data_tests: [unique, not_null]
""",
}
TOTALS = "select id, sum(amount) as total, count(*) as lines from {{ ref('orders_clean') }}"
CHANGED = TOTALS + " group by 1"
FAILING_TEST = """\
  - name: big_orders
    columns:
      - name: id
        data_tests:
          - accepted_values:
              arguments: {values: [999]}
"""
PROFILE = """\
shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{path}"
      schema: staging
      threads: 1
"""


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def _dbt() -> str:
    dbt = find_dbt(None)
    if dbt is None:
        pytest.skip("dbt is not installed")
    return dbt


def _shop(repo: Path, warehouse: str = "warehouse/shop.duckdb", build: bool = True) -> None:
    """The mission and its project committed on main; the production warehouse built."""
    (repo / "missions" / "shop.md").write_text(MISSION.format(warehouse=warehouse))
    models = repo / "dbt" / "models"
    models.mkdir(parents=True)
    (repo / "dbt" / "dbt_project.yml").write_text(PROJECT)
    (repo / "dbt" / "mapping.yaml").write_text("models: []\n")
    for name, text in MODELS.items():
        (models / name).write_text(text)
    (repo / ".gitignore").write_text("warehouse/\n.missionkit/\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "shop")
    if not build:
        return
    import duckdb

    path = repo / warehouse
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.orders as "
            "select * from (values (1, 5), (1, 9), (2, 30)) t(id, amount)"
        )
    profiles = repo.parent / "profiles"
    profiles.mkdir()
    (profiles / "profiles.yml").write_text(PROFILE.format(path=path))
    subprocess.run(
        [_dbt(), "build", "--project-dir", "dbt", "--profiles-dir", str(profiles)],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=300,
        env={**_plain_env(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    shutil.rmtree(repo / "dbt" / "target", ignore_errors=True)
    shutil.rmtree(repo / "dbt" / "logs", ignore_errors=True)


def _plain_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}


def _change(repo: Path, edit: Callable[[Path], None]) -> None:
    """A pull request's merge commit: the change on a branch, merged into main's tip."""
    _git(repo, "checkout", "-q", "-b", "change")
    edit(repo / "dbt" / "models")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "change")
    _git(repo, "checkout", "-q", "-b", "merged", "main")
    _git(repo, "merge", "-q", "--no-ff", "change", "-m", "merge")


def _edit_totals(models: Path) -> None:
    (models / "order_totals.sql").write_text(CHANGED)


def _columns(path: Path, table: str) -> list[str]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        return [r[0] for r in con.execute(f"describe {table}").fetchall()]


def test_a_change_builds_what_it_modifies_and_its_children(
    repo: Path, mission_cli: CLI, tmp_path: Path
) -> None:
    _shop(repo)
    _change(repo, _edit_totals)
    out, report = tmp_path / "scratch", tmp_path / "dbt.md"
    ran = mission_cli(
        "dbt-changes", "build", "--base", "HEAD^1", "--out", str(out), "--report", str(report)
    )
    assert ran.code == 0, ran.text
    text = report.read_text()
    assert "2 models and 2 tests selected with `state:modified+`" in text
    rows = {
        line.split(" | ")[0].strip("| ")
        for line in text.splitlines()
        if line.startswith("| ") and "node" not in line
    }
    assert rows == {
        "order_totals",
        "big_orders",
        "unique_order_totals_id",
        "not_null_order_totals_id",
    }
    assert "orders_clean" not in text, "an unmodified parent is deferred, not built"
    assert "Everything selected passed." in text
    # built in a copy: production keeps its columns, the copy has the change's
    assert _columns(repo / "warehouse" / "shop.duckdb", "staging.order_totals") == ["id", "total"]
    copy = out / "shop" / "dbt" / "warehouse" / "shop.duckdb"
    assert _columns(copy, "staging.order_totals") == ["id", "total", "lines"]
    assert "shop dbt: 4 selected, ok" in ran.out


def test_a_failing_test_of_the_change_fails_and_is_named(
    repo: Path, mission_cli: CLI, tmp_path: Path
) -> None:
    _shop(repo)

    def add_test(models: Path) -> None:
        with (models / "schema.yml").open("a") as schema:
            schema.write(FAILING_TEST)

    _change(repo, add_test)
    report = tmp_path / "dbt.md"
    ran = mission_cli(
        "dbt-changes",
        "build",
        "--base",
        "HEAD^1",
        "--out",
        str(tmp_path / "s"),
        "--report",
        str(report),
    )
    assert ran.code == 1, ran.text
    text = report.read_text()
    assert "0 models and 1 test selected" in text
    assert "**1 failed.**" in text
    assert "| accepted_values_big_orders_id__999 | test | fail |" in text


def test_nothing_changed_builds_nothing(repo: Path, mission_cli: CLI, tmp_path: Path) -> None:
    _shop(repo, build=False)
    ran = mission_cli("dbt-changes", "build", "--base", "HEAD", "--out", str(tmp_path / "s"))
    assert ran.code == 0, ran.text
    assert "Nothing in the project changed against the base branch." in ran.out


def test_a_server_warehouse_is_listed_not_built(
    repo: Path, mission_cli: CLI, tmp_path: Path
) -> None:
    _dbt()
    _shop(repo, "postgresql://db.example.com:5432/shop", build=False)
    _change(repo, _edit_totals)
    ran = mission_cli("dbt-changes", "build", "--base", "HEAD^1", "--out", str(tmp_path / "s"))
    assert ran.code == 0, ran.text
    assert (
        "not built: the mission's warehouse is a server, and this job holds no credential"
        in ran.out
    )
    assert "| order_totals | model |" in ran.out and "success" not in ran.out


def test_a_base_that_is_not_a_commit_is_a_clear_error(
    repo: Path, mission_cli: CLI, tmp_path: Path
) -> None:
    _shop(repo, build=False)
    ran = mission_cli("dbt-changes", "build", "--base", "no-such-ref", "--out", str(tmp_path / "s"))
    assert ran.code == 1
    assert "'no-such-ref' is not a commit" in ran.err
    assert "Traceback" not in ran.err


def _record_production(gh: GitHubTestServer, repo: Path, data: bytes, recorded: bytes) -> int:
    """The production DuckDB file as an agent job leaves it: uploaded, and recorded (with the
    SHA-256 of ``recorded``) in the mission's history."""
    files = {"shop.duckdb": data}
    return record_warehouse(gh, repo.parent / "artifacts", Key("shop", "build"), 7, files, recorded)


def _pr_job(repo: Path, gh: GitHubTestServer, runner_temp: Path) -> dict[str, object]:
    job = load(WORKFLOWS / "missions-pr.yml")["jobs"]["dbt"]
    names = ("Download the production warehouses", "Build what the change touches")
    return dict(
        run_steps(
            job,
            names,
            repo,
            runner_temp,
            expressions={"GITHUB_TOKEN": "token-bot"},
            github={"GITHUB_REPOSITORY": "acme/data", "GITHUB_API_URL": gh.url},
        )
    )


def test_the_pull_request_job_builds_in_the_recorded_warehouse(
    repo: Path, gh: GitHubTestServer, mission_cli: CLI, tmp_path: Path
) -> None:
    """missions-pr's dbt job on GitHub: the first step downloads the artifact missionkit
    recorded (following the redirect without the token), the second builds in a copy of it."""
    _shop(repo)
    assert mission_cli("sync", "--tracker", "github").code == 0, "the mission's issues exist"
    production = repo / "warehouse" / "shop.duckdb"
    data = production.read_bytes()
    _record_production(gh, repo, data, data)
    production.unlink()  # a fresh runner: the warehouse is only in the artifact
    _change(repo, _edit_totals)
    ran = _pr_job(repo, gh, tmp_path / "runner")
    download, build = (
        ran["Download the production warehouses"],
        ran["Build what the change touches"],
    )
    assert download is not None and download.code == 0, download and download.text
    assert "shop: downloaded warehouse artifact" in download.out
    assert build is not None and build.code == 0, build.text
    report = base64.b64decode(build.outputs["report"]).decode()
    assert report == build.summary
    assert "| order_totals | model | success |" in report
    assert "| unique_order_totals_id | test | pass |" in report
    assert not production.exists(), "nothing is written to the warehouse's own path"
    assert gh.validation_errors == [], gh.validation_errors


def test_the_pull_request_job_refuses_an_artifact_missionkit_did_not_record(
    repo: Path, gh: GitHubTestServer, mission_cli: CLI, tmp_path: Path
) -> None:
    _shop(repo)
    assert mission_cli("sync", "--tracker", "github").code == 0
    production = repo / "warehouse" / "shop.duckdb"
    _record_production(gh, repo, b"not the warehouse", production.read_bytes())
    production.unlink()
    _change(repo, _edit_totals)
    ran = _pr_job(repo, gh, tmp_path / "runner")
    build = ran["Build what the change touches"]
    assert build is not None and build.code == 1
    assert "holds no file with the SHA-256 missionkit recorded" in build.err
