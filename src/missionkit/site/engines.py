"""Stage 4, build: turn the docs folder into HTML with mkdocs-material or Zensical."""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from missionkit.site.config import SitePaths
from missionkit.site.errors import SiteBuildError

ZENSICAL_CONFIG = ".zensical.yml"
ZENSICAL_STAGING = ".zensical-build"


class _Collect(logging.Handler):
    """Keeps the warnings and errors mkdocs logs during a build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def build_mkdocs(paths: SitePaths, strict: bool = True) -> list[str]:
    """Build in this process; return the warnings (in strict mode any warning is an error)."""
    try:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException
    except ImportError as exc:
        raise SiteBuildError(
            "mkdocs is not installed; install it with: pip install mkdocs mkdocs-material"
        ) from exc

    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        config = load_config(
            str(paths.config_file),
            docs_dir=str(paths.docs_dir),
            site_dir=str(paths.site_dir),
            strict=strict,
        )
        build(config)
    except MkDocsException as exc:
        raise SiteBuildError(_failure("mkdocs", str(exc), handler.messages)) from exc
    finally:
        logger.removeHandler(handler)
    return handler.messages


def _failure(engine: str, summary: str, messages: list[str]) -> str:
    lines = [f"the site did not build with {engine}: {summary}".rstrip(": ")]
    lines += [f"  {m}" for m in messages]
    return "\n".join(lines)


def zensical_command() -> list[str]:
    """How to run Zensical: its module in this Python, else a ``zensical`` on the PATH."""
    if importlib.util.find_spec("zensical") is not None:
        return [sys.executable, "-m", "zensical"]
    found = shutil.which("zensical")
    if found is None:
        raise SiteBuildError("zensical is not installed; install it with: pip install zensical")
    return [found]


def build_zensical(paths: SitePaths, strict: bool = True) -> list[str]:
    """Build with ``zensical build`` from a configuration that inherits the mkdocs one.

    Zensical writes only below the configuration's folder, so another ``--out`` is built
    there first and then moved.
    """
    project = paths.project
    inside = _below(paths.site_dir, project)
    target = paths.site_dir if inside else project / ZENSICAL_STAGING
    derived = project / ZENSICAL_CONFIG
    derived.write_text(
        yaml.safe_dump(
            {
                "INHERIT": paths.config_file.name,
                "docs_dir": os.path.relpath(paths.docs_dir, project),
                "site_dir": os.path.relpath(target, project),
            },
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    if target.exists():
        shutil.rmtree(target)
    argv = [*zensical_command(), "build", "--clean", "-f", str(derived)]
    proc = subprocess.run(
        [*argv, "--strict"] if strict else argv,
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1", "CLICOLOR": "0"},
    )
    output = _plain(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        summary = f"exit code {proc.returncode}"
        if output and output[-1].startswith("RuntimeError: "):
            summary = output.pop().removeprefix("RuntimeError: ")
        raise SiteBuildError(_failure("zensical", summary, output))
    if not inside:
        if paths.site_dir.exists():
            shutil.rmtree(paths.site_dir)
        paths.site_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(target, paths.site_dir)
    return [line for line in output if "warning" in line.lower()]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _plain(text: str) -> list[str]:
    """Zensical's messages without colours and without the traceback of its own exit."""
    lines = [_ANSI.sub("", line).rstrip() for line in text.splitlines()]
    if "Traceback (most recent call last):" in lines:
        cut = lines.index("Traceback (most recent call last):")
        lines = lines[:cut] + lines[-1:]
    return [line for line in lines if line.strip()]


def _below(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return path.resolve() != folder.resolve()


BUILDERS = {"mkdocs": build_mkdocs, "zensical": build_zensical}
