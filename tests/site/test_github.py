"""The site built from the GitHub tracker (the test server): issue links and states."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from missionkit.cli import site
from missionkit.cli.main import cli, main
from missionkit.lifecycle import TaskEvent
from missionkit.site import PALETTE
from missionkit.spec.loader import load_missions
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.github.tracker import GitHubTracker
from missionkit.tracking.plan import make_plan

MISSION = """---
title: Flow mission
owner: dana-lee
success_criteria: [It flows]
tasks:
  - id: extract
    title: Extract the data
    agent: shell
    with: {command: "true"}
  - id: review
    title: Review the extract
    owner: alex-kim
    depends_on: [extract]
---
"""


def test_site_from_the_github_tracker_links_each_issue(
    github_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    read: Any,
) -> None:
    (tmp_path / "missions").mkdir()
    (tmp_path / "missions" / "flow.md").write_text(MISSION, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(cli.commands, "site", site.command)
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    tracker = GitHubTracker.connect(github_server.url, "acme/data", "test-token")
    try:
        apply_plan(make_plan(load_missions(["missions"]), tracker), tracker)
        extract = next(i for i in tracker.read("flow") if i.key.task == "extract")
        tracker.transition(extract, TaskEvent.CLOSE, "dana-lee", "done by hand")
        issues = {i.key.task: i for i in tracker.read("flow")}
    finally:
        tracker.close()
    argv = ["site", "build", "--tracker", "github", "--repo", "acme/data"]
    assert main([*argv, "--api-url", github_server.url]) == 0, capsys.readouterr().err
    page = read(tmp_path / "site" / "build" / "missions" / "flow.html")
    rows = page.rows("Task", "State", "Owner or agent")
    assert {t: r[1:4] for t, r in rows.items()} == {
        "extract": ["done", "agent shell", f"#{issues['extract'].number}"],
        "review": ["blocked", "@alex-kim", f"#{issues['review'].number}"],
    }
    links = {url for tag, _, url in page.links if tag == "a"}
    assert {issues["extract"].url, issues["review"].url, issues[""].url} <= links
    assert issues["extract"].url.startswith("http")
    fills = {n["data-task"]: n["rect-fill"] for n in page.nodes}
    assert fills == {"extract": PALETTE["done"].fill, "review": PALETTE["blocked"].fill}
    index = read(tmp_path / "site" / "build" / "index.html")
    assert "from the github tracker" in index.text
