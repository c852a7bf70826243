"""Atomic claims on GitHub: one git ref per claimed task.

Two dispatches started at once (by hand, outside the workflow's concurrency group) both read a
task as ready; editing its labels is not atomic, so both would take it.  Creating a git ref is:
GitHub answers 422 "Reference already exists" to all but the first.  A claim is the ref
``refs/missionkit/claims/<mission>/<task>``, pointing at a small commit whose message records
who claimed and until when; it lives outside ``refs/heads/`` and ``refs/tags/``, so no branch
appears and no workflow starts.  The ref is deleted when the task leaves ``running``.

A ref left behind (its holder died between creating it and moving the task, or its deletion was
lost) is taken over when its lease has expired, or when the task is ready again and the claim is
older than :data:`GRACE`: the taker commits a child of the stale claim and moves the ref without
``force``, which only succeeds as a fast-forward from the commit it read — a compare-and-set, so
two takers never both win.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from github import GithubException, UnknownObjectException
from github.GitRef import GitRef
from github.GitTree import GitTree
from github.Repository import Repository

from missionkit import clock
from missionkit.tracking.github.client import Client, GitHubRefused
from missionkit.tracking.model import Key

NAMESPACE = "refs/missionkit/claims"
GRACE = timedelta(minutes=5)  # a ready task's claim younger than this may still be in progress


def ref_name(key: Key) -> str:
    return f"{NAMESPACE}/{key.mission}/{key.task}"


@dataclass(frozen=True)
class ClaimNote:
    """What a claim commit says: who holds the task, since and until when."""

    claimer: str
    at: datetime
    expires: datetime

    def message(self, key: Key) -> str:
        data = {
            "claimer": self.claimer,
            "at": self.at.isoformat(),
            "expires": self.expires.isoformat(),
        }
        return f"missionkit claim {key}\n\n{json.dumps(data, sort_keys=True)}\n"

    @classmethod
    def parse(cls, message: str) -> ClaimNote | None:
        _, _, payload = message.partition("\n\n")
        try:
            data: Any = json.loads(payload)
            return cls(
                str(data["claimer"]),
                datetime.fromisoformat(str(data["at"])),
                datetime.fromisoformat(str(data["expires"])),
            )
        except (ValueError, KeyError, TypeError):
            return None

    def stale(self, now: datetime, task_ready: bool) -> bool:
        return now > self.expires or (task_ready and now - self.at > GRACE)


def _exists(exc: GithubException) -> bool:
    return exc.status == 422 and "already exists" in str(exc.data).lower()


class ClaimRefs:
    """Takes and releases claim refs in one repository."""

    def __init__(self, repo: Repository, client: Client, warnings: list[str]) -> None:
        self.repo = repo
        self.client = client
        self.warnings = warnings
        self._tree: GitTree | None = None
        self.available = True  # False once the token turned out unable to write refs

    def _base_tree(self) -> GitTree:
        """The default branch's tree: a claim commit needs one, and it is never checked out."""
        if self._tree is None:

            def read() -> GitTree:
                head = self.repo.get_git_ref(f"heads/{self.repo.default_branch}").object.sha
                return self.repo.get_git_commit(head).tree

            self._tree = self.client.call(read, what="read the default branch")
        return self._tree

    def _commit(self, key: Key, note: ClaimNote, parents: list[str]) -> str:
        tree = self._base_tree()

        def make() -> str:
            parent_commits = [self.repo.get_git_commit(sha) for sha in parents]
            return self.repo.create_git_commit(note.message(key), tree, parent_commits).sha

        return self.client.call(make, what=f"write the claim of {key}")

    def take(self, key: Key, claimer: str, lease_seconds: float) -> bool:
        """Claim ``key`` for ``claimer``; False if another claim holds it.

        A token that may not write the repository's contents cannot make claim refs: then
        every claim is granted here (the label change alone decides) and a warning says so.
        """
        if not self.available:
            return True
        now = clock.now()
        note = ClaimNote(claimer, now, now + timedelta(seconds=lease_seconds))
        try:
            sha = self._commit(key, note, [])
        except GitHubRefused as exc:
            if exc.status not in (403, 404):
                raise
            self.available = False
            self.warnings.append(
                f"claims are not atomic: the token cannot write git refs ({exc}); "
                "give the dispatch job `contents: write`"
            )
            return True
        name = ref_name(key)

        def create() -> bool:
            try:
                self.repo.create_git_ref(name, sha)
            except GithubException as exc:
                if not _exists(exc):
                    raise
                # an earlier attempt whose answer was lost, or another claimer
                return self.repo.get_git_ref(name[len("refs/") :]).object.sha == sha
            return True

        if self.client.call(create, what=f"claim {key}"):
            return True
        return self._take_over(key, note, now)

    def _take_over(self, key: Key, note: ClaimNote, now: datetime) -> bool:
        name = ref_name(key)[len("refs/") :]

        def held() -> tuple[GitRef, str, ClaimNote | None] | None:
            try:
                ref = self.repo.get_git_ref(name)
                # reading the lazy ref fetches it; its url is then the ``/git/refs/...`` one
                tip = ref.object.sha
            except UnknownObjectException:
                return None  # released meanwhile: the next dispatch may claim it
            return ref, tip, ClaimNote.parse(self.repo.get_git_commit(tip).message)

        found = self.client.call(held, what=f"read the claim of {key}")
        if found is None:
            return False
        ref, tip, current = found
        if current is not None and not current.stale(now, task_ready=True):
            return False
        sha = self._commit(key, note, [tip])

        def move() -> bool:
            try:
                ref.edit(sha, force=False)
            except GithubException as exc:
                if exc.status == 422:  # not a fast-forward: someone else moved it first
                    return self.repo.get_git_ref(name).object.sha == sha
                raise
            return True

        return self.client.call(move, what=f"take over the stale claim of {key}")

    def release(self, key: Key) -> None:
        """Delete ``key``'s claim (nothing if there is none)."""
        if not self.available:
            return
        url = f"{self.repo.url}/git/{quote(ref_name(key))}"

        def delete() -> None:
            try:
                self.repo.requester.requestJsonAndCheck("DELETE", url)
            except GithubException as exc:
                if exc.status not in (404, 422):
                    raise

        self.client.call(delete, what=f"release the claim of {key}")
