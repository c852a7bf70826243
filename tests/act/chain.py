"""The repository the workflows run in, and the chain of act runs its events start.

The repository is a git clone-alike of this project (its tracked files, with only the
Healthcare Data Pipeline among the missions) whose ``origin`` is ``github.com/acme/data``: act
takes the repository's name from it, and GitHub's checkout is act's copy of this folder. What
a pull request merges on the test server is brought into it, as a checkout of main would.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from act.runner import ActRun, ActRunner
from workflows.webhooks import Payloads

from ghserver import GitHubTestServer

ROOT = Path(__file__).resolve().parents[2]
MISSION = "healthcare-data-pipeline"
JSON = dict[str, Any]


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=dana-lee", "-c", "user.email=dana-lee@example.org", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


#: What act's workflow schema (0.2.89) does not know and refuses the file for: ``queue: max`` of
#: a concurrency block (GitHub's, since May 2026; act runs jobs one group at a time anyway).
_UNKNOWN_TO_ACT = re.compile(r"^ +queue: max\n", re.M)


def act_readable(text: str) -> str:
    """The workflow file as act can read it: only the lines act's schema refuses are gone."""
    return _UNKNOWN_TO_ACT.sub("", text)


def make_repo(folder: Path, edit_mission: Callable[[str], str] = lambda text: text) -> Path:
    """This project's tracked files, with one mission, committed on main."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if name.startswith("missions/") or not source.is_file():
            continue
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    for workflow in (folder / ".github" / "workflows").glob("missions-*.yml"):
        workflow.write_text(act_readable(workflow.read_text(encoding="utf-8")), encoding="utf-8")
    mission = folder / "missions" / f"{MISSION}.md"
    mission.parent.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "missions" / f"{MISSION}.md").read_text(encoding="utf-8")
    mission.write_text(edit_mission(text), encoding="utf-8")
    _git(folder, "init", "--quiet", "--initial-branch", "main")
    _git(folder, "add", "--all")
    _git(folder, "commit", "--quiet", "-m", "missionkit with the Healthcare Data Pipeline")
    _git(folder, "remote", "add", "origin", "https://github.com/acme/data.git")
    return folder


class Chain:
    """Runs a workflow for an event, then every ``workflow_dispatch`` it posts, and so on."""

    def __init__(self, runner: ActRunner, server: GitHubTestServer, payloads: Payloads) -> None:
        self.runner = runner
        self.server = server
        self.payloads = payloads
        self.runs: list[ActRun] = []
        self._seen = 0

    def _check(self, run: ActRun) -> None:
        self.runs.append(run)
        failed = [job for job, result in run.jobs.items() if result != "succeeded"]
        if run.code != 0 or failed:
            raise AssertionError(f"{run.describe()}\n{run.log[-12000:]}")

    def run(self, event: str, workflow: str, payload: JSON) -> list[ActRun]:
        """This event's run and every run chained after it (each posted workflow_dispatch)."""
        first = len(self.runs)
        with self.server.state.lock:
            run_id = self.server.state.new_run_id()
        self._check(self.runner.run(event, workflow, payload, run_id))
        while len(self.server.state.dispatches) > self._seen:
            dispatch = self.server.state.dispatches[self._seen]
            self._seen += 1
            ref = dispatch.ref if dispatch.ref.startswith("refs/") else f"refs/heads/{dispatch.ref}"
            body = {
                "inputs": dispatch.inputs,
                "ref": ref,
                "repository": self.payloads.repository(),
                "sender": self.payloads.user(self.server.state.bot_login),
                "workflow": f".github/workflows/{dispatch.workflow}",
            }
            self._check(
                self.runner.run("workflow_dispatch", dispatch.workflow, body, dispatch.run_id)
            )
        return self.runs[first:]

    def push(self) -> list[ActRun]:
        head = _git(self.runner.repo, "rev-parse", "HEAD").strip()
        payload = {
            "ref": "refs/heads/main",
            "before": "0" * 40,
            "after": head,
            "repository": self.payloads.repository(),
            "sender": self.payloads.user("dana-lee"),
            "pusher": {"name": "dana-lee", "email": "dana-lee@example.org"},
            "commits": [],
            "head_commit": None,
        }
        return self.run("push", "missions-sync.yml", payload)

    def issue_event(self, payload: JSON) -> list[ActRun]:
        return self.run("issues", "missions-dispatch.yml", payload)

    def comment_event(self, payload: JSON) -> list[ActRun]:
        return self.run("issue_comment", "missions-dispatch.yml", payload)

    def pull_main(self) -> None:
        """What the server's main holds that the folder does not (merged pull requests)."""
        changed = []
        for path, data in self.server.state.git.files_at("main").items():
            target = self.runner.repo / path
            if path == "README.md" or (target.is_file() and target.read_bytes() == data):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            changed.append(path)
        if changed:
            # this project ignores what its example missions write; a merge commits it all the same
            _git(self.runner.repo, "add", "--force", *changed)
            _git(self.runner.repo, "commit", "--quiet", "-m", "merged on GitHub")
