"""Claims on GitHub: two dispatch processes started together never claim one task twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from execution.conftest_channels import run_cli
from missionkit import clock
from missionkit.tracking.github.claims import NAMESPACE, ClaimNote
from missionkit.tracking.model import Key

from ghserver import GitHubTestServer

pytest_plugins = ["execution.conftest_channels"]

MISSION_BIN = str(Path(sys.executable).parent / "mission")
TASKS = 12


def wide(n: int) -> str:
    tasks = "".join(
        f"  - id: t{i}\n    title: T{i}\n    agent: shell\n    with: {{command: 'true'}}\n"
        for i in range(n)
    )
    return "---\ntitle: Wide\nowner: dana-lee\nsuccess_criteria: [done]\ntasks:\n" + tasks + "---\n"


@pytest.fixture
def one_task(
    gh_users: GitHubTestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> GitHubTestServer:
    """Mission ``w`` with one agent task ``t0``, synced to the test server."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "missions").mkdir()
    (tmp_path / "missions" / "w.md").write_text(wide(1), encoding="utf-8")
    assert run_cli(capsys, "sync", "--tracker", "github").code == 0
    return gh_users


def claim_refs(server: GitHubTestServer) -> set[str]:
    with server.state.lock:
        return {ref for ref in server.state.git.refs if ref.startswith(NAMESPACE)}


@pytest.mark.slow
def test_two_dispatch_processes_on_github_claim_each_task_once(
    gh_users: GitHubTestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "missions").mkdir()
    gh_users.latency = 0.002  # both processes' requests interleave
    for round_ in range(10):
        for old in (tmp_path / "missions").iterdir():
            old.unlink()
        (tmp_path / "missions" / f"w{round_}.md").write_text(wide(TASKS), encoding="utf-8")
        assert run_cli(capsys, "sync", "--tracker", "github").code == 0
        procs = [
            subprocess.Popen(
                [MISSION_BIN, "dispatch", "--tracker", "github", "--matrix-out", f"m{i}.json"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=dict(os.environ),
            )
            for i in range(2)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err.decode()
        claims = [
            [c["task"] for c in json.loads((tmp_path / f"m{i}.json").read_text())["include"]]
            for i in range(2)
        ]
        assert sorted(claims[0] + claims[1]) == sorted(f"t{i}" for i in range(TASKS)), (
            round_,
            claims,
        )
        assert not set(claims[0]) & set(claims[1]), (round_, claims)
        held = {ref for ref in claim_refs(gh_users) if f"/w{round_}/" in ref}
        assert held == {f"{NAMESPACE}/w{round_}/t{i}" for i in range(TASKS)}


def test_a_claim_is_released_when_the_task_moves_on(
    one_task: GitHubTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    gh_users = one_task
    assert run_cli(capsys, "dispatch", "--tracker", "github").code == 0
    assert claim_refs(gh_users) == {f"{NAMESPACE}/w/t0"}
    result = run_cli(capsys, "agent", "run", "w/t0", "--tracker", "github")
    assert result.code == 0, result.out + result.err
    assert claim_refs(gh_users) == set()


def test_a_stale_claim_ref_is_taken_over_once(
    one_task: GitHubTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ref left by a claimer that died before moving the task does not block it for ever."""
    gh_users = one_task
    assert run_cli(capsys, "dispatch", "--tracker", "github", "--no-claim").code == 0
    git = gh_users.state.git
    with gh_users.state.lock:
        head = git.refs["refs/heads/main"]
        tree = git.commits[head].tree
        then = clock.now() - timedelta(hours=2)
        note = ClaimNote("dispatch@gone", then, then + timedelta(hours=1))
        author = git.commits[head].author
        old = git.commit(tree, [], note.message(Key("w", "t0")), author, author)
        git.refs[f"{NAMESPACE}/w/t0"] = old.sha
    out = run_cli(capsys, "dispatch", "--tracker", "github")
    assert out.code == 0
    assert "w/t0: claimed for agent shell" in out.out
    with gh_users.state.lock:
        tip = git.refs[f"{NAMESPACE}/w/t0"]
        assert git.commits[tip].parents == (old.sha,)


def test_a_token_that_cannot_write_refs_claims_with_a_warning(
    one_task: GitHubTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    one_task.faults.add("status", status=403, method="POST", path=r"/git/commits$")
    result = run_cli(capsys, "dispatch", "--tracker", "github")
    assert result.code == 0
    assert "w/t0: claimed for agent shell" in result.out
    assert "warning: claims are not atomic: the token cannot write git refs" in result.err
    assert "give the dispatch job `contents: write`" in result.err
