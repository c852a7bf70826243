"""One workflow run under nektos/act, on this machine (``-P ubuntu-latest=-self-hosted``: no
Docker), against the GitHub test server, and the chain of runs that events start.

``Chain.run(event, workflow, payload)`` runs a workflow file for an event; then every
``workflow_dispatch`` that run posted to the server starts the next act run, until none is
left. A run whose job failed fails the test, with act's log.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from act.provision import Provisioned

from ghserver import GitHubTestServer

JSON = dict[str, Any]
_JOB_RESULT = re.compile(r"🏁\s+Job (?P<result>succeeded|failed)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ActRun:
    event: str
    workflow: str
    run_id: int
    code: int
    log: str
    jobs: dict[str, str] = field(default_factory=dict)  # job name → succeeded | failed

    def describe(self) -> str:
        where = f"{self.workflow} on {self.event} (run {self.run_id})"
        return f"{where}: exit {self.code}, jobs {self.jobs}"


class ActRunner:
    def __init__(
        self,
        provisioned: Provisioned,
        server: GitHubTestServer,
        repo: Path,
        work: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        self.p = provisioned
        self.server = server
        self.repo = repo
        self.work = work
        self.artifacts = work / "artifacts"  # act's artifact server keeps them here
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.home = work / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / ".actrc").write_text("", encoding="utf-8")
        self.extra_env = env or {}
        self.count = 0

    def _process_env(self) -> dict[str, str]:
        """The runner's environment (act passes it on to every step): the system's tools only,
        so that ``mission`` comes from the Python ``setup-python`` put on PATH."""
        tools = {Path(shutil.which(t) or "/usr/bin/true").parent for t in ("node", "git", "jq")}
        path = os.pathsep.join(
            [*(str(t) for t in sorted(tools)), "/usr/local/bin", "/usr/bin", "/bin"]
        )
        return {
            "PATH": path,
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "TMPDIR": str(self.work / "tmp"),
        }

    def run(self, event: str, workflow: str, payload: JSON, run_id: int) -> ActRun:
        self.count += 1
        event_file = self.work / "events" / f"{self.count:02d}-{event}.json"
        event_file.parent.mkdir(parents=True, exist_ok=True)
        event_file.write_text(json.dumps(payload, indent=1), encoding="utf-8")
        (self.work / "tmp").mkdir(exist_ok=True)
        env_args = {
            "GITHUB_API_URL": self.server.url,
            "GITHUB_RUN_ID": str(run_id),
            "PIP_NO_INDEX": "1",
            "PIP_NO_BUILD_ISOLATION": "false",  # i.e. no isolation: hatchling is installed
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "MISSIONKIT_WRITE_DELAY": "0",
            "MISSIONKIT_RETRY_BACKOFF": "0.01",
            **self.extra_env,
        }
        command = [
            self.p.act,
            event,
            "-W",
            f".github/workflows/{workflow}",
            "-e",
            str(event_file),
            "-P",
            "ubuntu-latest=-self-hosted",
            "--action-offline-mode",
            "--action-cache-path",
            str(self.p.action_cache),
            "--artifact-server-path",
            str(self.artifacts),
            "--artifact-server-addr",
            "127.0.0.1",
            "--artifact-server-port",
            str(_free_port()),
            "--no-cache-server",
            "--use-gitignore=false",  # a checkout holds every committed file, ignored or not
            "-s",
            "GITHUB_TOKEN=token-bot",
        ]
        for key, folder in self.p.local_repositories.items():
            command += ["--local-repository", f"{key}={folder}"]
        for name, value in env_args.items():
            command += ["--env", f"{name}={value}"]
        done = subprocess.run(
            command,
            cwd=self.repo,
            env=self._process_env(),
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        log = done.stdout + done.stderr
        (self.work / "logs").mkdir(exist_ok=True)
        (self.work / "logs" / f"{self.count:02d}-{workflow}-{event}.log").write_text(log)
        jobs: dict[str, str] = {}
        for line in log.splitlines():
            found = _JOB_RESULT.search(line)
            if found:
                name = line.split("]", 1)[0].lstrip("[").strip()
                jobs[name] = found["result"]
        return ActRun(event, workflow, run_id, done.returncode, log, jobs)
