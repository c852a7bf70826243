"""``mission run [ID]``: the whole mission on this machine, with the local tracker."""

from __future__ import annotations

import os
from pathlib import Path

import click
import yaml
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from missionkit.cli.output import console
from missionkit.errors import UsageError
from missionkit.execution.localrun import LocalRun
from missionkit.execution.notify import Notifier
from missionkit.lifecycle import TaskState
from missionkit.spec.loader import load_missions
from missionkit.spec.missions import find_mission
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.model import Key
from missionkit.tracking.plan import make_plan
from missionkit.tracking.select import TrackerSettings
from missionkit.tracking.status import with_reasons

ICONS = {"done": "[green]✔[/]", "failed": "[red]✘[/]", "needs-human": "[magenta]?[/]"}


def _answers(path: str | None) -> dict[str, str]:
    if not path:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"cannot read the answers file {path}: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UsageError(f"{path}: expected a mapping of MISSION/TASK to answer text")
    return {str(k): v for k, v in data.items()}


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
    if mission_id:
        missions = [find_mission(missions_dir, mission_id)]
    else:
        missions = [m for m in load_missions([missions_dir]) if m.spec.status == "active"]
    tracker = LocalTracker(TrackerSettings.from_env("local").local_path)
    out = console()
    try:
        apply_plan(make_plan(missions, tracker), tracker)
        total = sum(len(m.tasks) for m in missions)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=out,
            disable=quiet,
            transient=False,
        ) as bar:
            progress_id = bar.add_task("running", total=total)

            def show(kind: str, key: Key | None, text: str) -> None:
                if kind in ICONS and key is not None:
                    bar.console.print(f"{ICONS[kind]} {key}: {escape(text)}")
                elif kind == "answer" and key is not None:
                    bar.console.print(f"[cyan]↩[/] {key}: {escape(text)}")
                finished = sum(
                    1
                    for m in missions
                    for i in tracker.read(m.id)
                    if i.key.task and i.state in (TaskState.DONE, TaskState.CANCELLED)
                )
                bar.update(progress_id, completed=finished)

            run = LocalRun(
                missions,
                tracker,
                Path.cwd(),
                Notifier(),
                workers=workers,
                progress=show if not quiet else None,
                demo_answers=_answers(answers_file),
            )
            summary = run.run()
        statuses = [with_reasons(s, tracker) for s in summary.statuses]
    finally:
        tracker.close()
    waiting = 0
    for status in statuses:
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
