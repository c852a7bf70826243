"""AI owners on the GitHub test server: an ``llm`` task and a ``copilot`` task, through dispatch.

The LLM answers from the scripted chat-completions server; its file is proposed as a pull
request. The Copilot task's issue is assigned with the documented REST payload; the task closes
only once Copilot's pull request is merged and the task's checks pass on the merged result, and
every other ending (failing checks, a pull request closed unmerged, no pull request in time, no
token, Copilot not enabled) leaves the state the feature promises with the reason on the issue.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest

from execution.conftest_channels import (
    Payloads,
    as_user,
    comments_of,
    issue_number,
    labels_of,
    run_cli,
)
from execution.test_github_flow import Cli
from missionkit import clock
from missionkit.agents.copilot.assign import instructions
from missionkit.agents.copilot.inputs import CopilotInputs
from missionkit.cli.main import main
from missionkit.spec.loader import load_missions

from ghserver import GitHubTestServer
from ghserver import h_copilot as copilot
from llmserver import ChatServer

pytest_plugins = ["execution.conftest_channels"]

MISSION = """\
---
title: Claims models
owner: dana-lee
success_criteria: [The claims staging model is merged and checked]
ai:
  api_key_env: LLM_KEY
  budget: 5
tasks:
  - id: describe
    title: Describe the claims columns
    agent: llm
    with:
      prompt: prompts/describe.prompt.yml
      vars: {table: raw.claims}
      output: docs/claims.md
    checks:
      - file: docs/claims.md
  - id: stage
    title: Write the claims staging model
    agent: copilot
    depends_on: [describe]
    description: Add models/staging/stg_claims.sql, selecting every column of raw.claims.
    acceptance: [stg_claims selects every column of raw.claims]
    checks:
      - file: models/staging/stg_claims.sql
    timeout: 2h
---
"""
COPILOT_ONLY = """\
---
title: Claims staging
owner: dana-lee
success_criteria: [The staging model is merged]
tasks:
  - id: stage
    title: Write the claims staging model
    agent: copilot
    with: {base_branch: main, instructions: Keep the SQL in lowercase.}
    checks:
      - command: test -f models/staging/stg_claims.sql
    timeout: 30m
---
"""
PROMPT = """\
name: Describe a table
description: Documents the columns of a raw table
model: openai/gpt-4.1-mini
modelParameters:
  temperature: 0.2
messages:
  - role: system
    content: You document warehouse tables for analysts.
  - role: user
    content: Describe every column of {{table}} for the task "{{task_title}}".
