"""GitHub's GraphQL API for sync's batched writes (``mission sync --api graphql``).

One request carries up to :data:`BATCH` aliased mutations (``m0: createIssue(...) m1: ...``),
run by GitHub in order.  Requests go through PyGithub's requester (the same token, pacing and
base URL as REST) and the tracker's retrying :class:`~missionkit.tracking.github.client.Client`;
a mutation request is not idempotent, so a 5xx answer, a timeout or a dropped connection is
:class:`~missionkit.tracking.github.client.Ambiguous`: the caller reads back what may have been
committed before it retries anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from github import Github

from missionkit.tracking.github.client import Client, GitHubError

BATCH = 10  # aliased mutations per request


@dataclass(frozen=True)
class Answer:
    """What GitHub answered: ``data`` by alias, and the errors of the aliases that failed."""

    data: dict[str, Any]
    errors: dict[str, str]  # alias -> message (an error not tied to one alias under "")


def batch_document(name: str, input_type: str, selection: str, count: int) -> tuple[str, list[str]]:
    """A mutation document of ``count`` aliased ``name`` mutations, and their aliases."""
    aliases = [f"m{n}" for n in range(count)]
    params = ", ".join(f"${a}: {input_type}!" for a in aliases)
    fields = " ".join(f"{a}: {name}(input: ${a}) {{ {selection} }}" for a in aliases)
    return f"mutation({params}) {{ {fields} }}", aliases


class GraphQL:
    """Posts GraphQL documents to the repository's GitHub."""

    def __init__(self, gh: Github, client: Client) -> None:
        self.gh = gh
        self.client = client

    def run(
        self, document: str, variables: dict[str, Any], *, what: str, mutation: bool = False
    ) -> Answer:
        requester = self.gh.requester

        def post() -> dict[str, Any]:
            _, data = requester.requestJsonAndCheck(
                "POST", requester.graphql_url, input={"query": document, "variables": variables}
            )
            return data if isinstance(data, dict) else {}

        data = self.client.call(post, idempotent=not mutation, what=what)
        errors: dict[str, str] = {}
        for error in data.get("errors") or []:
            path = error.get("path") or [""]
            alias = str(path[0])
            errors[alias] = "; ".join(
                x for x in (errors.get(alias), str(error.get("message"))) if x
            )
        if not isinstance(data.get("data"), dict):
            raise GitHubError(f"{what}: GitHub refused the GraphQL request: {_joined(errors)}")
        return Answer(data["data"], errors)

    def mutate(
        self,
        name: str,
        input_type: str,
        selection: str,
        inputs: Sequence[dict[str, Any]],
        what: str,
    ) -> tuple[list[Any], dict[str, str]]:
        """One request of up to :data:`BATCH` ``name`` mutations: each one's payload (None where
        it failed) and the errors by alias."""
        if not 0 < len(inputs) <= BATCH:
            raise ValueError(f"a batch holds 1 to {BATCH} mutations, not {len(inputs)}")
        document, aliases = batch_document(name, input_type, selection, len(inputs))
        answer = self.run(
            document, dict(zip(aliases, inputs, strict=True)), what=what, mutation=True
        )
        return [answer.data.get(a) for a in aliases], answer.errors


def _joined(errors: dict[str, str]) -> str:
    return "; ".join(f"{a}: {m}" if a else m for a, m in errors.items()) or "no data"
