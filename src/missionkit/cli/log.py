"""``mission log ID``."""

from __future__ import annotations

import json

import click

from missionkit.cli.params import missions_option, opened, tracker_options
from missionkit.spec.missions import find_mission


@click.command("log")
@click.argument("mission_id")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@missions_option
@tracker_options
def command(
    mission_id: str,
    as_json: bool,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """The history of every transition: time, actor, reason."""
    find_mission(missions_dir, mission_id)
    with opened(tracker, repo, api_url) as backend:
        events = backend.history(mission_id)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "at": e.at.isoformat(),
                        "item": str(e.key),
                        "actor": e.actor,
                        "kind": e.kind,
                        "from": e.from_state,
                        "to": e.to_state,
                        "reason": e.reason,
                    }
                    for e in events
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    for e in events:
        change = f"{e.from_state or '·'} → {e.to_state}" if e.to_state else e.kind
        what = e.key.task or "(mission)"
        click.echo(f"{e.at:%Y-%m-%d %H:%M:%S}  {what:<24} {change:<26} {e.actor:<20} {e.reason}")
    return 0
