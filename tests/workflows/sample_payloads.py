"""Write the sample webhook payloads of tests/data/github/payloads/.

They are what missions-dispatch receives for a task's issue of the mission ``sample-mission``:
made by syncing that mission into the GitHub test server (with a fixed clock), then closing,
reopening and commenting on the task's issue as users, and assembling each payload from the
server's JSON like :class:`workflows.webhooks.Payloads` does; the server's loopback URLs are
rewritten to github.com's.  The tests validate them against GitHub's webhook schemas.

Regenerate (from the repository root)::

    .venv/bin/python tests/workflows/sample_payloads.py
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from workflows.webhooks import PAYLOADS_DIR, Payloads, schemas, tokens_for  # noqa: E402

from ghserver import GitHubTestServer  # noqa: E402
from ghserver.fixtures import DEFAULT_USERS  # noqa: E402

MISSION = """\
---
title: Sample mission
owner: dana-lee
success_criteria: [The samples validate]
tasks:
  - id: review-sample
    title: Review the sample
    owner: alex-kim
---
"""


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def _github_urls(node: Any, local: str) -> Any:
    if isinstance(node, dict):
        return {k: _github_urls(v, local) for k, v in node.items()}
    if isinstance(node, list):
        return [_github_urls(v, local) for v in node]
    if isinstance(node, str) and node.startswith(local):
        rest = node[len(local) :]
        if re.match(r"/(repos|users|repositories)/", rest):
            return "https://api.github.com" + rest
        if rest.startswith("/avatars/"):
            return "https://avatars.githubusercontent.com" + rest.removeprefix("/avatars")
        return "https://github.com" + rest
    if isinstance(node, str):
        return node.replace(local.split("://", 1)[1], "github.com")
    return node


def build() -> dict[str, dict[str, Any]]:
    from missionkit.cli.main import main

    server = GitHubTestServer(
        users=DEFAULT_USERS, tokens=tokens_for(list(DEFAULT_USERS)), clock=_Clock()
    )
    with server, tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "missions").mkdir()
        (work / "missions" / "sample-mission.md").write_text(MISSION, encoding="utf-8")
        os.environ.update(
            GITHUB_TOKEN="token-bot",
            GITHUB_REPOSITORY="acme/data",
            GITHUB_API_URL=server.url,
            MISSIONKIT_WRITE_DELAY="0",
        )
        cwd = Path.cwd()
        os.chdir(work)
        try:
            assert main(["sync", "--tracker", "github", "--quiet"]) == 0
        finally:
            os.chdir(cwd)
        number = max(server.state.issues)
        payloads = Payloads(server, work / "events")
        samples = {
            "issues-closed": payloads.close(number, "alex-kim"),
            "issues-reopened": payloads.reopen(number, "alex-kim"),
            "issue_comment-created": payloads.comment(number, "alex-kim", "/retry"),
        }
        return {name: _github_urls(p, server.url) for name, p in samples.items()}


def main() -> int:
    PAYLOADS_DIR.mkdir(parents=True, exist_ok=True)
    for name, payload in build().items():
        schemas().check(name.replace("-", ".", 1), payload)
        path = PAYLOADS_DIR / f"{name}.json"
        path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
