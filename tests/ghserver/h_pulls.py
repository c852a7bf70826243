"""Handlers: pull requests (list, create, get, edit, merge) on the repository's branches.

A pull request is an issue with ``PullInfo`` (they share numbers, like on GitHub).  Its head
and base are branches of ``state.git``; a head that is no branch is accepted (tests that only
need a pull request's conversation open one without pushing), shows a made-up ``head.sha`` and
cannot be merged.  Merging into the default branch closes, as completed, every issue the body
or the merged commits' messages name with a closing keyword (``Closes #N``, ``fixes owner/repo#N``).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from .api import DOCS, ApiError, ApiResponse, Ctx, int_param, validation_failed
from .git import Comparison, Signature
from .models import Issue, PullInfo, iso

DOC_MERGE = "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request"
NOT_MERGEABLE = "Pull Request is not mergeable"
_CLOSING = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+"
    r"(?:(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+))?#(?P<number>\d+)\b",
    re.IGNORECASE,
)


def closing_references(text: str | None, owner: str, repo: str) -> list[int]:
    """Issue numbers of this repository that ``text`` closes with GitHub's keywords."""
    found: list[int] = []
    for m in _CLOSING.finditer(text or ""):
        named = m.group("repo")
        if named is not None and named.lower() != f"{owner}/{repo}".lower():
            continue
        number = int(m.group("number"))
        if number not in found:
            found.append(number)
    return found


def _pull_or_404(ctx: Ctx) -> Issue:
    issue = ctx.state.issue(int_param(ctx.request, "pull_number"))
    if issue is None or issue.pull is None:
        raise ApiError(404, "Not Found", documentation_url=DOCS)
    return issue


def _tip(ctx: Ctx, issue: Issue, branch: str) -> str:
    sha = ctx.state.git.branch(branch)
    return sha or hashlib.sha1(f"{branch}:{issue.number}".encode()).hexdigest()


def _comparison(ctx: Ctx, pull: PullInfo) -> Comparison | None:
    git = ctx.state.git
    head, base = git.branch(pull.head), git.branch(pull.base)
    return git.compare(base, head) if head and base else None


def _mergeable(ctx: Ctx, issue: Issue) -> bool | None:
    pull = issue.pull
    assert pull is not None
    if issue.state != "open":
        return None
    git = ctx.state.git
    head, base = git.branch(pull.head), git.branch(pull.base)
    return bool(head and base and git.merged_files(base, head) is not None)


