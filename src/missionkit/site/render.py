"""Stage 2, render: the page templates, filled from the typed context."""

from __future__ import annotations

import html
import re
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2

from missionkit.site.collect import SiteData
from missionkit.site.context import (
    MISSIONS,
    SiteContext,
    mission_page,
    run_folder,
    site_context,
)
from missionkit.site.errors import SiteBuildError
from missionkit.templating import overlay

PACKAGE_TEMPLATES = "templates/site"
INDEX = "index.md.j2"
MISSION = "mission.md.j2"
TABLES = "tables.md.j2"
STYLESHEET = "missionkit.css.j2"
CONFIG = "mkdocs.yml.j2"
STYLESHEET_PATH = "assets/missionkit.css"

_MARKDOWN = re.compile(r"([\\`*_\[\]|#])")


def markdown_text(value: object) -> str:
    """Text shown as written: no Markdown, no HTML, one line (safe in a table cell)."""
    text = html.escape(str(value), quote=False)
    return " ".join(_MARKDOWN.sub(r"\\\1", text).split())


def environment(overrides: Path | None = None) -> jinja2.Environment:
    """The site's templates; files in ``overrides`` replace the packaged ones of that name.

    Pages escape text with ``md`` (Markdown) or ``e`` (the SVG diagram) where it is used."""
    return overlay(PACKAGE_TEMPLATES, overrides=overrides, filters={"md": markdown_text})


@dataclass(frozen=True)
class Output:
    """A generated file: its path in the docs folder and its text."""

    path: str
    text: str


@dataclass(frozen=True)
class Copy:
    """A file copied as it is (a run's report, result or artifact) into the docs folder."""

    source: Path
    path: str


@dataclass(frozen=True)
class RenderedSite:
    outputs: tuple[Output, ...]
    copies: tuple[Copy, ...]
    context: SiteContext

    @property
    def pages(self) -> int:
        return sum(1 for o in self.outputs if o.path.endswith(".md")) + sum(
            1 for c in self.copies if c.path.endswith(".md")
        )


def render_config(env: jinja2.Environment) -> str:
    """The default ``mkdocs.yml``, written when a project has none."""
    return _render(env, CONFIG, {})


def render(data: SiteData, env: jinja2.Environment, now: datetime) -> RenderedSite:
    """Every page and the stylesheet, and the list of run files to copy."""
    context = site_context(data, now)
    outputs = [
        Output("index.md", _render(env, INDEX, {"site": context, "page": context.index})),
        Output(STYLESHEET_PATH, _render(env, STYLESHEET, {"site": context})),
        Output("tables.md", _render(env, TABLES, {"site": context})),
    ]
    copies: list[Copy] = []
    for view, mission in zip(context.index.missions, data.missions, strict=True):
        page = _render(env, MISSION, {"site": context, "page": view})
        outputs.append(Output(mission_page(view.id), page))
        for run in mission.runs:
            base = f"{MISSIONS}/{run_folder(view.id, run)}"
            copies += [Copy(run.folder / name, f"{base}/{name}") for name in run.files]
            copies += [Copy(src, f"{base}/workspace/{name}") for src, name in run.outside]
    return RenderedSite(tuple(outputs), tuple(copies), context)


def _render(env: jinja2.Environment, name: str, context: dict[str, object]) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise SiteBuildError(f"{where}:{exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateError as exc:
        raise SiteBuildError(f"{_where(exc, name)}: {exc.message or exc}") from exc


def _where(exc: BaseException, name: str) -> str:
    """``template:line`` of the innermost template frame of a rendering error."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return f"{frame.filename}:{frame.lineno}"
    return name
