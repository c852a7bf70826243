"""``mission``: the entry point and the one place that maps errors to exit codes."""

from __future__ import annotations

import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from missionkit import __version__
from missionkit.cli.commands import COMMANDS
from missionkit.errors import InputError, MissionkitError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mission")
def cli() -> None:
    """Missions as code: validate, track and run data missions."""


for command in COMMANDS:
    cli.add_command(command)


def _crash_log(exc: BaseException) -> Path:
    folder = Path(".missionkit") / "logs"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"crash-{stamp}.log"
    path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (0, 1 input/check, 2 usage, 3 unexpected)."""
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="mission",
            standalone_mode=False,
        )
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except InputError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        n = len(exc.problems)
        click.echo(f"{n} problem{'s' if n != 1 else ''} found", err=True)
        return exc.exit_code
    except MissionkitError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Exception as exc:
        log = _crash_log(exc)
        click.echo(f"unexpected error: {type(exc).__name__}: {exc}", err=True)
        click.echo(f"the traceback is in {log}", err=True)
        return 3
    return result if isinstance(result, int) else 0


def entry() -> None:
    sys.exit(main())
