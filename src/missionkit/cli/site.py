"""``mission site build [--tracker local|github] [--out DIR] [--engine mkdocs|zensical]``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from missionkit.cli.params import missions_option, opened, tracker_options
from missionkit.site import ENGINES, SiteOptions, build_site
from missionkit.site.config import CONFIG_FILE
from missionkit.spec.loader import load_missions


@click.group("site")
def command() -> None:
    """Build the status site."""


@command.command("build")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="folder for the HTML [default: site_dir of the configuration, site/build]",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=CONFIG_FILE,
    show_default=True,
    help="mkdocs configuration; written with the defaults when missing",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="mkdocs",
    show_default=True,
    help="build with mkdocs-material or with Zensical",
)
@missions_option
@tracker_options
def build(
    out: Path | None,
    config_file: Path,
    engine: str,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """Render a page per mission and an index from the tracker's state, then build the HTML."""
    missions = [m for m in load_missions([missions_dir]) if m.spec.status != "draft"]
    with opened(tracker, repo, api_url) as backend:
        report = build_site(
            missions, backend, SiteOptions(config_file=config_file, out=out, engine=engine)
        )
    if report.config_written:
        click.echo(f"wrote the default configuration to {config_file}")
    for warning in report.warnings:
        click.echo(warning, err=True)
    index = os.path.relpath(report.index)
    click.echo(
        f"built {report.pages} pages for {report.missions} missions with {engine} "
        f"in {report.total:.1f} s: {index}"
    )
    return 0
