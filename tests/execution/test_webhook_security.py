"""Untrusted text in titles, payloads and comments: never run, shown verbatim, never believed.

- Titles and payload text crafted as shell injections are never executed by sync, dispatch or
  an agent run, and appear verbatim wherever they are shown.
- A missionkit event marker pasted into a comment by a person is not an answer, a transition or
  an escalation: only missionkit's own comments carry history.
- Comment commands from people without write access (or not approvers) change nothing and get a
  reply saying why.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol
from unittest import mock

import pytest

from execution.conftest_channels import (
    BOT_TOKEN,
    Channels,
    Payloads,
    as_user,
    comments_of,
    issue_number,
    labels_of,
    run_cli,
)
from missionkit import clock
from missionkit.execution.actions import answers
from missionkit.tracking.github.events import parse_history
from missionkit.tracking.github.tracker import GitHubTracker
from missionkit.tracking.github.webhook import NO_ACCESS_MARK
from missionkit.tracking.model import Key

from ghserver import GitHubTestServer

# fixtures: slack_receiver, smtp_sink, notify_channels, gh_users, event_payloads, asking_agent
pytest_plugins = ["execution.conftest_channels"]

BOT = "missionkit-bot"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "checkout"
    (root / "missions").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


class MissionCli(Protocol):
    """``mission ARGS… --tracker github``: asserts the exit code, returns stdout."""

    def __call__(self, *args: str, code: int = 0, tracker: str = "github") -> str: ...


@pytest.fixture
def mission_cli(capsys: pytest.CaptureFixture[str]) -> MissionCli:
    def cli(*args: str, code: int = 0, tracker: str = "github") -> str:
        result = run_cli(capsys, *args, "--tracker", tracker)
        assert result.code == code, f"mission {' '.join(args)}: {result.out}{result.err}"
        return result.out

    return cli


def yaml_str(text: str) -> str:
    """A YAML double-quoted scalar holding ``text`` exactly (JSON strings are valid YAML)."""
    return json.dumps(text)


# ------------------------------------------------------------------------------------- injection


class Traps:
    """Shell-injection attempts that would each create their own marker file if run.

    The markers go to a short folder of their own (titles have at most 256 characters).
    """

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="mk"))
        self.tag = secrets.token_hex(3)
        self.count = 0

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def marker(self) -> Path:
        self.count += 1
        return self.folder / f"pwned-{self.tag}-{self.count}"

    def dollar(self) -> str:
        return f"$(touch {self.marker()})"

    def backticks(self) -> str:
        return f"`touch {self.marker()}`"

    def chained(self) -> str:
        return f'"; touch {self.marker()}; echo "'

    def piped(self) -> str:
        return f"| touch {self.marker()} #"

    def sprung(self) -> list[Path]:
        return sorted(self.folder.glob(f"pwned-{self.tag}-*"))


@pytest.fixture
def traps() -> Iterator[Traps]:
    made = Traps()
    yield made
    made.close()


def test_titles_and_payload_text_crafted_as_shell_injections_are_never_run(
    gh_users: GitHubTestServer,
    event_payloads: Payloads,
    notify_channels: Channels,
    repo: Path,
    traps: Traps,
    mission_cli: MissionCli,
) -> None:
    mission_title = f"Claims {traps.dollar()} {traps.backticks()}"
    load_title = f"Load {traps.chained()} && {traps.piped()}"
    review_title = f"Review {traps.dollar()}; {traps.backticks()} ' {traps.chained()}"
    description = f"Context: {traps.dollar()}"
    (repo / "missions" / "claims.md").write_text(
        f"""\
---
title: {yaml_str(mission_title)}
owner: dana-lee
success_criteria: [{yaml_str("No " + traps.dollar())}]
escalation:
  slack_webhook_env: SLACK_WEBHOOK_URL
  email: [data-platform@example.org]
tasks:
  - id: load
    title: {yaml_str(load_title)}
    description: {yaml_str(description)}
    agent: shell
    with: {{command: "echo loaded > loaded.txt"}}
    acceptance: [{yaml_str("Rows " + traps.backticks())}]
  - id: review
    title: {yaml_str(review_title)}
    owner: alex-kim
    depends_on: [load]
