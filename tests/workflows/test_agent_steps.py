"""The agent job's steps, run by bash as a runner runs them: task code sees no secret.

``Check the claim`` and ``Record the outcome`` hold the token; ``Run the agent`` runs the task's
code with neither the token nor any secret, in its environment, its parents' or the job's files.
A probe task (tests/workflows/probe_secrets.py) looks for them everywhere it can.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from missionkit.scaffold.init import CHECKOUT_INSTALL, InitOptions, render_files
from workflows.ghactions import WORKFLOWS, load, run_steps
from workflows.ghstate import Result, comments_of, issue_number

from ghserver import GitHubTestServer
from pgserver import PostgresServer

CLI = Callable[..., Result]
PROBE = Path(__file__).with_name("probe_secrets.py")
STEPS = ("Check the claim", "Run the agent", "Record the outcome")
TOKEN = "ghs_probeToken7Qm2ZxLk"
SECRETS = {
    "GITHUB_TOKEN": TOKEN,
    "SLACK_WEBHOOK_URL": "https://hooks.example.com/services/probe-8Hq2",
    "MISSIONKIT_SMTP_USER": "probe-user-55Xz",
    "MISSIONKIT_SMTP_PASSWORD": "probe-password-3Vt9",
}
NAMES = [*SECRETS, "GH_TOKEN", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"]

MISSION = """\
---
title: Probe
owner: dana-lee
success_criteria: [No secret is found]
escalation: {{slack_webhook_env: SLACK_WEBHOOK_URL}}
tasks:
  - id: probe
    title: Look for secrets
    agent: shell
    with: {{command: "python {probe} {secrets} {result} {workspace} {runner_temp}"}}
---
"""


def _checkout(workspace: Path) -> None:
    """What actions/checkout leaves with persist-credentials: false: no credential in git."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    for args in (["init", "-q"], ["remote", "add", "origin", "https://github.com/acme/data"]):
        subprocess.run(["git", *args], cwd=workspace, check=True, timeout=30)


def _probe_paths(repo: Path, tmp_path: Path) -> dict[str, Path]:
    """Where the probe task reads its secrets and writes its findings, and what it searches."""
    return {
        "secrets": tmp_path / "secrets.json",
        "result": tmp_path / "probe-result.json",
        "workspace": repo,
        "runner_temp": tmp_path / "runner-temp",
    }


@pytest.fixture
def probe(repo: Path, gh: GitHubTestServer, mission_cli: CLI, tmp_path: Path) -> dict[str, Path]:
    assert gh.tokens is not None
    gh.tokens[TOKEN] = gh.tokens["token-bot"]
    paths = _probe_paths(repo, tmp_path)
    paths["secrets"].write_text(
        json.dumps({"names": NAMES, "values": list(SECRETS.values())}), encoding="utf-8"
    )
    (repo / "missions" / "probe.md").write_text(
        MISSION.format(probe=PROBE, **paths), encoding="utf-8"
    )
    _checkout(repo)
    assert mission_cli("sync", "--tracker", "github").code == 0
    claimed = mission_cli("dispatch", "--tracker", "github")
    assert "probe/probe: claimed for agent shell" in claimed.out, claimed.text
    return paths


def test_task_code_finds_no_secret(probe: dict[str, Path], gh: GitHubTestServer) -> None:
    job = load(WORKFLOWS / "missions-dispatch.yml")["jobs"]["agent"]
    github = {"GITHUB_REPOSITORY": "acme/data", "GITHUB_API_URL": gh.url}
    ran = run_steps(
        job,
        STEPS,
        probe["workspace"],
        probe["runner_temp"],
        expressions={**SECRETS, "MISSION": "probe", "TASK": "probe"},
        github=github,
    )
    for name, step in ran.items():
        assert step is not None and step.code == 0, (name, step and step.text)
    found = json.loads(probe["result"].read_text(encoding="utf-8"))
    assert found["findings"] == [], found
    assert found["processes"] >= 2, "the probe read its parents' environments"
    assert found["files"] >= 5, "the probe read the job's files"
    # what the task wrote into the step's file commands was dropped before the next step
    for name in ("github_env", "github_path"):
        assert (probe["runner_temp"] / name).read_text(encoding="utf-8") == ""
    # the record step, which holds the token, recorded the outcome
    number = issue_number(gh, "probe/probe")
    assert gh.state.issues[number].state == "closed"
    assert any('"findings": []' in body for _, body in comments_of(gh, number))


