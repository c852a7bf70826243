"""``mission status [ID] [--json]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from missionkit.cli.output import console
from missionkit.cli.params import missions_option, opened, tracker_options
from missionkit.site.lineage import consumers, failed_checks, read_tables
from missionkit.spec.loader import load_missions
from missionkit.spec.missions import find_mission
from missionkit.tracking.status import MissionStatus, mission_label, mission_status, with_reasons

STYLE = {
    "done": "green",
    "ready": "blue",
    "running": "yellow",
    "needs-human": "magenta",
    "failed": "red",
    "cancelled": "dim",
    "blocked": "white",
}


@click.command("status")
@click.argument("mission_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@missions_option
@tracker_options
def command(
    mission_id: str | None,
    as_json: bool,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """Show every task's state, owner, issue and what it waits on."""
    if mission_id:
        missions = [find_mission(missions_dir, mission_id)]
    else:
        missions = [m for m in load_missions([missions_dir]) if m.spec.status != "draft"]
    with opened(tracker, repo, api_url) as backend:
        statuses = [with_reasons(mission_status(m, backend), backend) for m in missions]
    reach = _downstream(Path.cwd())
    if as_json:
        shown = [{**s.to_json(), "downstream": reach.get(s.mission.id, [])} for s in statuses]
        click.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        return 0

    out = console()
    for status in statuses:
        m = status.mission
        out.print(
            f"[bold]{escape(m.spec.title)}[/] ({m.id}) · owner @{m.spec.owner} · "
            f"{mission_label(status.state)} · {status.done}/{len(status.tasks)} done"
        )
        table = Table(box=None, pad_edge=False, show_edge=False)
        for column in ("task", "state", "owner / agent", "issue", "waits on"):
            table.add_column(column)
        for t in status.tasks:
            who = f"agent:{t.agent}" if t.agent else f"@{t.owner}"
            table.add_row(
                t.task,
                f"[{STYLE.get(t.state, 'white')}]{t.state}[/]",
                who,
                f"#{t.number}" if t.number else "-",
                escape(t.waits_on or ""),
            )
        out.print(table)
        for t in status.tasks:
            if t.reason:
                out.print(f"[red]✘[/] {t.task}: {escape(t.reason)}")
            for warning in t.warnings:
                out.print(f"  [yellow]⚠ {escape(warning)}[/] ({t.task})")
        for d in reach.get(m.id, []):
            readers = ", ".join(d["read_by"]) or "no other task"
            out.print(
                f"  [red]✘[/] a check of {d['task']} fails on {escape(d['table'])}; "
                f"read by {escape(readers)}"
            )
        _criteria(out, status)
        out.print()
    return 0


def _downstream(workspace: Path) -> dict[str, list[dict[str, Any]]]:
    """Mission → each check failing on a table, with the tasks anywhere that read it."""
    failed = failed_checks(workspace)
    if not failed:
        return {}
    tables = read_tables(workspace)
    out: dict[str, list[dict[str, Any]]] = {}
    for check in failed:
        read_by = [f"{mission}/{task}" for mission, task in consumers(check, tables)]
        entry = {"task": check.task, "table": check.table, "read_by": read_by}
        out.setdefault(check.mission, []).append(entry)
    return out


def _criteria(out: Console, status: MissionStatus) -> None:
    checked = [c for c in status.to_json()["criteria"] if c["checked"]]
    if not checked:
        return
    out.print("  success criteria checks:")
    for c in checked:
        mark = {"passed": "[green]✓", "warned": "[yellow]⚠", "failed": "[red]✗"}.get(
            c["status"], "[white]·"
        )
        detail = f": {c['detail']}" if c["detail"] else f" ({c['status']})"
        out.print(f"  {mark} {escape(c['text'])}[/]{escape(detail)}")
