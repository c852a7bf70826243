"""The Git Data API and pull requests of the emulator: refs, trees, commits, blobs, merging."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from github import GithubException, InputGitTreeElement, UnknownObjectException
from github.GitCommit import GitCommit
from github.Repository import Repository

from ghserver import GitHubTestServer
from ghserver.client import raw_request
from ghserver.h_pulls import closing_references

README = b"# data\n"


def blob(path: str, content: str) -> InputGitTreeElement:
    return InputGitTreeElement(path, "100644", "blob", content=content)


def commit_on_main(repo: Repository, files: dict[str, str], message: str = "change") -> GitCommit:
    """One commit of ``files`` on top of main (main is not moved)."""
    main = repo.get_git_commit(repo.get_git_ref("heads/main").object.sha)
    tree = repo.create_git_tree([blob(p, c) for p, c in files.items()], main.tree)
    return repo.create_git_commit(message, tree, [main])


def test_main_starts_with_a_readme(repo: Repository, github_server: GitHubTestServer) -> None:
    assert repo.default_branch == "main"
    ref = repo.get_git_ref("heads/main")
    first = repo.get_git_commit(ref.object.sha)
    assert (ref.ref, first.message, first.parents) == ("refs/heads/main", "Initial commit", [])
    assert github_server.state.git.files_at("main") == {"README.md": README}
    with pytest.raises(UnknownObjectException):
        _ = repo.get_git_ref("heads/nope").object


def test_tree_commit_and_branch(repo: Repository, github_server: GitHubTestServer) -> None:
    made = commit_on_main(repo, {"models/a.sql": "select 1\n", "b.txt": "b"})
    assert [e.path for e in repo.create_git_tree([blob("x", "y")]).tree] == ["x"]
    ref = repo.create_git_ref("refs/heads/feature/a", made.sha)
    assert (ref.ref, ref.object.sha) == ("refs/heads/feature/a", made.sha)
    git = github_server.state.git
    assert git.files_at("feature/a") == {
        "README.md": README,
        "models/a.sql": b"select 1\n",
        "b.txt": b"b",
    }
    assert git.file_at("main", "b.txt") is None
    with pytest.raises(GithubException) as err:
        repo.create_git_ref("refs/heads/feature/a", made.sha)
    assert (err.value.status, err.value.data["message"]) == (422, "Reference already exists")
    with pytest.raises(GithubException) as err:
        repo.create_git_ref("heads/x", made.sha)
    assert err.value.status == 422
    with pytest.raises(GithubException) as err:
        repo.create_git_ref("refs/heads/x", "0" * 40)
    assert err.value.data["message"] == "Object does not exist"


def test_ref_updates_fast_forward_unless_forced(
    repo: Repository, github_server: GitHubTestServer
) -> None:
    first = commit_on_main(repo, {"a": "1"})
    other = commit_on_main(repo, {"a": "2"})  # a sibling of first, not a descendant
    ref = repo.create_git_ref("refs/heads/topic", first.sha)
    with pytest.raises(GithubException) as err:
        ref.edit(other.sha)
    assert err.value.data["message"] == "Update is not a fast forward"
    ref.edit(other.sha, force=True)
    assert github_server.state.git.branch("topic") == other.sha
    status, _, body = raw_request(
        github_server, "PATCH", "/repos/acme/data/git/refs/heads/gone", {"sha": other.sha}
    )
    assert (status, body["message"]) == (422, "Reference does not exist")


def test_lazy_ref_edit_needs_the_ref_read_first(
    repo: Repository, github_server: GitHubTestServer
) -> None:
    """PyGithub builds ``get_git_ref`` lazily with a ``/git/ref/`` url, which takes no PATCH."""
    made = commit_on_main(repo, {"a": "1"})
    repo.create_git_ref("refs/heads/lazy", made.sha)
    status, _, _ = raw_request(
        github_server, "PATCH", "/repos/acme/data/git/ref/heads/lazy", {"sha": made.sha}
    )
    assert status == 404


def test_deleting_and_replacing_in_a_tree(
    repo: Repository, github_server: GitHubTestServer
) -> None:
    base = repo.get_git_commit(repo.get_git_ref("heads/main").object.sha).tree
    one = repo.create_git_tree([blob("dir/a", "a"), blob("dir/b", "b")], base)
    sub = next(e for e in one.tree if e.path == "dir")
    assert (sub.type, sub.mode) == ("tree", "040000")
    gone = InputGitTreeElement("dir/a", "100644", "blob", sha=None)
    two = repo.create_git_tree([gone], one)
    assert set(github_server.state.git.trees[two.sha]) == {"README.md", "dir/b"}
    moved = InputGitTreeElement("copy", "040000", "tree", sha=sub.sha)
    three = repo.create_git_tree([moved], two)
    assert set(github_server.state.git.trees[three.sha]) == {
        "README.md",
        "dir/b",
        "copy/a",
        "copy/b",
    }
    for bad in ("../x", "/x", ".git/config", "a//b"):
        with pytest.raises(GithubException) as err:
            repo.create_git_tree([blob(bad, "x")], base)
        assert err.value.status == 422, bad
    with pytest.raises(GithubException):
        repo.create_git_tree([blob("README.md/x", "x")], base)  # a file is no folder


def test_blobs(repo: Repository, github_server: GitHubTestServer) -> None:
    made = repo.create_git_blob("iVBORw0KGgo=", "base64")
    assert github_server.state.git.blobs[made.sha] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(GithubException):
        repo.create_git_blob("not base64!", "base64")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_object_ids_are_git_s(
    repo: Repository, github_server: GitHubTestServer, tmp_path: Path
) -> None:
    files = {"README.md": "# data\n", "models/a.sql": "select 1\n", "models/z/b.yml": "v: 2\n"}
    made = commit_on_main(repo, {k: v for k, v in files.items() if k != "README.md"})
    work = tmp_path / "w"
    for path, content in files.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(content, encoding="utf-8")

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=work, check=True, capture_output=True, text=True)
        return done.stdout.strip()

    git("init", "-q")
    git("add", ".")
    assert made.tree.sha == git("write-tree")


# ---------------------------------------------------------------------------- pull requests


def _branch(repo: Repository, name: str, files: dict[str, str]) -> str:
    made = commit_on_main(repo, files, message=f"work on {name}")
    repo.create_git_ref(f"refs/heads/{name}", made.sha)
    return made.sha


def test_merge_closes_the_issues_the_body_names(
    repo: Repository, github_server: GitHubTestServer
) -> None:
    task, other, elsewhere, kept = (repo.create_issue(t) for t in ("task", "b", "c", "kept"))
    head = _branch(repo, "feature", {"a.sql": "select 1\n"})
    pull = repo.create_pull(
        base="main",
        head="feature",
        title="Feature",
        body=f"Fixes: #{other.number}, see #{kept.number}; acme/other#{elsewhere.number}\n\n"
        f"closes #{task.number}",
    )
    assert (pull.head.sha, pull.mergeable, pull.commits, pull.changed_files) == (head, True, 1, 1)
    assert pull.additions == 1 and pull.deletions == 0
    result = pull.merge(sha=head)
    assert result.merged is True
    state = github_server.state
    assert state.git.file_at("main", "a.sql") == b"select 1\n"
    assert state.git.commits[result.sha].parents[1] == head
    done = repo.get_pull(pull.number)
    assert (done.merged, done.state, done.merged_by.login) == (True, "closed", "missionkit-bot")
    assert done.merge_commit_sha == result.sha
    assert {n: state.issues[n].state for n in (task.number, other.number)} == {
        task.number: "closed",
        other.number: "closed",
    }
    closed = state.issues[task.number]
    assert (closed.state_reason, closed.closed_by) == ("completed", "missionkit-bot")
    assert closed.closed_at is not None
    assert state.issues[kept.number].state == "open"
    assert state.issues[elsewhere.number].state == "open"  # another repository's #N
    with pytest.raises(GithubException) as err:
        pull.merge()
    assert (err.value.status, err.value.data["message"]) == (405, "Pull Request is not mergeable")


def test_merge_refusals(repo: Repository, github_server: GitHubTestServer) -> None:
    _branch(repo, "one", {"same.txt": "one"})
    _branch(repo, "two", {"same.txt": "two"})
    first = repo.create_pull(base="main", head="one", title="One")
    second = repo.create_pull(base="main", head="two", title="Two")
    with pytest.raises(GithubException) as err:
        first.merge(sha="0" * 40)
    assert err.value.status == 409
    first.merge(merge_method="squash")
    assert github_server.state.git.commits[github_server.state.git.branch("main") or ""].parents
    assert repo.get_pull(second.number).mergeable is False  # both changed same.txt
    with pytest.raises(GithubException) as err:
        second.merge()
    assert err.value.status == 405
    status, _, _ = raw_request(
        github_server, "PUT", f"/repos/acme/data/pulls/{second.number}/merge"
    )
    assert status == 405


def test_a_merge_into_another_branch_closes_nothing(
    repo: Repository, github_server: GitHubTestServer
) -> None:
    issue = repo.create_issue("task")
    _branch(repo, "release", {"r": "1"})
    _branch(repo, "fix", {"f": "1"})
    pull = repo.create_pull(base="release", head="fix", title="Fix", body=f"Closes #{issue.number}")
    pull.merge()
    assert github_server.state.issues[issue.number].state == "open"


def test_pull_requests_list_edit_and_refuse(
    repo: Repository, github_server: GitHubTestServer
) -> None:
    _branch(repo, "topic", {"t": "1"})
    _branch(repo, "other", {"o": "1"})
    pull = repo.create_pull(base="main", head="topic", title="Topic", body="b")
    repo.create_pull(base="main", head="other", title="Other")
    assert [p.head.ref for p in repo.get_pulls(head="acme:topic")] == ["topic"]
    # like GitHub: without ``owner:`` the filter is silently ignored
    assert len(list(repo.get_pulls(head="topic"))) == 2
    assert list(repo.get_pulls(head="someone-else:topic")) == []
    pull.edit(title="Topic v2", body="c")
    assert (repo.get_pull(pull.number).title, github_server.state.issues[pull.number].body) == (
        "Topic v2",
        "c",
    )
    pull.edit(state="closed")
    assert github_server.state.issues[pull.number].state_reason is None
    pull.edit(state="open")
    with pytest.raises(GithubException) as err:
        repo.create_pull(base="main", head="main", title="Nothing")
    assert err.value.data["errors"][0]["message"] == "No commits between main and main"
    with pytest.raises(GithubException):
        repo.create_pull(base="nope", head="topic", title="No base")


def test_closing_references() -> None:
    text = (
        "close #1 Closes #2 closed #3 FIX #4 fixes #5 fixed #6 resolve #7 Resolves: #8 "
        "resolved acme/data#9 fixes ACME/Data#10 fixes acme/other#11 prefixes #12 closes#13 "
        "see #14 closes #2"
    )
    assert closing_references(text, "acme", "data") == list(range(1, 11))
    assert closing_references(None, "acme", "data") == []
