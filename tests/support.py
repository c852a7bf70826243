"""Shared test helpers (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

HEAD = """---
title: Test mission
owner: dana-lee
success_criteria: [It works]
"""


def github_snapshot(server: object) -> dict[str, object]:
    """The test server's issues, labels and relations, keyed by missionkit markers.

    Issue numbers differ between runs, so everything is described by marker keys; a
    duplicate issue shows up as a repeated key in ``issues``.
    """
    from missionkit.tracking.desired import parse_marker

    state = server.state  # type: ignore[attr-defined]
    keys: dict[int, str] = {}
    issues: list[tuple[object, ...]] = []
    for issue in sorted(state.issues.values(), key=lambda i: i.number):
        marker = parse_marker(issue.body)
        key = str(marker[0]) if marker else f"unmarked #{issue.number}"
        keys[issue.number] = key
    import re

    def body(text: str | None) -> str:
        return re.sub(r"#(\d+)", lambda m: f"<{keys.get(int(m.group(1)), m.group(0))}>", text or "")

    for issue in sorted(state.issues.values(), key=lambda i: keys[i.number]):
        labels = sorted(state.labels[i].name for i in issue.label_ids)
        issues.append(
            (
                keys[issue.number],
                issue.title,
                body(issue.body),
                issue.state,
                issue.state_reason,
                tuple(labels),
                tuple(sorted(issue.assignees)),
                keys.get(issue.parent) if issue.parent else None,
                tuple(sorted(keys[n] for n in issue.blocked_by)),
            )
        )
    labels = sorted((x.name, x.color, x.description) for x in state.labels.values())
    comments = sorted(
        (keys.get(c.issue_number, "?"), body(c.body)) for c in state.comments.values()
    )
    return {"issues": issues, "labels": labels, "comments": comments}


def comments_of(tracker: object, item: object) -> list[object]:
    """What was said on ``item``, oldest first, read from the tracker's own storage (reading
    comments is not part of the tracker interface: only tests need it)."""
    from missionkit.tracking.github.tracker import GitHubTracker
    from missionkit.tracking.local import LocalTracker

    if isinstance(tracker, LocalTracker):
        return list(tracker.comments(item))  # type: ignore[arg-type]
    assert isinstance(tracker, GitHubTracker)
    return list(tracker.issues.comments(item))  # type: ignore[arg-type]


#: a Soda contract for raw.patients (id, name, sex) in the data source wh, database wh
PATIENTS_CONTRACT = """dataset: wh/wh/raw/patients
columns:
  - name: id
    checks:
      - missing:
      - duplicate:
  - name: name
    checks:
      - missing:
  - name: sex
    checks:
      - invalid:
          valid_values: ['F', 'M']
checks:
  - row_count:
"""
