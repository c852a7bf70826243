"""The repository's git objects: blobs, trees, commits and refs, hashed as git hashes them.

Kept simply: a tree is stored flat (``path -> (mode, blob sha)``) under the sha git would give
it, every subtree is registered too (so ``type: tree`` entries can name one), a commit records
its tree and parents, and ``refs`` maps ``refs/heads/<branch>`` to a commit sha.  Merging is a
three-way merge of whole files against the nearest common ancestor; two sides changing the same
path differently is a conflict.  Everything is guarded by ``GitHubState.lock``.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

FILE_MODES = ("100644", "100755", "120000")
TREE_MODE = "040000"
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

Files = dict[str, tuple[str, str]]  # path -> (mode, blob sha)


class GitError(Exception):
    """A git request GitHub refuses with 422 and this message."""


@dataclass(frozen=True)
class Signature:
    name: str
    email: str
    date: datetime

    def line(self) -> str:
        return f"{self.name} <{self.email}> {int(self.date.timestamp())} +0000"


@dataclass(frozen=True)
class Commit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str
    author: Signature
    committer: Signature


@dataclass(frozen=True)
class Comparison:
    """What a pull request shows: commits ahead of the merge base and the diff's size."""

    commits: list[str]  # shas reachable from head but not from base, newest first
    changed_files: int
    additions: int
    deletions: int


def _object_sha(kind: str, raw: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(raw)}\0".encode() + raw).hexdigest()


def blob_sha(data: bytes) -> str:
    return _object_sha("blob", data)


def path_problem(path: str) -> str | None:
    """Why GitHub would refuse ``path`` in a tree, or None."""
    if not path or path.startswith("/") or path.endswith("/"):
        return f"tree.path '{path}' is not a relative path"
    for part in path.split("/"):
        if part in ("", ".", "..") or part.lower() == ".git" or "\0" in part:
            return f"tree.path '{path}' contains a malformed path component"
    return None


