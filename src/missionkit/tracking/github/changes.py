"""An agent's generated files, proposed as a pull request that closes the task's issue.

One atomic commit through the Git Data API (a tree on the default branch's tree, a commit whose
parent is the default branch's head) on the branch ``missionkit/<mission>/<task>``, then one
pull request from that branch into the default branch whose body ends with ``Closes #<issue>``:
when a person merges it, GitHub closes the task issue as completed, and the ``issues`` closed
event marks the task done.

Re-running is safe.  The branch belongs to missionkit and a re-run replaces it (force update);
when its head already is exactly the commit this run would make (the same files on the same
default-branch head), nothing is written.  An open pull request from the branch is reused and
only edited when its title or body differ; creating one is not idempotent, so a lost answer is
followed by looking the pull request up by its head branch before trying again.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from github import GithubException, UnknownObjectException
from github.GitCommit import GitCommit
from github.GitRef import GitRef
from github.GitTree import GitTree
from github.InputGitTreeElement import InputGitTreeElement
from github.PullRequest import PullRequest

from missionkit.errors import CheckFailed
from missionkit.tracking.github.client import Ambiguous, GitHubError, GitHubRefused
from missionkit.tracking.github.issues import CREATE_ATTEMPTS, Issues
from missionkit.tracking.model import Item

T = TypeVar("T")

BRANCH_PREFIX = "missionkit"
FILE_MODE = "100644"


@dataclass(frozen=True)
class _Target:
    """Where the change goes: the repository owner, the default branch and missionkit's branch."""

    owner: str
    base: str
    branch: str

    @property
    def head_filter(self) -> str:
        # GitHub silently ignores a ``head`` filter without the ``owner:`` part and lists
        # every pull request instead.
        return f"{self.owner}:{self.branch}"


def branch_for(item: Item) -> str:
    """The branch that carries ``item``'s generated files: ``missionkit/<mission>/<task>``."""
    if not item.key.task:
        raise CheckFailed(f"{item.key} is a mission, not a task: only a task proposes files")
    return f"{BRANCH_PREFIX}/{item.key.mission}/{item.key.task}"


def closing_body(body: str, number: int) -> str:
    """``body`` ending with ``Closes #<number>`` (once)."""
    line = f"Closes #{number}"
    text = body.rstrip()
    if text.endswith(line):
        return text
    return f"{text}\n\n{line}" if text else line


def path_problem(path: str) -> str | None:
    """Why ``path`` may not be committed, or None if it is a plain repository-relative path."""
    if not path:
        return "the path is empty"
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return "the path is absolute; give it relative to the repository root"
    if "\\" in path:
        return "use '/' between folders, not '\\'"
    if "\0" in path:
        return "the path contains a NUL character"
    parts = path.split("/")
    if ".." in parts:
        return "the path contains '..'"
    if any(part.lower() == ".git" for part in parts):
        return "the path points into .git/"
    if any(part in ("", ".") for part in parts):
        return "the path has an empty or '.' component"
    return None


def check_paths(files: Mapping[str, bytes]) -> None:
    """Refuse every bad path at once, before anything is written."""
    if not files:
        raise CheckFailed("no files to propose: the agent reported no generated files")
    problems = [f"{path!r}: {why}" for path in files if (why := path_problem(path)) is not None]
    if problems:
        raise CheckFailed(
            "refusing to commit files outside the repository's working tree:\n  "
            + "\n  ".join(problems)
        )


def propose_changes(
    issues: Issues, item: Item, files: Mapping[str, bytes], *, title: str, body: str
) -> tuple[int, str]:
    """Commit ``files`` (repo-relative POSIX paths → content) on branch
    ``missionkit/<mission>/<task>`` off the default branch and open (or update) a pull request
    whose body ends with ``Closes #<item.number>``. Return (pull request number, html_url).

    Raises :class:`CheckFailed` for a bad path (absolute, ``..``, into ``.git/``) or when the
    default branch already holds exactly these files and no pull request from the branch was
    ever merged; :class:`GitHubError` when GitHub refuses a request.
    """
    check_paths(files)
    branch = branch_for(item)
    origin = f"{item.key} (#{item.number})"
    proposal = _Proposal(issues, str(item.key), origin, branch)
    return proposal.run(files, title, closing_body(body, item.number))


def propose_files(
    issues: Issues, files: Mapping[str, bytes], *, branch: str, title: str, body: str
) -> tuple[int, str]:
    """The same for files that close no issue (a drafted mission): branch ``branch``."""
    check_paths(files)
    return _Proposal(issues, branch, branch, branch).run(files, title, body)


