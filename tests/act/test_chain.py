"""The Healthcare Data Pipeline, end to end, through the real workflow files under nektos/act.

A push of the mission file starts missions-sync; every workflow_dispatch a run posts starts the
next act run (missions-dispatch, its agent matrix, the dispatch again); the people's steps are
real requests to the GitHub test server as those people, each delivering its webhook event to
the next act run: ``/answer`` on the field-mapping task, merging the pull requests the agents
open, closing the review and scheduling tasks, and ``/approve`` on the mission. Once with the
mission's DuckDB file carried between the jobs as workflow artifacts (act's artifact server,
listed and downloaded through the test server's API), once on a PostgreSQL server.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from act.chain import MISSION, Chain, act_readable, make_repo
from act.runner import ActRunner
from workflows.webhooks import Payloads

from ghserver import GitHubTestServer
from ghserver.artifacts import artifact_id
from pgserver import PostgresServer

pytestmark = pytest.mark.slow

_MARKER = re.compile(r"<!-- missionkit (\{.*?\}) -->")
_ARTIFACT = re.compile(
    r"(?P<verb>read|wrote) warehouse artifact (?P<id>\d+) \(run (?P<run>\d+), sha256:[0-9a-f]{64}"
)
DATA_TASKS = ["ingest-ehr", "map-patient-fields", "build-staging-models", "quality-checks"]


def issue_of(gh: GitHubTestServer, task: str | None) -> int:
    for number, issue in gh.state.issues.items():
        found = _MARKER.search(issue.body or "")
        if found and issue.pull is None:
            marker = json.loads(found[1])
            if marker.get("mission") == MISSION and marker.get("task") == task:
                return number
    raise AssertionError(f"no issue for {MISSION}/{task}")


def status_of(gh: GitHubTestServer, task: str) -> str:
    issue = gh.state.issues[issue_of(gh, task)]
    if issue.state == "closed":
        return "done" if issue.state_reason == "completed" else "cancelled"
    names = [gh.state.labels[i].name for i in issue.label_ids]
    (status,) = [n.removeprefix("status:") for n in names if n.startswith("status:")]
    return status


def merge_pull_of(gh: GitHubTestServer, payloads: Payloads, task: str) -> None:
    """A person merges the pull request of the task's generated files (which closes the task)."""
    branch = f"missionkit/{MISSION}/{task}"
    pulls = [n for n, i in gh.state.issues.items() if i.pull and i.pull.head == branch]
    assert pulls, f"no pull request from {branch}"
    payloads.act("dana-lee", "PUT", f"pulls/{pulls[-1]}/merge", {"merge_method": "squash"})


def walk_the_mission(chain: Chain, gh: GitHubTestServer, payloads: Payloads) -> None:
    chain.push()  # missions-sync → dispatch → ingest-ehr → dispatch → map-patient-fields → …
    assert status_of(gh, "ingest-ehr") == "done"
    assert status_of(gh, "map-patient-fields") == "needs-human"

    answer = payloads.comment(
        issue_of(gh, "map-patient-fields"), "dana-lee", "/answer postal_code = addr_cd"
    )
    chain.comment_event(answer)  # the answer re-queues it; it runs again and opens a PR
    assert status_of(gh, "map-patient-fields") == "needs-human"

    merge_pull_of(gh, payloads, "map-patient-fields")
    chain.pull_main()
    chain.issue_event(payloads.issues("closed", issue_of(gh, "map-patient-fields"), "dana-lee"))
    assert status_of(gh, "review-mapping") == "ready"

    chain.issue_event(payloads.close(issue_of(gh, "review-mapping"), "alex-kim"))
    assert status_of(gh, "build-staging-models") == "needs-human"  # its models' PR

    merge_pull_of(gh, payloads, "build-staging-models")
    chain.pull_main()
    chain.issue_event(payloads.issues("closed", issue_of(gh, "build-staging-models"), "dana-lee"))
    assert status_of(gh, "quality-checks") == "done"
    assert status_of(gh, "schedule-pipeline") == "ready"

    chain.issue_event(payloads.close(issue_of(gh, "schedule-pipeline"), "alex-kim"))
    approve = payloads.comment(issue_of(gh, None), "dana-lee", "/approve")
    chain.comment_event(approve)
    mission = gh.state.issues[issue_of(gh, None)]
    assert mission.state == "closed", [gh.state.labels[i].name for i in mission.label_ids]