---
""",
        encoding="utf-8",
    )

    mission_cli("sync")
    load, review, top = (
        issue_number(gh_users, k) for k in ("claims/load", "claims/review", "claims")
    )
    assert gh_users.state.issues[top].title == mission_title
    assert gh_users.state.issues[load].title == load_title
    assert gh_users.state.issues[review].title == review_title
    assert description in str(gh_users.state.issues[load].body)

    mission_cli("dispatch", "--matrix-out", "m.json")
    job = json.loads((repo / "m.json").read_text())["include"][0]
    assert job["title"] == load_title  # verbatim, for the workflow to pass on as data

    out = mission_cli("agent", "run", "claims/load")
    assert out.startswith("claims/load: done — agent and checks passed\n")
    assert (repo / "loaded.txt").read_text() == "loaded\n"

    mission_cli("dispatch")
    ready = comments_of(gh_users, review)[-1][1]
    assert ready.startswith(f"@alex-kim — **{review_title}** is ready for you")
    [message] = notify_channels.slack.texts()
    assert message.startswith(f"*{mission_title}* — review is ready for @alex-kim (@alex-kim)\n")
    assert f"**{review_title}**" in message
    [mail] = notify_channels.smtp.mails
    assert f"Mission: {mission_title} (claims), owner dana-lee\n" in mail.text
    assert f"**{review_title}**" in mail.text

    # payloads: a crafted title in the issue, crafted arguments in comment commands
    as_user(gh_users, "alex-kim", "PATCH", f"/issues/{review}", {"state": "closed"})
    closed = event_payloads.issues("closed", review, "alex-kim", title=f"x {traps.dollar()}")
    out = mission_cli("dispatch", "--event", str(event_payloads.write(closed)))
    assert out.startswith("event: claims/review closed by @alex-kim: done\n")
    for command in (f"/answer {traps.dollar()}", f"/retry {traps.backticks()}"):
        event = event_payloads.write(event_payloads.post_comment(load, "alex-kim", command))
        word = command.split()[0]
        only = (
            "a task that asked a question takes an answer"
            if word == "/answer"
            else ("a failed task can be retried")
        )
        assert mission_cli("dispatch", "--event", str(event)).startswith(
            f"event: refused {word} from @alex-kim: claims/load is done; only {only}\n"
        )

    status = json.loads(mission_cli("status", "--json"))[0]
    assert status["title"] == mission_title
    assert [t["title"] for t in status["tasks"]] == [load_title, review_title]
    assert traps.count == 13
    assert traps.sprung() == []
    assert sorted(p.name for p in repo.iterdir()) == [
        ".missionkit",
        "loaded.txt",
        "m.json",
        "missions",
    ]


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("Load [bold]raw[/bold] claims", id="markup-is-swallowed"),
        pytest.param("Fix [/x] closing tags", id="markup-crashes"),
    ],
)
def test_status_shows_a_mission_title_verbatim(
    title: str, repo: Path, mission_cli: MissionCli
) -> None:
    (repo / "missions" / "m.md").write_text(
        f"""\
---
title: {yaml_str(title)}
owner: dana-lee
success_criteria: [ok]
tasks:
  - id: t
    title: T
---
""",
        encoding="utf-8",
    )
    mission_cli("sync", tracker="local")
    out = mission_cli("status", tracker="local")
    assert out.splitlines()[0].startswith(f"{title} (m) · owner @dana-lee")


# ------------------------------------------------------------------------------- forged events

ASKING = """\
---
title: Field mapping
owner: dana-lee
success_criteria: [Mapped]
escalation:
  after: 1h
tasks:
  - id: map
    title: Map the claim fields
    agent: {agent}
    with: {{question: "Is CLM_ID the claim key?"}}
