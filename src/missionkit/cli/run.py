"""``mission run [ID]``: the whole mission on this machine, with the local tracker."""

from __future__ import annotations

import os

import click
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from missionkit.cli.output import console
from missionkit.execution.localrun import Step, run_local

ICONS = {"done": "[green]✔[/]", "failed": "[red]✘[/]", "needs-human": "[magenta]?[/]"}


@click.command("run")
@click.argument("mission_id", required=False)
@click.option(
    "--workers",
    "-j",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 2,
    show_default="CPU count",
    help="agents running at once",
)
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False),
    help="YAML of MISSION/TASK: answer, given when that task asks a person (demos)",
)
@click.option("--quiet", "-q", is_flag=True, help="no progress display")
@click.option(
    "--missions",
    "missions_dir",
    envvar="MISSIONKIT_MISSIONS",
    default="missions",
    show_default=True,
    type=click.Path(file_okay=False),
)
def command(
    mission_id: str | None, workers: int, answers_file: str | None, quiet: bool, missions_dir: str
) -> int:
    """Sync to the local tracker, then dispatch and run agents until done or waiting on people."""
    out = console()
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out,
        disable=quiet,
        transient=False,
    )
    shown: list[TaskID] = []  # the bar appears once the missions are synced

    def show(step: Step) -> None:
        if not shown:
            bar.start()
            shown.append(bar.add_task("running", total=step.total))
        if step.kind in ICONS and step.key is not None:
            bar.console.print(f"{ICONS[step.kind]} {step.key}: {escape(step.text)}")
        elif step.kind == "answer" and step.key is not None:
            bar.console.print(f"[cyan]↩[/] {step.key}: {escape(step.text)}")
        bar.update(shown[0], completed=step.finished)

    try:
        summary = run_local(
            missions_dir,
            mission_id,
            workers=workers,
            answers_file=answers_file,
            progress=None if quiet else show,
        )
    finally:
        if shown:
            bar.stop()
    waiting = 0
    for status in summary.statuses:
        out.print(
            f"\n[bold]{escape(status.mission.spec.title)}[/] ({status.mission.id}): "
            f"{status.done}/{len(status.tasks)} tasks done, {status.state}"
        )
        for t in status.tasks:
            if t.waits_on_kind == "person":
                waiting += 1
                out.print(f"  waiting on {t.waits_on}: {t.task} ({t.state}) — {escape(t.title)}")
                if t.reason:
                    out.print(f"    [red]✘[/] {escape(t.reason)}")
        if status.state == "awaiting-signoff":
            waiting += 1
            out.print(
                f"  waiting on sign-off by {', '.join(status.mission.approvers)}: "
                f"mission approve {status.mission.id}"
            )
    if waiting:
        out.print(
            "\nWhen a person has acted (mission done / answer / retry / approve), "
            "run `mission run` again to go on."
        )
    return 0
