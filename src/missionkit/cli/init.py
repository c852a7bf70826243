"""``mission init [DIR]``: add missions/, the GitHub workflows and the site configuration."""

from __future__ import annotations

from pathlib import Path

import click

from missionkit.cli.output import console
from missionkit.errors import UsageError
from missionkit.scaffold.init import (
    CHECKOUT_INSTALL,
    DEFAULT_INSTALL,
    PARTS,
    InitOptions,
    hashed_install,
    init_repository,
)


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="overwrite the files that exist")
@click.option(
    "--only",
    "parts",
    multiple=True,
    type=click.Choice(sorted(PARTS)),
    help="write only these parts (repeatable), e.g. --only workflows --force to update them",
)
@click.option(
    "--install",
    "install",
    metavar="COMMAND",
    default=None,
    help=f"how the workflows install missionkit [default: {DEFAULT_INSTALL}]",
)
@click.option(
    "--install-requirements",
    "requirements",
    metavar="FILE",
    default=None,
    help="install from FILE, a requirements file with every hash (pip install --require-hashes)",
)
@click.option(
    "--install-from-checkout",
    is_flag=True,
    help=f"install missionkit from this repository ({CHECKOUT_INSTALL}), as missionkit's own do",
)
@click.option(
    "--branch",
    metavar="NAME",
    default="main",
    show_default=True,
    help="the branch whose missions are synced",
)
@click.option(
    "--python",
    "python_version",
    metavar="VERSION",
    default="3.12",
    show_default=True,
    help="Python of the jobs",
)
@click.option(
    "--owner",
    metavar="LOGIN",
    default="your-github-login",
    show_default=True,
    help="Mission Owner of the example mission",
)
@click.option(
    "--slack-webhook-env",
    metavar="NAME",
    default="SLACK_WEBHOOK_URL",
    show_default=True,
    help="the secret holding the Slack webhook URL (the missions' slack_webhook_env)",
)
@click.option(
    "--models",
    is_flag=True,
    help="give the agent job `models: read`, for llm tasks asking GitHub Models",
)
@click.option(
    "--copilot-secret",
    metavar="NAME",
    default=None,
    help="the secret holding a user token that assigns copilot tasks (given to the dispatch job)",
)
@click.option(
    "--dbt-project",
    "dbt_projects",
    metavar="DIR",
    multiple=True,
    help="a dbt project folder whose changes missions-pr builds (repeatable) [default: dbt]",
)
@click.option(
    "--warehouse-secret",
    "warehouse_secrets",
    metavar="NAME",
    multiple=True,
    help="a secret missionkit connects to the warehouse with in agent jobs, e.g. the missions'"
    " warehouse_env or PGPASSWORD (repeatable); task code never sees it",
)
def command(
    directory: str,
    force: bool,
    parts: tuple[str, ...],
    install: str | None,
    requirements: str | None,
    install_from_checkout: bool,
    branch: str,
    python_version: str,
    owner: str,
    slack_webhook_env: str,
    models: bool,
    copilot_secret: str | None,
    dbt_projects: tuple[str, ...],
    warehouse_secrets: tuple[str, ...],
) -> int:
    """Add missions/, the GitHub workflows and the site configuration to a repository."""
    given = [install is not None, requirements is not None, install_from_checkout]
    if sum(given) > 1:
        raise UsageError(
            "give one of --install, --install-requirements and --install-from-checkout"
        )
    if requirements is not None:
        install = hashed_install(requirements)
    options = InitOptions(
        install=CHECKOUT_INSTALL if install_from_checkout else install or DEFAULT_INSTALL,
        python_version=python_version,
        branch=branch,
        owner=owner,
        slack_webhook_env=slack_webhook_env,
        models=models,
        copilot_secret=copilot_secret,
        dbt_projects=tuple(p.strip("/") for p in dbt_projects) or ("dbt",),
        warehouse_secrets=tuple(dict.fromkeys(warehouse_secrets)),
    )
    root = Path(directory)
    result = init_repository(root, options, force=force, parts=set(parts) or None)
    out = console()
    for item in result.files:
        out.print(item.describe(), markup=False)
    if result.gitignore_missing:
        out.print(
            "add to .gitignore: " + " ".join(result.gitignore_missing),
            markup=False,
        )
    if not (root / ".git").exists():
        out.print(f"note: {root} is not the top of a git repository", markup=False)
    if result.written:
        out.print(
            "next: commit these files; the token permissions, the Pages source and the "
            "secrets are in missionkit's README, under 'Adopting missionkit in a repository'",
            markup=False,
        )
    elif result.kept:
        out.print("nothing written: every file exists (--force overwrites them)", markup=False)
    return 0
