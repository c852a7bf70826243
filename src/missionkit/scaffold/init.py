"""Adopt missionkit in a repository: ``missions/``, the GitHub workflows and the site configuration.

The files are jinja2 templates under ``templates/init/``, rendered with their own environment:
GitHub's ``${{ … }}`` expressions pass through untouched because the template variables are
written ``{! … !}`` (blocks stay ``{% … %}``, comments are ``{#! … !#}``).

:func:`render_files` returns the text of every file; :func:`init_repository` writes them into a
folder, keeping the files that exist unless ``force`` is given.  missionkit's own workflows are
these files rendered with :data:`CHECKOUT_INSTALL` (a test keeps them equal).
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import jinja2

from missionkit import __version__
from missionkit.errors import UsageError
from missionkit.templating import overlay
from missionkit.tracking.github.commands import COMMANDS

#: The jobs that install missionkit hold write tokens and secrets: install the release that
#: wrote the workflows, never whatever is newest on PyPI when a job starts.
DEFAULT_INSTALL = f'pip install "missionkit[data]=={__version__}"'
#: How missionkit's own workflows install it: from the repository they run in.
CHECKOUT_INSTALL = 'pip install -e ".[data]"'


@dataclass(frozen=True)
class PinnedAction:
    """A third-party action pinned to the full commit SHA of a release."""

    repo: str
    sha: str
    version: str

    def __str__(self) -> str:
        return f"{self.repo}@{self.sha} # {self.version}"


#: Every action the generated workflows use, pinned to the commit of its release tag.
ACTIONS: dict[str, PinnedAction] = {
    "checkout": PinnedAction(
        "actions/checkout", "34e114876b0b11c390a56381ad16ebd13914f8d5", "v4.3.1"
    ),
    "setup_python": PinnedAction(
        "actions/setup-python", "a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"
    ),
    "configure_pages": PinnedAction(
        "actions/configure-pages", "983d7736d9b0ae728b81ab479565c72886d7745b", "v5.0.0"
    ),
    # v4.0.0 is the first release that pins the action it calls (actions/upload-artifact) to a
    # commit; v3 called it by the moving tag v4.
    "upload_pages_artifact": PinnedAction(
        "actions/upload-pages-artifact", "7b1f4a764d45c48632c6b24a0339c27f5614fb0b", "v4.0.0"
    ),
    # artifact-ids and run-id (a warehouse uploaded by an earlier run) came in v4.3.0
    "download_artifact": PinnedAction(
        "actions/download-artifact", "d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"
    ),
    "upload_artifact": PinnedAction(
        "actions/upload-artifact", "ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"
    ),
    "deploy_pages": PinnedAction(
        "actions/deploy-pages", "d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e", "v4.0.5"
    ),
}

#: The site configuration is the status site's own default (see missionkit.site.render).
SITE_CONFIG = "<the status site's default mkdocs.yml>"

#: (file written, template under templates/init/), in the order they are written and shown.
FILES: tuple[tuple[str, str], ...] = (
    ("missions/README.md", "missions/README.md.j2"),
    ("missions/getting-started.md", "missions/getting-started.md.j2"),
    (".github/workflows/missions-pr.yml", "workflows/missions-pr.yml.j2"),
    (".github/workflows/missions-sync.yml", "workflows/missions-sync.yml.j2"),
    (".github/workflows/missions-dispatch.yml", "workflows/missions-dispatch.yml.j2"),
    (".github/workflows/missions-site.yml", "workflows/missions-site.yml.j2"),
    (".github/workflows/missions-pull.yml", "workflows/missions-pull.yml.j2"),
    (".github/dependabot.yml", "dependabot.yml.j2"),
    ("site/mkdocs.yml", SITE_CONFIG),
)

WORKFLOWS: tuple[str, ...] = tuple(p for p, _ in FILES if p.startswith(".github/workflows/"))

#: The parts ``--only`` can choose, by the folder their files are in.
PARTS: dict[str, str] = {
    "missions": "missions/",
    "workflows": ".github/",
    "site": "site/",
}

#: What a repository using missionkit keeps out of git; written to .gitignore when it has none.
GITIGNORE_LINES: tuple[str, ...] = (".missionkit/", "/site/docs/", "/site/build/")

_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PYTHON = re.compile(r"^3\.\d{1,2}$")
# a branch name as git allows it, minus what would need quoting in YAML or a shell
_BRANCH = re.compile(r"^(?![/-])(?!.*(?:\.\.|//|@\{|\.lock$|/$|\.$))[A-Za-z0-9._/-]{1,200}$")
_CRON = re.compile(r"^[0-9*/,-]+( [0-9*/,-]+){4}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_REQUIREMENTS = re.compile(r"^(?!/)(?!.*(?:^|/)\.\.(?:/|$))[A-Za-z0-9._/-]{1,200}$")


def hashed_install(requirements: str) -> str:
    """The install command for a requirements file that pins every package with its hashes
    (``pip-compile --generate-hashes``, ``uv pip compile --generate-hashes``)."""
    if not _REQUIREMENTS.match(requirements):
        raise UsageError(
            f"--install-requirements: '{requirements}' is not a path inside the repository"
        )
    return f'pip install --require-hashes -r "{requirements}"'


@dataclass(frozen=True)
class InitOptions:
    """The template variables; the defaults suit a repository that installs from PyPI."""

    install: str = DEFAULT_INSTALL
    python_version: str = "3.12"
    branch: str = "main"
    owner: str = "your-github-login"
    slack_webhook_env: str = "SLACK_WEBHOOK_URL"
    models: bool = False  # the agent job may call GitHub Models (llm tasks)
    copilot_secret: str | None = None  # the user token that assigns Copilot (dispatch job)
    max_agents: int = 20
    agent_timeout_minutes: int = 360
    dispatch_cron: str = "17 * * * *"
    site_cron: str = "41 */6 * * *"
    dbt_projects: tuple[str, ...] = ("dbt",)  # whose changes start missions-pr
    #: secrets handed to missionkit in the agent job (a server warehouse's credentials)
    warehouse_secrets: tuple[str, ...] = ()

    def problems(self) -> list[str]:
        """Why these options would make a broken file (empty when they are fine)."""
        out: list[str] = []
        if not self.install.strip() or _CONTROL.search(self.install):
            out.append("--install: give one command on one line")
        if not _PYTHON.match(self.python_version):
            out.append(f"--python: '{self.python_version}' is not a version like 3.12")
        if not _BRANCH.match(self.branch):
            out.append(f"--branch: '{self.branch}' is not a branch name")
        if not _LOGIN.match(self.owner):
            out.append(f"--owner: '{self.owner}' is not a valid GitHub login")
        if not _ENV_NAME.match(self.slack_webhook_env) or self.slack_webhook_env.startswith(
            "GITHUB_"
        ):
            out.append(f"--slack-webhook-env: '{self.slack_webhook_env}' is not a secret name")
        if self.copilot_secret is not None and (
            not _ENV_NAME.match(self.copilot_secret) or self.copilot_secret.startswith("GITHUB_")
        ):
            out.append(f"--copilot-secret: '{self.copilot_secret}' is not a secret name")
        if not 1 <= self.max_agents <= 256:
            out.append("max_agents: a matrix holds 1 to 256 jobs")
        if not 1 <= self.agent_timeout_minutes <= 360:
            out.append("agent_timeout_minutes: a GitHub-hosted job runs 1 to 360 minutes")
        for project in self.dbt_projects:
            if not _REQUIREMENTS.match(project):
                out.append(f"--dbt-project: '{project}' is not a folder inside the repository")
        for secret in self.warehouse_secrets:
            if not _ENV_NAME.match(secret) or secret.startswith("GITHUB_"):
                out.append(f"--warehouse-secret: '{secret}' is not a secret name")
        for name in ("dispatch_cron", "site_cron"):
            if not _CRON.match(getattr(self, name)):
                out.append(f"{name}: '{getattr(self, name)}' is not a cron schedule")
        return out


@cache
def _environment() -> jinja2.Environment:
    # The workflows' YAML is full of GitHub's ``${{ }}``: missionkit's own values use ``{! !}``.
    return overlay(
        "templates/init",
        variable_start_string="{!",
        variable_end_string="!}",
        comment_start_string="{#!",
        comment_end_string="!#}",
    )


def render_files(options: InitOptions | None = None) -> dict[str, str]:
    """The text of every file ``mission init`` writes, by path relative to the repository."""
    options = options or InitOptions()
    problems = options.problems()
    if problems:
        raise UsageError("; ".join(problems))
    env = _environment()
    context: dict[str, object] = {
        **asdict(options),
        "install_command": options.install.strip(),
        "uses": {name: str(action) for name, action in ACTIONS.items()},
        "commands": COMMANDS,
    }
    from missionkit.site.render import environment as site_environment
    from missionkit.site.render import render_config

    return {
        path: (
            render_config(site_environment())
            if template == SITE_CONFIG
            else env.get_template(template).render(context)
        )
        for path, template in FILES
    }


Action = Literal["wrote", "overwrote", "unchanged", "kept"]


@dataclass(frozen=True)
class Written:
    path: str
    action: Action

    def describe(self) -> str:
        if self.action == "kept":
            return f"kept {self.path} (it exists; --force overwrites it)"
        if self.action == "unchanged":
            return f"unchanged {self.path}"
        return f"{self.action} {self.path}"


@dataclass
class InitResult:
    root: Path
    files: list[Written] = field(default_factory=list)
    gitignore_missing: list[str] = field(default_factory=list)

    @property
    def written(self) -> list[str]:
        return [f.path for f in self.files if f.action in ("wrote", "overwrote")]

    @property
    def kept(self) -> list[str]:
        return [f.path for f in self.files if f.action == "kept"]


def _write(path: Path, text: str) -> None:
    if path.is_symlink():
        path.unlink()  # write a file here, never through a link to somewhere else
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def init_repository(
    root: Path,
    options: InitOptions | None = None,
    *,
    force: bool = False,
    parts: set[str] | None = None,
) -> InitResult:
    """Write the files of :func:`render_files` under ``root``; keep existing ones unless
    ``force``.  ``parts`` (keys of :data:`PARTS`) limits which files are written.

    On a whole init a ``.gitignore`` is written when there is none; otherwise the lines it lacks
    are reported in ``gitignore_missing``, and the file is left alone."""
    unknown = sorted((parts or set()) - PARTS.keys())
    if unknown:
        raise UsageError(f"unknown part {', '.join(unknown)}; parts: {', '.join(PARTS)}")
    files = render_files(options)
    if parts is not None:
        prefixes = tuple(PARTS[p] for p in parts)
        files = {path: text for path, text in files.items() if path.startswith(prefixes)}
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    result = InitResult(root)
    for relative, text in files.items():
        path = root / relative
        if os.path.lexists(path):
            if (
                path.is_file()
                and not path.is_symlink()
                and path.read_text(encoding="utf-8", errors="replace") == text
            ):
                result.files.append(Written(relative, "unchanged"))
                continue
            if not force:
                result.files.append(Written(relative, "kept"))
                continue
            if path.is_dir() and not path.is_symlink():
                raise UsageError(f"{path} is a folder; remove it or choose another repository")
            _write(path, text)
            result.files.append(Written(relative, "overwrote"))
        else:
            _write(path, text)
            result.files.append(Written(relative, "wrote"))
    gitignore = root / ".gitignore"
    if parts is not None:
        return result
    if not os.path.lexists(gitignore):
        _write(gitignore, "".join(line + "\n" for line in GITIGNORE_LINES))
        result.files.append(Written(".gitignore", "wrote"))
    elif gitignore.is_file():
        present = {
            line.strip()
            for line in gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
        }
        result.gitignore_missing = [
            line
            for line in GITIGNORE_LINES
            if line not in present and line.lstrip("/") not in present
        ]
    return result