class GitStore:
    def __init__(
        self,
        clock: Callable[[], datetime],
        owner: Signature,
        *,
        default_branch: str = "main",
        files: Mapping[str, bytes] | None = None,
    ) -> None:
        self.clock = clock
        self.default_branch = default_branch
        self.blobs: dict[str, bytes] = {}
        self.trees: dict[str, Files] = {}
        self.commits: dict[str, Commit] = {}
        self.refs: dict[str, str] = {}
        tree = self.write_tree(
            {path: ("100644", self.put_blob(data)) for path, data in (files or {}).items()}
        )
        first = self.commit(tree, (), "Initial commit", owner, owner)
        self.refs[f"refs/heads/{default_branch}"] = first.sha

    # ------------------------------------------------------------------ objects

    def put_blob(self, data: bytes) -> str:
        sha = blob_sha(data)
        self.blobs[sha] = data
        return sha

    def write_tree(self, files: Files) -> str:
        """Store ``files`` (and each subtree) under git's tree sha; return the root's sha."""
        groups: dict[str, Files] = {}
        entries: list[tuple[str, str, str]] = []
        for path, (mode, sha) in files.items():
            head, slash, rest = path.partition("/")
            if slash:
                groups.setdefault(head, {})[rest] = (mode, sha)
            else:
                entries.append((head, mode, sha))
        entries += [(name, TREE_MODE, self.write_tree(sub)) for name, sub in groups.items()]
        entries.sort(key=lambda e: e[0] + ("/" if e[1] == TREE_MODE else ""))
        raw = b"".join(
            f"{mode.lstrip('0')} {name}".encode() + b"\0" + bytes.fromhex(sha)
            for name, mode, sha in entries
        )
        sha = _object_sha("tree", raw)
        self.trees[sha] = dict(files)
        return sha

    def top_level(self, tree: str) -> list[tuple[str, str, str, str]]:
        """The entries of a tree as GitHub lists them: ``(path, mode, type, sha)``."""
        files = self.trees[tree]
        out: list[tuple[str, str, str, str]] = []
        dirs: dict[str, Files] = {}
        for path, (mode, sha) in files.items():
            head, slash, rest = path.partition("/")
            if slash:
                dirs.setdefault(head, {})[rest] = (mode, sha)
            else:
                out.append((path, mode, "blob", sha))
        out += [(name, TREE_MODE, "tree", self.write_tree(sub)) for name, sub in dirs.items()]
        return sorted(out)

    def make_tree(self, entries: Iterable[Mapping[str, Any]], base_tree: str | None) -> str:
        """``POST /git/trees``: ``entries`` applied on ``base_tree`` (or on nothing)."""
        if base_tree is not None and base_tree not in self.trees:
            raise GitError("base_tree is not a valid tree oid")
        files: Files = dict(self.trees[base_tree]) if base_tree else {}
        for entry in entries:
            path, mode, kind = str(entry.get("path", "")), entry.get("mode"), entry.get("type")
            problem = path_problem(path)
            if problem:
                raise GitError(problem)
            under = path + "/"
            if "sha" in entry and entry["sha"] is None:  # deletes the file or folder
                files = {p: v for p, v in files.items() if p != path and not p.startswith(under)}
                continue
            if kind == "blob" and mode in FILE_MODES:
                if "content" in entry:
                    sha = self.put_blob(str(entry["content"]).encode())
                elif entry.get("sha") in self.blobs:
                    sha = str(entry["sha"])
                else:
                    raise GitError(f"tree.sha {entry.get('sha')} is not a valid blob")
                clash = [p for p in files if p.startswith(under)] or [
                    p for p in files if path.startswith(p + "/")
                ]
                if clash:
                    raise GitError(f"tree.path '{path}' conflicts with '{clash[0]}'")
                files[path] = (str(mode), sha)
            elif kind == "tree" and mode == TREE_MODE and entry.get("sha") in self.trees:
                files = {p: v for p, v in files.items() if p != path and not p.startswith(under)}
                for sub, value in self.trees[str(entry["sha"])].items():
                    files[f"{path}/{sub}"] = value
            else:
                raise GitError("Invalid tree info")  # also submodules (type commit): unsupported
        return self.write_tree(files)

    def commit(
        self,
        tree: str,
        parents: Iterable[str],
        message: str,
        author: Signature,
        committer: Signature | None = None,
    ) -> Commit:
        if tree not in self.trees:
            raise GitError("Tree SHA does not exist")
        parents = tuple(parents)
        if any(p not in self.commits for p in parents):
            raise GitError("Parent SHA does not exist or is not a commit object")
        committer = committer or author
        text = f"tree {tree}\n" + "".join(f"parent {p}\n" for p in parents)
        text += f"author {author.line()}\ncommitter {committer.line()}\n\n{message}"
        sha = _object_sha("commit", text.encode())
        made = Commit(sha, tree, parents, message, author, committer)
        self.commits[sha] = made
        return made

    # ------------------------------------------------------------------ refs and history

    def branch(self, name: str) -> str | None:
        return self.refs.get(f"refs/heads/{name}")

    def set_branch(self, name: str, sha: str) -> None:
        self.refs[f"refs/heads/{name}"] = sha

    def ancestors(self, sha: str) -> list[str]:
        """``sha`` and every commit it descends from, nearest first."""
        seen: dict[str, None] = {}
        queue = [sha]
        while queue:
            current = queue.pop(0)
            if current in seen or current not in self.commits:
                continue
            seen[current] = None
            queue.extend(self.commits[current].parents)
        return list(seen)

    def merge_base(self, a: str, b: str) -> str | None:
        of_a = set(self.ancestors(a))
        return next((sha for sha in self.ancestors(b) if sha in of_a), None)

    def files_of(self, commit: str | None) -> Files:
        return dict(self.trees[self.commits[commit].tree]) if commit else {}

    def merged_files(self, base: str, head: str) -> Files | None:
        """The three-way merge of ``head`` into ``base``; None on a conflict."""
        ancestor = self.merge_base(base, head)
        if ancestor == head:
            return self.files_of(base)
        old, ours, theirs = self.files_of(ancestor), self.files_of(base), self.files_of(head)
        out: Files = {}
        for path in sorted(set(old) | set(ours) | set(theirs)):
            was, mine, other = old.get(path), ours.get(path), theirs.get(path)
            if mine == other or other == was:
                value = mine
            elif mine == was:
                value = other
            else:
                return None
            if value is not None:
                out[path] = value
        return out

    def compare(self, base: str, head: str) -> Comparison:
        ahead = set(self.ancestors(base))
        commits = [sha for sha in self.ancestors(head) if sha not in ahead]
        old, new = self.files_of(self.merge_base(base, head)), self.files_of(head)
        changed = [p for p in set(old) | set(new) if old.get(p) != new.get(p)]
        additions = deletions = 0
        for path in changed:
            before = self._lines(old.get(path))
            after = self._lines(new.get(path))
            for line in difflib.unified_diff(before, after, lineterm="", n=0):
                additions += line.startswith("+") and not line.startswith("+++")
                deletions += line.startswith("-") and not line.startswith("---")
        return Comparison(commits, len(changed), additions, deletions)

    def _lines(self, entry: tuple[str, str] | None) -> list[str]:
        if entry is None:
            return []
        return self.blobs[entry[1]].decode("utf-8", "replace").splitlines()

    # ------------------------------------------------------------------ for tests

    def files_at(self, branch: str) -> dict[str, bytes]:
        """Every file of ``branch`` (path -> content); KeyError if there is no such branch."""
        sha = self.branch(branch)
        if sha is None:
            raise KeyError(f"no branch {branch!r}")
        return {path: self.blobs[blob] for path, (_, blob) in self.files_of(sha).items()}

    def file_at(self, branch: str, path: str) -> bytes | None:
        """The content of ``path`` on ``branch``, or None if the file is not there."""
        return self.files_at(branch).get(path)

    def log(self, branch: str) -> list[Commit]:
        """The commits of ``branch``, newest first."""
        sha = self.branch(branch)
        return [self.commits[c] for c in self.ancestors(sha)] if sha else []
