"""Escalation and notifications on the local tracker, through a real webhook receiver and SMTP.

A failed agent (or failed checks) assigns the escalation targets, posts the context, and tells
the mission's channels once; after ``escalation.after`` it reminds them once more. A person's
task that becomes ready notifies its owner; a mission awaiting sign-off notifies its approvers.
The webhook URL is a secret: it never shows up in history, comments or output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from execution.conftest_channels import (
    WEBHOOK_SECRET,
    Channels,
    SlackReceiver,
    SmtpSink,
    run_cli,
)
from missionkit import clock
from missionkit.agents.base import Verdict
from missionkit.execution.actions import Refused, approve
from missionkit.execution.agentrun import run_agent_task
from missionkit.execution.dispatch import Dispatcher, DispatchResult
from missionkit.execution.notify import Notifier
from missionkit.execution.runner import RunOutcome
from missionkit.lifecycle import TaskEvent, TaskState
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.model import MISSION_AWAITING, MISSION_CLOSED, Event, Item, Key
from missionkit.tracking.plan import make_plan

# fixtures: slack_receiver, smtp_sink, notify_channels, gh_users, event_payloads, asking_agent
pytest_plugins = ["execution.conftest_channels"]

EMAILS = ("data-platform@example.org", "oncall@example.org")

HEAD = """\
---
title: Claims pipeline
owner: dana-lee
stakeholders: [sam-okafor]
approvers: [dana-lee, sam-okafor]
success_criteria: [Claims load daily]
escalation:
  to: [dana-lee, sam-okafor]
  after: 1h
  slack_webhook_env: SLACK_WEBHOOK_URL
  email: [data-platform@example.org, oncall@example.org]
"""

FAILING = (
    HEAD
    + """\
tasks:
  - id: load
    title: Load the claims extract
    agent: shell
    owner: alex-kim
    with: {command: "echo loading; exit 3"}
  - id: verify
    title: Verify the row counts
    agent: shell
    with: {command: "echo checked"}
    checks:
      - {name: counts file, file: counts.csv}
---
"""
)

PEOPLE = (
    HEAD
    + """\
tasks:
  - id: load
    title: Load the claims extract
    agent: shell
    with: {command: "echo loaded > claims.csv"}
    checks:
      - file: claims.csv
  - id: review
    title: Review the loaded claims
    owner: alex-kim
    depends_on: [load]
    acceptance:
      - Totals match the finance report
---
"""
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository checkout used as the working directory."""
    root = tmp_path / "repo"
    (root / "missions").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def tracker(repo: Path) -> Iterator[LocalTracker]:
    backend = LocalTracker(repo / ".missionkit" / "tracker.db")
    yield backend
    backend.close()


def load(repo: Path, text: str) -> Mission:
    (repo / "missions" / "claims.md").write_text(text, encoding="utf-8")
    return load_missions([repo / "missions"])[0]


def synced(repo: Path, tracker: LocalTracker, text: str) -> Mission:
    mission = load(repo, text)
    apply_plan(make_plan([mission], tracker), tracker)
    return mission


def item(tracker: LocalTracker, task: str = "") -> Item:
    found = tracker.get(Key("claims", task))
    assert found is not None
    return found


def escalations(tracker: LocalTracker, task: str) -> list[Event]:
    return [e for e in tracker.events(item(tracker, task)) if e.kind == "escalated"]


def dispatch(tracker: LocalTracker, mission: Mission) -> DispatchResult:
    return Dispatcher(tracker, Notifier()).run([mission])


def run(tracker: LocalTracker, mission: Mission, task: str, repo: Path) -> RunOutcome:
    outcome, moved = run_agent_task(tracker, Notifier(), mission, mission.task(task), repo)
    assert moved is not None
    return outcome


def at(moment: datetime) -> AbstractContextManager[Any]:
    """Freeze missionkit's clock at ``moment`` (the one process edge for time)."""
    return mock.patch("missionkit.clock.now", return_value=moment)


# ------------------------------------------------------------------------------------- failure


