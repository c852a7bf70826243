"""The status site: pages from the missions and the tracker's state, built with mkdocs.

The build is a linear pipeline of named stages, each a function of the one before::

    collect(missions, tracker, runs_dir, workspace) -> SiteData
    render(data, environment, now)                  -> RenderedSite
    write(rendered, docs_dir)                       -> number of files
    BUILDERS[engine](paths, strict)                 -> warnings

:func:`build_site` runs them in order and times each one.
"""

from __future__ import annotations

from missionkit.site.collect import MissionData, RunRecord, SiteData, collect
from missionkit.site.config import ENGINES, SiteOptions, SitePaths, resolve_paths
from missionkit.site.context import IndexView, MissionView, SiteContext, TaskView
from missionkit.site.engines import BUILDERS, build_mkdocs, build_zensical
from missionkit.site.errors import SiteBuildError
from missionkit.site.offline import ExternalResource, external_resources
from missionkit.site.palette import PALETTE, StateStyle
from missionkit.site.pipeline import STAGES, BuildReport, build_site, ensure_config
from missionkit.site.render import RenderedSite, environment, render
from missionkit.site.write import write

__all__ = [
    "BUILDERS",
    "ENGINES",
    "PALETTE",
    "STAGES",
    "BuildReport",
    "ExternalResource",
    "IndexView",
    "MissionData",
    "MissionView",
    "RenderedSite",
    "RunRecord",
    "SiteBuildError",
    "SiteContext",
    "SiteData",
    "SiteOptions",
    "SitePaths",
    "StateStyle",
    "TaskView",
    "build_mkdocs",
    "build_site",
    "build_zensical",
    "collect",
    "ensure_config",
    "environment",
    "external_resources",
    "render",
    "resolve_paths",
    "write",
]