"""
MODEL_FILE = "models/staging/stg_claims.sql"


@pytest.fixture
def checkout(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    gh_users: GitHubTestServer,
    chat_server: ChatServer,
) -> Path:
    root = tmp_path / "checkout"
    (root / "missions").mkdir(parents=True)
    (root / "prompts").mkdir()
    (root / "prompts" / "describe.prompt.yml").write_text(PROMPT, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("MISSIONKIT_LLM_URL", chat_server.url)
    monkeypatch.setenv("LLM_KEY", "test-key")
    monkeypatch.setenv("COPILOT_TOKEN", "tok-dana")  # dana-lee's user token
    for name in ("SLACK_WEBHOOK_URL", "MISSIONKIT_SMTP_HOST", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    copilot.enable(gh_users.state)
    return root


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def merge(server: GitHubTestServer, number: int) -> None:
    as_user(server, "dana-lee", "PUT", f"/pulls/{number}/merge", {"merge_method": "squash"})


def matrix(path: Path) -> list[str]:
    return [f"{j['mission']}/{j['task']}" for j in json.loads(path.read_text())["include"]]


def transitions(cli: Cli, mission: str, item: str) -> list[tuple[str, str]]:
    return [(e["from"], e["to"]) for e in cli.log(mission) if e["item"] == item and e["to"]]


def test_llm_then_copilot_task_close_only_after_merge_and_checks(
    gh_users: GitHubTestServer,
    chat_server: ChatServer,
    event_payloads: Payloads,
    checkout: Path,
    cli: Cli,
) -> None:
    (checkout / "missions" / "claims.md").write_text(MISSION, encoding="utf-8")
    cli("sync")
    describe, stage = (issue_number(gh_users, k) for k in ("claims/describe", "claims/stage"))

    # the llm task: claimed for a matrix job, answered, checked, proposed as a pull request
    assert cli("dispatch", "--matrix-out", "m.json").endswith("claimed for agent llm\n")
    chat_server.answer("claim_id: the claim's id\namount: the billed amount")
    out = cli("agent", "run", "claims/describe")
    assert out.startswith("claims/describe: done — agent and checks passed\n")
    sent = chat_server.requests[0].body
    assert sent["messages"][1] == {
        "role": "user",
        "content": "Describe every column of raw.claims for the task "
        '"Describe the claims columns".',
    }
    assert sent["temperature"] == 0.2
    pulls = [n for n, i in gh_users.state.issues.items() if i.pull is not None]
    assert len(pulls) == 1
    proposed = gh_users.state.git.file_at("missionkit/claims/describe", "docs/claims.md")
    assert proposed == b"claim_id: the claim's id\namount: the billed amount\n"
    assert "status:needs-human" in labels_of(gh_users, describe)
    budget = [e for e in cli.log("claims") if e["kind"] == "llm-request"]
    assert [e["reason"] for e in budget] == [
        "LLM request 1 of 5: describe (prompts/describe.prompt.yml)"
    ]
    merge(gh_users, pulls[0])
    event = event_payloads.write(event_payloads.issues("closed", describe, "dana-lee"))
    out = cli("dispatch", "--event", str(event), "--matrix-out", "m.json")

    # the copilot task: assigned at dispatch with the documented payload, not put in the matrix
    assert "claims/stage: ready (all dependencies done)" in out
    assert "claims/stage: assigned to the Copilot coding agent" in out
    assert json.loads((checkout / "m.json").read_text()) == {"include": []}
    mission = load_missions([checkout / "missions"])[0]
    task = mission.task("stage")
    [assignment] = gh_users.state.copilot.assignments
    assert assignment.issue == stage
    assert assignment.actor == "dana-lee"
    assert assignment.body == {
        "assignees": ["copilot-swe-agent[bot]"],
        "agent_assignment": {
            "target_repo": "acme/data",
            "base_branch": "main",
            "custom_instructions": instructions(mission, task, CopilotInputs()),
            "custom_agent": "",
            "model": "",
        },
    }
    assert gh_users.state.copilot.problems == []
    text = assignment.body["agent_assignment"]["custom_instructions"]
    assert "Add models/staging/stg_claims.sql, selecting every column of raw.claims." in text
    assert "- stg_claims selects every column of raw.claims" in text
    assert "- file: `models/staging/stg_claims.sql`" in text
    assert "Copilot" in gh_users.state.issues[stage].assignees
    assert "status:running" in labels_of(gh_users, stage)
    ran = run_cli(cli.capsys, "agent", "run", "claims/stage", "--tracker", "github")
    assert ran.code == 1
    assert "belongs to the Copilot coding agent: `mission dispatch` assigns it" in ran.err

    # Copilot opens its pull request: the task keeps running, whatever Copilot says
    pull = copilot.open_pull(gh_users.state, stage, {MODEL_FILE: b"select * from raw.claims\n"})
    as_user(gh_users, "dana-lee", "POST", f"/issues/{stage}/comments", {"body": "ok"})
    assert cli("dispatch") == "nothing to do\n"
    assert "status:running" in labels_of(gh_users, stage)

    # merged: GitHub closes the issue; the closed event is not taken as done
    merge(gh_users, pull)
    assert gh_users.state.issues[stage].state == "closed"
    event = event_payloads.write(event_payloads.issues("closed", stage, "dana-lee"))
    out = cli("dispatch", "--event", str(event), "--event-only")
    assert out == "event: claims/stage closed; its checks on the merged result decide\n"
    assert "status:running" in labels_of(gh_users, stage)

    # the next dispatch claims it for an agent job, which runs its checks without a token
    out = cli("dispatch", "--matrix-out", "m.json")
    assert f"claims/stage: pull request #{pull} merged\n" in out
    assert "claims/stage: claimed to run its checks on the merged result\n" in out
    assert matrix(checkout / "m.json") == ["claims/stage"]
    assert cli("dispatch") == "nothing to do\n"  # claimed once, not again while it runs
    handoff = checkout.parent / "handoff"
    cli("agent", "prepare", "claims/stage", "--out", str(handoff))
    # the job's checkout holds the merged result
    (checkout / "models" / "staging").mkdir(parents=True)
    (checkout / MODEL_FILE).write_text("select * from raw.claims\n", encoding="utf-8")
    ran = run_cli(
        cli.capsys, "agent", "run", "claims/stage", "--execute-only", "--out", str(handoff)
    )
    assert ran.code == 0, ran.out + ran.err
    cli("agent", "record", "claims/stage", "--from", str(handoff))
    issue = gh_users.state.issues[stage]
    assert (issue.state, issue.state_reason) == ("closed", "completed")
    assert labels_of(gh_users, stage) == {"mission:claims", "agent:copilot", "after:describe"}
    reports = [b for _, b in comments_of(gh_users, stage) if b.startswith("### ✅ `stage`")]
    assert len(reports) == 1
    assert f"pull request #{pull} merged as " in reports[0]
    assert "| `file: models/staging/stg_claims.sql` | error | pass | exists |" in reports[0]
    done = [t for t in transitions(cli, "claims", "claims/stage") if t[1] == "done"]
    assert done == [("running", "done")]
    assert "claims: awaiting sign-off" in cli("dispatch")


@pytest.fixture
def assigned(gh_users: GitHubTestServer, checkout: Path, cli: Cli) -> tuple[int, GitHubTestServer]:
    """COPILOT_ONLY synced and dispatched: its issue assigned to Copilot."""
    (checkout / "missions" / "staging.md").write_text(COPILOT_ONLY, encoding="utf-8")
    cli("sync")
    out = cli("dispatch")
    assert "staging/stage: assigned to the Copilot coding agent" in out
    assignment = gh_users.state.copilot.assignments[0].body["agent_assignment"]
    assert assignment["custom_instructions"].endswith("Keep the SQL in lowercase.")
    return issue_number(gh_users, "staging/stage"), gh_users


def escalation(server: GitHubTestServer, number: int) -> str:
    found = [b for _, b in comments_of(server, number) if "@dana-lee" in b]
    assert found, comments_of(server, number)
    return found[-1]


def test_merged_but_checks_fail_makes_the_task_failed(
    assigned: tuple[int, GitHubTestServer], cli: Cli
) -> None:
    number, server = assigned
    merge(server, copilot.open_pull(server.state, number, {"README.md": b"# changed\n"}))
    assert "staging/stage: claimed to run its checks on the merged result" in cli("dispatch")
    out = cli("agent", "run", "staging/stage", code=1)
    assert out.startswith("staging/stage: failed — check failed: command: test -f")
    assert "status:failed" in labels_of(server, number)
    assert server.state.issues[number].state == "open"
    text = escalation(server, number)
    assert "check failed: command: test -f models/staging/stg_claims.sql" in text


def test_pull_request_closed_unmerged_needs_a_person(
    assigned: tuple[int, GitHubTestServer], cli: Cli
) -> None:
    number, server = assigned
    pull = copilot.open_pull(server.state, number, {MODEL_FILE: b"select 1\n"})
    as_user(server, "dana-lee", "PATCH", f"/pulls/{pull}", {"state": "closed"})
    out = cli("dispatch")
    assert f"staging/stage: needs a person (Copilot's pull request #{pull}" in out
    assert "status:needs-human" in labels_of(server, number)
    assert f"Copilot's pull request #{pull}" in escalation(server, number)
    assert "was closed without being merged" in escalation(server, number)
    # an answer sends it back to Copilot: unassigned, then assigned again (a new session)
    assert main(["answer", "staging/stage", "try again", "--tracker", "github"]) == 0
    out = cli("dispatch")
    assert "staging/stage: assigned to the Copilot coding agent" in out
    assert len(server.state.copilot.assignments) == 2
    deletes = [r for r in server.requests if r.method == "DELETE" and r.path.endswith("/assignees")]
    assert [r.body for r in deletes][-1]["assignees"][0] == "copilot-swe-agent[bot]"
    assert "Copilot" in server.state.issues[number].assignees


def test_no_pull_request_within_the_timeout_needs_a_person(
    assigned: tuple[int, GitHubTestServer], cli: Cli
) -> None:
    number, server = assigned
    assert cli("dispatch") == "nothing to do\n"  # within the 30 minutes: wait
    later = clock.now() + timedelta(minutes=31)
    with mock.patch("missionkit.clock.now", return_value=later):
        out = cli("dispatch")
    assert "staging/stage: needs a person (no pull request closes" in out
    assert "status:needs-human" in labels_of(server, number)
    assert "within the task's timeout (30m since Copilot was assigned)" in escalation(
        server, number
    )


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("no-token", "no user token: the secret COPILOT_TOKEN is not set"),
        ("disabled", "the Copilot coding agent cannot be assigned in acme/data"),
        ("actions-token", "the Copilot coding agent cannot be assigned in acme/data"),
    ],
)
def test_when_copilot_cannot_be_assigned_a_person_hears_why(
    gh_users: GitHubTestServer,
    checkout: Path,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    setup: str,
    reason: str,
) -> None:
    if setup == "no-token":
        monkeypatch.delenv("COPILOT_TOKEN")
    elif setup == "disabled":
        gh_users.state.copilot.enabled = False
    else:
        monkeypatch.setenv("COPILOT_TOKEN", "tok-bot")  # the workflow's own installation token
    (checkout / "missions" / "staging.md").write_text(COPILOT_ONLY, encoding="utf-8")
    cli("sync")
    out = cli("dispatch")
    number = issue_number(gh_users, "staging/stage")
    assert f"staging/stage: needs a person (Copilot was not assigned: {reason}" in out
    assert "status:needs-human" in labels_of(gh_users, number)
    assert reason in escalation(gh_users, number)
    assert gh_users.state.copilot.assignments == []
    assert "Copilot" not in gh_users.state.issues[number].assignees


def test_without_github_a_copilot_task_asks_a_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "missions").mkdir()
    (tmp_path / "missions" / "staging.md").write_text(COPILOT_ONLY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "staging", "--quiet"]) == 0
    out = capsys.readouterr()
    assert main(["status", "staging", "--json"]) == 0
    [status] = json.loads(capsys.readouterr().out)
    assert [(t["task"], t["state"], t["waits_on"]) for t in status["tasks"]] == [
        ("stage", "needs-human", "@dana-lee")
    ], out
    assert main(["log", "staging"]) == 0
    assert "is for the Copilot coding agent, which works on GitHub issues" in (
        capsys.readouterr().out
    )