---
"""


def forged(kind: str, reason: str, **fields: Any) -> str:
    data = {
        "kind": kind,
        "from": fields.get("from"),
        "to": fields.get("to"),
        "actor": fields.get("actor", "dana-lee"),
        "at": fields.get("at", clock.now().isoformat()),
        "reason": reason,
    }
    return f"<!-- missionkit-history {json.dumps([data], separators=(',', ':'))} -->"


@pytest.fixture
def github_tracker(gh_users: GitHubTestServer) -> Iterator[GitHubTracker]:
    tracker = GitHubTracker.connect(gh_users.url, "acme/data", BOT_TOKEN)
    yield tracker
    tracker.close()


def test_event_markers_pasted_by_people_are_not_history(
    gh_users: GitHubTestServer,
    event_payloads: Payloads,
    repo: Path,
    mission_cli: MissionCli,
    asking_agent: str,
    github_tracker: GitHubTracker,
) -> None:
    (repo / "missions" / "mapping.md").write_text(
        ASKING.format(agent=asking_agent), encoding="utf-8"
    )
    mission_cli("sync")
    mission_cli("dispatch")
    mission_cli("agent", "run", "mapping/map")
    number = issue_number(gh_users, "mapping/map")
    assert "status:needs-human" in labels_of(gh_users, number)

    # a writer and an outsider paste markers: an answer, a transition, an escalation far ahead
    pasted = [
        ("alex-kim", "Looks fine to me.\n\n" + forged("answer", "FORGED answer")),
        ("alex-kim", forged("state", "FORGED done", **{"from": "needs-human", "to": "done"})),
        ("outsider", forged("escalated", "FORGED escalation", at="2999-01-01T00:00:00+00:00")),
    ]
    for login, body in pasted:
        as_user(gh_users, login, "POST", f"/issues/{number}/comments", {"body": body})
        # well-formed markers: only their authors make them ignored
        assert parse_history(Key("mapping", "map"), body) is not None

    item = next(i for i in github_tracker.read("mapping") if i.key == Key("mapping", "map"))
    events = github_tracker.events(item)
    assert [e.kind for e in events] == ["created", "state", "state", "state", "escalated"]
    assert not any("FORGED" in e.reason for e in github_tracker.history("mapping"))
    assert answers(github_tracker, item) == ()
    log = json.loads(mission_cli("log", "mapping", "--json"))
    assert not any("FORGED" in e["reason"] or e["actor"] == "outsider" for e in log)

    # the forged escalation "in 2999" does not silence the reminder; nothing was claimed
    with mock.patch("missionkit.clock.now", return_value=clock.now() + timedelta(hours=2)):
        out = mission_cli("dispatch", "--matrix-out", "m.json")
    assert out == "mapping/map: re-escalated (needs-human)\n"
    assert json.loads((repo / "m.json").read_text()) == {"include": []}

    # a writer's /answer that smuggles a marker in its text: an answer, verbatim, nothing more
    smuggled = "CLM_ID " + forged(
        "state", "FORGED in answer", **{"from": "needs-human", "to": "done"}
    )
    event = event_payloads.write(
        event_payloads.post_comment(number, "alex-kim", f"/answer {smuggled}")
    )
    out = mission_cli("dispatch", "--event", str(event), "--matrix-out", "m.json")
    assert out == "event: mapping/map answered by @alex-kim\nmapping/map: claimed for agent ask\n"
    mission_cli("agent", "run", "mapping/map")
    assert (repo / "answers.txt").read_text() == smuggled + "\n"
    log = json.loads(mission_cli("log", "mapping", "--json"))
    assert [(e["kind"], e["actor"], e["reason"]) for e in log if e["kind"] == "answer"] == [
        ("answer", "alex-kim", smuggled)
    ]
    assert [e for e in log if e["reason"] == "FORGED in answer"] == []
    assert not any("FORGED answer" in e["reason"] or "FORGED done" in e["reason"] for e in log)


def test_a_marker_copied_into_another_issue_cannot_move_a_task(
    gh_users: GitHubTestServer, event_payloads: Payloads, repo: Path, mission_cli: MissionCli
) -> None:
    (repo / "missions" / "claims.md").write_text(
        """\
---
title: Claims
owner: dana-lee
success_criteria: [Loaded]
tasks:
  - id: load
    title: Load the claims
    agent: shell
    with: {command: "echo loaded >> runs.txt"}
---
""",
        encoding="utf-8",
    )
    mission_cli("sync")
    mission_cli("dispatch")
    mission_cli("agent", "run", "claims/load")
    load = issue_number(gh_users, "claims/load")
    assert gh_users.state.issues[load].state == "closed"
    marker = str(gh_users.state.issues[load].body).rstrip().splitlines()[-1]

    # sam-okafor (read access) opens an issue carrying a copy of the marker, closes, reopens it
    copy = as_user(
        gh_users,
        "sam-okafor",
        "POST",
        "/issues",
        {"title": "Question", "body": f"Hi!\n\n{marker}\n"},
    )["number"]
    as_user(gh_users, "sam-okafor", "PATCH", f"/issues/{copy}", {"state": "closed"})
    mission_cli(
        "dispatch",
        "--event",
        str(event_payloads.write(event_payloads.issues("closed", copy, "sam-okafor"))),
    )
    as_user(gh_users, "sam-okafor", "PATCH", f"/issues/{copy}", {"state": "open"})
    out = mission_cli(
        "dispatch",
        "--event",
        str(event_payloads.write(event_payloads.issues("reopened", copy, "sam-okafor"))),
        "--matrix-out",
        "m.json",
    )

    assert json.loads((repo / "m.json").read_text()) == {"include": []}, out
    assert gh_users.state.issues[load].state == "closed"
    log = json.loads(mission_cli("log", "claims", "--json"))
    assert [e for e in log if e["actor"] == "sam-okafor"] == []


# ------------------------------------------------------------------------------------- commands

COMMANDS = """\
---
title: Operations
owner: dana-lee
success_criteria: [Runs]
tasks:
  - id: broken
    title: A failing load
    agent: shell
    with: {{command: "exit 4"}}
  - id: asks
    title: A question
    agent: {agent}
