"""An agent's generated files as a pull request that closes the task issue when merged.

``propose_changes`` against the GitHub test server: one branch, one commit, one pull request,
re-runs that write nothing or replace the branch, refused paths, a lost answer that makes no
duplicate, and the merge that closes the issue so that the ``issues`` closed event marks the
task done and unblocks what waits on it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from execution.conftest_channels import Payloads, as_user, labels_of, run_cli
from missionkit.errors import CheckFailed
from missionkit.lifecycle import TaskEvent, TaskState
from missionkit.tracking.github.changes import propose_changes
from missionkit.tracking.github.tracker import GitHubTracker
from missionkit.tracking.model import Item

from ghserver import GitHubTestServer, LostVariant
from ghserver.git import Signature

# fixtures: gh_users (each token acts as one user), event_payloads
pytest_plugins = ["execution.conftest_channels"]

BRANCH = "missionkit/claims/stage"
MISSION = """\
---
title: Claims staging
owner: dana-lee
success_criteria: [Staged claims models are merged]
tasks:
  - id: stage
    title: Stage the claims models
    agent: shell
    with: {command: "true"}
  - id: review
    title: Review the staged models
    owner: alex-kim
    depends_on: [stage]
---
Stage the claims extract with dbt.
"""
FILES = {
    "models/staging/stg_claims.sql": b"select * from raw.claims\n",
    "models/staging/schema.yml": b"version: 2\nmodels:\n  - name: stg_claims\n",
}
TITLE = "Stage the claims models"
BODY = "The dbt agent generated these models for claims/stage."


@dataclass
class Setup:
    server: GitHubTestServer
    tracker: GitHubTracker
    missions: Path

    def item(self, task: str = "stage") -> Item:
        return next(i for i in self.tracker.read("claims") if i.key.task == task)

    def propose(self, files: dict[str, bytes] = FILES, **text: str) -> tuple[int, str]:
        options = {"title": TITLE, "body": BODY, **text}
        return propose_changes(self.tracker, self.item(), files, **options)

    def pulls(self) -> list[int]:
        with self.server.state.lock:
            return [n for n, i in self.server.state.issues.items() if i.pull is not None]

    def writes(self) -> list[str]:
        return [f"{r.method} {r.template}" for r in self.server.writes]


def _setup(
    server: GitHubTestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Setup]:
    """claims.md synced to ``server`` through the CLI, and a tracker as the agent runner has."""
    missions = tmp_path / "missions"
    missions.mkdir()
    (missions / "claims.md").write_text(MISSION, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_TOKEN", os.environ.get("GITHUB_TOKEN", "t"))
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/data")
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    synced = run_cli(capsys, "sync", "--tracker", "github", "--missions", str(missions))
    assert synced.code == 0, synced.out + synced.err
    tracker = GitHubTracker.connect(server.url, "acme/data", os.environ["GITHUB_TOKEN"])
    server.reset_log()
    try:
        yield Setup(server, tracker, missions)
    finally:
        tracker.close()


@pytest.fixture
def gh(
    github_server: GitHubTestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Setup]:
    yield from _setup(github_server, tmp_path, monkeypatch, capsys)


@pytest.fixture
def gh_people(
    gh_users: GitHubTestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Setup]:
    """The same on a server where each token acts as one person (dana-lee merges)."""
    yield from _setup(gh_users, tmp_path, monkeypatch, capsys)


# ------------------------------------------------------------------------------ proposing


def test_one_branch_one_commit_one_pull_request(gh: Setup) -> None:
    git = gh.server.state.git
    main_before = git.branch("main")
    number, url = gh.propose()

    item = gh.item()
    assert gh.pulls() == [number]
    assert url == f"{gh.server.url}/acme/data/pull/{number}"
    pull = gh.server.state.issues[number]
    assert pull.pull is not None
    assert (pull.pull.head, pull.pull.base, pull.state) == (BRANCH, "main", "open")
    assert pull.title == TITLE
    assert pull.body == f"{BODY}\n\nCloses #{item.number}"
    # one commit on top of main holding exactly the files, main itself untouched
    assert git.branch("main") == main_before
    [commit, *older] = git.log(BRANCH)
    assert commit.parents == (main_before,) and [c.sha for c in older] == [main_before]
    assert commit.message.startswith(f"{TITLE}\n\n")
    assert git.files_at(BRANCH) == {**git.files_at("main"), **FILES}
    assert (
        git.file_at(BRANCH, "models/staging/stg_claims.sql")
        == FILES["models/staging/stg_claims.sql"]
    )
    assert gh.writes() == [
        "POST /repos/{owner}/{repo}/git/trees",
        "POST /repos/{owner}/{repo}/git/commits",
        "POST /repos/{owner}/{repo}/git/refs",
        "POST /repos/{owner}/{repo}/pulls",
    ]


def test_the_same_files_again_write_nothing(gh: Setup) -> None:
    first = gh.propose()
    head = gh.server.state.git.branch(BRANCH)
    gh.server.reset_log()
    assert gh.propose() == first
    assert gh.pulls() == [first[0]]
    assert gh.server.state.git.branch(BRANCH) == head
    # the tree is written again (content-addressed: the same sha, no new object) and read
    assert gh.writes() == ["POST /repos/{owner}/{repo}/git/trees"]


def test_changed_files_replace_the_branch_and_update_the_pull_request(gh: Setup) -> None:
    git = gh.server.state.git
    number, _ = gh.propose()
    first = git.branch(BRANCH)
    changed = {"models/staging/stg_claims.sql": b"select id, amount from raw.claims\n"}
    gh.server.reset_log()

    again = gh.propose(changed, title="Stage the claims models (v2)", body="Second run.")

    assert again[0] == number and gh.pulls() == [number]
    pull = gh.server.state.issues[number]
    assert pull.title == "Stage the claims models (v2)"
    assert pull.body == f"Second run.\n\nCloses #{gh.item().number}"
    # the branch is replaced (forced), not stacked on the first run's commit
    [commit, *_] = git.log(BRANCH)
    assert commit.sha != first and commit.parents == (git.branch("main"),)
    assert git.files_at(BRANCH) == {**git.files_at("main"), **changed}
    assert "models/staging/schema.yml" not in git.files_at(BRANCH)
    assert gh.writes() == [
        "POST /repos/{owner}/{repo}/git/trees",
        "POST /repos/{owner}/{repo}/git/commits",
        "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
        "PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
    ]
    patch = next(r for r in gh.server.writes if r.method == "PATCH" and "git/refs" in r.path)
    assert patch.body == {"sha": commit.sha, "force": True}


def test_a_moved_default_branch_rebases_the_proposal(gh: Setup) -> None:
    git = gh.server.state.git
    gh.propose()
    with gh.server.state.lock:  # someone pushes to main meanwhile
        tree = git.write_tree(
            {**git.files_of(git.branch("main")), "docs/x.md": ("100644", git.put_blob(b"x\n"))}
        )
        person = Signature("dana-lee", "dana@example.org", gh.server.state.now())
        pushed = git.commit(tree, [git.branch("main") or ""], "docs", person)
        git.set_branch("main", pushed.sha)

    gh.propose()
    assert git.log(BRANCH)[0].parents == (pushed.sha,)
    assert git.files_at(BRANCH) == {**git.files_at("main"), **FILES}
    assert len(gh.pulls()) == 1


def test_binary_content_goes_up_as_a_blob(gh: Setup) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\xff"
    gh.propose({"docs/lineage.png": png, **FILES})
    assert gh.server.state.git.file_at(BRANCH, "docs/lineage.png") == png
    assert gh.writes()[0] == "POST /repos/{owner}/{repo}/git/blobs"


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/etc/passwd", "the path is absolute; give it relative to the repository root"),
        ("C:/models/x.sql", "the path is absolute; give it relative to the repository root"),
        ("../outside.sql", "the path contains '..'"),
        ("models/../../outside.sql", "the path contains '..'"),
        (".git/hooks/pre-commit", "the path points into .git/"),
        ("vendor/.GIT/config", "the path points into .git/"),
        ("models//x.sql", "the path has an empty or '.' component"),
        ("./x.sql", "the path has an empty or '.' component"),
        ("models\\x.sql", "use '/' between folders, not '\\'"),
        ("", "the path is empty"),
    ],
)
def test_bad_paths_are_refused_before_any_write(gh: Setup, path: str, why: str) -> None:
    with pytest.raises(CheckFailed) as err:
        gh.propose({**FILES, path: b"x"})
    assert str(err.value) == (
        f"refusing to commit files outside the repository's working tree:\n  {path!r}: {why}"
    )
    assert gh.server.writes == [] and gh.pulls() == []


def test_every_bad_path_is_named_at_once(gh: Setup) -> None:
    with pytest.raises(CheckFailed) as err:
        gh.propose({"/a": b"", "ok.sql": b"", "../b": b""})
    assert str(err.value).splitlines()[1:] == [
        "  '/a': the path is absolute; give it relative to the repository root",
        "  '../b': the path contains '..'",
    ]


def test_nothing_to_propose(gh: Setup) -> None:
    with pytest.raises(CheckFailed, match="no files to propose"):
        gh.propose({})
    mission = next(i for i in gh.tracker.read("claims") if not i.key.task)
    with pytest.raises(CheckFailed, match="is a mission, not a task"):
        propose_changes(gh.tracker, mission, FILES, title=TITLE, body=BODY)


@pytest.mark.parametrize("variant", ["disconnect", "502"])
def test_a_lost_pull_request_creation_makes_no_duplicate(gh: Setup, variant: LostVariant) -> None:
    fault = gh.server.faults.add("lost", method="POST", path=r"/pulls$", variant=variant)
    number, _ = gh.propose()
    assert fault.fired == 1
    assert gh.pulls() == [number]
    creates = [r for r in gh.server.requests if r.method == "POST" and r.path.endswith("/pulls")]
    assert len(creates) == 1, "found again by its head branch, not created twice"


def test_a_lost_branch_creation_is_taken_up(gh: Setup) -> None:
    gh.server.faults.add("lost", method="POST", path=r"/git/refs$")
    number, _ = gh.propose()
    assert gh.pulls() == [number]
    assert gh.server.state.git.files_at(BRANCH) == {
        **gh.server.state.git.files_at("main"),
        **FILES,
    }


def test_the_same_files_already_merged_are_not_proposed_again(gh_people: Setup) -> None:
    number, _ = gh_people.propose()
    as_user(gh_people.server, "dana-lee", "PUT", f"/pulls/{number}/merge", {})
    gh_people.server.reset_log()
    assert gh_people.propose() == (number, f"{gh_people.server.url}/acme/data/pull/{number}")
    assert gh_people.writes() == ["POST /repos/{owner}/{repo}/git/trees"]
    assert gh_people.pulls() == [number]


# ------------------------------------------------------------------------------ merging


def test_merging_closes_the_task_and_dispatch_unblocks_its_dependents(
    gh_people: Setup, event_payloads: Payloads, capsys: pytest.CaptureFixture[str]
) -> None:
    server, missions = gh_people.server, str(gh_people.missions)
    dispatched = run_cli(capsys, "dispatch", "--tracker", "github", "--missions", missions)
    assert dispatched.out == (
        "claims/stage: ready (no dependencies)\nclaims/stage: claimed for agent shell\n"
    )
    # the runner (the lead's side): the agent succeeded, its files go up as a pull request,
    # and the task waits for a person to review and merge it
    number, url = gh_people.propose()
    item = gh_people.item()
    moved = gh_people.tracker.transition(item, TaskEvent.ASK, "missionkit-agent", f"review {url}")
    assert moved is not None and moved.state == TaskState.NEEDS_HUMAN

    merged = as_user(server, "dana-lee", "PUT", f"/pulls/{number}/merge", {})
    assert merged["merged"] is True
    issue = server.state.issues[item.number]
    assert (issue.state, issue.state_reason, issue.closed_by) == (
        "closed",
        "completed",
        "dana-lee",
    )
    assert server.state.git.files_at("main") == {"README.md": b"# data\n", **FILES}
    pull = server.state.issues[number]
    assert pull.pull is not None and pull.pull.merged_by == "dana-lee"
    assert pull.pull.merge_commit_sha == server.state.git.branch("main")

    event = event_payloads.write(event_payloads.issues("closed", item.number, "dana-lee"))
    out = run_cli(
        capsys, "dispatch", "--tracker", "github", "--missions", missions, "--event", str(event)
    )
    assert out.code == 0, out.out + out.err
    assert out.out.startswith(
        "event: claims/stage closed by @dana-lee: done\n"
        "claims/review: ready (all dependencies done)\n"
    )
    states = {i.key.task: i.state for i in gh_people.tracker.read("claims") if i.key.task}
    assert states == {"stage": TaskState.DONE, "review": TaskState.READY}
    assert "status:needs-human" not in labels_of(server, item.number)
