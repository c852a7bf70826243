"""Which jobs run, for every trigger of every workflow, as GitHub decides it.

Each job's ``if:`` is evaluated by :mod:`workflows.expressions` with GitHub's rules, including
the implicit ``success()`` over every ancestor job: a skipped ``event`` job must not skip the
agent jobs of a scheduled dispatch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from missionkit.tracking.github.commands import COMMANDS, parse_command
from workflows.expressions import JobRun, evaluate, has_status_function, simulate
from workflows.ghactions import WORKFLOWS, load, triggers

MATRIX = '{"include":[{"mission":"m","task":"t"}]}'
EMPTY = '{"include":[]}'


@dataclass(frozen=True)
class Case:
    """One trigger (``event`` is its payload), how the jobs that run end, and what must run."""

    name: str
    workflow: str
    event_name: str
    runs: frozenset[str]
    event: dict[str, Any] = field(default_factory=dict)
    failing: frozenset[str] = frozenset()
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    def outcome(self, job_id: str, context: dict[str, Any]) -> JobRun:
        if job_id in self.failing:
            return JobRun("failure", self.outputs.get(job_id, {}))
        return JobRun("success", self.outputs.get(job_id, {}))


def _comment(body: str, *, pull_request: bool = False) -> dict[str, Any]:
    issue: dict[str, Any] = {"number": 7, "body": "<!-- missionkit {} -->"}
    if pull_request:
        issue["pull_request"] = {"url": "https://api.github.com/repos/acme/data/pulls/7"}
    return {"action": "created", "issue": issue, "comment": {"body": body}}


CLAIMED = {"dispatch": {"count": "1", "matrix": MATRIX}}
NONE_CLAIMED = {"dispatch": {"count": "0", "matrix": EMPTY}}
ALL_DISPATCH = frozenset({"event", "dispatch", "agent", "redispatch"})
AFTER_DISPATCH = frozenset({"dispatch", "agent", "redispatch"})
CLOSED = {"action": "closed", "issue": {"number": 7}}

CASES: tuple[Case, ...] = (
    # missions-dispatch
    Case("schedule claims", "missions-dispatch.yml", "schedule", AFTER_DISPATCH, outputs=CLAIMED),
    Case(
        "manual dispatch claims",
        "missions-dispatch.yml",
        "workflow_dispatch",
        AFTER_DISPATCH,
        outputs=CLAIMED,
    ),
    Case(
        "schedule, nothing ready",
        "missions-dispatch.yml",
        "schedule",
        frozenset({"dispatch"}),
        outputs=NONE_CLAIMED,
    ),
    Case(
        "schedule, an agent fails",
        "missions-dispatch.yml",
        "schedule",
        AFTER_DISPATCH,
        failing=frozenset({"agent"}),
        outputs=CLAIMED,
    ),
    Case(
        "schedule, dispatch fails",
        "missions-dispatch.yml",
        "schedule",
        frozenset({"dispatch"}),
        failing=frozenset({"dispatch"}),
        outputs=CLAIMED,
    ),
    Case("issue closed", "missions-dispatch.yml", "issues", ALL_DISPATCH, CLOSED, outputs=CLAIMED),
    Case(
        "issue closed, event fails",
        "missions-dispatch.yml",
        "issues",
        frozenset({"event"}),
        CLOSED,
        failing=frozenset({"event"}),
        outputs=CLAIMED,
    ),
    Case(
        "/approve",
        "missions-dispatch.yml",
        "issue_comment",
        ALL_DISPATCH,
        _comment("/approve"),
        outputs=CLAIMED,
    ),
    Case(
        "/answer on two lines",
        "missions-dispatch.yml",
        "issue_comment",
        ALL_DISPATCH,
        _comment("/answer use the EU table\nthanks"),
        outputs=CLAIMED,
    ),
    Case(
        "/retry, nothing claimed",
        "missions-dispatch.yml",
        "issue_comment",
        frozenset({"event", "dispatch"}),
        _comment("/retry"),
        outputs=NONE_CLAIMED,
    ),
    Case(
        "a comment with a URL",
        "missions-dispatch.yml",
        "issue_comment",
        frozenset(),
        _comment("see https://example.com/a/b"),
        outputs=CLAIMED,
    ),
    Case(
        "a command mentioned mid-sentence",
        "missions-dispatch.yml",
        "issue_comment",
        frozenset(),
        _comment("should I /approve this?"),
        outputs=CLAIMED,
    ),
    Case(
        "/approve on a pull request",
        "missions-dispatch.yml",
        "issue_comment",
        frozenset(),
        _comment("/approve", pull_request=True),
        outputs=CLAIMED,
    ),
    # missions-pull
    Case(
        "a mission issue edited",
        "missions-pull.yml",
        "issues",
        frozenset({"pull"}),
        {"action": "edited", "issue": {"number": 7, "body": "x\n<!-- missionkit {} -->"}},
    ),
    Case(
        "another issue edited",
        "missions-pull.yml",
        "issues",
        frozenset(),
        {"action": "edited", "issue": {"number": 8, "body": "a bug report"}},
    ),
    Case("daily pull", "missions-pull.yml", "schedule", frozenset({"pull"})),
    Case("manual pull", "missions-pull.yml", "workflow_dispatch", frozenset({"pull"})),
    # missions-sync
    Case("push", "missions-sync.yml", "push", frozenset({"sync", "dispatch"})),
    Case(
        "push, sync fails",
        "missions-sync.yml",
        "push",
        frozenset({"sync"}),
        failing=frozenset({"sync"}),
    ),
    Case(
        "manual sync",
        "missions-sync.yml",
        "workflow_dispatch",
        frozenset({"sync", "dispatch"}),
        {"inputs": {"prune": True}},
    ),
    # missions-site
    Case(
        "after a dispatch",
        "missions-site.yml",
        "workflow_run",
        frozenset({"build", "deploy"}),
        {"workflow_run": {"conclusion": "success"}},
    ),
    Case(
        "after a failed dispatch",
        "missions-site.yml",
        "workflow_run",
        frozenset({"build", "deploy"}),
        {"workflow_run": {"conclusion": "failure"}},
    ),
    Case(
        "after a skipped dispatch",
        "missions-site.yml",
        "workflow_run",
        frozenset(),
        {"workflow_run": {"conclusion": "skipped"}},
    ),
    Case("site schedule", "missions-site.yml", "schedule", frozenset({"build", "deploy"})),
    Case(
        "site by hand, build fails",
        "missions-site.yml",
        "workflow_dispatch",
        frozenset({"build"}),
        failing=frozenset({"build"}),
    ),
    # missions-pr
    Case(
        "pull request",
        "missions-pr.yml",
        "pull_request",
        frozenset({"plan", "dbt", "comment"}),
        {"pull_request": {"number": 3, "head": {"repo": {"full_name": "acme/data"}}}},
        outputs={"plan": {"report": "IyMj"}},
    ),
    Case(
        "pull request with problems",
        "missions-pr.yml",
        "pull_request",
        frozenset({"plan", "dbt", "comment"}),
        {"pull_request": {"number": 3, "head": {"repo": {"full_name": "acme/data"}}}},
        failing=frozenset({"plan"}),
        outputs={"plan": {"report": "IyMj"}},
    ),
    Case(
        "pull request from a fork",
        "missions-pr.yml",
        "pull_request",
        frozenset({"plan", "dbt"}),
        {"pull_request": {"number": 3, "head": {"repo": {"full_name": "someone/data"}}}},
        outputs={"plan": {"report": "IyMj"}},
    ),
    Case(
        "pull request whose dbt build fails",
        "missions-pr.yml",
        "pull_request",
        frozenset({"plan", "dbt", "comment"}),
        {"pull_request": {"number": 3, "head": {"repo": {"full_name": "acme/data"}}}},
        failing=frozenset({"dbt"}),
        outputs={"plan": {"report": "IyMj"}},
    ),
    # ci
    Case("ci push", "ci.yml", "push", frozenset({"test"})),
    Case("ci pull request", "ci.yml", "pull_request", frozenset({"test"})),
    Case("ci by hand", "ci.yml", "workflow_dispatch", frozenset({"test"})),
)


def _github(case: Case) -> dict[str, Any]:
    return {"event_name": case.event_name, "event": case.event, "repository": "acme/data"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.workflow}: {c.name}")
def test_the_jobs_that_run(case: Case) -> None:
    workflow = load(WORKFLOWS / case.workflow)
    runs = simulate(workflow, _github(case), case.outcome)
    ran = {job for job, run in runs.items() if run.result != "skipped"}
    assert ran == set(case.runs), {job: run.result for job, run in runs.items()}


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_every_trigger_has_a_case(path: Path) -> None:
    covered = {c.event_name for c in CASES if c.workflow == path.name}
    assert covered == set(triggers(load(path))), path.name


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_a_job_after_an_optional_job_says_its_status(path: Path) -> None:
    """A job whose ancestors may be skipped needs a status function in its ``if:``, or
    GitHub's implicit ``success()`` skips it with them."""
    jobs = load(path)["jobs"]
    optional = {job_id for job_id, job in jobs.items() if "if" in job}
    for job_id, job in jobs.items():
        needs = job.get("needs") or []
        needs = [needs] if isinstance(needs, str) else needs
        if set(needs) & optional and "if" in job:
            assert has_status_function(str(job["if"])), f"{path.name} {job_id}: {job['if']}"


