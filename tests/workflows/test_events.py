"""``mission dispatch --event`` with the webhook payloads missions-dispatch receives.

Each payload is built from the test server's own JSON for the issue, comment, repository and
user (so numbers, ids and URLs are the server's), and validated against GitHub's webhook schemas
(``@octokit/openapi-webhooks``, extracted into tests/data/github/webhooks-subset.json).  Titles
and comments carry shell-injection attempts: they must come out verbatim and run nothing, both
through the CLI and through the workflow's own dispatch and agent scripts run by bash.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from workflows.ghactions import WORKFLOWS, load, run_step, run_steps, step
from workflows.ghstate import Result, comments_of, issue_number, labels_of
from workflows.webhooks import PAYLOADS_DIR, Payloads, schemas

from ghserver import GitHubTestServer

CLI = Callable[..., Result]

#: Replaced by a path in the test's folder: a file there means something ran a title.
PWNED = "@PWNED@"
HOSTILE_MISSION_TITLE = f"Events $(touch {PWNED}-1) `touch {PWNED}-2`"
HOSTILE_REVIEW_TITLE = f'Review "$(touch {PWNED}-3)"; `touch {PWNED}-4` & echo $HOME'
HOSTILE_PUBLISH_TITLE = f"Publish $(touch {PWNED}-5) '; touch {PWNED}-6; '"

MISSION = f"""\
---
title: {json.dumps(HOSTILE_MISSION_TITLE)}
owner: dana-lee
approvers: [dana-lee]
success_criteria: [Every event is handled]
tasks:
  - id: review
    title: {json.dumps(HOSTILE_REVIEW_TITLE)}
    owner: alex-kim
  - id: publish
    title: {json.dumps(HOSTILE_PUBLISH_TITLE)}
    agent: shell
    depends_on: [review]
    with: {{command: "echo published > published.txt"}}
    checks: [{{file: published.txt}}]
