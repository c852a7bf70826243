"""Options shared by several commands."""

from __future__ import annotations

import click

missions_option = click.option(
    "--missions",
    "missions_dir",
    envvar="MISSIONKIT_MISSIONS",
    default="missions",
    show_default=True,
    type=click.Path(file_okay=False),
    help="folder holding the mission files",
)
