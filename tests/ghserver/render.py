"""JSON representations of the state, shaped like api.github.com's (and valid against its OpenAPI).

Every URL points at the emulator: API URLs under ``api_root`` (which carries ``/api/v3`` when the
client used that prefix, as on GitHub Enterprise Server) and web URLs (``html_url``) under
``web_root``.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from typing import Any

from .issue_types import render_type
from .models import Comment, GitHubState, Issue, Label, User, iso, node_id

JSON = dict[str, Any]


class Renderer:
    def __init__(self, state: GitHubState, api_root: str, web_root: str) -> None:
        self.state = state
        self.api = api_root
        self.web = web_root
        self.repo_api = f"{api_root}/repos/{state.owner}/{state.repo}"
        self.repo_web = f"{web_root}/{state.owner}/{state.repo}"

    # ------------------------------------------------------------------ users

    def user(self, login: str) -> JSON:
        user = self.state.user(login) or User(login=login, id=_stable_id(login), permission="none")
        base = f"{self.api}/users/{user.login}"
        return {
            "login": user.login,
            "id": user.id,
            "node_id": user.node_id,
            "avatar_url": f"{self.web}/avatars/u/{user.id}?v=4",
            "gravatar_id": "",
            "url": base,
            "html_url": f"{self.web}/{user.login}",
            "followers_url": f"{base}/followers",
            "following_url": f"{base}/following{{/other_user}}",
            "gists_url": f"{base}/gists{{/gist_id}}",
            "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{base}/subscriptions",
            "organizations_url": f"{base}/orgs",
            "repos_url": f"{base}/repos",
            "events_url": f"{base}/events{{/privacy}}",
            "received_events_url": f"{base}/received_events",
            "type": user.type,
            "user_view_type": "public",
            "site_admin": False,
        }

    def public_user(self, login: str) -> JSON:
        out = self.user(login)
        created = iso(self.state.created_at)
        out.update(
            {
                "name": None,
                "company": None,
                "blog": "",
                "location": None,
                "email": None,
                "hireable": None,
                "bio": None,
                "twitter_username": None,
                "public_repos": 1,
                "public_gists": 0,
                "followers": 0,
                "following": 0,
                "created_at": created,
                "updated_at": created,
            }
        )
        return out

    def private_user(self, login: str) -> JSON:
        out = self.public_user(login)
        out["user_view_type"] = "private"
        out.update(
            {
                "private_gists": 0,
                "total_private_repos": 1,
                "owned_private_repos": 0,
                "disk_usage": 0,
                "collaborators": 0,
                "two_factor_authentication": True,
            }
        )
        return out

    def collaborator(self, user: User) -> JSON:
        out = self.user(user.login)
        legacy = _legacy_permission(user.permission)
        out["permissions"] = {
            "admin": legacy == "admin",
            "maintain": user.permission in ("admin", "maintain"),
            "push": legacy in ("admin", "write"),
            "triage": user.permission in ("admin", "maintain", "write", "triage"),
            "pull": legacy != "none",
        }
        out["role_name"] = user.permission
        return out

    def permission(self, user: User) -> JSON:
        return {
            "permission": _legacy_permission(user.permission),
            "role_name": user.permission,
            "user": self.collaborator(user),
        }

    # ------------------------------------------------------------------ labels

    def label(self, label: Label) -> JSON:
        return {
            "id": label.id,
            "node_id": label.node_id,
            "url": f"{self.repo_api}/labels/{urllib.parse.quote(label.name, safe='')}",
            "name": label.name,
            "color": label.color,
            "default": label.default,
            "description": label.description,
        }

    # ------------------------------------------------------------------ issues

    def issue(self, issue: Issue, *, full: bool = True) -> JSON:
        state = self.state
        api = f"{self.repo_api}/issues/{issue.number}"
        assignees = [self.user(login) for login in issue.assignees]
        children = [state.issues[n] for n in issue.children if n in state.issues]
        blockers = [state.issues[n] for n in issue.blocked_by if n in state.issues]
        blocking = state.blocking(issue.number)
        completed = sum(1 for child in children if child.state == "closed")
        out: JSON = {
            "url": api,
            "repository_url": self.repo_api,
            "labels_url": f"{api}/labels{{/name}}",
            "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "html_url": f"{self.repo_web}/{'pull' if issue.pull else 'issues'}/{issue.number}",
            "id": issue.id,
            "node_id": issue.node_id,
            "number": issue.number,
            "title": issue.title,
            "user": self.user(issue.user),
            "labels": [self.label(label) for label in state.labels_of(issue)],
            "state": issue.state,
            "locked": False,
            "assignee": assignees[0] if assignees else None,
            "assignees": assignees,
            "milestone": None,
            "comments": len(state.comments_of(issue.number)),
            "created_at": iso(issue.created_at),
            "updated_at": iso(issue.updated_at),
            "closed_at": iso(issue.closed_at),
            "author_association": self.association(issue.user),
            "type": render_type(state, issue.type_id),
            "active_lock_reason": None,
            "sub_issues_summary": {
                "total": len(children),
                "completed": completed,
                "percent_completed": (completed * 100 // len(children)) if children else 0,
            },
            "issue_dependencies_summary": {
                "blocked_by": sum(1 for b in blockers if b.state == "open"),
                "total_blocked_by": len(blockers),
                "blocking": sum(1 for b in blocking if b.state == "open"),
                "total_blocking": len(blocking),
            },
            "body": issue.body,
            "reactions": self.reactions(f"{api}/reactions"),
            "timeline_url": f"{api}/timeline",
            "performed_via_github_app": None,
            "state_reason": issue.state_reason,
        }
        if issue.parent is not None:
            out["parent_issue_url"] = f"{self.repo_api}/issues/{issue.parent}"
        if issue.pull is not None:
            pulls = f"{self.repo_api}/pulls/{issue.number}"
            web = f"{self.repo_web}/pull/{issue.number}"
            out["draft"] = issue.pull.draft
            out["pull_request"] = {
                "url": pulls,
                "html_url": web,
                "diff_url": f"{web}.diff",
                "patch_url": f"{web}.patch",
                "merged_at": iso(issue.pull.merged_at),
            }
        if full:
            out["closed_by"] = self.user(issue.closed_by) if issue.closed_by else None
        return out

    def association(self, login: str) -> str:
        user = self.state.user(login)
        if user is None or user.permission == "none":
            return "NONE"
        if user.login.lower() == self.state.owner.lower():
            return "OWNER"
        return "MEMBER" if user.permission in ("admin", "maintain") else "COLLABORATOR"

    def reactions(self, url: str) -> JSON:
        out: JSON = {"url": url, "total_count": 0}
        for key in ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes"):
            out[key] = 0
        return out

    def comment(self, comment: Comment) -> JSON:
        url = f"{self.repo_api}/issues/comments/{comment.id}"
        return {
            "url": url,
            "html_url": f"{self.repo_web}/issues/{comment.issue_number}#issuecomment-{comment.id}",
            "issue_url": f"{self.repo_api}/issues/{comment.issue_number}",
            "id": comment.id,
            "node_id": comment.node_id,
            "user": self.user(comment.user),
            "created_at": iso(comment.created_at),
            "updated_at": iso(comment.updated_at),
            "body": comment.body,
            "author_association": self.association(comment.user),
            "reactions": self.reactions(f"{url}/reactions"),
            "performed_via_github_app": None,
        }

    # ------------------------------------------------------------------ repository

    def repository(self, *, full: bool = True) -> JSON:
        s = self.state
        r = self.repo_api
        host = urllib.parse.urlsplit(self.web).netloc
        open_issues = sum(1 for i in s.issues.values() if i.state == "open")
        created = iso(s.created_at)
        out: JSON = {
            "id": s.repo_id,
            "node_id": node_id("R", s.repo_id),
            "name": s.repo,
            "full_name": f"{s.owner}/{s.repo}",
            "private": True,
            "owner": self.user(s.owner),
            "html_url": self.repo_web,
            "description": "missionkit test repository",
            "fork": False,
            "url": r,
            "archived": False,
            "disabled": False,
            "default_branch": "main",
            "visibility": "private",
            "homepage": None,
            "language": "Python",
            "license": None,
            "mirror_url": None,
            "size": 1,
            "forks": 0,
            "forks_count": 0,
            "network_count": 0,
            "open_issues": open_issues,
            "open_issues_count": open_issues,
            "stargazers_count": 0,
            "subscribers_count": 1,
            "watchers": 0,
            "watchers_count": 0,
            "has_issues": True,
            "has_projects": True,
            "has_wiki": False,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "is_template": False,
            "topics": [],
            "created_at": created,
            "updated_at": created,
            "pushed_at": created,
            "git_url": f"git://{host}/{s.owner}/{s.repo}.git",
            "ssh_url": f"git@{host}:{s.owner}/{s.repo}.git",
            "clone_url": f"{self.repo_web}.git",
            "svn_url": self.repo_web,
            "permissions": {
                "admin": True,
                "maintain": True,
                "push": True,
                "triage": True,
                "pull": True,
            },
        }
        for key, suffix in _REPO_URLS.items():
            out[key] = r + suffix
        if not full:
            del out["network_count"], out["subscribers_count"]
        return out


_REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def _legacy_permission(permission: str) -> str:
    """The legacy ``permission`` field: admin, write, read or none."""
    return {"maintain": "write", "triage": "read"}.get(permission, permission)


def _stable_id(login: str) -> int:
    return 50_000_000 + int(hashlib.sha1(login.encode()).hexdigest()[:6], 16)