def test_a_failed_agent_assigns_comments_and_tells_every_channel_once(
    repo: Path, tracker: LocalTracker, notify_channels: Channels
) -> None:
    mission = synced(repo, tracker, FAILING)
    claimed = dispatch(tracker, mission).claimed
    assert [c.task for c in claimed] == ["load", "verify"]

    outcome = run(tracker, mission, "load", repo)

    assert outcome.verdict == Verdict.FAILED
    failed = item(tracker, "load")
    assert failed.state == TaskState.FAILED
    # the task owner first, then the mission's escalation targets
    assert failed.assignees == {"alex-kim", "dana-lee", "sam-okafor"}
    comments = tracker.comments(failed)
    assert [c.author for c in comments] == ["missionkit-agent", "missionkit-agent"]
    assert comments[0].body.startswith("### ❌ `load`: failed\n")
    assert "`echo loading; exit 3` failed with exit code 3." in comments[0].body
    context = (
        "- agent shell failed: `echo loading; exit 3` failed with exit code 3: loading\n"
        f"\nRun folder: `{outcome.run_dir}`"
    )
    assert comments[1].body == (
        "@alex-kim @dana-lee @sam-okafor — **Load the claims extract** failed.\n"
        "\n"
        f"{context}\n"
        "\n"
        "Fix the cause, then comment `/retry` (or run `mission retry claims/load`), "
        "or close this issue if a person finished the task.\n"
    )

    [message] = notify_channels.slack.messages
    assert message.content_type == "application/json"
    assert message.text == (
        "*Claims pipeline* — load failed (@alex-kim, @dana-lee, @sam-okafor)\n\n"
        f"{context.strip()}\n\n"
        "<local:claims/load|Open in the tracker>"
    )

    [mail] = notify_channels.smtp.mails
    assert mail.rcpt_tos == EMAILS
    assert mail.subject == "[claims] load failed"
    assert mail.message["To"] == ", ".join(EMAILS)
    assert mail.message["From"] == "missionkit@acme.example"
    assert mail.text.startswith(
        "load failed\n\n"
        "Mission: Claims pipeline (claims), owner dana-lee\n"
        "For: alex-kim, dana-lee, sam-okafor\n\n"
        f"{context}\n\n"
        "local:claims/load\n\n"
        "-- \nSent by missionkit for the mission's escalation settings.\n"
    )

    [event] = escalations(tracker, "load")
    assert (event.actor, event.from_state, event.to_state) == ("missionkit-agent", None, None)
    assert event.reason == (
        "escalated to alex-kim, dana-lee, sam-okafor: slack: sent (200); email: sent to 2"
    )
    # the other task is untouched: nothing was said about it
    assert escalations(tracker, "verify") == []


def test_failed_checks_escalate_with_the_check_that_failed(
    repo: Path, tracker: LocalTracker, notify_channels: Channels
) -> None:
    mission = synced(repo, tracker, FAILING)
    dispatch(tracker, mission)

    outcome = run(tracker, mission, "verify", repo)

    assert outcome.verdict == Verdict.FAILED
    assert outcome.reasons == ("check failed: counts file (counts.csv does not exist)",)
    failed = item(tracker, "verify")
    assert failed.state == TaskState.FAILED
    # no task owner: the escalation targets only (sam-okafor was not assigned by sync)
    assert failed.assignees == {"dana-lee", "sam-okafor"}
    note = tracker.comments(failed)[-1].body
    assert note.startswith("@dana-lee @sam-okafor — **Verify the row counts** failed.\n\n")
    assert "- check failed: counts file (counts.csv does not exist)\n" in note
    [message] = notify_channels.slack.texts()
    assert message.startswith("*Claims pipeline* — verify failed (@dana-lee, @sam-okafor)\n\n- ")
    assert "- check failed: counts file (counts.csv does not exist)" in message
    assert [m.subject for m in notify_channels.smtp.mails] == ["[claims] verify failed"]
    assert [e.reason for e in escalations(tracker, "verify")] == [
        "escalated to dana-lee, sam-okafor: slack: sent (200); email: sent to 2"
    ]


