"""``mission dbt-changes prepare|build``: build what a change touches in the missions' dbt
projects (``state:modified+``, deferring to the base branch), in a copy of the warehouse."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from missionkit.cli.params import github_downloader, missions_option, opened, tracker_options
from missionkit.errors import CheckFailed
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission
from missionkit.warehouse import travel

folder = click.Path(file_okay=False, path_type=Path)
PLAN = "plan.json"  # in prepare's folder: each mission's warehouse path and artifact
DOWNLOADED = "warehouse"  # in prepare's folder: <mission>/ the artifact's files


@click.group("dbt-changes")
def command() -> None:
    """Build what a change touches in the missions' dbt projects."""


def _missions(missions_dir: str, ids: tuple[str, ...]) -> list[Mission]:
    from missionkit.agents.dbt.changes import dbt_projects

    found = load_missions([missions_dir])
    unknown = sorted(set(ids) - {m.id for m in found})
    if unknown:
        raise click.UsageError(f"no mission {', '.join(unknown)} in {missions_dir}")
    return [m for m in found if (not ids or m.id in ids) and dbt_projects(m)]


@command.command("prepare")
@click.argument("mission_ids", nargs=-1, metavar="[MISSION]...")
@click.option("--out", type=folder, required=True, help="where the production state goes")
@missions_option
@tracker_options
def prepare(
    mission_ids: tuple[str, ...],
    out: Path,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """Download the production warehouse of each mission with dbt tasks: the newest DuckDB
    artifact missionkit recorded for it. Runs no code of the change: give it the token."""
    missions = _missions(missions_dir, mission_ids)
    out.mkdir(parents=True, exist_ok=True)
    plan: dict[str, dict[str, object]] = {}
    with opened(tracker, repo, api_url) as backend:
        for mission in missions:
            path = travel.travels(mission)
            artifact = travel.latest(backend, mission.id) if path else None
            if artifact is not None:
                download = github_downloader(backend, tracker, repo, api_url)
                if download is None:
                    raise CheckFailed("warehouse artifacts are downloaded from GitHub only")
                download(artifact.id, out / DOWNLOADED / mission.id)
                click.echo(f"{mission.id}: downloaded warehouse artifact {artifact.id}")
            else:
                click.echo(f"{mission.id}: no warehouse artifact to download")
            plan[mission.id] = {"path": path, "artifact": asdict(artifact) if artifact else None}
    (out / PLAN).write_text(json.dumps(plan, indent=1) + "\n", encoding="utf-8")
    return 0


@command.command("build")
@click.argument("mission_ids", nargs=-1, metavar="[MISSION]...")
@click.option("--base", "base_ref", required=True, help="the git commit to compare with (a ref)")
@click.option("--out", type=folder, required=True, help="a scratch folder for dbt's files")
@click.option(
    "--from",
    "prepared",
    type=folder,
    default=None,
    help="prepare's folder: build in a copy of the warehouse it downloaded",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="write the Markdown report here [default: stdout]",
)
@missions_option
def build(
    mission_ids: tuple[str, ...],
    base_ref: str,
    out: Path,
    prepared: Path | None,
    report: Path | None,
    missions_dir: str,
) -> int:
    """List and build, with `state:modified+ --defer`, what the change modifies in each dbt
    project of the missions, against the base commit's copy; exit 1 when anything fails."""
    from missionkit.agents.dbt.build import find_dbt
    from missionkit.agents.dbt.changes import base_tree, changes, dbt_projects
    from missionkit.templating import render_template

    dbt = find_dbt(None)
    if dbt is None:
        raise CheckFailed("dbt is not installed: pip install 'missionkit[data]'")
    missions = _missions(missions_dir, mission_ids)
    workspace = Path.cwd()
    base = out / "base"
    folders = sorted({p for m in missions for p in dbt_projects(m)})
    base_tree(workspace, base_ref, folders, base)
    plan = _read_plan(prepared)
    results = []
    for mission in missions:
        given = _production(prepared, plan, mission, out)
        results += changes(mission, workspace, base, out, dbt, given)
    from missionkit.agents.data.warehouse import cell

    text = render_template("dbt/changes.md.j2", {"projects": results, "cell": cell})
    if report is None:
        click.echo(text, nl=False)
    else:
        report.write_text(text, encoding="utf-8")
        for r in results:
            state = "ok" if r.ok else "FAILED"
            click.echo(f"{r.mission} {r.project}: {len(r.nodes)} selected, {state}")
    return 0 if all(r.ok for r in results) else 1


def _read_plan(prepared: Path | None) -> dict[str, object]:
    if prepared is None:
        return {}
    source = prepared / PLAN
    if not source.is_file() or source.is_symlink():
        raise CheckFailed(f"{source} is missing: run `mission dbt-changes prepare` first")
    data = json.loads(source.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _production(
    prepared: Path | None, plan: dict[str, object], mission: Mission, out: Path
) -> Path | None:
    """The downloaded production file, taken only when its SHA-256 is the one recorded."""
    entry = plan.get(mission.id)
    if prepared is None or not isinstance(entry, dict) or not entry.get("artifact"):
        return None
    path = travel.travels(mission)
    if path is None or entry.get("path") != path:
        raise CheckFailed(f"{PLAN} names another warehouse than {mission.id}'s")
    artifact = travel.Artifact(**entry["artifact"])
    target = out / mission.id / "production" / Path(path).name
    travel.take(prepared / DOWNLOADED / mission.id, artifact, target)
    return target
