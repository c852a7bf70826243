"""The jinja2 environment for the templates shipped in the package."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("missionkit", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - renders Markdown, YAML and diagrams, never HTML
    )
    # Mission inputs may hold dates (YAML timestamps): show them as ISO text in JSON.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "default": str}
    env.filters["format_mention"] = lambda login: f"@{login}"
    return env


def render_template(name: str, context: dict[str, Any]) -> str:
    return environment().get_template(name).render(**context)