def test_a_failed_task_is_reminded_once_per_escalation_period(
    repo: Path, tracker: LocalTracker, notify_channels: Channels
) -> None:
    mission = synced(repo, tracker, FAILING)
    dispatch(tracker, mission)
    start = clock.now()
    with at(start):
        run(tracker, mission, "load", repo)
        run(tracker, mission, "verify", repo)
    assert len(notify_channels.slack.messages) == 2
    assert len(notify_channels.smtp.mails) == 2

    # within `after` (1h): the dispatcher says nothing more
    with at(start + timedelta(minutes=59)):
        result = dispatch(tracker, mission)
    assert result.lines == []
    assert len(notify_channels.slack.messages) == 2

    # past `after`: one reminder per failed task, on every channel
    later = start + timedelta(hours=1, minutes=1)
    with at(later):
        result = dispatch(tracker, mission)
    assert result.lines == [
        "claims/load: re-escalated (failed)",
        "claims/verify: re-escalated (failed)",
    ]
    assert [m.subject for m in notify_channels.smtp.mails] == [
        "[claims] load failed",
        "[claims] verify failed",
        "[claims] load failed (reminder)",
        "[claims] verify failed (reminder)",
    ]
    reminder = notify_channels.slack.texts()[2]
    since = f"{start:%Y-%m-%d %H:%M}"
    assert reminder == (
        "*Claims pipeline* — load failed (reminder) (@alex-kim, @dana-lee, @sam-okafor)\n\n"
        f"`claims/load` has been failed since {since} UTC.\n\n"
        "<local:claims/load|Open in the tracker>"
    )
    note = tracker.comments(item(tracker, "load"))[-1]
    assert note.author == "missionkit-dispatch"
    assert note.body.startswith("⏰ **Reminder:** still waiting.")
    assert (
        "@alex-kim @dana-lee @sam-okafor — **Load the claims extract** failed.\n\n"
        f"`claims/load` has been failed since {since} UTC.\n\n"
        "Fix the cause, then comment `/retry`"
    ) in note.body
    events = escalations(tracker, "load")
    assert [(e.actor, e.reason) for e in events] == [
        (
            "missionkit-agent",
            "escalated to alex-kim, dana-lee, sam-okafor: slack: sent (200); email: sent to 2",
        ),
        (
            "missionkit-dispatch",
            "re-escalated to alex-kim, dana-lee, sam-okafor: slack: sent (200); email: sent to 2",
        ),
    ]
    assert events[1].at == later

    # run again right away, and again before another full period: no third message
    for moment in (later, later + timedelta(minutes=59)):
        with at(moment):
            assert dispatch(tracker, mission).lines == []
    assert len(notify_channels.slack.messages) == 4
    assert len(notify_channels.smtp.mails) == 4

    # a full period after the reminder, a second reminder
    with at(later + timedelta(hours=1)):
        assert dispatch(tracker, mission).lines == [
            "claims/load: re-escalated (failed)",
            "claims/verify: re-escalated (failed)",
        ]
    assert len(notify_channels.slack.messages) == 6
    assert len(escalations(tracker, "load")) == 3


def test_a_reminder_puts_its_mentions_on_their_own_line(
    repo: Path, tracker: LocalTracker, notify_channels: Channels
) -> None:
    mission = synced(repo, tracker, FAILING)
    dispatch(tracker, mission)
    start = clock.now()
    with at(start):
        run(tracker, mission, "load", repo)
    with at(start + timedelta(hours=2)):
        dispatch(tracker, mission)
    note = tracker.comments(item(tracker, "load"))[-1].body
    assert note.startswith(
        "⏰ **Reminder:** still waiting.\n\n"
        "@alex-kim @dana-lee @sam-okafor — **Load the claims extract** failed.\n"
    )


