"""Read back, once per sync, every write GitHub may drop without an error.

GitHub silently drops an issue type or an assignee the token may not set (without push access,
or a login that cannot be assigned), and a sub-issue link or a "blocked by" relation can be lost
to a limit or a concurrent change.  After a sync that wrote something, each mission's issues are
listed once more (the same label listing sync starts with) and compared with what was written:
the type of each issue created, the owner of each issue created or updated, the parent of each
sub-issue linked, and the number of relations of each issue whose relations changed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from missionkit.tracking.github.issues import raw
from missionkit.tracking.model import Item, Key

if TYPE_CHECKING:
    from missionkit.tracking.github.issues import Issues
    from missionkit.tracking.github.types import IssueTypes
    from missionkit.tracking.plan import Change, Plan


def _current(
    issues: Issues, plan: Plan, applied: Sequence[Change], items: dict[Key, Item]
) -> dict[Key, dict[str, Any]]:
    """Each written issue as GitHub has it now: a mission's listing, or one read per issue
    where that is fewer requests."""
    written = {c.key for c in applied if c.key is not None and c.key in items}
    now: dict[Key, dict[str, Any]] = {}
    for mission_id in plan.missions:
        mine = [k for k in written if k.mission == mission_id]
        size = sum(1 for k in items if k.mission == mission_id)
        if not mine:
            continue
        if len(mine) > math.ceil(size / 100):
            for found in issues.listed(mission_id):
                now.setdefault(found.key, raw(found.issue))
        for key in mine:
            if key in now:
                continue  # not listed: its labels were dropped; read it by number
            number = items[key].number
            now[key] = issues.client.call(
                lambda n=number: dict(issues.repo.get_issue(n).raw_data),  # type: ignore[misc]
                what=f"read #{number} back",
            )
    return now


def read_back(
    issues: Issues,
    types: IssueTypes,
    plan: Plan,
    applied: Sequence[Change],
    items: dict[Key, Item],
) -> list[str]:
    """A warning for each write of ``applied`` that GitHub does not show."""
    if not applied:
        return []
    now = _current(issues, plan, applied, items)
    problems: list[str] = []
    relations: Counter[Key] = Counter()
    touched: set[Key] = set()
    for change in applied:
        key = change.key
        if key is None or key not in now:
            continue
        data = now[key]
        number = data.get("number")
        if change.action == "create":
            wanted = types.for_key(key)
            got = (data.get("type") or {}).get("name")
            if wanted is not None and got != wanted:
                problems.append(
                    f"{key} #{number}: GitHub did not keep the issue type “{wanted}” "
                    "(setting a type needs push access)"
                )
        if change.action in ("create", "update") and change.spec is not None:
            if "owner" in change.keep:
                continue
            labels = {str(x.get("name", "")) for x in data.get("labels") or []}
            lost = [x for x in change.spec.labels if x not in labels]
            if lost:
                problems.append(
                    f"{key} #{number}: GitHub did not keep the label(s) {', '.join(lost)} "
                    "(applying labels needs push access; without mission:<id> sync cannot "
                    "find the issue again)"
                )
            logins = {str(a.get("login", "")).casefold() for a in data.get("assignees") or []}
            for login in change.spec.assignees:
                if login.casefold() not in logins:
                    problems.append(
                        f"{key} #{number}: GitHub did not keep the assignee @{login} "
                        "(assigning needs push access, and the login access to the repository)"
                    )
        elif change.action == "link" and change.target is not None:
            parent = items.get(change.target)
            url = str(data.get("parent_issue_url") or "")
            if parent is not None and not url.endswith(f"/issues/{parent.number}"):
                problems.append(
                    f"{key} #{number}: GitHub does not show it as a sub-issue of "
                    f"{change.target} #{parent.number}"
                )
        elif change.action in ("block", "unblock"):
            relations[key] += 1 if change.action == "block" else -1
            touched.add(key)
    for blocked in sorted(touched):
        before = plan.items.get(blocked)
        expected = (before.blocked_by_count or 0 if before else 0) + relations[blocked]
        summary = now[blocked].get("issue_dependencies_summary") or {}
        got = summary.get("total_blocked_by")
        if isinstance(got, int) and got != expected:
            problems.append(
                f"{blocked} #{now[blocked].get('number')}: GitHub shows {got} blocked-by "
                f"relation(s), sync left {expected}"
            )
    return problems
