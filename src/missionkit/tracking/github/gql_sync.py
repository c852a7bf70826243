"""``mission sync --api graphql``: the same plan, its labels and new issues sent in batches.

The plan is the one ``mission plan`` prints (read over REST: GraphQL gives no blocked-by
counts).  Applying it:

1. the labels the new issues need (``CreateLabel`` changes, and the ``after:`` labels that
   REST creates implicitly) are created, 10 to a request;
2. the new issues are created in waves, 10 to a request, each with its parent, labels and
   assignees: an issue waits for the issues its body links to (its mission, its
   prerequisites) and for its parent, so every body is exactly the one REST writes;
3. every other change runs as over REST, in the plan's order; a sub-issue link already made
   at creation costs nothing;
4. the blocked-by relations are added last, 10 to a request (a pull request is never sent as
   a blocker: the tracker warns, as over REST).

Then the read-back of silently dropped writes runs as after a REST sync.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from missionkit.errors import UsageError
from missionkit.tracking.apply import SyncResult, _apply_one
from missionkit.tracking.desired import render_body
from missionkit.tracking.github.gql_writes import GraphQLWrites, NewIssue
from missionkit.tracking.github.graphql import BATCH
from missionkit.tracking.github.issues import raw
from missionkit.tracking.limits import MAX_SUB_ISSUES
from missionkit.tracking.model import Item, Key
from missionkit.tracking.plan import Block, Change, Create, Link, Plan
from missionkit.tracking.policy import item_labels

if TYPE_CHECKING:
    from missionkit.tracking.base import Tracker
    from missionkit.tracking.github.tracker import GitHubTracker


def github_tracker(tracker: Tracker) -> GitHubTracker:
    from missionkit.tracking.github.tracker import GitHubTracker

    if not isinstance(tracker, GitHubTracker):
        raise UsageError("--api graphql needs the github tracker (--tracker github)")
    return tracker


def apply_plan_graphql(
    plan: Plan, tracker: GitHubTracker, progress: Callable[[Change], None] | None = None
) -> SyncResult:
    """Make each change of ``plan``; stop at the first error (a re-run converges)."""
    items = dict(plan.items)
    titles = {k: s.title for k, s in plan.specs.items()}
    result = SyncResult(items=items)
    writes = GraphQLWrites(tracker)

    def link(key: Key) -> str:
        return tracker.link(items.get(key), key)

    def done(change: Change) -> None:
        result.applied.append(change)
        if progress is not None:
            progress(change)

    creates = [c for c in plan.changes if isinstance(c, Create)]
    labels = {
        x for c in creates for x in item_labels((), c.key, managed=c.spec.labels, state=c.state)
    }
    if creates or any(c.action == "label" for c in plan.changes):
        writes.ensure_labels(labels | {c.label.name for c in plan.changes if c.label})
        for change in plan.changes:
            if change.action == "label":
                done(change)
    parented = _create_in_waves(plan, creates, items, titles, link, writes, done)
    blocks: list[Block] = []
    for change in plan.changes:
        if change.action in ("label", "create"):
            continue
        if isinstance(change, Link) and parented.get(change.key) == change.target:
            done(change)  # hung under its parent when it was created
            continue
        if isinstance(change, Block):
            blocks.append(change)
            continue
        _apply_one(change, tracker, items, titles, link)
        done(change)
    _add_blockers(blocks, items, tracker, writes, done)
    dropped = tracker.read_back(plan, result.applied, items) if result.applied else []
    result.warnings = [*plan.warnings, *tracker.warnings, *dropped]
    return result


def _add_blockers(
    blocks: list[Block],
    items: dict[Key, Item],
    tracker: GitHubTracker,
    writes: GraphQLWrites,
    done: Callable[[Change], None],
) -> None:
    pairs: list[tuple[Item, Item]] = []
    for change in blocks:
        assert change.key is not None and change.target is not None
        item, blocker = items[change.key], items[change.target]
        if raw(tracker.issues.issue(blocker)).get("pull_request"):
            tracker.add_blocker(item, blocker)  # says why it is not related
        else:
            pairs.append((item, blocker))
    writes.add_blockers(pairs)
    for change in blocks:
        done(change)


def _create_in_waves(
    plan: Plan,
    creates: list[Create],
    items: dict[Key, Item],
    titles: dict[Key, str],
    link: Callable[[Key], str],
    writes: GraphQLWrites,
    done: Callable[[Change], None],
) -> dict[Key, Key]:
    """Create the plan's new issues; return the parent each was created under."""
    pending = {c.key: c for c in creates}
    waits = {c.key: _links_of(c, titles) for c in creates}
    room = _room(plan, items)
    parented: dict[Key, Key] = {}
    while pending:
        ready = [c for c in pending.values() if not waits[c.key] & pending.keys()][:BATCH]
        if not ready:  # a cycle cannot be planned; keep going in plan order
            ready = list(pending.values())[:1]
        wave: list[NewIssue] = []
        for change in ready:
            parent_key = change.spec.parent
            parent = items.get(parent_key) if parent_key is not None else None
            if parent is not None and parent_key is not None and room.get(parent_key, 0) > 0:
                room[parent_key] -= 1
                parented[change.key] = parent_key
            else:
                parent = None
            body = render_body(change.spec, link, titles)
            wave.append(NewIssue(change.spec, body, change.state, parent))
        made = writes.create_issues(wave)
        items.update(made)
        for change in ready:
            del pending[change.key]
            done(change)
    return parented


def _links_of(change: Create, titles: dict[Key, str]) -> set[Key]:
    """The items ``change``'s body links to, and its parent: what must exist before it."""
    seen: set[Key] = set()

    def record(key: Key) -> str:
        seen.add(key)
        return ""

    render_body(change.spec, record, titles)
    if change.spec.parent is not None:
        seen.add(change.spec.parent)
    seen.discard(change.key)
    return seen


def _room(plan: Plan, items: dict[Key, Item]) -> dict[Key, int]:
    """How many new sub-issues each parent takes at creation without passing GitHub's limit.

    A parent created by this sync starts empty; an existing one holds what it holds, and the
    plan's other links to it come first (over REST, in the plan's order)."""
    new = {c.key for c in plan.changes if isinstance(c, Create)}
    room: dict[Key, int] = {}
    for key in {c.spec.parent for c in plan.changes if isinstance(c, Create) and c.spec.parent}:
        if key in new:
            room[key] = MAX_SUB_ISSUES
            continue
        item = items.get(key)
        if item is None or item.sub_issue_count is None:
            continue
        others = sum(
            1 for c in plan.changes if isinstance(c, Link) and c.target == key and c.key not in new
        )
        room[key] = max(0, MAX_SUB_ISSUES - item.sub_issue_count - others)
    return room
