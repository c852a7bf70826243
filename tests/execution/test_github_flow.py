"""The execution flow against the GitHub test server, driven through the ``mission`` CLI.

As the missions-dispatch workflow runs it: dispatch from an ``issues`` closed payload, agent jobs
from the matrix, chained re-dispatch, comment commands (``/approve``, ``/retry``, ``/answer``)
checked against the commenter's permission, and the history with its actors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest

from execution.conftest_channels import (
    Payloads,
    as_user,
    comments_of,
    issue_number,
    labels_of,
    run_cli,
)
from missionkit.tracking.github.webhook import NO_ACCESS_MARK

from ghserver import GitHubTestServer

# fixtures: slack_receiver, smtp_sink, notify_channels, gh_users, event_payloads, asking_agent
pytest_plugins = ["execution.conftest_channels"]

BOT = "missionkit-bot"

FLOW = """\
---
title: Claims onboarding
owner: dana-lee
approvers: [dana-lee]
success_criteria: [Claims are published]
tasks:
  - id: extract
    title: Extract the claims
    agent: shell
    with: {command: "echo extracted > out.txt"}
    checks:
      - file: out.txt
  - id: review
    title: Review the extract
    owner: alex-kim
    depends_on: [extract]
    acceptance: [Row counts match the source]
  - id: publish
    title: Publish the claims
    agent: shell
    depends_on: [review]
    with: {command: "cp out.txt published.txt"}
    checks:
      - file: published.txt
