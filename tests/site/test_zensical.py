"""The same generated project builds with Zensical, the successor of Material for MkDocs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from missionkit.cli.main import main
from missionkit.site import PALETTE, external_resources

pytest.importorskip("zensical", reason="zensical is not installed (pip install zensical)")


def test_zensical_builds_the_site(
    in_project: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], read: Any
) -> None:
    out = tmp_path / "zensical"
    assert main(["site", "build", "--engine", "zensical", "--out", str(out)]) == 0
    assert re.match(r"built 9 pages for 3 missions with zensical in ", capsys.readouterr().out)
    index = read(out / "index.html")
    assert [row[0] for row in index.table("Mission")[1:]] == [
        "Backfill history",
        "Onboard the CRM | extracts",
        "Weekly report",
    ]
    page = read(out / "missions" / "onboarding.html")
    assert {n["data-task"]: n["rect-fill"] for n in page.nodes}["quality"] == PALETTE["failed"].fill
    assert "tasks: quality" in page.text
    reports = [u for t, _, u in page.links if t == "a" and u.endswith("/report.html")]
    assert reports and all((out / "missions" / u).is_file() for u in reports)
    assert external_resources(out) == []
    assert not (in_project.root / "site" / ".zensical-build").exists()


def test_zensical_strict_build_fails_on_a_broken_link(
    in_project: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    config = in_project.root / "zbroken" / "mkdocs.yml"
    (config.parent / "templates").mkdir(parents=True)
    (config.parent / "templates" / "index.md.j2").write_text("# Missions\n\n[plan](plan.md)\n")
    assert main(["site", "build", "--engine", "zensical", "--config", str(config)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "error: the site did not build with zensical: Aborted because --strict flag is set"
    )
    assert "  Warning: page does not exist" in err
    assert "     ╭─[ index.md:3:8 ]" in err