---
A mission whose titles try to run commands.
"""

GITHUB = "--tracker", "github"
AGENT_STEPS = ("Check the claim", "Run the agent", "Record the outcome")


@pytest.fixture
def pwned(tmp_path: Path) -> Path:
    return tmp_path / "pwned"


@pytest.fixture
def synced(repo: Path, mission_cli: CLI, pwned: Path) -> Path:
    """The mission written, synced, and dispatched once: review is ready, publish blocked."""
    (repo / "missions" / "events.md").write_text(
        MISSION.replace(PWNED, str(pwned)), encoding="utf-8"
    )
    assert mission_cli("sync", *GITHUB).code == 0
    result = mission_cli("dispatch", *GITHUB)
    assert result.code == 0, result.text
    assert "events/review: ready" in result.out
    return repo


def _title(text: str, pwned: Path) -> str:
    return text.replace(PWNED, str(pwned))


def _nothing_ran(pwned: Path) -> None:
    ran = sorted(p.name for p in pwned.parent.glob(pwned.name + "*"))
    assert ran == [], f"a title or a comment was executed: {ran}"


def _dispatch(cli: CLI, event: Path, *extra: str) -> Result:
    result = cli("dispatch", *GITHUB, "--event", str(event), *extra)
    assert result.code == 0, result.text
    return result


def test_the_schemas_come_from_octokit() -> None:
    source = schemas().source
    assert source["package"] == "@octokit/openapi-webhooks"
    assert source["version"] == "12.1.0"
    assert schemas().events == ["issue_comment.created", "issues.closed", "issues.reopened"]


def test_the_schemas_reject_a_wrong_payload(gh: GitHubTestServer, payloads: Payloads) -> None:
    number = payloads.act("alex-kim", "POST", "issues", {"title": "t", "body": "b"})["number"]
    good = payloads.close(number, "alex-kim")
    assert schemas().errors("issues.closed", {**good, "action": "opened"})
    assert schemas().errors("issues.closed", {k: v for k, v in good.items() if k != "issue"})
    broken = {**good, "issue": {**good["issue"], "created_at": "yesterday"}}
    assert schemas().errors("issues.closed", broken)


def test_issue_closed_unblocks_its_dependents(
    synced: Path, gh: GitHubTestServer, payloads: Payloads, mission_cli: CLI, pwned: Path
) -> None:
    review = issue_number(gh, "events/review")
    payload = payloads.close(review, "alex-kim")
    assert payload["issue"]["title"] == _title(HOSTILE_REVIEW_TITLE, pwned)
    assert payload["issue"]["number"] == review
    assert payload["sender"]["login"] == "alex-kim"

    result = _dispatch(mission_cli, payloads.write(payload), "--matrix-out", "matrix.json")
    assert "event: events/review closed by @alex-kim: done" in result.out
    assert "events/publish: ready (all dependencies done)" in result.out
    matrix = json.loads((synced / "matrix.json").read_text(encoding="utf-8"))
    assert matrix == {
        "include": [
            {
                "mission": "events",
                "task": "publish",
                "agent": "shell",
                "title": _title(HOSTILE_PUBLISH_TITLE, pwned),
                "runs_on": ["ubuntu-latest"],
                "queue": "missionkit-task-events-publish",
            }
        ]
    }
    publish = issue_number(gh, "events/publish")
    assert "status:running" in labels_of(gh, publish)
    _nothing_ran(pwned)


def test_issue_reopened_blocks_its_dependents_again(
    synced: Path, gh: GitHubTestServer, payloads: Payloads, mission_cli: CLI, pwned: Path
) -> None:
    review = issue_number(gh, "events/review")
    publish = issue_number(gh, "events/publish")
    _dispatch(mission_cli, payloads.write(payloads.close(review, "alex-kim")), "--no-claim")
    assert "status:ready" in labels_of(gh, publish)

    payload = payloads.reopen(review, "dana-lee")
    assert payload["issue"]["state"] == "open"
    result = _dispatch(mission_cli, payloads.write(payload), "--no-claim")
    assert "event: events/review reopened by @dana-lee" in result.out
    assert "events/publish: blocked again (a dependency is no longer done)" in result.out
    assert "status:ready" in labels_of(gh, review)
    assert "status:blocked" in labels_of(gh, publish)
    assert gh.state.issues[review].state == "open"
    _nothing_ran(pwned)


def test_comment_commands_check_the_commenters_permission(
    synced: Path, gh: GitHubTestServer, payloads: Payloads, mission_cli: CLI, pwned: Path
) -> None:
    mission = issue_number(gh, "events")
    review = issue_number(gh, "events/review")
    publish = issue_number(gh, "events/publish")

    # a reader may not re-queue a task; the refusal is answered on the issue
    result = _dispatch(
        mission_cli, payloads.write(payloads.comment(publish, "sam-okafor", "/retry"))
    )
    assert "refused /retry from @sam-okafor: `/retry` needs write access" in result.out
    assert any(
        "@sam-okafor" in body and "Nothing changed" in body for _, body in comments_of(gh, publish)
    )

    # only an approver signs a mission off, and only once every task is finished
    result = _dispatch(
        mission_cli, payloads.write(payloads.comment(mission, "outsider", "/approve"))
    )
    assert "refused /approve from @outsider: only the approvers of events" in result.out

    # a comment with no command, full of shell syntax, is read and left alone
    chatter = f"looks fine $(touch {pwned}-7) `touch {pwned}-8`"
    result = _dispatch(mission_cli, payloads.write(payloads.comment(review, "alex-kim", chatter)))
    assert "event: no command in the comment" in result.out

    # the whole way to a sign-off
    _dispatch(mission_cli, payloads.write(payloads.close(review, "alex-kim")), "--limit", "0")
    (synced / "published.txt").unlink(missing_ok=True)
    ran = mission_cli("dispatch", *GITHUB)  # claims publish
    assert "events/publish: claimed for agent shell" in ran.out, ran.text
    done = mission_cli("agent", "run", "events/publish", *GITHUB)
    assert done.code == 0, done.text
    waiting = mission_cli("dispatch", *GITHUB)
    assert "events: awaiting sign-off by dana-lee" in waiting.out, waiting.text

    approve = f"/approve\nShipped. $(touch {pwned}-9) `touch {pwned}-10`"
    result = _dispatch(mission_cli, payloads.write(payloads.comment(mission, "dana-lee", approve)))
    assert "event: events signed off by @dana-lee" in result.out, result.text
    assert gh.state.issues[mission].state == "closed"
    _nothing_ran(pwned)


def test_titles_stay_verbatim(synced: Path, gh: GitHubTestServer, pwned: Path) -> None:
    titles = {
        gh.state.issues[issue_number(gh, ref)].title
        for ref in ("events", "events/review", "events/publish")
    }
    assert titles == {
        _title(HOSTILE_MISSION_TITLE, pwned),
        _title(HOSTILE_REVIEW_TITLE, pwned),
        _title(HOSTILE_PUBLISH_TITLE, pwned),
    }
    _nothing_ran(pwned)


def test_the_workflow_scripts_handle_hostile_payloads(
    synced: Path, gh: GitHubTestServer, payloads: Payloads, tmp_path: Path, pwned: Path
) -> None:
    """The dispatch, agent and re-dispatch steps of missions-dispatch.yml, run by bash as a
    runner would, on an issues.closed payload whose issue title is a shell-injection attempt."""
    workflow = load(WORKFLOWS / "missions-dispatch.yml")
    github = {
        "GITHUB_REPOSITORY": "acme/data",
        "GITHUB_API_URL": gh.url,
        "GITHUB_EVENT_NAME": "issues",
        "GITHUB_REF_NAME": "main",
    }
    review = issue_number(gh, "events/review")
    event = payloads.write(payloads.close(review, "alex-kim"))

    acted = run_step(
        step(workflow, "event", "Act on the event"),
        synced,
        tmp_path / "runner-event",
        expressions={"GITHUB_TOKEN": "token-bot"},
        github={**github, "GITHUB_EVENT_PATH": str(event)},
    )
    assert acted.code == 0, acted.text
    assert acted.out == "event: events/review closed by @alex-kim: done\n"
    dispatched = run_step(
        step(workflow, "dispatch", "Dispatch"),
        synced,
        tmp_path / "runner-dispatch",
        expressions={"GITHUB_TOKEN": "token-bot"},
        github={**github, "GITHUB_EVENT_PATH": str(event)},
    )
    assert dispatched.code == 0, dispatched.text
    assert "event:" not in dispatched.out
    assert dispatched.outputs["count"] == "1"
    matrix = json.loads(dispatched.outputs["matrix"])
    (claim,) = matrix["include"]
    assert claim["title"] == _title(HOSTILE_PUBLISH_TITLE, pwned)

    agent = run_steps(
        workflow["jobs"]["agent"],
        AGENT_STEPS,
        synced,
        tmp_path / "runner-agent",
        expressions={
            "GITHUB_TOKEN": "token-bot",
            "MISSION": claim["mission"],
            "TASK": claim["task"],
        },
        github=github,
    )
    for name, ran in agent.items():
        assert ran is not None and ran.code == 0, (name, ran)
    recorded = agent["Record the outcome"]
    assert recorded is not None and "events/publish: done" in recorded.out
    assert gh.state.issues[issue_number(gh, "events/publish")].state == "closed"

    before = len(gh.state.dispatches)
    again = run_step(
        step(workflow, "redispatch", "Start missions-dispatch"),
        synced,
        tmp_path / "runner-redispatch",
        expressions={"GITHUB_TOKEN": "token-bot"},
        github=github,
    )
    assert again.code == 0, again.text
    (started,) = gh.state.dispatches[before:]
    assert (started.workflow, started.ref) == ("missions-dispatch.yml", "main")
    _nothing_ran(pwned)


def test_schedule_and_manual_runs_pass_no_event(
    synced: Path, gh: GitHubTestServer, tmp_path: Path
) -> None:
    workflow = load(WORKFLOWS / "missions-dispatch.yml")
    event = tmp_path / "schedule.json"
    event.write_text(json.dumps({"schedule": "17 * * * *"}), encoding="utf-8")
    ran = run_step(
        step(workflow, "dispatch", "Dispatch"),
        synced,
        tmp_path / "runner",
        expressions={"GITHUB_TOKEN": "token-bot"},
        github={
            "GITHUB_REPOSITORY": "acme/data",
            "GITHUB_API_URL": gh.url,
            "GITHUB_EVENT_NAME": "schedule",
            "GITHUB_EVENT_PATH": str(event),
        },
    )
    assert ran.code == 0, ran.text
    assert "event:" not in ran.out
    assert ran.outputs == {"matrix": '{"include":[]}', "count": "0"}


def test_a_copied_marker_moves_nothing(
    synced: Path, gh: GitHubTestServer, payloads: Payloads, mission_cli: CLI
) -> None:
    """Anyone may open an issue whose body holds a task's marker: only the tracked issue counts."""
    review = issue_number(gh, "events/review")
    copied = gh.state.issues[review].body
    fake = payloads.act("outsider", "POST", "issues", {"title": "a look-alike", "body": copied})
    before = labels_of(gh, review)
    for payload in (
        payloads.close(fake["number"], "outsider"),
        payloads.reopen(fake["number"], "outsider"),
    ):
        result = _dispatch(mission_cli, payloads.write(payload), "--no-claim")
        assert f"issue #{fake['number']} carries the marker of events/review" in result.out
        assert "by @outsider" not in result.out
    assert labels_of(gh, review) == before


