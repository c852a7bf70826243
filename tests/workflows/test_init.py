"""``mission init [DIR]``: what it writes, what it keeps, and that the result works."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import missionkit
from missionkit.scaffold.init import (
    CHECKOUT_INSTALL,
    DEFAULT_INSTALL,
    FILES,
    GITIGNORE_LINES,
    WORKFLOWS,
    InitOptions,
    render_files,
)
from missionkit.spec.loader import load_missions
from workflows.ghactions import ROOT, load, triggers
from workflows.ghstate import Result

CLI = Callable[..., Result]
WRITTEN = [path for path, _ in FILES]


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "adopter"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=30)
    return repo


def test_init_then_validate_in_an_empty_repository(
    git_repo: Path, mission_cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = mission_cli("init", str(git_repo))
    assert result.code == 0, result.text
    for path in [*WRITTEN, ".gitignore"]:
        assert f"wrote {path}\n" in result.out
        assert (git_repo / path).is_file()
    assert "next: commit these files" in result.out
    assert "not the top of a git repository" not in result.out
    assert (git_repo / ".gitignore").read_text().splitlines() == list(GITIGNORE_LINES)

    monkeypatch.chdir(git_repo)
    validated = mission_cli("validate")
    assert validated.code == 0, validated.text
    assert "ok: 1 mission, 2 tasks" in validated.out
    (example,) = load_missions(["missions"])
    assert example.spec.status == "draft", "an example must not be synced into real issues"
    assert example.spec.owner == "your-github-login"


def test_existing_files_are_kept_without_force(git_repo: Path, mission_cli: CLI) -> None:
    readme = git_repo / "missions" / "README.md"
    readme.parent.mkdir()
    readme.write_text("our own notes\n")
    (git_repo / ".gitignore").write_text("node_modules/\n.missionkit/\n")

    first = mission_cli("init", str(git_repo))
    assert first.code == 0, first.text
    assert "kept missions/README.md (it exists; --force overwrites it)" in first.out
    assert readme.read_text() == "our own notes\n"
    assert "wrote .github/workflows/missions-pr.yml" in first.out
    assert "add to .gitignore: /site/docs/ /site/build/" in first.out
    assert (git_repo / ".gitignore").read_text() == "node_modules/\n.missionkit/\n"

    again = mission_cli("init", str(git_repo))
    assert again.code == 0
    assert "unchanged .github/workflows/missions-pr.yml" in again.out
    assert "wrote" not in again.out

    forced = mission_cli("init", str(git_repo), "--force")
    assert forced.code == 0
    assert "overwrote missions/README.md" in forced.out
    assert readme.read_text() == render_files()["missions/README.md"]


def test_only_some_parts(git_repo: Path, mission_cli: CLI) -> None:
    result = mission_cli("init", str(git_repo), "--only", "workflows", "--only", "site")
    assert result.code == 0, result.text
    assert not (git_repo / "missions").exists()
    assert not (git_repo / ".gitignore").exists()
    assert sorted(p.name for p in (git_repo / ".github" / "workflows").iterdir()) == sorted(
        Path(w).name for w in WORKFLOWS
    )
    assert (git_repo / "site" / "mkdocs.yml").is_file()


def test_init_creates_the_folder_and_says_it_is_no_repository(
    tmp_path: Path, mission_cli: CLI
) -> None:
    target = tmp_path / "new" / "place"
    result = mission_cli("init", str(target))
    assert result.code == 0, result.text
    assert "is not the top of a git repository" in result.out
    assert (target / "missions" / "getting-started.md").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--owner", "not a login"], "--owner"),
        (["--install", "pip install x\nrm -rf ~"], "--install"),
        (["--install", "pip install x", "--install-from-checkout"], "give one of"),
        (["--install", "pip install x", "--install-requirements", "r.txt"], "give one of"),
        (["--install-requirements", "../elsewhere.txt"], "--install-requirements"),
        (["--install-requirements", "/etc/passwd"], "--install-requirements"),
        (["--install-requirements", "r.txt; curl x | sh"], "--install-requirements"),
        (["--branch", "main; echo"], "--branch"),
        (["--branch", "-x"], "--branch"),
        (["--python", "three"], "--python"),
        (["--slack-webhook-env", "GITHUB_TOKEN"], "--slack-webhook-env"),
        (["--copilot-secret", "X }} ${{ github.token"], "--copilot-secret"),
        (["--copilot-secret", "GITHUB_TOKEN"], "--copilot-secret"),
    ],
)
def test_bad_options_write_nothing(
    args: list[str], message: str, tmp_path: Path, mission_cli: CLI
) -> None:
    result = mission_cli("init", str(tmp_path / "repo"), *args)
    assert result.code == 2, result.text
    assert message in result.err
    assert not (tmp_path / "repo").exists()


def test_the_install_command_is_a_template_variable() -> None:
    installs = {
        DEFAULT_INSTALL: render_files(InitOptions()),
        CHECKOUT_INSTALL: render_files(InitOptions(install=CHECKOUT_INSTALL)),
        "uv pip install --system missionkit": render_files(
            InitOptions(install="uv pip install --system missionkit")
        ),
    }
    for install, files in installs.items():
        for path in WORKFLOWS:
            workflow = yaml.safe_load(files[path])
            commands = [
                step["run"].strip()
                for job in workflow["jobs"].values()
                for step in job.get("steps", [])
                if step.get("name") == "Install missionkit"
            ]
            assert commands and set(commands) == {install}, path
    assert f'pip install "missionkit[data]=={missionkit.__version__}"' == DEFAULT_INSTALL
    assert CHECKOUT_INSTALL == 'pip install -e ".[data]"'


def test_options_reach_the_files() -> None:
    files = render_files(
        InitOptions(branch="trunk", python_version="3.13", owner="kim", slack_webhook_env="HOOK")
    )
    sync = yaml.safe_load(files[".github/workflows/missions-sync.yml"])
    assert triggers(sync)["push"]["branches"] == ["trunk"]
    assert 'python-version: "3.13"' in files[".github/workflows/missions-site.yml"]
    assert 'owner: "kim" ' in files["missions/getting-started.md"]
    dispatch = files[".github/workflows/missions-dispatch.yml"]
    assert "HOOK: ${{ secrets.HOOK }}" in dispatch
    assert "SLACK_WEBHOOK_URL" not in dispatch


def test_ai_options_give_only_the_jobs_that_use_them_what_they_need() -> None:
    def permissions(files: dict[str, str]) -> dict[str, dict[str, dict[str, str]]]:
        return {
            path: {
                name: job.get("permissions", {})
                for name, job in yaml.safe_load(text)["jobs"].items()
            }
            for path, text in files.items()
            if path in WORKFLOWS
        }

    plain = render_files()
    assert "models" not in str(permissions(plain))
    ai = render_files(InitOptions(models=True, copilot_secret="COPILOT_TOKEN"))
    granted = permissions(ai)
    with_models = [
        (path, job) for path, jobs in granted.items() for job, p in jobs.items() if "models" in p
    ]
    assert with_models == [(".github/workflows/missions-dispatch.yml", "agent")]
    assert granted[".github/workflows/missions-dispatch.yml"]["agent"]["models"] == "read"
    dispatch = yaml.safe_load(ai[".github/workflows/missions-dispatch.yml"])["jobs"]
    assert dispatch["dispatch"]["permissions"]["pull-requests"] == "read"
    env_of = {
        (job, step.get("name")): step.get("env", {})
        for job, spec in dispatch.items()
        for step in spec.get("steps", [])
    }
    holders = [key for key, env in env_of.items() if "COPILOT_TOKEN" in env]
    assert holders == [("dispatch", "Dispatch")]
    assert env_of[("dispatch", "Dispatch")]["COPILOT_TOKEN"] == "${{ secrets.COPILOT_TOKEN }}"
    assert env_of[("agent", "Run the agent")].keys() == {"MISSION", "TASK"}  # still no token
    for path in WORKFLOWS:  # nothing else changes
        changed = set(plain[path].splitlines()) ^ set(ai[path].splitlines())
        if path != ".github/workflows/missions-dispatch.yml":
            assert not changed, path


def test_no_template_syntax_is_left() -> None:
    for path, text in render_files().items():
        for mark in ("{!", "!}", "{%", "%}", "{#!"):
            assert mark not in text, (path, mark)
        if path.endswith(".yml"):
            assert yaml.safe_load(text), path


def test_the_generated_workflows_are_the_projects_but_for_the_install() -> None:
    generated = render_files()
    for path in WORKFLOWS:
        own = (ROOT / path).read_text(encoding="utf-8")
        assert own.replace(CHECKOUT_INSTALL, DEFAULT_INSTALL) == generated[path], path
        assert load(ROOT / path)["name"] == Path(path).stem


def test_the_site_configuration() -> None:
    """The same mkdocs.yml as missionkit's own site/ and `mission site build`'s default."""
    from missionkit.site.render import environment, render_config

    written = render_files()["site/mkdocs.yml"]
    assert written == render_config(environment())
    assert written == (ROOT / "site" / "mkdocs.yml").read_text(encoding="utf-8")
    config = yaml.safe_load(written)
    assert config["docs_dir"] == "docs" and config["site_dir"] == "build"
    assert config["theme"]["name"] == "material"


def test_the_site_configuration_loads_in_mkdocs(tmp_path: Path) -> None:
    config_module = pytest.importorskip("mkdocs.config", reason="mkdocs is not installed")
    pytest.importorskip("material", reason="mkdocs-material is not installed")
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "index.md").write_text("# Missions\n")
    (site / "mkdocs.yml").write_text(render_files()["site/mkdocs.yml"])
    config = config_module.load_config(str(site / "mkdocs.yml"))
    assert config["site_name"] == "Missions"
    assert config["theme"].name == "material"


def test_the_default_install_is_the_running_release(git_repo: Path, mission_cli: CLI) -> None:
    """Jobs that hold write tokens and secrets install what wrote them, never the newest."""
    result = mission_cli("init", str(git_repo))
    assert result.code == 0, result.text
    for path in WORKFLOWS:
        text = (git_repo / path).read_text(encoding="utf-8")
        assert f'pip install "missionkit[data]=={missionkit.__version__}"' in text, path
        assert 'pip install "missionkit[data]"\n' not in text, path


def test_hashes_can_be_pinned(git_repo: Path, mission_cli: CLI) -> None:
    result = mission_cli("init", str(git_repo), "--install-requirements", "ci/missionkit.txt")
    assert result.code == 0, result.text
    for path in WORKFLOWS:
        workflow = load(git_repo / path)
        installs = [
            step["run"].strip()
            for job in workflow["jobs"].values()
            for step in job.get("steps", [])
            if step.get("name") == "Install missionkit"
        ]
        assert installs and set(installs) == {
            'pip install --require-hashes -r "ci/missionkit.txt"'
        }, path


def test_dependabot_keeps_the_actions_current(git_repo: Path, mission_cli: CLI) -> None:
    result = mission_cli("init", str(git_repo), "--only", "workflows")
    assert result.code == 0, result.text
    assert "wrote .github/dependabot.yml" in result.out
    config = load(git_repo / ".github" / "dependabot.yml")
    assert config["version"] == 2
    assert {(u["package-ecosystem"], u["directory"]) for u in config["updates"]} == {
        ("github-actions", "/")
    }
    assert (ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8") == (
        git_repo / ".github" / "dependabot.yml"
    ).read_text(encoding="utf-8")