def test_the_evaluator_follows_githubs_rules() -> None:
    """The rules the cases rely on, from GitHub's documentation of expressions."""
    context = {"needs": {"d": {"result": "success", "outputs": {"count": "3"}}}}
    assert evaluate("fromJSON(needs.d.outputs.count || '0') > 0", context) is True
    assert evaluate("fromJSON(needs.x.outputs.count || '0') > 0", context) is False
    assert evaluate("needs.d.result == 'SUCCESS'", context) is True  # case-insensitive
    assert evaluate("'' || 'b'", {}) == "b"
    assert evaluate("'a' && ''", {}) == ""
    assert evaluate("!null && 0 == false && '1' == 1", {}) is True
    assert evaluate("contains('Hello', 'ELL') && startsWith('/Retry x', '/retry')", {}) is True
    assert evaluate("${{ !cancelled() }}", {}, {"cancelled": True}) is False
    assert has_status_function("!cancelled() && x") and not has_status_function("successes")
    # a skipped grandparent skips a job whose parent ran, unless the job says its status
    workflow = {
        "jobs": {
            "a": {"if": "false"},
            "b": {"needs": "a", "if": "always()"},
            "c": {"needs": "b"},
            "d": {"needs": "b", "if": "!cancelled() && needs.b.result == 'success'"},
        }
    }
    runs = simulate(workflow, {}, lambda job, ctx: JobRun("success"))
    assert {j: r.result for j, r in runs.items()} == {
        "a": "skipped",
        "b": "success",
        "c": "skipped",
        "d": "success",
    }


BODIES = (
    "/approve",
    "/approve\nShipped.",
    "/approve\r\n",
    "/retry",
    "/retry please",
    "/answer use the EU table",
    "/answer\nthe EU table",
    "/RETRY",
    "/approved it",
    " /approve",
    "\n/retry",
    "see https://example.com/a/b",
    "a/b",
    "should I /approve this?",
    "",
    "/",
    "/unknown",
    "`/retry`",
)


@pytest.mark.parametrize("body", BODIES)
def test_the_comment_filter_passes_what_the_parser_reads(body: str) -> None:
    """The event job starts for a comment only when it opens with a command: every command
    the parser reads gets a run, and a comment that merely holds a ``/`` gets none."""
    jobs = load(WORKFLOWS / "missions-dispatch.yml")["jobs"]
    github = {"event_name": "issue_comment", "event": _comment(body)}
    starts = bool(evaluate(jobs["event"]["if"], {"github": github}))
    if parse_command(body) is not None:
        assert starts, body
    assert starts == body.casefold().startswith(COMMANDS), body
