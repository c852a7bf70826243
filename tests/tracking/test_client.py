"""The GitHub client waits as GitHub asks: retry-after, rate-limit reset, secondary limits."""

from __future__ import annotations

import itertools

import pytest

from missionkit.tracking.github.client import Client, default_write_delay
from missionkit.tracking.github.tracker import GitHubTracker

from ghserver import GitHubTestServer


def tracker_with_sleeps(server: GitHubTestServer) -> tuple[GitHubTracker, list[float]]:
    tracker = GitHubTracker.connect(server.url, "acme/data", "t")
    waits: list[float] = []
    tracker.client = Client(tracker.gh, backoff=0.5, secondary_wait=60, sleep=waits.append)
    return tracker, waits


@pytest.mark.parametrize(
    ("kind", "options", "expected"),
    [
        ("too_many", {"retry_after": 7}, 7.0),
        ("secondary_limit", {"retry_after": 3}, 3.0),
        ("secondary_limit", {"retry_after": None}, 60.0),
        ("status", {"status": 503}, 0.5),
    ],
)
def test_waits_as_told(
    github_server: GitHubTestServer, kind: str, options: dict[str, object], expected: float
) -> None:
    tracker, waits = tracker_with_sleeps(github_server)
    github_server.faults.on_request(1, kind, **options)  # type: ignore[arg-type]
    assert tracker.read("m") == []
    assert waits == [expected]
    assert len(github_server.requests) == 2


def test_waits_for_the_primary_rate_limit_reset(github_server: GitHubTestServer) -> None:
    tracker, waits = tracker_with_sleeps(github_server)
    github_server.faults.on_request(1, "rate_limit", reset_in=20)
    tracker.read("m")
    assert len(waits) == 1 and 18 <= waits[0] <= 22


def test_secondary_limits_back_off_exponentially(github_server: GitHubTestServer) -> None:
    tracker, waits = tracker_with_sleeps(github_server)
    github_server.faults.add("secondary_limit", retry_after=None, times=3)
    tracker.read("m")
    assert waits == [60.0, 120.0, 240.0]


def test_write_delay_defaults() -> None:
    assert default_write_delay("https://api.github.com", {}) == 1.0
    assert default_write_delay("https://ghe.example.org/api/v3", {}) == 0.0
    assert default_write_delay("https://api.github.com", {"MISSIONKIT_WRITE_DELAY": "2.5"}) == 2.5


def test_writes_are_paced(github_server: GitHubTestServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISSIONKIT_WRITE_DELAY", "0.2")
    tracker = GitHubTracker.connect(github_server.url, "acme/data", "t")
    from missionkit.tracking.labels import Label

    for i in range(3):
        tracker.create_label(Label(f"l{i}", "ededed", ""))
    writes = [r for r in github_server.requests if r.is_write]
    gaps = [b.started - a.ended for a, b in itertools.pairwise(writes)]
    assert len(gaps) == 2 and min(gaps) >= 0.18


def test_refusals_become_clear_errors(
    github_server: GitHubTestServer,
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pathlib import Path

    from missionkit.cli.main import main

    from support import HEAD

    folder = Path(str(tmp_path)) / "missions"
    folder.mkdir()
    (folder / "m.md").write_text(HEAD + "---\n")
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/nope")
    monkeypatch.setenv("GITHUB_API_URL", github_server.url)
    assert main(["plan", "--tracker", "github", "--missions", str(folder)]) == 1
    assert capsys.readouterr().err == (
        "error: list issues of mission m: 404 Not Found; check GITHUB_REPOSITORY and "
        "GITHUB_API_URL, and that the token can see the repository\n"
    )


def test_an_unreachable_server_is_named(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket
    from pathlib import Path

    from missionkit.cli.main import main

    from support import HEAD

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = Path(str(tmp_path)) / "missions"
    folder.mkdir()
    (folder / "m.md").write_text(HEAD + "---\n")
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/data")
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{port}")
    assert main(["plan", "--tracker", "github", "--missions", str(folder)]) == 1
    assert capsys.readouterr().err == (
        f"error: list issues of mission m: cannot reach http://127.0.0.1:{port} "
        "(ConnectionError), 6 attempts\n"
    )