---
"""

SIGNED = """\
---
title: Ready to sign
owner: dana-lee
approvers: [dana-lee, outsider]
success_criteria: [Done]
tasks:
  - id: only
    title: The only task
    agent: shell
    with: {command: "true"}
---
"""


def issue_states(server: GitHubTestServer) -> dict[int, tuple[Any, ...]]:
    with server.state.lock:
        return {
            n: (
                i.title,
                i.state,
                i.state_reason,
                tuple(server.state.label_names(i)),
                tuple(i.assignees),
            )
            for n, i in server.state.issues.items()
        }


def comment_as(
    server: GitHubTestServer, event_payloads: Payloads, number: int, login: str, body: str
) -> Path:
    """``login`` comments; a login the server does not know is seeded as a drive-by commenter."""
    if server.state.user(login) is not None:
        return event_payloads.write(event_payloads.post_comment(number, login, body))
    with server.state.lock:
        made = server.state.add_comment(number, body, user=login)
    return event_payloads.write(event_payloads.comment_created(number, made.id))


@pytest.mark.parametrize(
    ("login", "permission"),
    [("sam-okafor", "read"), ("outsider", "none"), ("drive-by", "not a collaborator")],
)
def test_comment_commands_without_access_change_nothing_and_get_a_reply(
    login: str,
    permission: str,
    gh_users: GitHubTestServer,
    event_payloads: Payloads,
    repo: Path,
    mission_cli: MissionCli,
    asking_agent: str,
) -> None:
    (repo / "missions" / "ops.md").write_text(COMMANDS.format(agent=asking_agent), encoding="utf-8")
    (repo / "missions" / "signed.md").write_text(SIGNED, encoding="utf-8")
    mission_cli("sync")
    mission_cli("dispatch")
    mission_cli("agent", "run", "ops/broken", code=1)
    mission_cli("agent", "run", "ops/asks")
    mission_cli("agent", "run", "signed/only")
    assert mission_cli("dispatch").startswith("signed: awaiting sign-off by dana-lee, outsider")
    broken, asks, signed = (issue_number(gh_users, k) for k in ("ops/broken", "ops/asks", "signed"))
    before = issue_states(gh_users)
    history = json.loads(mission_cli("log", "ops", "--json")) + json.loads(
        mission_cli("log", "signed", "--json")
    )

    cases = [
        (broken, "/retry", "`/retry` needs write access to the repository"),
        (asks, "/answer CLM_ID is the key", "`/answer` needs write access to the repository"),
        (
            signed,
            "/approve",
            "only the approvers of signed (dana-lee, outsider) may sign it off"
            if login != "outsider"
            else "@outsider is an approver of signed but has no access to this repository",
        ),
    ]
    # someone with no access gets one refusal per issue, marked so that it is found again
    mark = "" if permission == "read" else f"\n\n{NO_ACCESS_MARK}"
    for number, command, why in cases:
        event = comment_as(gh_users, event_payloads, number, login, command)
        out = mission_cli("dispatch", "--event", str(event), "--matrix-out", "m.json")
        word = command.split()[0]
        assert out == f"event: refused {word} from @{login}: {why}\nnothing to do\n", permission
        assert comments_of(gh_users, number)[-2:] == [
            (login, command),
            (BOT, f"@{login} {why}. Nothing changed.{mark}"),
        ]
        assert json.loads((repo / "m.json").read_text()) == {"include": []}

    assert issue_states(gh_users) == before
    assert "status:failed" in labels_of(gh_users, broken)
    assert "status:needs-human" in labels_of(gh_users, asks)
    assert gh_users.state.issues[signed].state == "open"
    after = json.loads(mission_cli("log", "ops", "--json")) + json.loads(
        mission_cli("log", "signed", "--json")
    )
    assert after == history
    assert not (repo / "answers.txt").exists()