def pull_json(ctx: Ctx, issue: Issue, *, full: bool) -> dict[str, Any]:
    pull = issue.pull
    assert pull is not None
    base = ctx.render.issue(issue, full=False)
    pulls = f"{ctx.render.repo_api}/pulls/{issue.number}"
    web = f"{ctx.render.repo_web}/pull/{issue.number}"
    repo = ctx.render.repository(full=False)
    owner = ctx.render.user(ctx.state.owner)
    statuses = f"{ctx.render.repo_api}/statuses/{_tip(ctx, issue, pull.head)}"

    def side(ref: str) -> dict[str, Any]:
        return {
            "label": f"{ctx.state.owner}:{ref}",
            "ref": ref,
            "sha": _tip(ctx, issue, ref),
            "user": owner,
            "repo": repo,
        }

    def link(href: str) -> dict[str, str]:
        return {"href": href}

    keys = [
        "id",
        "node_id",
        "number",
        "title",
        "user",
        "body",
        "labels",
        "assignee",
        "assignees",
        "milestone",
        "locked",
        "active_lock_reason",
        "created_at",
        "updated_at",
        "closed_at",
        "author_association",
        "draft",
    ]
    out: dict[str, Any] = {key: base[key] for key in keys}
    out.update(
        {
            "url": pulls,
            "html_url": web,
            "diff_url": f"{web}.diff",
            "patch_url": f"{web}.patch",
            "issue_url": base["url"],
            "commits_url": f"{pulls}/commits",
            "review_comments_url": f"{pulls}/comments",
            "review_comment_url": f"{ctx.render.repo_api}/pulls/comments{{/number}}",
            "comments_url": base["comments_url"],
            "statuses_url": statuses,
            "state": issue.state,
            "merged_at": iso(pull.merged_at),
            "merge_commit_sha": pull.merge_commit_sha,
            "requested_reviewers": [],
            "requested_teams": [],
            "head": side(pull.head),
            "base": side(pull.base),
            "auto_merge": None,
            "_links": {
                "self": link(pulls),
                "html": link(web),
                "issue": link(base["url"]),
                "comments": link(base["comments_url"]),
                "review_comments": link(f"{pulls}/comments"),
                "review_comment": link(f"{ctx.render.repo_api}/pulls/comments{{/number}}"),
                "commits": link(f"{pulls}/commits"),
                "statuses": link(statuses),
            },
        }
    )
    if full:
        mergeable = _mergeable(ctx, issue)
        diff = _comparison(ctx, pull)
        out.update(
            {
                "merged": pull.merged_at is not None,
                "mergeable": mergeable,
                "rebaseable": mergeable,
                "mergeable_state": "unknown"
                if mergeable is None
                else "clean"
                if mergeable
                else "dirty",
                "merged_by": ctx.render.user(pull.merged_by) if pull.merged_by else None,
                "comments": base["comments"],
                "review_comments": 0,
                "maintainer_can_modify": False,
                "commits": len(diff.commits) if diff else 1,
                "additions": diff.additions if diff else 1,
                "deletions": diff.deletions if diff else 0,
                "changed_files": diff.changed_files if diff else 1,
            }
        )
    return out


def list_pulls(ctx: Ctx) -> ApiResponse:
    """``head`` filters only as ``owner:branch``: GitHub silently ignores a bare branch name."""
    q = ctx.request.query
    state = q.get("state", "open")
    pulls = [
        i for i in ctx.state.issues.values() if i.pull is not None and state in ("all", i.state)
    ]
    owner, colon, branch = q.get("head", "").partition(":")
    if colon and owner.lower() == ctx.state.owner.lower():
        pulls = [p for p in pulls if p.pull is not None and p.pull.head == branch]
    elif colon:
        pulls = []  # a fork's branch: none here
    if q.get("base"):
        pulls = [p for p in pulls if p.pull is not None and p.pull.base == q["base"]]
    pulls.sort(key=lambda i: i.number, reverse=q.get("direction", "desc") != "asc")
    return ctx.page([pull_json(ctx, p, full=False) for p in pulls])


def _missing(field: str) -> ApiError:
    return validation_failed({"resource": "PullRequest", "code": "missing_field", "field": field})


def _custom(message: str) -> ApiError:
    return validation_failed({"resource": "PullRequest", "code": "custom", "message": message})


def create_pull(ctx: Ctx) -> ApiResponse:
    body = ctx.body
    head, base, title = body.get("head"), body.get("base"), body.get("title")
    if not head or not base:
        raise _missing("head" if not head else "base")
    if not title:
        raise _missing("title")
    head, base = str(head).split(":")[-1], str(base)
    git = ctx.state.git
    if git.branch(base) is None:
        raise validation_failed({"resource": "PullRequest", "field": "base", "code": "invalid"})
    if any(i.pull and i.pull.head == head and i.state == "open" for i in ctx.state.issues.values()):
        raise _custom(f"A pull request already exists for {ctx.state.owner}:{head}.")
    head_sha, base_sha = git.branch(head), git.branch(base)
    if head_sha is not None and base_sha is not None and head_sha in git.ancestors(base_sha):
        raise _custom(f"No commits between {base} and {head}")
    issue = ctx.state.create_issue(
        str(title),
        body.get("body"),
        user=ctx.request.actor.login,
        pull=PullInfo(head=head, base=base, draft=bool(body.get("draft"))),
    )
    out = pull_json(ctx, issue, full=True)
    return ApiResponse(201, out, {"Location": out["url"]})


