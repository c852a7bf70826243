"""Reading the GitHub test server's state in the workflow tests, and the CLI's result."""

from __future__ import annotations

from dataclasses import dataclass

from missionkit.tracking.desired import parse_marker
from missionkit.tracking.model import Key

from ghserver import GitHubTestServer


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def issue_number(server: GitHubTestServer, ref: str) -> int:
    """The number of the issue of ``mission`` or ``mission/task``, found by its marker."""
    mission, _, task = ref.partition("/")
    wanted = Key(mission, task)
    for number, issue in server.state.issues.items():
        found = parse_marker(issue.body)
        if found is not None and found[0] == wanted and issue.user == server.state.bot_login:
            return int(number)
    raise KeyError(ref)


def labels_of(server: GitHubTestServer, number: int) -> set[str]:
    return {label.name for label in server.state.labels_of(server.state.issues[number])}


def comments_of(server: GitHubTestServer, number: int) -> list[tuple[str, str]]:
    """(author, body) of each comment on issue ``number``."""
    return [(c.user, c.body) for c in server.state.comments_of(number)]
