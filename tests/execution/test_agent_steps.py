"""``mission agent prepare`` / ``run --execute-only`` / ``record``: the outcome files are
checked as untrusted data, and anything wrong with them records a failed task, not a crash."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from missionkit.cli.main import main
from missionkit.execution.dispatch import Dispatcher
from missionkit.execution.notify import Notifier
from missionkit.llm.budget import REQUEST
from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.plan import make_plan

from llmserver import ChatServer
from support import HEAD

MISSION = (
    HEAD
    + """tasks:
  - id: build
    title: Build
    agent: shell
    with: {command: "echo built > built.txt"}
    checks: [{file: built.txt}]
---
"""
)


@pytest.fixture
def claimed(write_mission: Callable[[str, str], Path], local: LocalTracker) -> LocalTracker:
    write_mission("m", MISSION)
    missions = load_missions(["missions"])
    apply_plan(make_plan(missions, local), local)
    Dispatcher(local, Notifier({}), claimer="host:1").run(missions)
    return local


def _state(tracker: LocalTracker) -> str:
    (item,) = [i for i in tracker.read("m") if i.key.task == "build"]
    return item.state


def test_the_three_steps_record_the_outcome(
    claimed: LocalTracker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "handoff"
    assert main(["agent", "prepare", "m/build", "--out", str(out)]) == 0
    assert main(["agent", "run", "m/build", "--execute-only", "--out", str(out)]) == 0
    assert _state(claimed) == "running", "the execute step records nothing"
    outcome = json.loads((out / "outcome.json").read_text())
    assert outcome["verdict"] == "done" and outcome["task"] == "build"
    assert main(["agent", "record", "m/build", "--from", str(out)]) == 0
    assert "m/build: done — agent and checks passed" in capsys.readouterr().out
    assert _state(claimed) == "done"
    assert main(["agent", "record", "m/build", "--from", str(out)]) == 1, "recorded once only"


def _tamper(out: Path, **fields: object) -> None:
    path = out / "outcome.json"
    data = json.loads(path.read_text())
    data.update(fields)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda out: (out / "outcome.json").unlink(), "the agent step left no outcome"),
        (lambda out: (out / "outcome.json").write_text("{not json"), "not JSON"),
        (lambda out: _tamper(out, task="other"), "written for another task, not m/build"),
        (lambda out: _tamper(out, verdict="approved"), "verdict: one of done"),
        (lambda out: _tamper(out, reasons="x"), "reasons: at most 100 texts"),
        (lambda out: _tamper(out, attempts=True), "attempts: a whole number"),
        (lambda out: _tamper(out, changed=["../../etc/passwd"]), "'../../etc/passwd' is not"),
        (lambda out: _tamper(out, changed=[".github/workflows/x.yml"]), "'.github/workflows"),
        (lambda out: _tamper(out, changed=["missing.sql"]), "'missing.sql' has no file"),
        (lambda out: _tamper(out, verdict="needs-human", question=None), "says what"),
        (lambda out: _link(out / "report.md", out.parent / "elsewhere.md"), "report.md: missing"),
    ],
)
def test_untrusted_outcomes_record_a_failure(
    claimed: LocalTracker,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tamper: Callable[[Path], object],
    reason: str,
) -> None:
    out = tmp_path / "handoff"
    assert main(["agent", "prepare", "m/build", "--out", str(out)]) == 0
    assert main(["agent", "run", "m/build", "--execute-only", "--out", str(out)]) == 0
    tamper(out)
    capsys.readouterr()
    assert main(["agent", "record", "m/build", "--from", str(out)]) == 1
    said = capsys.readouterr().out
    assert "m/build: failed" in said and reason in said, said
    assert _state(claimed) == "failed"
    moves = [e for e in claimed.history("m") if e.key.task == "build" and e.to_state]
    assert moves[-1].to_state == "failed" and reason in moves[-1].reason


def _link(path: Path, target: Path) -> None:
    target.write_text("a file outside the handoff folder")
    path.unlink()
    path.symlink_to(target)


def test_a_linked_changed_file_is_refused(claimed: LocalTracker, tmp_path: Path) -> None:
    out = tmp_path / "handoff"
    assert main(["agent", "prepare", "m/build", "--out", str(out)]) == 0
    assert main(["agent", "run", "m/build", "--execute-only", "--out", str(out)]) == 0
    (out / "changed").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "passwd").write_text("not for a pull request")
    (out / "changed" / "models").symlink_to(elsewhere)
    _tamper(out, changed=["models/passwd"])
    assert main(["agent", "record", "m/build", "--from", str(out)]) == 1
    assert _state(claimed) == "failed"


@pytest.mark.parametrize(
    "args",
    [
        ["--execute-only"],
        ["--out", "x"],
        ["--execute-only", "--out", "x", "--tracker", "github"],
    ],
)
def test_execute_only_takes_an_out_folder_and_no_tracker(
    claimed: LocalTracker, args: list[str]
) -> None:
    assert main(["agent", "run", "m/build", *args]) == 2
    assert _state(claimed) == "running"


def test_links_planted_in_the_folder_are_not_written_through(
    claimed: LocalTracker, tmp_path: Path
) -> None:
    """Task code may leave links where the outcome goes: the files replace them."""
    out = tmp_path / "handoff"
    assert main(["agent", "prepare", "m/build", "--out", str(out)]) == 0
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    for name in ("report.md", "outcome.json"):
        (out / name).symlink_to(target)
    assert main(["agent", "run", "m/build", "--execute-only", "--out", str(out)]) == 0
    assert target.read_text() == "keep me\n"
    assert not (out / "report.md").is_symlink()
    assert main(["agent", "record", "m/build", "--from", str(out)]) == 0
    assert _state(claimed) == "done"


LLM_MISSION = (
    HEAD
    + """ai: {api_key_env: LLM_KEY, budget: 1}