def get_pull(ctx: Ctx) -> ApiResponse:
    return ApiResponse(200, pull_json(ctx, _pull_or_404(ctx), full=True))


def edit_pull(ctx: Ctx) -> ApiResponse:
    issue = _pull_or_404(ctx)
    pull = issue.pull
    assert pull is not None
    body = ctx.body
    if "title" in body and not str(body["title"] or "").strip():
        raise _missing("title")
    if "base" in body and ctx.state.git.branch(str(body["base"])) is None:
        raise validation_failed({"resource": "PullRequest", "field": "base", "code": "invalid"})
    if body.get("state") == "open" and issue.state == "closed":
        if pull.merged_at is not None:
            raise _custom("Cannot reopen a merged pull request")
        ctx.state.reopen(issue)
    elif body.get("state") == "closed" and issue.state == "open":
        _close_pull(ctx, issue)
    if "title" in body:
        issue.title = str(body["title"])
    if "body" in body:
        issue.body = body["body"]
    if "base" in body:
        pull.base = str(body["base"])
    ctx.state.touch(issue)
    return ApiResponse(200, pull_json(ctx, issue, full=True))


def _close_pull(ctx: Ctx, issue: Issue) -> None:
    """A pull request closes with no ``state_reason`` (that is an issue's)."""
    issue.state = "closed"
    issue.closed_at = ctx.state.now()
    issue.closed_by = ctx.request.actor.login
    ctx.state.touch(issue)


def merge_pull(ctx: Ctx) -> ApiResponse:
    issue = _pull_or_404(ctx)
    pull = issue.pull
    assert pull is not None
    actor = ctx.request.actor
    if not actor.can_push:
        raise ApiError(
            403, "Must have push access to merge this pull request", documentation_url=DOC_MERGE
        )
    body = ctx.body
    git = ctx.state.git
    head, base = git.branch(pull.head), git.branch(pull.base)
    if issue.state != "open" or head is None or base is None:
        raise ApiError(405, NOT_MERGEABLE, documentation_url=DOC_MERGE)
    if body.get("sha") not in (None, head):
        raise ApiError(
            409,
            "Head branch was modified. Review and try the merge again.",
            documentation_url=DOC_MERGE,
        )
    files = git.merged_files(base, head)
    if files is None:
        raise ApiError(405, NOT_MERGEABLE, documentation_url=DOC_MERGE)
    method = body.get("merge_method", "merge")
    ahead = git.compare(base, head).commits
    tree = git.write_tree(files)
    signature = Signature(
        actor.login, f"{actor.id}+{actor.login}@users.noreply.github.com", ctx.state.now()
    )
    if method == "merge":
        title = body.get("commit_title") or (
            f"Merge pull request #{issue.number} from {ctx.state.owner}/{pull.head}"
        )
        message = f"{title}\n\n{body.get('commit_message') or issue.title}"
        made = git.commit(tree, (base, head), message, signature)
    else:  # squash, and rebase kept simple: one new commit on the base
        title = body.get("commit_title") or f"{issue.title} (#{issue.number})"
        extra = body.get("commit_message")
        message = f"{title}\n\n{extra}" if extra else str(title)
        made = git.commit(tree, (base,), message, signature)
    git.set_branch(pull.base, made.sha)
    now = ctx.state.now()
    pull.merged_at, pull.merged_by, pull.merge_commit_sha = now, actor.login, made.sha
    _close_pull(ctx, issue)
    if pull.base == git.default_branch:
        texts = [issue.body or "", *(git.commits[sha].message for sha in ahead)]
        for number in closing_references("\n".join(texts), ctx.state.owner, ctx.state.repo):
            target = ctx.state.issue(number)
            if target is not None and target.pull is None and target.state == "open":
                ctx.state.close(target, "completed", actor.login)
    body_out = {"sha": made.sha, "merged": True, "message": "Pull Request successfully merged"}
    return ApiResponse(200, body_out)
