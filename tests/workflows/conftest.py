"""Fixtures of the workflow tests: a GitHub test server whose tokens act as users, a repository
folder wired to it through the standard variables, webhook payloads and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from missionkit.cli.main import cli as mission_group
from missionkit.cli.main import main
from workflows.ghstate import Result
from workflows.webhooks import Payloads, tokens_for

from ghserver import GitHubTestServer
from ghserver.fixtures import DEFAULT_USERS


@pytest.fixture
def gh() -> Iterator[GitHubTestServer]:
    """acme/data with dana-lee (admin), alex-kim (write), sam-okafor (read), outsider (none);
    ``token-<login>`` acts as that user, ``token-bot`` as the workflows' bot."""
    server = GitHubTestServer(
        owner="acme", repo="data", users=DEFAULT_USERS, tokens=tokens_for(list(DEFAULT_USERS))
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert server.validation_errors == [], "\n".join(server.validation_errors)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gh: GitHubTestServer) -> Path:
    """A checkout with missions/, the working directory, and GITHUB_* set as in a workflow."""
    work = tmp_path / "repo"
    (work / "missions").mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("GITHUB_TOKEN", "token-bot")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/data")
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("MISSIONKIT_SMTP_HOST", raising=False)
    return work


@pytest.fixture
def payloads(gh: GitHubTestServer, tmp_path: Path) -> Payloads:
    return Payloads(gh, tmp_path / "events")


@pytest.fixture
def mission_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """``mission ARGS…`` in this process: exit code, stdout, stderr."""
    _register_init()

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def _register_init() -> None:
    """``mission init`` until cli/commands.py lists it (then this does nothing)."""
    if "init" not in mission_group.commands:
        from missionkit.cli import init

        mission_group.add_command(init.command)