tasks:
  - id: one
    title: Summarise one
    agent: llm
    with: {prompt: prompts/sum.prompt.yml}
  - id: two
    title: Summarise two
    agent: llm
    with: {prompt: prompts/sum.prompt.yml}
---
"""
)
LLM_PROMPT = """\
name: Summarise
messages:
  - role: user
    content: Summarise the table.
"""


def test_the_llm_budget_is_counted_across_the_steps(
    write_mission: Callable[[str, str], Path],
    local: LocalTracker,
    workspace: Path,
    tmp_path: Path,
    chat_server: ChatServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """prepare hands on the requests used so far; record writes the new ones to the history,
    so the next task's execute step finds the budget spent."""
    (workspace / "prompts").mkdir()
    (workspace / "prompts" / "sum.prompt.yml").write_text(LLM_PROMPT, encoding="utf-8")
    monkeypatch.setenv("MISSIONKIT_LLM_URL", chat_server.url)
    monkeypatch.setenv("LLM_KEY", "test-key")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    write_mission("m", LLM_MISSION)
    missions = load_missions(["missions"])
    apply_plan(make_plan(missions, local), local)
    Dispatcher(local, Notifier({}), claimer="host:1").run(missions)
    chat_server.answer("a summary")
    for task_id, verdict in (("one", 0), ("two", 1)):
        out = tmp_path / task_id
        assert main(["agent", "prepare", f"m/{task_id}", "--out", str(out)]) == 0
        assert main(["agent", "run", f"m/{task_id}", "--execute-only", "--out", str(out)]) == 0
        assert main(["agent", "record", f"m/{task_id}", "--from", str(out)]) in (0, verdict)
    assert len(chat_server.requests) == 1
    used = [e for e in local.history("m") if e.kind == REQUEST]
    assert [e.reason.split(":")[0] for e in used] == ["LLM request 1 of 1"]
    states = {i.key.task: i.state for i in local.read("m") if i.key.task}
    assert states == {"one": "done", "two": "needs-human"}
