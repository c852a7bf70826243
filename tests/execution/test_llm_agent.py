"""The ``llm`` agent on the local tracker: answers, structured output, checks, fallbacks, budget.

``mission run`` drives it against the scripted chat-completions server on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from missionkit.cli.main import main
from missionkit.llm.budget import REQUEST
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.model import Key

from llmserver import ChatServer, Reply

PROMPT = """\
name: Summarise
model: openai/gpt-4.1-mini
messages:
  - role: system
    content: You summarise tables.
  - role: user
    content: Summarise {{table}}.
"""
STRUCTURED = """\
name: Row count
messages:
  - role: user
    content: How many rows does {{table}} hold?
responseFormat: json_schema
jsonSchema: |-
  {"name": "row_count", "strict": true,
   "schema": {"type": "object", "required": ["rows"], "additionalProperties": false,
              "properties": {"rows": {"type": "integer"}}}}
"""


def mission(budget: int, *tasks: str) -> str:
    head = f"""---
title: Summaries
owner: dana-lee
success_criteria: [Every table is summarised]
ai: {{api_key_env: LLM_KEY, budget: {budget}}}
tasks:
"""
    return head + "".join(tasks) + "---\n"


def task(task_id: str, table: str, extra: str = "") -> str:
    return f"""  - id: {task_id}
    title: Summarise {table}
    agent: llm
    with: {{prompt: prompts/summarise.prompt.yml, vars: {{table: {table}}}{extra}}}
"""


@pytest.fixture
def repo(
    workspace: Path, chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], int]:
    (workspace / "prompts").mkdir()
    (workspace / "prompts" / "summarise.prompt.yml").write_text(PROMPT, encoding="utf-8")
    (workspace / "prompts" / "count.prompt.yml").write_text(STRUCTURED, encoding="utf-8")
    monkeypatch.setenv("MISSIONKIT_LLM_URL", chat_server.url)
    monkeypatch.setenv("LLM_KEY", "test-key")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def run(text: str) -> int:
        (workspace / "missions" / "sums.md").write_text(text, encoding="utf-8")
        return main(["run", "sums", "--quiet", "--workers", "1"])

    return run


def states(workspace: Path) -> dict[str, str]:
    tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
    try:
        return {i.key.task: str(i.state) for i in tracker.read("sums") if i.key.task}
    finally:
        tracker.close()


def comments(workspace: Path, task_id: str) -> list[str]:
    tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
    try:
        item = next(i for i in tracker.read("sums") if i.key == Key("sums", task_id))
        return [c.body for c in tracker.comments(item)]
    finally:
        tracker.close()


def requests_recorded(workspace: Path) -> list[str]:
    tracker = LocalTracker(workspace / ".missionkit" / "tracker.db")
    try:
        return [e.reason for e in tracker.history("sums") if e.kind == REQUEST]
    finally:
        tracker.close()


def test_answer_written_to_the_output_and_checked(
    repo: Callable[[str], int], workspace: Path, chat_server: ChatServer
) -> None:
    chat_server.answer("Patients: one row per patient.")
    text = mission(
        5,
        task("patients", "raw.patients", ", output: docs/patients.md"),
        "    checks: [{command: grep -q 'one row per patient' docs/patients.md}]\n",
    )
    assert repo(text) == 0
    assert states(workspace) == {"patients": "done"}
    assert (workspace / "docs" / "patients.md").read_text() == "Patients: one row per patient.\n"
    assert chat_server.user_messages() == "Summarise raw.patients."
    report = comments(workspace, "patients")[0]
    assert "answered the prompt `prompts/summarise.prompt.yml` (Summarise), 15 tokens" in report
    assert "1 of 5 LLM requests of the mission used" in report
    assert requests_recorded(workspace) == [
        "LLM request 1 of 5: patients (prompts/summarise.prompt.yml)"
    ]


def test_the_checks_decide_not_the_answer(
    repo: Callable[[str], int], workspace: Path, chat_server: ChatServer
) -> None:
    chat_server.answer("Nothing useful.")
    text = mission(
        5,
        task("patients", "raw.patients", ", output: docs/patients.md"),
        "    checks: [{command: grep -q 'one row per patient' docs/patients.md}]\n",
    )
    assert repo(text) == 0
    assert states(workspace) == {"patients": "failed"}


def test_structured_answer_validated_against_the_prompt_schema(
    repo: Callable[[str], int], workspace: Path, chat_server: ChatServer
) -> None:
    chat_server.answer({"rows": 3}, '{"rows": "three"}')
    counted = """  - id: count
    title: Count the rows
    agent: llm
    with: {prompt: prompts/count.prompt.yml, vars: {table: raw.visits}, output: out/count.json}
