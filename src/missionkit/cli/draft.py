"""``mission draft ID --charter FILE|-``: a mission proposed from its charter (status: draft)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from missionkit.cli.new import _pairs
from missionkit.cli.output import console
from missionkit.cli.params import missions_option, opened, tracker_options
from missionkit.cli.params import settings as settings_for
from missionkit.errors import UsageError
from missionkit.llm.config import AIConfig
from missionkit.scaffold.charter import read_charter
from missionkit.scaffold.draft import Draft, Drafter
from missionkit.templating import render_template


@click.command("draft")
@click.argument("mission_id")
@click.option(
    "--charter", "charter_file", required=True, metavar="FILE|-", help="the charter (- for stdin)"
)
@click.option("--model", help="model id [env MISSIONKIT_LLM_MODEL; default openai/gpt-4.1-mini]")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="blueprint parameter, used when no LLM is configured (repeatable)",
)
@click.option("--force", is_flag=True, help="overwrite an existing file")
@missions_option
@tracker_options
def command(
    mission_id: str,
    charter_file: str,
    model: str | None,
    settings: tuple[str, ...],
    force: bool,
    missions_dir: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> int:
    """Propose missions/ID.md from a charter: tasks, checks and dependencies, as a draft.

    The LLM is GitHub Models inside GitHub Actions, or MISSIONKIT_LLM_URL with the key in
    MISSIONKIT_LLM_KEY_ENV's variable (default GITHUB_TOKEN). Without one, the closest blueprint
    is used. A draft is validated but never synced until its status is set to active. With
    --tracker github the file is also proposed as a pull request.
    """
    if charter_file == "-":
        text, where = sys.stdin.read(), "<stdin>"
    else:
        try:
            text, where = Path(charter_file).read_text(encoding="utf-8"), charter_file
        except OSError as exc:
            raise UsageError(f"cannot read the charter {charter_file}: {exc.strerror}") from None
    charter = read_charter(text, where)
    config = AIConfig(model=model) if model else AIConfig()
    drafter = Drafter(Path(missions_dir), env=os.environ, config=config, force=force)
    result = drafter.draft(mission_id, charter, _pairs(settings))
    out = console()
    if result.how == "llm":
        rounds = "" if result.rounds == 1 else " after one repair"
        out.print(f"wrote {result.path} (status: draft), proposed by the LLM{rounds}", markup=False)
        if result.detail:
            out.print(f"notes: {result.detail}", markup=False)
    else:
        out.print(
            f"wrote {result.path} (status: draft) from a blueprint: {result.detail}", markup=False
        )
    if settings_for(tracker, repo, api_url).name == "github":
        number, url = _propose(result, mission_id, charter.title, tracker, repo, api_url)
        out.print(f"proposed as pull request #{number}: {url}", markup=False)
    out.print("review it, then set `status: active` to have it synced", markup=False)
    return 0


def _propose(
    result: Draft,
    mission_id: str,
    title: str,
    tracker: str | None,
    repo: str | None,
    api_url: str | None,
) -> tuple[int, str]:
    from missionkit.tracking.github.changes import propose_files
    from missionkit.tracking.github.tracker import GitHubTracker

    path = result.path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    body = render_template(
        "draft/pull_request.md.j2",
        {
            "path": path,
            "how": "proposed by the LLM" if result.how == "llm" else "from a blueprint",
            "detail": result.detail,
        },
    )
    with opened(tracker, repo, api_url) as backend:
        assert isinstance(backend, GitHubTracker)
        return propose_files(
            backend.issues,
            {path: result.path.read_bytes()},
            branch=f"missionkit/draft/{mission_id}",
            title=f"Draft mission {mission_id}: {title}",
            body=body,
        )
