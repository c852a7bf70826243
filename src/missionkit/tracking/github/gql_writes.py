"""The writes ``--api graphql`` batches: labels, and issues created with their parent.

``createIssue`` takes the repository, title, body, label ids, assignee ids and the parent
issue in one mutation, so an issue is created already labelled, assigned and hung under its
parent; ``addBlockedBy`` relates two issues, 10 to a request too.  GitHub's public schema
(``@octokit/graphql-schema`` 15.26.1) has no issue types: an issue's type is set over REST after
it is created (only where the owner defines a fitting type).

A batch whose answer is lost (5xx, timeout, dropped connection) may be applied in part: the
labels are read again, the missions' issues listed again by their hidden marker, or the
blocked issues' relations listed again, and only what is still missing is sent again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from github.Issue import Issue

from missionkit.tracking.github.client import Ambiguous, GitHubError
from missionkit.tracking.github.graphql import BATCH, GraphQL
from missionkit.tracking.github.issues import CREATE_ATTEMPTS
from missionkit.tracking.labels import label_for
from missionkit.tracking.model import Item, Key, Spec
from missionkit.tracking.policy import item_labels

if TYPE_CHECKING:
    from missionkit.tracking.github.tracker import GitHubTracker

REPOSITORY = """query($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    id
    labels(first: 100, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } }
  }
}"""
LABEL_FIELDS = "label { id name }"
BLOCK_FIELDS = "issue { number } blockingIssue { number }"
ALREADY_BLOCKED = "already blocked by"
ISSUE_FIELDS = (
    "issue { id fullDatabaseId number title body url state updatedAt parent { number } "
    "labels(first: 100) { nodes { name } } assignees(first: 10) { nodes { login } } }"
)


@dataclass(frozen=True)
class NewIssue:
    """One issue to create: what the mission files say, its body and first state."""

    spec: Spec
    body: str
    state: str
    parent: Item | None  # set at creation (None: linked afterwards, over REST, if at all)


def chunked(items: Sequence[Any], size: int = BATCH) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


class GraphQLWrites:
    """Batched creates for one tracker's repository."""

    def __init__(self, tracker: GitHubTracker) -> None:
        self.tracker = tracker
        self.api = GraphQL(tracker.gh, tracker.client)
        self.repository_id = ""
        self.labels: dict[str, str] = {}  # name (casefolded) -> node id
        self.users: dict[str, str | None] = {}  # login (casefolded) -> node id, None: unknown

    # -- repository and labels -------------------------------------------------------------
    def read_labels(self) -> None:
        owner, _, name = self.tracker.repo.full_name.partition("/")
        after: str | None = None
        labels: dict[str, str] = {}
        while True:
            answer = self.api.run(
                REPOSITORY,
                {"owner": owner, "name": name, "after": after},
                what="read the repository and its labels",
            )
            repo = answer.data.get("repository") or {}
            if not repo:
                raise GitHubError(f"read the repository {owner}/{name}: {answer.errors}")
            self.repository_id = str(repo["id"])
            page = repo["labels"]
            labels.update({str(x["name"]).casefold(): str(x["id"]) for x in page["nodes"]})
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        self.labels = labels

    def ensure_labels(self, names: Iterable[str]) -> None:
        """Create every label of ``names`` the repository lacks, 10 to a request."""
        if not self.repository_id:
            self.read_labels()
        for _ in range(CREATE_ATTEMPTS):
            missing = sorted({n for n in names if n.casefold() not in self.labels})
            if not missing:
                return
            try:
                for batch in chunked(missing):
                    self._create_labels(batch)
            except Ambiguous:
                self.read_labels()  # some may have been created: look before trying again
        if any(n.casefold() not in self.labels for n in names):
            raise GitHubError(f"create labels: no answer after {CREATE_ATTEMPTS} tries")

    def _create_labels(self, names: list[str]) -> None:
        inputs = []
        for name in names:
            label = label_for(name)
            inputs.append(
                {
                    "repositoryId": self.repository_id,
                    "name": label.name,
                    "color": label.color,
                    "description": label.description,
                }
            )
        payloads, errors = self.api.mutate(
            "createLabel", "CreateLabelInput", LABEL_FIELDS, inputs, f"create {len(names)} labels"
        )
        taken = False
        for payload in payloads:
            if payload and payload.get("label"):
                made = payload["label"]
                self.labels[str(made["name"]).casefold()] = str(made["id"])
        for message in errors.values():
            if "already been taken" not in message:
                raise GitHubError(f"create labels {', '.join(names)}: {message}")
            taken = True
        if taken:  # made meanwhile by someone else (or an earlier, lost answer)
            self.read_labels()

    # -- users -----------------------------------------------------------------------------
    def user_ids(self, logins: Iterable[str]) -> None:
        wanted = sorted({x.casefold() for x in logins} - set(self.users))
        for batch in chunked(wanted, 50):
            params = ", ".join(f"$u{n}: String!" for n in range(len(batch)))
            fields = " ".join(f"u{n}: user(login: $u{n}) {{ id }}" for n in range(len(batch)))
            answer = self.api.run(
                f"query({params}) {{ {fields} }}",
                {f"u{n}": login for n, login in enumerate(batch)},
                what="read the assignees' ids",
            )
            for n, login in enumerate(batch):
                found = answer.data.get(f"u{n}")
                self.users[login] = str(found["id"]) if found else None

    # -- blocked-by relations --------------------------------------------------------------
    def add_blockers(self, pairs: Sequence[tuple[Item, Item]]) -> None:
        """Mark each ``(item, blocker)`` pair related, 10 to a request; a pair a lost answer may
        have applied is looked up (the item's blockers, over REST) before it is sent again."""
        for batch in chunked(list(pairs)):
            pending = list(batch)
            for _ in range(CREATE_ATTEMPTS):
                try:
                    self._block(pending)
                    break
                except Ambiguous:
                    pending = [
                        (item, blocker)
                        for item, blocker in pending
                        if blocker.uid not in self.tracker.blockers(item)
                    ]
                    if not pending:
                        break
            else:
                raise GitHubError(
                    f"mark {len(pending)} issues blocked: no answer after {CREATE_ATTEMPTS} tries"
                )

    def _block(self, pairs: Sequence[tuple[Item, Item]]) -> None:
        issues = self.tracker.issues
        inputs = [
            {
                "issueId": str(issues.issue(item).node_id),
                "blockingIssueId": str(issues.issue(blocker).node_id),
            }
            for item, blocker in pairs
        ]
        what = ", ".join(f"#{i.number} blocked by #{b.number}" for i, b in pairs)
        _, errors = self.api.mutate("addBlockedBy", "AddBlockedByInput", BLOCK_FIELDS, inputs, what)
        refused = [m for m in errors.values() if ALREADY_BLOCKED not in m]
        if refused:
            raise GitHubError(f"mark {what}: GitHub refused: {'; '.join(refused)}")

    # -- issues ----------------------------------------------------------------------------
    def create_issues(self, wanted: Sequence[NewIssue]) -> dict[Key, Item]:
        """Create a batch of at most 10 issues; never a second one for a key whose first
        creation was committed without an answer."""
        if len(wanted) > BATCH:
            raise ValueError(f"a batch holds at most {BATCH} issues")
        created: dict[Key, Item] = {}
        pending = list(wanted)
        for _ in range(CREATE_ATTEMPTS):
            try:
                created.update(self._create(pending))
                return created
            except Ambiguous:
                found = self._find(pending)
                created.update(found)
                pending = [w for w in pending if w.spec.key not in found]
                if not pending:
                    return created
        raise GitHubError(
            f"create issues for {', '.join(str(w.spec.key) for w in pending)}: "
            f"no answer after {CREATE_ATTEMPTS} tries"
        )

    def _find(self, pending: Sequence[NewIssue]) -> dict[Key, Item]:
        """The pending issues GitHub holds already, found by their marker."""
        issues = self.tracker.issues
        keys = {w.spec.key: w.spec for w in pending}
        found: dict[Key, Item] = {}
        for mission in sorted({k.mission for k in keys}):
            for listed in issues.listed(mission):
                spec = keys.get(listed.key)
                if spec is not None and listed.key not in found:
                    found[listed.key] = issues.to_item(
                        listed.issue, listed.key, listed.spec_hash, _owner(spec)
                    )
        return found

    def _create(self, pending: Sequence[NewIssue]) -> dict[Key, Item]:
        self.user_ids(login for w in pending for login in w.spec.assignees)
        inputs = [self._input(w) for w in pending]
        payloads, errors = self.api.mutate(
            "createIssue",
            "CreateIssueInput",
            ISSUE_FIELDS,
            inputs,
            f"create issues for {', '.join(str(w.spec.key) for w in pending)}",
        )
        created: dict[Key, Item] = {}
        for new, payload in zip(pending, payloads, strict=True):
            if payload and payload.get("issue"):
                created[new.spec.key] = self._item(new, payload["issue"])
        if errors:
            problems = "; ".join(errors.values())
            self.tracker.warnings.extend(
                f"{key}: created (#{item.number}) before GitHub refused the rest of its batch"
                for key, item in created.items()
            )
            raise GitHubError(f"create issues: GitHub refused: {problems}")
        return created

    def _input(self, new: NewIssue) -> dict[str, Any]:
        spec = new.spec
        labels = item_labels((), spec.key, managed=spec.labels, state=new.state)
        assignees = []
        for login in spec.assignees:
            node = self.users.get(login.casefold())
            if node is None:
                self.tracker.warnings.append(
                    f"{spec.key}: GitHub did not accept assignee(s) {login}; "
                    "created the issue unassigned"
                )
            else:
                assignees.append(node)
        out: dict[str, Any] = {
            "repositoryId": self.repository_id,
            "title": spec.title,
            "body": new.body,
            "labelIds": [self.labels[x.casefold()] for x in labels],
            "assigneeIds": assignees,
        }
        if new.parent is not None:
            out["parentIssueId"] = str(self.tracker.issues.issue(new.parent).node_id)
        return out

    def _item(self, new: NewIssue, node: dict[str, Any]) -> Item:
        """The created issue as the REST tracker holds its issues (no extra read)."""
        repo = self.tracker.repo
        parent = node.get("parent")
        data: dict[str, Any] = {
            "url": f"{repo.url}/issues/{node['number']}",
            "html_url": node["url"],
            "id": int(node["fullDatabaseId"]),
            "node_id": node["id"],
            "number": node["number"],
            "title": node["title"],
            "body": node["body"],
            "state": str(node["state"]).lower(),
            "state_reason": None,
            "updated_at": node["updatedAt"],
            "labels": [{"name": x["name"]} for x in node["labels"]["nodes"]],
            "assignees": [{"login": x["login"]} for x in node["assignees"]["nodes"]],
            "parent_issue_url": f"{repo.url}/issues/{parent['number']}" if parent else None,
            "issue_dependencies_summary": {
                "blocked_by": 0,
                "total_blocked_by": 0,
                "blocking": 0,
                "total_blocking": 0,
            },
            "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
        }
        type_name = self.tracker.types.for_key(new.spec.key)
        if type_name is not None:  # not in the public GraphQL schema: REST
            data["type"] = self._set_type(data["url"], node["number"], type_name)
        issue = Issue(repo.requester, {}, data, completed=True)
        return self.tracker.issues.to_item(
            issue, new.spec.key, new.spec.spec_hash, _owner(new.spec)
        )

    def _set_type(self, url: str, number: int, type_name: str) -> Any:
        requester = self.tracker.repo.requester

        def patch() -> Any:
            _, data = requester.requestJsonAndCheck("PATCH", url, input={"type": type_name})
            return data.get("type") if isinstance(data, dict) else None

        return self.tracker.client.call(patch, what=f"set the type of #{number}")


def _owner(spec: Spec) -> str | None:
    return spec.assignees[0] if spec.assignees else None