"""
    again = counted.replace("id: count", "id: recount").replace("out/count", "out/recount")
    assert repo(mission(5, counted, again)) == 0
    assert json.loads((workspace / "out" / "count.json").read_text()) == {"rows": 3}
    sent = chat_server.requests[0].body["response_format"]
    assert sent["json_schema"]["name"] == "row_count"
    assert states(workspace) == {"count": "done", "recount": "needs-human"}
    question = comments(workspace, "recount")[0]
    assert "rows: 'three' is not of type 'integer'" in question
    assert not (workspace / "out" / "recount.json").exists()


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(status=403, message="no models: read"), "refused the key in LLM_KEY (HTTP 403)"),
        (Reply(status=429, message="slow down", retry_after=30), "rate limiting requests"),
        (Reply(status=502, message="bad gateway"), "the LLM service failed (HTTP 502)"),
        (Reply(refusal="I cannot do that."), "the model refused: I cannot do that."),
        (Reply(content="{not json", finish_reason="length"), None),
    ],
)
def test_no_answer_goes_to_a_person_with_the_prompt_and_the_reason(
    repo: Callable[[str], int],
    workspace: Path,
    chat_server: ChatServer,
    reply: Reply,
    reason: str | None,
) -> None:
    chat_server.answer(reply)
    if reason is None:  # a malformed structured answer
        body = """  - id: patients
    title: Count
    agent: llm
    with: {prompt: prompts/count.prompt.yml, vars: {table: raw.patients}}
"""
        reason = "the answer is not valid JSON"
    else:
        body = task("patients", "raw.patients")
    assert repo(mission(5, body)) == 0
    assert states(workspace) == {"patients": "needs-human"}
    question = "\n".join(comments(workspace, "patients"))
    assert reason in question
    assert "raw.patients" in question  # the prompt, rendered, for the person
    assert "Traceback" not in question


def test_without_an_llm_the_task_goes_to_a_person(
    repo: Callable[[str], int],
    workspace: Path,
    chat_server: ChatServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MISSIONKIT_LLM_URL")
    assert repo(mission(5, task("patients", "raw.patients"))) == 0
    assert states(workspace) == {"patients": "needs-human"}
    assert "no LLM is configured: set ai.base_url" in "\n".join(comments(workspace, "patients"))
    assert chat_server.requests == []


def test_an_exhausted_budget_stops_asking_and_escalates(
    repo: Callable[[str], int], workspace: Path, chat_server: ChatServer
) -> None:
    chat_server.answer("one", "two")
    tasks = [task(f"t{n}", f"raw.table_{n}") for n in (1, 2, 3)]
    assert repo(mission(2, *tasks)) == 0
    assert len(chat_server.requests) == 2
    assert sorted(states(workspace).values()) == ["done", "done", "needs-human"]
    [stopped] = [t for t, s in states(workspace).items() if s == "needs-human"]
    text = "\n".join(comments(workspace, stopped))
    assert "the LLM request budget is used up (2 of 2 requests)" in text
    assert "@dana-lee" in text  # escalated to the mission owner
    # the budget is the mission's, across runs: answering does not buy another request
    assert main(["answer", f"sums/{stopped}", "retry"]) == 0
    assert repo(mission(2, *tasks)) == 0
    assert len(chat_server.requests) == 2
    assert len(requests_recorded(workspace)) == 2
    assert states(workspace)[stopped] == "needs-human"


def test_on_the_agent_job_the_question_is_asked_where_the_key_is(
    repo: Callable[[str], int],
    workspace: Path,
    chat_server: ChatServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """prepare (token, no task code) asks; execute (no token) writes and checks the answer."""
    chat_server.answer("Visits: one row per visit.")
    text = mission(
        5,
        task("visits", "raw.visits", ", output: docs/visits.md"),
        "    checks: [{command: grep -q 'one row per visit' docs/visits.md}]\n",
    )
    (workspace / "missions" / "sums.md").write_text(text, encoding="utf-8")
    assert main(["sync"]) == 0
    assert main(["dispatch"]) == 0
    out = tmp_path / "handoff"
    assert main(["agent", "prepare", "sums/visits", "--out", str(out)]) == 0
    assert len(chat_server.requests) == 1
    monkeypatch.delenv("LLM_KEY")
    monkeypatch.delenv("MISSIONKIT_LLM_URL")
    assert main(["agent", "run", "sums/visits", "--execute-only", "--out", str(out)]) == 0
    assert (workspace / "docs" / "visits.md").read_text() == "Visits: one row per visit.\n"
    assert main(["agent", "record", "sums/visits", "--from", str(out)]) == 0
    assert states(workspace) == {"visits": "done"}
    assert requests_recorded(workspace) == [
        "LLM request 1 of 5: visits (prompts/summarise.prompt.yml)"
    ]
    assert len(chat_server.requests) == 1
