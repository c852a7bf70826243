"""The site build as a linear pipeline: collect → render → write → build."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from missionkit import clock
from missionkit.site.collect import collect
from missionkit.site.config import ENGINES, SiteOptions, SitePaths, resolve_paths
from missionkit.site.engines import BUILDERS
from missionkit.site.errors import SiteBuildError
from missionkit.site.offline import external_resources
from missionkit.site.render import environment, render, render_config
from missionkit.site.write import write
from missionkit.spec.model import Mission
from missionkit.tracking.base import Tracker

STAGES = ("collect", "render", "write", "build")
T = TypeVar("T")


@dataclass
class BuildReport:
    """What a build made and how long each stage took (seconds)."""

    paths: SitePaths
    engine: str
    missions: int = 0
    pages: int = 0
    files: int = 0
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    config_written: bool = False

    @property
    def total(self) -> float:
        return sum(self.timings.values())

    @property
    def generation(self) -> float:
        """Time spent outside the engine: collecting, rendering, writing and checking."""
        return self.total - self.timings.get("build", 0.0)

    @property
    def index(self) -> Path:
        return self.paths.site_dir / "index.html"


def _timed(report: BuildReport, stage: str, run: Callable[[], T]) -> T:
    start = time.perf_counter()
    try:
        return run()
    finally:
        report.timings[stage] = report.timings.get(stage, 0.0) + time.perf_counter() - start


def ensure_config(config_file: Path) -> bool:
    """Write the default configuration when there is none; True if it was written."""
    if config_file.exists():
        return False
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(render_config(environment()), encoding="utf-8")
    return True


def build_site(
    missions: Sequence[Mission], tracker: Tracker, options: SiteOptions | None = None
) -> BuildReport:
    """Build the status site of ``missions`` from ``tracker``'s state; see :class:`SiteOptions`."""
    options = options or SiteOptions()
    if options.engine not in ENGINES:
        raise SiteBuildError(f"unknown engine '{options.engine}'; use one of: {', '.join(ENGINES)}")
    written = ensure_config(options.config_file)
    paths = resolve_paths(options)
    _check_out(paths.site_dir)
    report = BuildReport(paths, options.engine, missions=len(missions), config_written=written)
    env = environment(paths.templates)
    data = _timed(
        report, "collect", lambda: collect(missions, tracker, options.runs_dir, options.workspace)
    )
    site = _timed(report, "render", lambda: render(data, env, clock.now()))
    report.pages = site.pages
    report.files = _timed(report, "write", lambda: write(site, paths.docs_dir))
    builder = BUILDERS[options.engine]
    report.warnings = _timed(report, "build", lambda: builder(paths, options.strict))
    if options.check_offline:
        copied = {c.path for c in site.copies}
        found = _timed(report, "check", lambda: external_resources(paths.site_dir, copied))
        if found:
            raise SiteBuildError(
                "the site would load files from the internet:\n"
                + "\n".join(f"  {f}" for f in found)
            )
    return report


def _check_out(site_dir: Path) -> None:
    """Refuse to empty a folder that does not look like an earlier build."""
    if site_dir.is_file():
        raise SiteBuildError(f"{site_dir} is a file, not a folder for the site")
    if site_dir.is_dir() and any(site_dir.iterdir()) and not (site_dir / "index.html").exists():
        raise SiteBuildError(
            f"{site_dir} is not empty and holds no site: choose an empty folder for --out"
        )
