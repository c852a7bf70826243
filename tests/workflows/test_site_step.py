"""missions-site's build step, run by bash against the GitHub test server: it builds the site
from the configuration `mission init` writes, with a read-only view of the issues."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from missionkit.cli.main import cli as mission_group
from missionkit.scaffold.init import render_files
from workflows.ghactions import WORKFLOWS, load, run_step, step
from workflows.ghstate import Result

from ghserver import GitHubTestServer

MISSION = """\
---
title: Site mission
owner: dana-lee
success_criteria: [It shows]
tasks:
  - id: look
    title: Look at the site
---
"""


def test_the_site_builds_without_writing(
    repo: Path, gh: GitHubTestServer, mission_cli: Callable[..., Result], tmp_path: Path
) -> None:
    pytest.importorskip("material", reason="mkdocs-material is not installed")
    if "site" not in mission_group.commands:
        pytest.skip("`mission site` is not registered in cli/commands.py yet")
    (repo / "missions" / "site-mission.md").write_text(MISSION, encoding="utf-8")
    (repo / "site").mkdir()
    (repo / "site" / "mkdocs.yml").write_text(render_files()["site/mkdocs.yml"], encoding="utf-8")
    assert mission_cli("sync", "--tracker", "github").code == 0
    gh.reset_log()

    built = run_step(
        step(load(WORKFLOWS / "missions-site.yml"), "build", "Build the site"),
        repo,
        tmp_path / "runner",
        expressions={"GITHUB_TOKEN": "token-bot"},
        github={"GITHUB_REPOSITORY": "acme/data", "GITHUB_API_URL": gh.url},
        timeout=300,
    )
    assert built.code == 0, built.text
    assert (repo / "site" / "build" / "index.html").is_file()
    assert "Site mission" in (repo / "site" / "build" / "index.html").read_text(encoding="utf-8")
    assert gh.writes == [], "the build job has issues: read only"