---
Claims from the new payer.
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout of acme/data as a workflow job sees it: the working directory."""
    root = tmp_path / "checkout"
    (root / "missions").mkdir(parents=True)
    monkeypatch.chdir(root)
    for name in ("SLACK_WEBHOOK_URL", "MISSIONKIT_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    return root


class Cli:
    """``mission … --tracker github`` in this process, as a workflow step runs it."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *args: str, code: int = 0) -> str:
        result = run_cli(self.capsys, *args, "--tracker", "github")
        assert result.code == code, f"mission {' '.join(args)}: {result.out}{result.err}"
        return result.out

    def log(self, mission: str) -> list[dict[str, Any]]:
        return list(json.loads(self("log", mission, "--json")))


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def matrix(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [f"{job['mission']}/{job['task']}" for job in data["include"]]


def transitions(log: list[dict[str, Any]], item: str) -> list[tuple[str | None, str | None, str]]:
    return [(e["from"], e["to"], e["actor"]) for e in log if e["item"] == item and e["to"]]


def test_a_mission_runs_from_sync_to_sign_off_on_github(
    gh_users: GitHubTestServer, event_payloads: Payloads, repo: Path, cli: Cli
) -> None:
    (repo / "missions" / "claims.md").write_text(FLOW, encoding="utf-8")
    cli("sync")
    mission, extract, review, publish = (
        issue_number(gh_users, key)
        for key in ("claims", "claims/extract", "claims/review", "claims/publish")
    )

    # 1. the sync workflow dispatches: extract has no dependencies, it is claimed for a job
    out = cli("dispatch", "--matrix-out", "m.json")
    assert (
        out == "claims/extract: ready (no dependencies)\nclaims/extract: claimed for agent shell\n"
    )
    assert json.loads((repo / "m.json").read_text()) == {
        "include": [
            {
                "mission": "claims",
                "task": "extract",
                "agent": "shell",
                "title": "Extract the claims",
                "runs_on": ["ubuntu-latest"],
                "queue": "missionkit-task-claims-extract",
            }
        ]
    }
    assert "status:running" in labels_of(gh_users, extract)

    # 2. the matrix job runs the agent: report comment, closed as completed, no status label
    out = cli("agent", "run", "claims/extract")
    assert out.startswith("claims/extract: done — agent and checks passed\n")
    assert (repo / "out.txt").read_text() == "extracted\n"
    issue = gh_users.state.issues[extract]
    assert (issue.state, issue.state_reason) == ("closed", "completed")
    assert labels_of(gh_users, extract) == {"mission:claims", "agent:shell"}
    report = [body for author, body in comments_of(gh_users, extract) if body.startswith("### ✅")]
    assert len(report) == 1
    assert report[0].startswith("### ✅ `extract`: done\n")
    assert "| `file: out.txt` | error | pass | exists |" in report[0]

    # 3. the chained dispatch: the person's task is ready, its owner assigned and mentioned
    #    (alex-kim had unassigned themselves meanwhile: ready assigns them again)
    as_user(
        gh_users, "alex-kim", "DELETE", f"/issues/{review}/assignees", {"assignees": ["alex-kim"]}
    )
    assert gh_users.state.issues[review].assignees == []
    out = cli("dispatch", "--matrix-out", "m.json")
    assert out == (
        "claims/review: ready (all dependencies done)\n"
        "claims/review: @alex-kim notified (slack: not configured; email: not configured)\n"
    )
    assert matrix(repo / "m.json") == []
    assert gh_users.state.issues[review].assignees == ["alex-kim"]
    assert "status:ready" in labels_of(gh_users, review)
    mention = comments_of(gh_users, review)[-1]
    assert mention == (
        BOT,
        "@alex-kim — **Review the extract** is ready for you: every task it waits on is done.\n"
        "\n"
        "Done when:\n"
        "- [ ] Row counts match the source\n"
        "\n"
        "Close this issue as completed when it is done (or run `mission done claims/review`).\n",
    )

    # 4. alex-kim closes the review issue on GitHub; the issues.closed event dispatches
    as_user(
        gh_users,
        "alex-kim",
        "PATCH",
        f"/issues/{review}",
        {"state": "closed", "state_reason": "completed"},
    )
    event = event_payloads.write(event_payloads.issues("closed", review, "alex-kim"))
    out = cli("dispatch", "--event", str(event), "--matrix-out", "m.json")
    assert out == (
        "event: claims/review closed by @alex-kim: done\n"
        "claims/publish: ready (all dependencies done)\n"
        "claims/publish: claimed for agent shell\n"
    )
    assert matrix(repo / "m.json") == ["claims/publish"]

    # 5. the publish job, then the chained dispatch: every task is done, sign-off is awaited
    assert cli("agent", "run", "claims/publish").startswith("claims/publish: done")
    assert gh_users.state.issues[publish].state == "closed"
    out = cli("dispatch", "--matrix-out", "m.json")
    assert out == (
        "claims: awaiting sign-off by dana-lee (slack: not configured; email: not configured)\n"
    )
    assert labels_of(gh_users, mission) == {"mission", "mission:claims", "status:awaiting-signoff"}
    assert gh_users.state.issues[mission].state == "open"
    assert comments_of(gh_users, mission)[-1] == (
        BOT,
        "@dana-lee — every task of **Claims onboarding** is done. Please check the success "
        "criteria and sign off:\n"
        "\n"
        "- [ ] Claims are published\n"
        "\n"
        "Comment `/approve` to sign off (or run `mission approve claims`).\n",
    )

    # 6. /approve from alex-kim (write access, not an approver): refused with a reply
    event = event_payloads.write(event_payloads.post_comment(mission, "alex-kim", "/approve"))
    out = cli("dispatch", "--event", str(event))
    assert out == (
        "event: refused /approve from @alex-kim: only the approvers of claims (dana-lee) "
        "may sign it off\n"
        "nothing to do\n"
    )
    assert comments_of(gh_users, mission)[-1] == (
        BOT,
        "@alex-kim only the approvers of claims (dana-lee) may sign it off. Nothing changed.",
    )
    assert gh_users.state.issues[mission].state == "open"
    assert "status:awaiting-signoff" in labels_of(gh_users, mission)

    # 7. /approve from dana-lee, the approver: the mission issue is closed as completed
    event = event_payloads.write(event_payloads.post_comment(mission, "dana-lee", "/approve"))
    assert cli("dispatch", "--event", str(event)) == (
        "event: claims signed off by @dana-lee\nnothing to do\n"
    )
    issue = gh_users.state.issues[mission]
    assert (issue.state, issue.state_reason) == ("closed", "completed")
    assert labels_of(gh_users, mission) == {"mission", "mission:claims"}

    # the history: every transition with its actor, read back from the issues
    log = cli.log("claims")
    claimer = ANY  # the dispatcher's runner identity (host-specific)
    assert transitions(log, "claims/extract") == [
        ("blocked", "ready", "missionkit-dispatch"),
        ("ready", "running", claimer),
        ("running", "done", "missionkit-agent"),
    ]
    assert transitions(log, "claims/review") == [
        ("blocked", "ready", "missionkit-dispatch"),
        ("ready", "done", "alex-kim"),
    ]
    assert [
        e["reason"] for e in log if e["item"] == "claims/review" and e["actor"] == "alex-kim"
    ] == ["issue closed as completed by @alex-kim"]
    assert transitions(log, "claims/publish") == [
        ("blocked", "ready", "missionkit-dispatch"),
        ("ready", "running", claimer),
        ("running", "done", "missionkit-agent"),
    ]
    assert transitions(log, "claims") == [
        ("active", "awaiting-signoff", "missionkit-dispatch"),
        ("awaiting-signoff", "closed", "dana-lee"),
    ]
    text = cli("log", "claims")
    lines = [" ".join(line.split()[2:]) for line in text.splitlines()]
    assert "(mission) awaiting-signoff → closed dana-lee signed off by dana-lee" in lines
    assert "review ready → done alex-kim issue closed as completed by @alex-kim" in lines

    # a second sign-off changes nothing and says why
    event = event_payloads.write(event_payloads.post_comment(mission, "dana-lee", "/approve"))
    assert cli("dispatch", "--event", str(event)).startswith(
        "event: refused /approve from @dana-lee: claims is already signed off\n"
    )


RETRY = """\
---
title: Flaky load
owner: dana-lee
success_criteria: [Loaded]
escalation:
  to: [dana-lee]
tasks:
  - id: load
    title: Load the extract
    agent: shell
    owner: alex-kim
    with: {command: "test -f extract.csv"}
---
"""


def test_retry_needs_write_access_and_re_queues_a_failed_task(
    gh_users: GitHubTestServer, event_payloads: Payloads, repo: Path, cli: Cli
) -> None:
    (repo / "missions" / "flaky.md").write_text(RETRY, encoding="utf-8")
    cli("sync")
    load = issue_number(gh_users, "flaky/load")
    cli("dispatch")
    out = cli("agent", "run", "flaky/load", code=1)
    why = "agent shell failed: `test -f extract.csv` failed with exit code 1"
    assert out.startswith(f"flaky/load: failed — {why} (report: .missionkit/runs/flaky/load/")

    # failed: still open, labelled, escalated to its owner and the escalation targets
    issue = gh_users.state.issues[load]
    assert issue.state == "open"
    assert "status:failed" in labels_of(gh_users, load)
    assert sorted(issue.assignees) == ["alex-kim", "dana-lee"]
    note = comments_of(gh_users, load)[-1][1]
    assert note.startswith(f"@alex-kim @dana-lee — **Load the extract** failed.\n\n- {why}\n")
    (report,) = [b for _, b in comments_of(gh_users, load) if b.startswith("### ❌ `load`")]
    assert f"\n- {why}\n" in report
    assert "\nReport: `.missionkit/runs/flaky/load/" in report

    # /retry from sam-okafor (read) and from outsider (none): refused, a reply, still failed
    for login, permission in (("sam-okafor", "read"), ("outsider", "none")):
        event = event_payloads.write(event_payloads.post_comment(load, login, "/retry"))
        out = cli("dispatch", "--event", str(event), "--matrix-out", "m.json")
        assert out == (
            f"event: refused /retry from @{login}: `/retry` needs write access to the repository\n"
            "nothing to do\n"
        ), permission
        assert comments_of(gh_users, load)[-1] == (
            BOT,
            f"@{login} `/retry` needs write access to the repository. Nothing changed."
            + ("" if permission == "read" else f"\n\n{NO_ACCESS_MARK}"),
        )
        assert "status:failed" in labels_of(gh_users, load)
        assert matrix(repo / "m.json") == []

    # /retry from alex-kim (write): re-queued, and claimed in the same dispatch
    (repo / "extract.csv").write_text("id\n1\n", encoding="utf-8")
    event = event_payloads.write(event_payloads.post_comment(load, "alex-kim", "/retry"))
    out = cli("dispatch", "--event", str(event), "--matrix-out", "m.json")
    assert out == "event: flaky/load re-queued by @alex-kim\nflaky/load: claimed for agent shell\n"
    assert matrix(repo / "m.json") == ["flaky/load"]
    assert cli("agent", "run", "flaky/load").startswith("flaky/load: done")
    assert gh_users.state.issues[load].state == "closed"

    log = cli.log("flaky")
    assert transitions(log, "flaky/load")[2:] == [
        ("running", "failed", "missionkit-agent"),
        ("failed", "ready", "alex-kim"),
        ("ready", "running", ANY),
        ("running", "done", "missionkit-agent"),
    ]
    assert [e["reason"] for e in log if e["kind"] == "escalated"] == [
        "escalated to alex-kim, dana-lee: slack: not configured; email: not configured"
    ]
    # the refusals left no trace in the history
    assert not any(e["actor"] in ("sam-okafor", "outsider") for e in log)


def test_answer_resumes_an_agent_that_asked_a_person(
    gh_users: GitHubTestServer, event_payloads: Payloads, repo: Path, cli: Cli, asking_agent: str
) -> None:
    (repo / "missions" / "mapping.md").write_text(
        f"""\
---
title: Field mapping
owner: dana-lee
success_criteria: [Mapped]
tasks:
  - id: map
    title: Map the claim fields
    agent: {asking_agent}
    with: {{question: "Is CLM_ID the claim key?"}}
---
""",
        encoding="utf-8",
    )
    cli("sync")
    number = issue_number(gh_users, "mapping/map")
    cli("dispatch")
    out = cli("agent", "run", "mapping/map")
    assert out.startswith(
        "mapping/map: needs-human — the agent asks a person: Is CLM_ID the claim key?\n"
    )
    assert "status:needs-human" in labels_of(gh_users, number)

    # a reader cannot answer
    event = event_payloads.write(event_payloads.post_comment(number, "sam-okafor", "/answer yes"))
    assert cli("dispatch", "--event", str(event)).startswith(
        "event: refused /answer from @sam-okafor: `/answer` needs write access to the repository\n"
    )
    assert "status:needs-human" in labels_of(gh_users, number)

    # a writer's answer (over several lines) goes back to the agent, which then finishes
    event = event_payloads.write(
        event_payloads.post_comment(
            number, "alex-kim", "/answer Yes, CLM_ID.\nIt is unique per claim."
        )
    )
    out = cli("dispatch", "--event", str(event), "--matrix-out", "m.json")
    assert out == "event: mapping/map answered by @alex-kim\nmapping/map: claimed for agent ask\n"
    assert matrix(repo / "m.json") == ["mapping/map"]
    assert cli("agent", "run", "mapping/map").startswith("mapping/map: done")
    assert (repo / "answers.txt").read_text() == "Yes, CLM_ID.\nIt is unique per claim.\n"
    assert gh_users.state.issues[number].state == "closed"

    log = cli.log("mapping")
    answers = [(e["actor"], e["reason"]) for e in log if e["kind"] == "answer"]
    assert answers == [("alex-kim", "Yes, CLM_ID.\nIt is unique per claim.")]
    assert ("needs-human", "ready", "alex-kim") in transitions(log, "mapping/map")


def test_escalation_says_who_github_could_not_assign(
    gh_users: GitHubTestServer, repo: Path, cli: Cli
) -> None:
    (repo / "missions" / "flaky.md").write_text(
        RETRY.replace("to: [dana-lee]", "to: [dana-lee, outsider]"), encoding="utf-8"
    )
    cli("sync")
    cli("dispatch")
    cli("agent", "run", "flaky/load", code=1)
    load = issue_number(gh_users, "flaky/load")
    assert "outsider" not in gh_users.state.issues[load].assignees  # no access: GitHub dropped it
    note = [
        body for _, body in comments_of(gh_users, load) if "**Load the extract** failed" in body
    ]
    assert len(note) == 1
    assert "_Could not assign: outsider._" in note[0]


def _review_closed_by_hand(gh: GitHubTestServer, payloads: Payloads, repo: Path, cli: Cli) -> int:
    """Sync, run extract, then alex-kim closes the review issue and the event is handled."""
    (repo / "missions" / "claims.md").write_text(FLOW, encoding="utf-8")
    cli("sync")
    cli("dispatch")
    cli("agent", "run", "claims/extract")
    cli("dispatch")
    review = issue_number(gh, "claims/review")
    as_user(gh, "alex-kim", "PATCH", f"/issues/{review}", {"state": "closed"})
    cli("dispatch", "--event", str(payloads.write(payloads.issues("closed", review, "alex-kim"))))
    return review


def test_a_task_closed_by_a_person_loses_its_status_label(
    gh_users: GitHubTestServer, event_payloads: Payloads, repo: Path, cli: Cli
) -> None:
    review = _review_closed_by_hand(gh_users, event_payloads, repo, cli)
    cli("dispatch")
    assert labels_of(gh_users, review) == {"mission:claims", "owner:person", "after:extract"}


def test_history_comments_never_show_python_none(
    gh_users: GitHubTestServer, event_payloads: Payloads, repo: Path, cli: Cli
) -> None:
    review = _review_closed_by_hand(gh_users, event_payloads, repo, cli)
    bodies = [body for _, body in comments_of(gh_users, review)]
    history = [b for b in bodies if "missionkit history" in b]
    assert len(history) == 1  # one comment, edited as the task moves
    assert "| ready → **done** | alex-kim | issue closed as completed by @alex-kim |" in history[0]
    assert not any("None" in b for b in bodies)


def test_approve_matches_logins_whatever_their_case(
    gh_users: GitHubTestServer, event_payloads: Payloads, repo: Path, cli: Cli
) -> None:
    (repo / "missions" / "tiny.md").write_text(
        """\
---
title: Tiny
owner: dana-lee
approvers: [Dana-Lee]
success_criteria: [Done]
tasks:
  - id: only
    title: The only task
    agent: shell
    with: {command: "true"}
---
""",
        encoding="utf-8",
    )
    cli("sync")
    cli("dispatch")
    cli("agent", "run", "tiny/only")
    cli("dispatch")
    mission = issue_number(gh_users, "tiny")
    event = event_payloads.write(event_payloads.post_comment(mission, "dana-lee", "/approve"))
    assert cli("dispatch", "--event", str(event)).startswith("event: tiny signed off by @dana-lee")
    assert gh_users.state.issues[mission].state == "closed"


def _to_signoff(gh: GitHubTestServer, repo: Path, cli: Cli, payloads: Payloads) -> int:
    """Run the flow up to awaiting sign-off; return the mission issue's number."""
    _review_closed_by_hand(gh, payloads, repo, cli)
    cli("agent", "run", "claims/publish")
    cli("dispatch")
    mission = issue_number(gh, "claims")
    assert "status:awaiting-signoff" in labels_of(gh, mission)
    return mission


def _close_by_hand(
    gh: GitHubTestServer, payloads: Payloads, cli: Cli, number: int, who: str
) -> str:
    """``who`` closes issue ``number``; the event job acts on it; return what it printed."""
    as_user(gh, who, "PATCH", f"/issues/{number}", {"state": "closed"})
    event = payloads.write(payloads.issues("closed", number, who))
    return cli("dispatch", "--event", str(event), "--event-only")


def test_closing_the_mission_issue_by_hand_is_a_sign_off_only_for_an_approver(
    gh_users: GitHubTestServer, event_payloads: Payloads, repo: Path, cli: Cli
) -> None:
    mission = _to_signoff(gh_users, repo, cli, event_payloads)
    out = _close_by_hand(gh_users, event_payloads, cli, mission, "alex-kim")
    assert out == "event: claims reopened: only the approvers of claims (dana-lee) sign it off\n"
    with gh_users.state.lock:
        assert gh_users.state.issues[mission].state == "open"
    assert "status:awaiting-signoff" in labels_of(gh_users, mission)
    assert comments_of(gh_users, mission)[-1][1].startswith(
        "@alex-kim this mission's issue stays open: only the approvers of claims (dana-lee) "
        "sign it off."
    )
    out = _close_by_hand(gh_users, event_payloads, cli, mission, "dana-lee")
    assert out == "event: claims signed off by @dana-lee\n"
    with gh_users.state.lock:
        assert gh_users.state.issues[mission].state == "closed"
    assert "status:awaiting-signoff" not in labels_of(gh_users, mission)
    assert ("awaiting-signoff", "closed", "dana-lee") in transitions(cli.log("claims"), "claims")


def test_closing_the_mission_issue_early_reopens_it(
    gh_users: GitHubTestServer, event_payloads: Payloads, repo: Path, cli: Cli
) -> None:
    (repo / "missions" / "claims.md").write_text(FLOW, encoding="utf-8")
    cli("sync")
    mission = issue_number(gh_users, "claims")
    out = _close_by_hand(gh_users, event_payloads, cli, mission, "dana-lee")
    assert out == "event: claims reopened: not every task is done yet\n"
    with gh_users.state.lock:
        assert gh_users.state.issues[mission].state == "open"