def test_an_agent_question_is_escalated_as_needing_a_person(
    repo: Path, tracker: LocalTracker, notify_channels: Channels, asking_agent: str
) -> None:
    mission = synced(
        repo,
        tracker,
        HEAD
        + f"""\
tasks:
  - id: map
    title: Map the claim fields
    agent: {asking_agent}
    owner: alex-kim
    with: {{question: "Is CLM_ID the claim key?"}}
---
""",
    )
    dispatch(tracker, mission)
    start = clock.now()
    with at(start):
        outcome = run(tracker, mission, "map", repo)

    assert outcome.verdict == Verdict.NEEDS_HUMAN
    asked = item(tracker, "map")
    assert asked.state == TaskState.NEEDS_HUMAN
    assert asked.assignees == {"alex-kim", "dana-lee", "sam-okafor"}
    assert tracker.comments(asked)[-1].body == (
        "@alex-kim @dana-lee @sam-okafor — the `ask` agent needs a person to go on with "
        "**Map the claim fields**.\n"
        "\n"
        "Is CLM_ID the claim key?\n"
        "\n"
        'Answer with a comment starting `/answer …` (or `mission answer claims/map "…"`); '
        "the agent then runs again with your answer.\n"
    )
    assert notify_channels.slack.texts() == [
        "*Claims pipeline* — map needs a person (@alex-kim, @dana-lee, @sam-okafor)\n\n"
        "Is CLM_ID the claim key?\n\n"
        "<local:claims/map|Open in the tracker>"
    ]
    assert [m.subject for m in notify_channels.smtp.mails] == ["[claims] map needs a person"]

    with at(start + timedelta(minutes=61)):
        assert dispatch(tracker, mission).lines == ["claims/map: re-escalated (needs-human)"]
    assert [m.subject for m in notify_channels.smtp.mails] == [
        "[claims] map needs a person",
        "[claims] map needs a person (reminder)",
    ]
    assert len(notify_channels.slack.messages) == 2


# ------------------------------------------------------------------------------------- channels