def test_the_probe_finds_what_is_there(tmp_path: Path) -> None:
    """The probe is no stub: given a secret in its environment and in a file, it says so."""
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"names": ["GITHUB_TOKEN"], "values": [TOKEN]}))
    folder = tmp_path / "workspace" / ".git"
    folder.mkdir(parents=True)
    (folder / "config").write_text(f'[http]\n\textraheader = "AUTHORIZATION: basic {TOKEN}"\n')
    result = tmp_path / "result.json"
    env = {"PATH": os.environ["PATH"], "GITHUB_TOKEN": TOKEN}
    done = subprocess.run(
        [sys.executable, str(PROBE), str(secrets), str(result), str(folder.parent)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    findings = json.loads(result.read_text())["findings"]
    assert "own environment: variable GITHUB_TOKEN" in findings
    assert f"file {folder / 'config'}: a secret's value" in findings


WAREHOUSE_MISSION = """\
---
title: Warehouse travels
owner: dana-lee
warehouse: warehouse/w.duckdb
success_criteria: [The table is there]
tasks:
  - id: load
    title: Load
    agent: shell
    with: {command: "python make_table.py"}
---
"""
DIGEST = "sha256:" + "cd" * 32


def test_the_steps_name_the_warehouse_and_record_its_artifact(
    repo: Path, gh: GitHubTestServer, mission_cli: CLI, tmp_path: Path
) -> None:
    """On GitHub: the claim step says where the DuckDB file is (nothing to download yet),
    the record step writes the uploaded artifact into the task's and the mission's history."""
    (repo / "missions" / "w.md").write_text(WAREHOUSE_MISSION, encoding="utf-8")
    (repo / "make_table.py").write_text(
        "import os, duckdb\nos.makedirs('warehouse', exist_ok=True)\n"
        "duckdb.connect('warehouse/w.duckdb').execute('create table t as select 1 as x')\n",
        encoding="utf-8",
    )
    _checkout(repo)
    assert mission_cli("sync", "--tracker", "github").code == 0
    assert "w/load: claimed" in mission_cli("dispatch", "--tracker", "github").out
    job = load(WORKFLOWS / "missions-dispatch.yml")["jobs"]["agent"]
    runner_temp = tmp_path / "runner-temp"
    ran = run_steps(
        job,
        STEPS,
        repo,
        runner_temp,
        expressions={
            "GITHUB_TOKEN": "token-bot",
            "MISSION": "w",
            "TASK": "load",
            # what upload-artifact's outputs and the run id make of the expression
            "UPLOADED": f"555:42:{DIGEST}",
        },
        github={"GITHUB_REPOSITORY": "acme/data", "GITHUB_API_URL": gh.url},
    )
    prepare = ran["Check the claim"]
    assert prepare is not None and prepare.code == 0, prepare and prepare.text
    assert prepare.outputs == {"path": "warehouse/w.duckdb", "artifact": "", "run": ""}
    for name, step in ran.items():
        assert step is not None and step.code == 0, (name, step and step.text)
    history = "\n".join(body for _, body in comments_of(gh, issue_number(gh, "w/load")))
    assert f"wrote warehouse artifact 555 (run 42, {DIGEST}; file sha256:" in history
    mission = "\n".join(body for _, body in comments_of(gh, issue_number(gh, "w")))
    assert "wrote warehouse artifact 555" in mission


SERVER_MISSION = """\
---
title: Server probe
owner: dana-lee
warehouse: {url}
success_criteria: [No credential is found]
tasks:
  - id: probe
    title: Look for the warehouse's credentials
    agent: shell
    with: {{command: "python {probe} {secrets} {result} {workspace} {runner_temp}"}}
    checks:
      - sql: "select current_user = 'missionkit'"
---
"""
HANDED = ("PGUSER", "PGPASSWORD")
HANDED_STEPS = ("Check the claim", "Hand over the warehouse credentials", *STEPS[1:])


def test_a_server_warehouses_credentials_reach_missionkit_and_not_task_code(
    repo: Path, gh: GitHubTestServer, mission_cli: CLI, tmp_path: Path, pg_server: PostgresServer
) -> None:
    """`mission init --warehouse-secret`: the secrets go to missionkit through files it takes
    and deletes before the task's code runs, which finds them nowhere; the task's check on the
    PostgreSQL server (password authentication) passes with them."""
    credentials = pg_server.env()
    paths = _probe_paths(repo, tmp_path)
    paths["secrets"].write_text(
        json.dumps({"names": [*NAMES, *HANDED], "values": [TOKEN, credentials["PGPASSWORD"]]}),
        encoding="utf-8",
    )
    url = pg_server.create_database("handed")
    (repo / "missions" / "server.md").write_text(
        SERVER_MISSION.format(url=url, probe=PROBE, **paths), encoding="utf-8"
    )
    _checkout(repo)
    assert mission_cli("sync", "--tracker", "github").code == 0
    assert "server/probe: claimed" in mission_cli("dispatch", "--tracker", "github").out
    options = InitOptions(install=CHECKOUT_INSTALL, warehouse_secrets=HANDED)
    workflow = tmp_path / "missions-dispatch.yml"
    workflow.write_text(render_files(options)[".github/workflows/missions-dispatch.yml"])
    assert gh.tokens is not None
    gh.tokens[TOKEN] = gh.tokens["token-bot"]
    ran = run_steps(
        load(workflow)["jobs"]["agent"],
        HANDED_STEPS,
        repo,
        paths["runner_temp"],
        expressions={"GITHUB_TOKEN": TOKEN, **credentials, "MISSION": "server", "TASK": "probe"},
        github={"GITHUB_REPOSITORY": "acme/data", "GITHUB_API_URL": gh.url},
    )
    for name, step in ran.items():
        assert step is not None and step.code == 0, (name, step and step.text)
    found = json.loads(paths["result"].read_text(encoding="utf-8"))
    assert found["findings"] == [], found
    assert found["processes"] >= 2 and found["files"] >= 5, found
    assert not (paths["runner_temp"] / "missionkit-credentials").exists()
    number = issue_number(gh, "server/probe")
    assert gh.state.issues[number].state == "closed", "the check passed on the server"
    history = "\n".join(body for _, body in comments_of(gh, number))
    assert "select current_user = 'missionkit'" in history
    assert credentials["PGPASSWORD"] not in history


def test_without_the_credentials_the_server_check_fails(
    repo: Path, gh: GitHubTestServer, mission_cli: CLI, tmp_path: Path, pg_server: PostgresServer
) -> None:
    """The same job given no secrets: missionkit cannot log in, and the task does not pass."""
    url = pg_server.create_database("not_handed")
    (repo / "missions" / "server.md").write_text(
        SERVER_MISSION.replace(
            "python {probe} {secrets} {result} {workspace} {runner_temp}", "true"
        ).format(url=url),
        encoding="utf-8",
    )
    _checkout(repo)
    assert mission_cli("sync", "--tracker", "github").code == 0
    assert "server/probe: claimed" in mission_cli("dispatch", "--tracker", "github").out
    options = InitOptions(install=CHECKOUT_INSTALL, warehouse_secrets=HANDED)
    workflow = tmp_path / "missions-dispatch.yml"
    workflow.write_text(render_files(options)[".github/workflows/missions-dispatch.yml"])
    ran = run_steps(
        load(workflow)["jobs"]["agent"],
        HANDED_STEPS,
        repo,
        tmp_path / "runner-temp",
        expressions={"GITHUB_TOKEN": "token-bot", "MISSION": "server", "TASK": "probe"},
        github={"GITHUB_REPOSITORY": "acme/data", "GITHUB_API_URL": gh.url},
    )
    assert all(step is not None for step in ran.values())
    number = issue_number(gh, "server/probe")
    assert gh.state.issues[number].state == "open"
    history = "\n".join(body for _, body in comments_of(gh, number))
    assert "running → **failed**" in history
    assert "fe_sendauth: no password supplied" in history


def test_a_credentials_folder_holding_something_else_is_refused(
    repo: Path, mission_cli: CLI, tmp_path: Path
) -> None:
    (repo / "missions" / "probe.md").write_text(
        MISSION.format(probe=PROBE, secrets="s", result="r", workspace="w", runner_temp="t"),
        encoding="utf-8",
    )
    handed = tmp_path / "credentials"
    handed.mkdir()
    (handed / "PGPASSWORD").write_text("kept")
    (handed / "not a name").write_text("x")
    ran = mission_cli(
        "agent",
        "run",
        "probe/probe",
        "--execute-only",
        "--out",
        str(tmp_path / "out"),
        "--credentials-from",
        str(handed),
    )
    assert ran.code == 1
    assert f"{handed / 'not a name'}: not a credential's file" in ran.err
    assert "Traceback" not in ran.err
    assert (handed / "PGPASSWORD").read_text() == "kept", "nothing is taken from a bad folder"
    assert not (tmp_path / "out").exists(), "no task code ran"
