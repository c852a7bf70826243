"""The one jinja2 environment for everything missionkit writes from a template.

Issue bodies, history tables, reports, questions, replies, notifications, dbt files, diagrams,
site pages, ``mission init``'s files and the blueprints all render through :func:`environment`:
strict about undefined names, no HTML autoescaping (the outputs are Markdown, YAML, SQL and
SVG, escaped where they are used), trailing newlines kept. A folder whose templates read
differently gets an *overlay* of it (:func:`overlay`): the same settings, filters and
policies, with its own loader and only the settings it names changed (the workflow templates'
``{! !}`` delimiters, which leave GitHub's ``${{ }}`` alone; the blueprints' whitespace).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

PACKAGE = "missionkit"
TEMPLATES = "templates"


@cache
def environment() -> jinja2.Environment:
    """The environment of the package's ``templates/`` folder (names relative to it)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(PACKAGE, TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - renders Markdown, YAML, SQL and diagrams, never HTML
    )
    # Mission inputs may hold dates (YAML timestamps): show them as ISO text in JSON.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "default": str}
    env.filters["format_mention"] = lambda login: f"@{login}"
    return env


def overlay(
    folder: str,
    *,
    overrides: Path | None = None,
    filters: dict[str, Callable[..., Any]] | None = None,
    **settings: Any,
) -> jinja2.Environment:
    """:func:`environment` for the templates of ``folder`` (a package folder, names relative
    to it); files in ``overrides`` replace the packaged ones of the same name."""
    loaders: list[jinja2.BaseLoader] = []
    if overrides is not None and overrides.is_dir():
        loaders.append(jinja2.FileSystemLoader(overrides))
    loaders.append(jinja2.PackageLoader(PACKAGE, folder))
    base = environment()
    env = base.overlay(loader=jinja2.ChoiceLoader(loaders), **settings)
    env.filters = {**base.filters, **(filters or {})}
    return env


def render_template(name: str, context: dict[str, Any]) -> str:
    return environment().get_template(name).render(**context)


def render_text(name: str, context: dict[str, Any]) -> str:
    """A message said to people (a comment, a reply, a subject): the template's text without
    its final newline."""
    return render_template(name, context).rstrip("\n")
