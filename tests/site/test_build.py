"""``mission site build``: the command, the configuration, strict failures and safety."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from missionkit.cli.main import main
from missionkit.site import SiteOptions, build_site, environment
from missionkit.site.render import render_config

REPO = Path(__file__).resolve().parents[2]


def test_repository_configuration_is_the_default_one() -> None:
    assert (REPO / "site" / "mkdocs.yml").read_text(encoding="utf-8") == render_config(
        environment()
    )


def test_build_writes_the_default_configuration_when_missing(
    in_project: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    config = in_project.root / "fresh" / "mkdocs.yml"
    assert main(["site", "build", "--config", str(config)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"wrote the default configuration to {config}"
    assert re.fullmatch(
        r"built 9 pages for 3 missions with mkdocs in \d+\.\d s: fresh/build/index.html", out[1]
    )
    assert config.read_text(encoding="utf-8") == render_config(environment())
    assert (config.parent / "build" / "missions" / "reporting.html").is_file()
    assert sorted(p.name for p in (config.parent / "docs").iterdir()) == [
        ".missionkit-site",
        "assets",
        "index.md",
        "missions",
        "tables.md",
    ]


def test_out_puts_the_html_elsewhere_and_rebuilds_it(
    in_project: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "html"
    assert main(["site", "build", "--out", str(out)]) == 0
    stale = out / "missions" / "gone.html"
    stale.write_text("old")
    assert main(["site", "build", "--out", str(out)]) == 0
    assert (out / "index.html").is_file() and not stale.exists()
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.endswith(f": {os.path.relpath(out / 'index.html')}")


def test_out_refuses_a_folder_that_holds_something_else(
    in_project: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    assert main(["site", "build", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"error: {tmp_path} is not empty and holds no site: choose an empty folder for --out\n"
    )
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_docs_dir_with_files_of_its_own_is_never_emptied(
    in_project: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: Mine\ndocs_dir: pages\n", encoding="utf-8")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "handbook.md").write_text("# Handbook\n")
    assert main(["site", "build", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'pages'} holds files that `mission site build`")
    assert (tmp_path / "pages" / "handbook.md").is_file()


def _override(root: Path, name: str, text: str) -> Path:
    """A configuration in ``root`` whose templates folder replaces the template ``name``."""
    config = root / "custom" / "mkdocs.yml"
    (config.parent / "templates").mkdir(parents=True, exist_ok=True)
    (config.parent / "templates" / name).write_text(text, encoding="utf-8")
    return config


def test_strict_build_fails_on_a_template_with_a_broken_link(
    in_project: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _override(
        in_project.root, "mission.md.j2", "# {{ page.title | md }}\n\nSee [the plan](plan.md).\n"
    )
    assert main(["site", "build", "--config", str(config)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "error: the site did not build with mkdocs: Aborted with 3 warnings in strict mode!"
    )
    assert err[1:] == [
        f"  WARNING: Doc file 'missions/{m}.md' contains a link 'plan.md', but the target "
        "'missions/plan.md' is not found among documentation files."
        for m in ("backlog", "onboarding", "reporting")
    ]


def test_a_template_error_names_the_template_and_line(
    in_project: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _override(tmp_path, "index.md.j2", "# Missions\n\n{{ page.nope }}\n")
    assert main(["site", "build", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    template = config.parent / "templates" / "index.md.j2"
    assert err == (
        f"error: {template}:3: 'missionkit.site.context.IndexView object' has no attribute 'nope'\n"
    )
    _override(tmp_path, "index.md.j2", "# Missions\n{% if %}\n")
    assert main(["site", "build", "--config", str(config)]) == 1
    assert capsys.readouterr().err == (
        f"error: {template}:2: Expected an expression, got 'end of statement block'\n"
    )


def test_github_tracker_needs_a_repository(
    in_project: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["site", "build", "--tracker", "github"]) == 2
    assert capsys.readouterr().err == (
        "error: the github tracker needs GITHUB_REPOSITORY=owner/name (or --repo)\n"
    )


def test_help_names_every_option(capsys: pytest.CaptureFixture[str], in_project: Any) -> None:
    assert main(["site", "build", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--out", "--config", "--engine", "--tracker", "--missions", "--repo"):
        assert option in out


def test_library_build_needs_no_command_line(in_project: Any, tmp_path: Path) -> None:
    from missionkit.spec.loader import load_missions

    missions = load_missions([in_project.root / "missions"])
    tracker = in_project.tracker()
    try:
        report = build_site(
            [m for m in missions if m.spec.status != "draft"],
            tracker,
            SiteOptions(config_file=in_project.root / "site" / "mkdocs.yml", out=tmp_path / "o"),
        )
    finally:
        tracker.close()
    assert set(report.timings) == {"collect", "render", "write", "build", "check"}
    assert report.pages == 9 and report.missions == 3  # index, tables, 3 missions, 4 reports
    assert report.index == tmp_path / "o" / "index.html" and report.index.is_file()
    assert 0 < report.generation < report.total


def test_a_page_that_would_load_from_a_cdn_fails_the_build(
    in_project: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = '# Missions\n\n<script src="https://cdn.example.org/mermaid.min.js"></script>\n'
    config = _override(tmp_path, "index.md.j2", script)
    assert main(["site", "build", "--config", str(config)]) == 1
    assert capsys.readouterr().err == (
        "error: the site would load files from the internet:\n"
        "  index.html: loads https://cdn.example.org/mermaid.min.js\n"
    )
