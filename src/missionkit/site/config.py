"""Where the site's configuration, generated pages and HTML are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from missionkit.execution.runner import RUNS_DIR
from missionkit.site.errors import SiteBuildError

CONFIG_FILE = Path("site") / "mkdocs.yml"
ENGINES = ("mkdocs", "zensical")
TEMPLATES = "templates"


@dataclass(frozen=True)
class SiteOptions:
    """How to build: the mkdocs configuration, where the HTML goes, with which engine."""

    config_file: Path = CONFIG_FILE
    out: Path | None = None  # default: the configuration's site_dir
    engine: str = "mkdocs"
    strict: bool = True
    runs_dir: Path = RUNS_DIR
    workspace: Path = Path()
    check_offline: bool = True


@dataclass(frozen=True)
class SitePaths:
    """The resolved folders of one build."""

    config_file: Path
    docs_dir: Path
    site_dir: Path
    templates: Path  # page templates here replace the packaged ones

    @property
    def project(self) -> Path:
        return self.config_file.parent


class _Tolerant(yaml.SafeLoader):
    """Reads any mkdocs.yml: tags such as ``!ENV`` or ``!!python/name:`` become None."""


def _ignore(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    del loader, suffix, node


_Tolerant.add_multi_constructor("!", _ignore)
_Tolerant.add_multi_constructor("tag:yaml.org,2002:python/", _ignore)


def read_config(config_file: Path) -> dict[str, Any]:
    try:
        with config_file.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_Tolerant)  # noqa: S506 - a safe loader
    except OSError as exc:
        raise SiteBuildError(f"{config_file}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise SiteBuildError(f"{config_file}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SiteBuildError(f"{config_file}: expected a mapping of mkdocs settings")
    return data


def resolve_paths(options: SiteOptions) -> SitePaths:
    """The docs and site folders named by the configuration (relative to it), or --out."""
    config_file = options.config_file.absolute()
    data = read_config(config_file)
    project = config_file.parent
    docs_dir = project / str(data.get("docs_dir") or "docs")
    site_dir = (
        options.out.absolute() if options.out else project / str(data.get("site_dir") or "site")
    )
    if docs_dir.resolve() == project.resolve():
        raise SiteBuildError(f"{config_file}: docs_dir must be a folder below the configuration")
    return SitePaths(config_file, docs_dir, site_dir, project / TEMPLATES)