def warehouse_history(gh: GitHubTestServer, repo: Path) -> dict[str, list[tuple[str, int, int]]]:
    """Per task, the warehouse artifacts its history on GitHub says it read and wrote."""
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "mission"),
            "log",
            MISSION,
            "--json",
            "--tracker",
            "github",
        ],
        cwd=repo,
        env={
            "GITHUB_TOKEN": "token-bot",
            "GITHUB_REPOSITORY": "acme/data",
            "GITHUB_API_URL": gh.url,
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found: dict[str, list[tuple[str, int, int]]] = {}
    for event in json.loads(done.stdout):
        entry = _ARTIFACT.match(event["reason"] or "")
        if event["kind"] == "warehouse-artifact" and entry:
            task = event["item"].partition("/")[2]
            found.setdefault(task, []).append((entry["verb"], int(entry["id"]), int(entry["run"])))
    return found


def test_act_reads_the_workflow_files_as_they_are_but_for_queue() -> None:
    """The files act runs differ from the project's by ``queue: max`` lines alone."""
    root = Path(__file__).resolve().parents[2] / ".github" / "workflows"
    for path in root.glob("missions-*.yml"):
        text = path.read_text(encoding="utf-8")
        kept = [line for line in text.splitlines() if line.strip() != "queue: max"]
        assert act_readable(text).splitlines() == kept, path.name


def test_the_mission_runs_under_act_with_its_duckdb_file_as_artifacts(
    runner_setup: object, gh: GitHubTestServer, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo")
    runner = ActRunner(runner_setup, gh, repo, tmp_path / "act")  # type: ignore[arg-type]
    payloads = Payloads(gh, tmp_path / "payloads")
    chain = Chain(runner, gh, payloads)
    walk_the_mission(chain, gh, payloads)

    stored = {a.id: a for a in gh.state.artifacts.all()}  # type: ignore[union-attr]
    history = warehouse_history(gh, repo)
    previous: tuple[int, int] | None = None
    for task in DATA_TASKS:
        wrote = [(i, run) for verb, i, run in history.get(task, []) if verb == "wrote"]
        read = [(i, run) for verb, i, run in history.get(task, []) if verb == "read"]
        assert wrote, f"{task}'s history names no warehouse artifact it wrote"
        for artifact, run in wrote:
            assert artifact in stored and stored[artifact].run_id == run, (task, artifact, run)
            assert artifact == artifact_id(f"missionkit-warehouse-{MISSION}-{task}-{run}-1")
        if previous is not None:
            assert previous in read, f"{task} read {read}, not the newest one, {previous}"
        previous = wrote[-1]


def test_the_mission_runs_under_act_on_a_postgresql_server(
    runner_setup: object, gh: GitHubTestServer, tmp_path: Path, pg_server: PostgresServer
) -> None:
    """The mission's warehouse a PostgreSQL database (a URL without credentials); the runner's
    environment holds libpq's credentials, as a self-hosted runner's would: the workflow files
    pass no secret to the step that runs task code, and none is needed."""
    url = pg_server.create_database(f"act_{uuid.uuid4().hex[:12]}")

    def on_postgres(text: str) -> str:
        text = text.replace("warehouse: warehouse/healthcare.duckdb", f"warehouse: {url}")
        return re.sub(r"^warehouse_env: .*\n", "", text, flags=re.M)

    repo = make_repo(tmp_path / "repo", on_postgres)
    runner = ActRunner(runner_setup, gh, repo, tmp_path / "act", env=pg_server.env())  # type: ignore[arg-type]
    payloads = Payloads(gh, tmp_path / "payloads")
    walk_the_mission(Chain(runner, gh, payloads), gh, payloads)
    assert gh.state.artifacts.all() == []  # type: ignore[union-attr]  # nothing travels
    assert warehouse_history(gh, repo) == {}