@pytest.mark.parametrize("name", sorted(p.name for p in PAYLOADS_DIR.glob("*.json")))
def test_the_payload_fixtures(name: str, repo: Path, mission_cli: CLI) -> None:
    """The sample payloads in tests/data/github/payloads/ match GitHub's schemas, and a dispatch
    given one of a mission it does not know changes nothing."""
    payload = json.loads((PAYLOADS_DIR / name).read_text(encoding="utf-8"))
    event = name.removesuffix(".json").replace("-", ".", 1)
    schemas().check(event, payload)
    result = mission_cli("dispatch", "--event", str(PAYLOADS_DIR / name), "--no-claim", *GITHUB)
    assert result.code == 0, result.text
    assert "is not in the mission files; nothing to do" in result.out


def test_someone_with_no_access_gets_one_reply_per_issue(
    synced: Path, gh: GitHubTestServer, payloads: Payloads, mission_cli: CLI
) -> None:
    """An outsider's commands are refused; the bot answers the first one on an issue and no
    more, so outsiders cannot make it write without end. A reader is answered every time."""
    mission = issue_number(gh, "events")
    publish = issue_number(gh, "events/publish")

    def replies(number: int, login: str) -> int:
        return sum(
            1
            for author, body in comments_of(gh, number)
            if author == gh.state.bot_login and body.startswith(f"@{login} ")
        )

    for attempt in range(3):
        result = _dispatch(
            mission_cli, payloads.write(payloads.comment(publish, "outsider", "/retry"))
        )
        assert "refused /retry from @outsider: `/retry` needs write access" in result.out
        assert ("no reply" in result.out) == (attempt > 0), result.out
    assert replies(publish, "outsider") == 1

    # another issue gets its own one refusal
    for _ in range(2):
        _dispatch(mission_cli, payloads.write(payloads.comment(mission, "outsider", "/approve")))
    assert replies(mission, "outsider") == 1

    for _ in range(2):
        _dispatch(mission_cli, payloads.write(payloads.comment(publish, "sam-okafor", "/retry")))
    assert replies(publish, "sam-okafor") == 2