class _Proposal:
    def __init__(self, issues: Issues, name: str, origin: str, branch: str) -> None:
        self.client = issues.client
        self.repo = issues.repo
        self.name = name  # what errors name
        self.origin = origin  # what the commit message credits
        self.branch = branch

    def _call(self, fn: Callable[[], T], what: str, *, idempotent: bool = True) -> T:
        """One call through the tracker's retrying client; GitHub's refusals become errors."""
        try:
            return self.client.call(fn, idempotent=idempotent, what=what)
        except GitHubRefused as exc:
            raise GitHubError(f"{self.name}: {exc}") from exc

    def run(self, files: Mapping[str, bytes], title: str, body: str) -> tuple[int, str]:
        target = self._call(
            lambda: _Target(self.repo.owner.login, self.repo.default_branch, self.branch),
            "read the repository",
        )
        base = self._commit_of(self._ref_sha(f"heads/{target.base}", "read the default branch"))
        tree = self._tree(files, base.tree)
        existing = self._existing_branch()
        head: GitCommit | None = None
        if existing is not None:
            tip = self._commit_of(existing[1])
            if tip.tree.sha == tree.sha and [p.sha for p in tip.parents] == [base.sha]:
                head = tip  # the same files on the same base: nothing to write
        if head is None:
            if tree.sha == base.tree.sha:
                return self._already_merged(target)
            message = f"{title}\n\nGenerated by missionkit for {self.origin}."
            head = self._call(
                lambda: self.repo.create_git_commit(message, tree, [base]),
                f"commit to {self.branch}",
            )
            self._point_branch(existing[0] if existing else None, head.sha)
        return self._open_or_update(target, title, body)

    # -------------------------------------------------------------------- git data

    def _ref_sha(self, ref: str, what: str) -> str:
        return self._call(lambda: self.repo.get_git_ref(ref).object.sha, what)

    def _commit_of(self, sha: str) -> GitCommit:
        return self._call(lambda: self.repo.get_git_commit(sha), f"read commit {sha[:7]}")

    def _existing_branch(self) -> tuple[GitRef, str] | None:
        """missionkit's branch for the task and its head, if it exists."""

        def read() -> tuple[GitRef, str] | None:
            try:
                ref = self.repo.get_git_ref(f"heads/{self.branch}")
                # Reading the lazy ref fetches it; only then is its url the ``/git/refs/...``
                # one that ``edit`` must PATCH (it was built as ``/git/ref/...``).
                return ref, ref.object.sha
            except UnknownObjectException:
                return None

        return self._call(read, f"look for branch {self.branch}")

    def _tree(self, files: Mapping[str, bytes], base_tree: GitTree) -> GitTree:
        elements = [self._element(path, files[path]) for path in sorted(files)]
        return self._call(
            lambda: self.repo.create_git_tree(elements, base_tree),
            f"write the tree of {len(files)} file(s)",
        )

    def _element(self, path: str, content: bytes) -> InputGitTreeElement:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            return InputGitTreeElement(path, FILE_MODE, "blob", content=text)
        # not UTF-8: GitHub takes inline content as text, so binary goes up as a blob first
        encoded = base64.b64encode(content).decode("ascii")
        blob = self._call(lambda: self.repo.create_git_blob(encoded, "base64"), f"upload {path}")
        return InputGitTreeElement(path, FILE_MODE, "blob", sha=blob.sha)

    def _point_branch(self, existing: GitRef | None, sha: str) -> None:
        """Create the branch at ``sha``, or move it there even if that rewrites its history."""
        if existing is not None:
            self._call(lambda: existing.edit(sha, force=True), f"update branch {self.branch}")
            return

        def create() -> None:
            try:
                self.repo.create_git_ref(f"refs/heads/{self.branch}", sha)
            except GithubException as exc:
                if exc.status != 422 or "already exists" not in str(exc.data):
                    raise
                # an earlier attempt (whose answer was lost) or another runner made it
                ref = self.repo.get_git_ref(f"heads/{self.branch}")
                if ref.object.sha != sha:
                    ref.edit(sha, force=True)

        self._call(create, f"create branch {self.branch}")

    # -------------------------------------------------------------------- the pull request

    def _pulls(self, target: _Target, state: str) -> list[PullRequest]:
        return self._call(
            lambda: [
                pr
                for pr in self.repo.get_pulls(state=state, head=target.head_filter)
                if pr.head.ref == target.branch
            ],
            f"list pull requests from {target.branch}",
        )

    def _open_or_update(self, target: _Target, title: str, body: str) -> tuple[int, str]:
        for _ in range(CREATE_ATTEMPTS):
            found = self._pulls(target, "open")
            if found:
                return self._update(found[0], title, body)
            try:
                pr = self._call(
                    lambda: self.repo.create_pull(
                        base=target.base, head=target.branch, title=title, body=body
                    ),
                    f"open a pull request from {target.branch}",
                    idempotent=False,
                )
            except Ambiguous:
                continue  # it may have been created: look again first
            except GitHubError as exc:
                if "already exists" in str(exc):
                    continue  # another runner opened it meanwhile
                raise
            return pr.number, pr.html_url
        raise GitHubError(
            f"{self.name}: open a pull request from {target.branch}: "
            f"no answer after {CREATE_ATTEMPTS} tries"
        )

    def _update(self, pr: PullRequest, title: str, body: str) -> tuple[int, str]:
        if pr.title != title or (pr.body or "") != body:
            self._call(lambda: pr.edit(title=title, body=body), f"update pull request #{pr.number}")
        return pr.number, pr.html_url

    def _already_merged(self, target: _Target) -> tuple[int, str]:
        """The default branch already holds exactly these files: fine if our PR brought them."""
        merged = [pr for pr in self._pulls(target, "closed") if pr.merged_at is not None]
        if merged:
            newest = max(merged, key=lambda pr: pr.number)
            return newest.number, newest.html_url
        raise CheckFailed(
            f"{self.name}: {target.base} already holds exactly these files; "
            "there is nothing to propose"
        )