def test_a_channel_whose_secret_is_not_set_is_skipped_and_said_so(
    repo: Path, tracker: LocalTracker, notify_channels: Channels, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLACK_WEBHOOK_URL")
    mission = synced(repo, tracker, FAILING)
    dispatch(tracker, mission)

    run(tracker, mission, "load", repo)

    assert notify_channels.slack.messages == []
    assert [m.subject for m in notify_channels.smtp.mails] == ["[claims] load failed"]
    assert [e.reason for e in escalations(tracker, "load")] == [
        "escalated to alex-kim, dana-lee, sam-okafor: "
        "slack: skipped, SLACK_WEBHOOK_URL is not set; email: sent to 2"
    ]
    # the person is still assigned and told on the tracker
    assert item(tracker, "load").assignees == {"alex-kim", "dana-lee", "sam-okafor"}


def test_without_smtp_or_channels_the_reason_says_what_was_not_sent(
    repo: Path,
    tracker: LocalTracker,
    slack_receiver: SlackReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_receiver.url)
    monkeypatch.delenv("MISSIONKIT_SMTP_HOST", raising=False)
    bare = FAILING.replace(
        "  slack_webhook_env: SLACK_WEBHOOK_URL\n"
        "  email: [data-platform@example.org, oncall@example.org]\n",
        "",
    )
    mission = synced(repo, tracker, FAILING)
    dispatch(tracker, mission)
    run(tracker, mission, "load", repo)
    assert [e.reason for e in escalations(tracker, "load")] == [
        "escalated to alex-kim, dana-lee, sam-okafor: "
        "slack: sent (200); email: skipped, MISSIONKIT_SMTP_HOST is not set"
    ]

    unconfigured = synced(repo, tracker, bare)
    run(tracker, unconfigured, "verify", repo)
    assert [e.reason for e in escalations(tracker, "verify")] == [
        "escalated to dana-lee, sam-okafor: slack: not configured; email: not configured"
    ]
    assert len(slack_receiver.messages) == 1


def test_an_unreachable_webhook_fails_that_channel_only(
    repo: Path, tracker: LocalTracker, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = SlackReceiver()  # never started: its port refuses connections
    url = receiver.url
    receiver.stop()
    monkeypatch.setenv("SLACK_WEBHOOK_URL", url)
    monkeypatch.setenv("MISSIONKIT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MISSIONKIT_SMTP_PORT", str(smtp_sink.port))
    mission = synced(repo, tracker, FAILING)
    dispatch(tracker, mission)

    run(tracker, mission, "load", repo)

    assert [e.reason for e in escalations(tracker, "load")] == [
        "escalated to alex-kim, dana-lee, sam-okafor: slack: failed (URLError); email: sent to 2"
    ]
    assert [m.subject for m in smtp_sink.mails] == ["[claims] load failed"]


def test_the_webhook_url_never_shows_in_history_comments_or_output(
    repo: Path, notify_channels: Channels, capsys: pytest.CaptureFixture[str]
) -> None:
    load(repo, FAILING)
    printed: list[str] = []
    for args in (
        ["sync"],
        ["dispatch"],
        ["agent", "run", "claims/load"],
        ["agent", "run", "claims/verify"],
        ["dispatch"],
    ):
        printed.append(run_cli(capsys, *args).out)
    with at(clock.now() + timedelta(hours=2)):
        reminded = run_cli(capsys, "dispatch")
    assert reminded.out == (
        "claims/load: re-escalated (failed)\nclaims/verify: re-escalated (failed)\n"
    )
    printed.append(reminded.out + reminded.err)
    for args in (["log", "claims"], ["log", "claims", "--json"], ["status", "--json"]):
        result = run_cli(capsys, *args)
        assert result.code == 0
        printed.append(result.out + result.err)

    # the channels were used: the URL was read and posted to
    assert len(notify_channels.slack.messages) == 4
    assert len(notify_channels.smtp.mails) == 4
    tracker = LocalTracker(repo / ".missionkit" / "tracker.db")
    try:
        stored = [e.reason for e in tracker.history("claims")]
        stored += [c.body for i in tracker.read("claims") for c in tracker.comments(i)]
    finally:
        tracker.close()
    assert any("slack: sent (200)" in reason for reason in stored)
    runs = [p.read_text() for p in (repo / ".missionkit" / "runs").rglob("*") if p.is_file()]
    everything = [*printed, *stored, *runs, *(m.text for m in notify_channels.smtp.mails)]
    everything += [json.dumps(m.body) for m in notify_channels.slack.messages]
    for text in everything:
        assert WEBHOOK_SECRET not in text
        assert notify_channels.slack.url not in text


def test_a_malformed_webhook_url_fails_the_channel_without_crashing_or_leaking(
    repo: Path,
    smtp_sink: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret_url = f"hooks.slack.example/services/T0001/B0002/{WEBHOOK_SECRET}"  # no https://
    monkeypatch.setenv("SLACK_WEBHOOK_URL", secret_url)
    monkeypatch.setenv("MISSIONKIT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MISSIONKIT_SMTP_PORT", str(smtp_sink.port))
    load(repo, FAILING)
    assert run_cli(capsys, "sync").code == 0
    assert run_cli(capsys, "dispatch").code == 0

    result = run_cli(capsys, "agent", "run", "claims/load")

    assert WEBHOOK_SECRET not in result.out + result.err
    assert result.code == 1  # the task failed; the run itself did not crash
    log = run_cli(capsys, "log", "claims", "--json")
    reasons = [e["reason"] for e in json.loads(log.out) if e["kind"] == "escalated"]
    assert reasons == [
        "escalated to alex-kim, dana-lee, sam-okafor: slack: failed (ValueError); email: sent to 2"
    ]
    assert run_cli(capsys, "dispatch").code == 0


# ------------------------------------------------------------------------------------- people


def test_a_person_task_that_becomes_ready_notifies_its_owner(
    repo: Path, tracker: LocalTracker, notify_channels: Channels
) -> None:
    mission = synced(repo, tracker, PEOPLE)
    first = dispatch(tracker, mission)
    assert first.lines == [
        "claims/load: ready (no dependencies)",
        "claims/load: claimed for agent shell",
    ]
    assert item(tracker, "review").state == TaskState.BLOCKED
    run(tracker, mission, "load", repo)
    # a success and a blocked person's task tell nobody anything
    assert notify_channels.slack.messages == []
    assert notify_channels.smtp.mails == []
    assert tracker.comments(item(tracker, "review")) == []

    result = dispatch(tracker, mission)

    assert result.lines == [
        "claims/review: ready (all dependencies done)",
        "claims/review: @alex-kim notified (slack: sent (200); email: sent to 2)",
    ]
    review = item(tracker, "review")
    assert review.state == TaskState.READY
    assert "alex-kim" in review.assignees
    text = (
        "@alex-kim — **Review the loaded claims** is ready for you: every task it waits on "
        "is done.\n"
        "\n"
        "Done when:\n"
        "- [ ] Totals match the finance report\n"
        "\n"
        "Close this issue as completed when it is done (or run `mission done claims/review`).\n"
    )
    [comment] = tracker.comments(review)
    assert (comment.author, comment.body) == ("missionkit-dispatch", text)
    assert notify_channels.slack.texts() == [
        "*Claims pipeline* — review is ready for @alex-kim (@alex-kim)\n\n"
        + text.strip()
        + "\n\n<local:claims/review|Open in the tracker>"
    ]
    [mail] = notify_channels.smtp.mails
    assert mail.subject == "[claims] review is ready for @alex-kim"
    assert mail.rcpt_tos == EMAILS
    assert "For: alex-kim\n" in mail.text

    # ready stays ready: nobody is told twice
    assert dispatch(tracker, mission).lines == []
    assert len(notify_channels.slack.messages) == 1
    assert len(tracker.comments(review)) == 1


def test_a_mission_awaiting_sign_off_notifies_its_approvers(
    repo: Path, tracker: LocalTracker, notify_channels: Channels
) -> None:
    mission = synced(repo, tracker, PEOPLE)
    dispatch(tracker, mission)
    run(tracker, mission, "load", repo)
    dispatch(tracker, mission)
    tracker.transition(item(tracker, "review"), TaskEvent.COMPLETE, "alex-kim", "reviewed")
    before = len(notify_channels.slack.messages)

    result = dispatch(tracker, mission)

    assert result.lines == [
        "claims: awaiting sign-off by dana-lee, sam-okafor (slack: sent (200); email: sent to 2)"
    ]
    top = item(tracker)
    assert top.state == MISSION_AWAITING
    assert "status:awaiting-signoff" in top.labels
    assert {"dana-lee", "sam-okafor"} <= top.assignees
    text = (
        "@dana-lee @sam-okafor — every task of **Claims pipeline** is done. "
        "Please check the success criteria and sign off:\n"
        "\n"
        "- [ ] Claims load daily\n"
        "\n"
        "Comment `/approve` to sign off (or run `mission approve claims`).\n"
    )
    assert [c.body for c in tracker.comments(top)] == [text]
    assert notify_channels.slack.texts()[before:] == [
        "*Claims pipeline* — ready for sign-off (@dana-lee, @sam-okafor)\n\n"
        + text.strip()
        + "\n\n<local:claims|Open in the tracker>"
    ]
    assert notify_channels.smtp.mails[-1].subject == "[claims] ready for sign-off"
    assert "For: dana-lee, sam-okafor\n" in notify_channels.smtp.mails[-1].text
    assert dispatch(tracker, mission).lines == []  # said once

    # someone who is not an approver cannot sign off; an approver can, and everyone hears
    with pytest.raises(
        Refused, match=r"^alex-kim may not sign off claims; approvers: dana-lee, sam-okafor$"
    ):
        approve(tracker, Notifier(), mission, "alex-kim")
    assert item(tracker).state == MISSION_AWAITING
    closed = approve(tracker, Notifier(), mission, "sam-okafor")
    assert closed.state == MISSION_CLOSED
    assert notify_channels.slack.texts()[-1] == (
        "*Claims pipeline* — signed off by sam-okafor (@sam-okafor)\n\n"
        "Claims pipeline is closed: sam-okafor signed it off.\n\n"
        "<local:claims|Open in the tracker>"
    )
    assert notify_channels.smtp.mails[-1].subject == "[claims] signed off by sam-okafor"
