"""missions-pr: the plan job's script and the sticky comment job's script, run by bash against
the GitHub test server as a runner would run them.

The comment is found again by its hidden marker *and* its author (the workflow's bot), so it is
updated, never duplicated, even past the first page of comments, and a marker planted in
someone else's comment is ignored.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workflows.ghactions import WORKFLOWS, StepRun, load, run_step, step
from workflows.webhooks import token_of, tokens_for

from ghserver import GitHubTestServer
from ghserver.client import raw_request
from ghserver.fixtures import DEFAULT_USERS

JSON = dict[str, Any]
BOT = "github-actions[bot]"
MARKER = "<!-- missionkit:plan -->"
WORKFLOW = load(WORKFLOWS / "missions-pr.yml")

MISSION = """\
---
title: "Plan me $(touch {pwned}-1) `touch {pwned}-2`"
owner: dana-lee
success_criteria: [The plan is shown]
tasks:
  - id: first
    title: "First ``` step $(touch {pwned}-3)"
    owner: alex-kim
{more}---
"""
SECOND_TASK = """\
  - id: second
    title: Second step
    owner: alex-kim
    depends_on: [first]
"""


@pytest.fixture
def server() -> Iterator[GitHubTestServer]:
    """A server whose bot is github-actions[bot], like GITHUB_TOKEN's user in a workflow."""
    gh = GitHubTestServer(
        users=DEFAULT_USERS, bot_login=BOT, tokens=tokens_for(list(DEFAULT_USERS), BOT)
    )
    with gh:
        yield gh
    assert gh.validation_errors == [], "\n".join(gh.validation_errors)


def _github(server: GitHubTestServer) -> dict[str, str]:
    return {"GITHUB_REPOSITORY": "acme/data", "GITHUB_API_URL": server.url}


def _plan(server: GitHubTestServer, work: Path, temp: Path) -> StepRun:
    return run_step(
        step(WORKFLOW, "plan", "Validate and plan"),
        work,
        temp,
        expressions={"GITHUB_TOKEN": "token-bot", "HEAD_SHA": "0123456789abcdef" * 2 + "01234567"},
        github=_github(server),
    )


def _comment(server: GitHubTestServer, work: Path, temp: Path, report: str, pr: int) -> StepRun:
    return run_step(
        step(WORKFLOW, "comment", "Post or update the plan comment"),
        work,
        temp,
        expressions={"GITHUB_TOKEN": "token-bot", "REPORT": report, "PR_NUMBER": str(pr)},
        github=_github(server),
    )


def _sticky(server: GitHubTestServer, pr: int) -> list[str]:
    return [
        c.body for c in server.state.comments_of(pr) if c.user == BOT and c.body.startswith(MARKER)
    ]


def _as(server: GitHubTestServer, login: str, method: str, path: str, body: object) -> JSON:
    status, _, answer = raw_request(
        server, method, f"/repos/acme/data/{path}", body, token=token_of(login)
    )
    assert status < 300, (status, answer)
    return answer if isinstance(answer, dict) else {}


def test_the_plan_is_one_sticky_comment(server: GitHubTestServer, tmp_path: Path) -> None:
    pwned = tmp_path / "pwned"
    work = tmp_path / "repo"
    (work / "missions").mkdir(parents=True)
    mission = work / "missions" / "plan-me.md"
    mission.write_text(MISSION.format(pwned=pwned, more=""), encoding="utf-8")
    pr = _as(server, "alex-kim", "POST", "pulls", {"title": "Plan", "head": "f", "base": "main"})
    number = int(pr["number"])
    # a long discussion first: the sticky comment lands on the second page of comments
    for n in range(100):
        _as(server, "sam-okafor", "POST", f"issues/{number}/comments", {"body": f"note {n}"})
    planted = _as(
        server, "outsider", "POST", f"issues/{number}/comments", {"body": MARKER + "\nfake plan"}
    )

    plan = _plan(server, work, tmp_path / "runner-1")
    assert plan.code == 0, plan.text
    report = base64.b64decode(plan.outputs["report"]).decode()
    assert report == plan.summary
    assert "### missionkit plan" in report
    assert "Plan me $(touch" in report and "Plan: " in report
    assert "````text" in report, "the fence is longer than any run of backticks in the plan"
    posted = _comment(server, work, tmp_path / "runner-2", plan.outputs["report"], number)
    assert posted.code == 0, posted.text
    assert "posted the plan comment" in posted.out
    (first,) = _sticky(server, number)
    assert first == MARKER + "\n" + report

    # the same plan again: the comment is updated in place
    again = _comment(server, work, tmp_path / "runner-3", plan.outputs["report"], number)
    assert "updated the plan comment" in again.out, again.text
    assert len(_sticky(server, number)) == 1

    # a new push adds a task: one comment still, now with the new plan
    mission.write_text(MISSION.format(pwned=pwned, more=SECOND_TASK), encoding="utf-8")
    plan = _plan(server, work, tmp_path / "runner-4")
    assert plan.code == 0, plan.text
    assert _comment(server, work, tmp_path / "runner-5", plan.outputs["report"], number).code == 0
    (updated,) = _sticky(server, number)
    assert "Second step" in updated and updated != first

    # a push that breaks the file: the job fails, and the comment shows the problems
    mission.write_text(mission.read_text().replace("owner: alex-kim", "ownr: alex-kim", 1))
    broken = _plan(server, work, tmp_path / "runner-6")
    assert broken.code == 1
    report = base64.b64decode(broken.outputs["report"]).decode()
    assert "`mission validate` found problems" in report
    assert "missions/plan-me.md:" in report and "ownr" in report
    assert "`mission plan`" not in report
    assert _comment(server, work, tmp_path / "runner-7", broken.outputs["report"], number).code == 0
    (shown,) = _sticky(server, number)
    assert "found problems" in shown

    # nobody else's comment was touched, and no title ran
    bodies = {c.id: c.body for c in server.state.comments_of(number)}
    assert bodies[int(planted["id"])] == MARKER + "\nfake plan"
    assert sum(1 for c in server.state.comments_of(number) if c.user == BOT) == 1
    assert sorted(pwned.parent.glob("pwned*")) == []


def test_the_plan_changes_nothing(server: GitHubTestServer, tmp_path: Path) -> None:
    work = tmp_path / "repo"
    (work / "missions").mkdir(parents=True)
    (work / "missions" / "plan-me.md").write_text(
        MISSION.format(pwned=tmp_path / "pwned", more=SECOND_TASK), encoding="utf-8"
    )
    server.reset_log()
    plan = _plan(server, work, tmp_path / "runner")
    assert plan.code == 0, plan.text
    assert server.writes == []
    assert not server.state.issues
