"""Drift: changes people make on GitHub are shown by ``mission plan``, kept by sync unless
``--overwrite``, and never reverted silently."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from execution.conftest_channels import as_user, issue_number, labels_of, run_cli

from ghserver import GitHubTestServer

pytest_plugins = ["execution.conftest_channels"]

MISSION = """\
---
title: Claims onboarding
owner: dana-lee
success_criteria: [Claims are published]
tasks:
  - id: extract   # the first step
    title: Extract the claims
    agent: shell
    with: {command: "true"}
  - id: review
    title: Review the extract
    owner: alex-kim
    depends_on: [extract]
  - id: publish
    title: Publish the claims
    agent: shell
    depends_on: [review]
    with: {command: "true"}
---
Claims from the new payer.
"""


class Gh:
    def __init__(self, server: GitHubTestServer, capsys: pytest.CaptureFixture[str]) -> None:
        self.server = server
        self.capsys = capsys

    def cli(self, *args: str, code: int = 0) -> tuple[str, str]:
        result = run_cli(self.capsys, *args, "--tracker", "github")
        assert result.code == code, result.out + result.err
        return result.out, result.err

    def issue(self, key: str) -> Any:
        with self.server.state.lock:
            return self.server.state.issues[issue_number(self.server, key)]

    def uid(self, key: str) -> int:
        return int(self.issue(key).id)

    def plan(self) -> dict[str, Any]:
        out, _ = self.cli("plan", "--json")
        return dict(json.loads(out))


@pytest.fixture
def gh(
    gh_users: GitHubTestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Gh:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "missions").mkdir()
    (tmp_path / "missions" / "claims.md").write_text(MISSION, encoding="utf-8")
    g = Gh(gh_users, capsys)
    g.cli("sync")
    assert g.plan()["changes"] == []
    return g


def test_a_retitled_issue_is_drift_kept_by_sync_and_restored_by_overwrite(gh: Gh) -> None:
    n = issue_number(gh.server, "claims/review")
    as_user(gh.server, "alex-kim", "PATCH", f"/issues/{n}", {"title": "Review the extract twice"})
    out, _ = gh.cli("plan")
    assert (
        f"drift: claims/review #{n}: title “Review the extract” → “Review the extract twice”"
        " by @alex-kim at " in out
    )
    assert "sync keeps it; `mission pull` writes it into the file, --overwrite reverts it" in out
    drift = gh.plan()["drift"]
    assert [(d["item"], d["field"], d["who"]) for d in drift] == [
        ("claims/review", "title", "alex-kim")
    ]
    # the file changes elsewhere: sync updates the issue but keeps the person's title
    path = Path("missions/claims.md")
    path.write_text(path.read_text().replace("owner: alex-kim", "owner: sam-okafor"))
    _, err = gh.cli("sync")
    assert "warning: drift: claims/review" in err
    assert gh.issue("claims/review").title == "Review the extract twice"
    assert "sam-okafor" in gh.issue("claims/review").assignees
    _, err = gh.cli("sync", "--overwrite")
    assert gh.issue("claims/review").title == "Review the extract"
    assert gh.plan()["drift"] == []


def test_reassignment_and_labels_are_drift(gh: Gh) -> None:
    n = issue_number(gh.server, "claims/review")
    as_user(gh.server, "dana-lee", "DELETE", f"/issues/{n}/assignees", {"assignees": ["alex-kim"]})
    as_user(gh.server, "dana-lee", "POST", f"/issues/{n}/assignees", {"assignees": ["dana-lee"]})
    as_user(gh.server, "dana-lee", "DELETE", f"/issues/{n}/labels/owner:person")
    drift = {d["field"]: d for d in gh.plan()["drift"]}
    assert drift["owner"]["synced"] == "alex-kim"
    assert drift["owner"]["tracker"] == "dana-lee"
    assert drift["owner"]["who"] == "dana-lee"
    assert drift["labels"]["tracker"] == ["mission:claims"]
    gh.cli("sync")
    assert gh.issue("claims/review").assignees == ["dana-lee"]
    assert "owner:person" not in labels_of(gh.server, n)
    gh.cli("sync", "--overwrite")
    assert "alex-kim" in gh.issue("claims/review").assignees
    assert "owner:person" in labels_of(gh.server, n)


def test_relations_added_and_removed_by_hand_are_drift_never_reverted_silently(gh: Gh) -> None:
    publish = issue_number(gh.server, "claims/publish")
    review = issue_number(gh.server, "claims/review")
    as_user(
        gh.server,
        "dana-lee",
        "DELETE",
        f"/issues/{publish}/dependencies/blocked_by/{gh.uid('claims/review')}",
    )
    as_user(
        gh.server,
        "dana-lee",
        "POST",
        f"/issues/{review}/dependencies/blocked_by",
        {"issue_id": gh.uid("claims/publish")},
    )
    plan = gh.plan()
    assert plan["changes"] == []  # nothing reverted
    drift = {d["item"]: d for d in plan["drift"]}
    assert drift["claims/publish"]["synced"] == ["claims/review"]
    assert drift["claims/publish"]["tracker"] == []
    assert drift["claims/publish"]["who"] == "dana-lee"
    assert drift["claims/review"]["tracker"] == ["claims/extract", "claims/publish"]
    out, _ = gh.cli("plan", "--overwrite")
    assert "⧖ block   claims/publish blocked by claims/review" in out
    assert "⧗ unblock claims/review no longer blocked by claims/publish" in out


def test_a_sub_issue_added_by_hand_is_drift(gh: Gh) -> None:
    mission = issue_number(gh.server, "claims")
    made = as_user(
        gh.server,
        "alex-kim",
        "POST",
        "/issues",
        {"title": "Notify the payer", "body": "Call them before Friday."},
    )
    as_user(
        gh.server, "dana-lee", "POST", f"/issues/{mission}/sub_issues", {"sub_issue_id": made["id"]}
    )
    drift = gh.plan()["drift"]
    assert [(d["item"], d["field"], d["tracker"], d["who"]) for d in drift] == [
        ("claims", "sub_issues", [f"#{made['number']} Notify the payer"], "dana-lee")
    ]


def test_a_sub_issue_removed_by_hand_is_drift_not_linked_again(gh: Gh) -> None:
    mission = issue_number(gh.server, "claims")
    review = gh.uid("claims/review")
    as_user(
        gh.server, "dana-lee", "DELETE", f"/issues/{mission}/sub_issue", {"sub_issue_id": review}
    )
    plan = gh.plan()
    assert plan["changes"] == []
    assert [
        (d["item"], d["field"], d["synced"], d["tracker"], d["who"]) for d in plan["drift"]
    ] == [("claims/review", "parent", "claims", "", "dana-lee")]
    out, _ = gh.cli("plan", "--overwrite")
    assert "→ link    claims/review under claims" in out
    gh.cli("sync", "--overwrite")
    with gh.server.state.lock:
        assert gh.issue("claims/review").parent == mission


# ------------------------------------------------------------------------------ mission pull


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def pull_and_check(gh: Gh, expected: list[str]) -> None:
    path = Path("missions/claims.md")
    before = path.read_text()
    out, _ = gh.cli("pull")
    assert "Pulled into missions/claims.md." in out
    assert changed_lines(before, path.read_text()) == expected
    # a re-run pulls nothing; a sync afterwards writes nothing
    after = path.read_text()
    out, _ = gh.cli("pull")
    assert out.endswith("Nothing to pull: the mission files match the tracker.\n")
    assert path.read_text() == after
    gh.server.reset_log()
    gh.cli("sync")
    assert gh.server.writes == []
    assert gh.plan()["drift"] == []


def test_pull_a_retitled_issue(gh: Gh) -> None:
    n = issue_number(gh.server, "claims/review")
    as_user(gh.server, "alex-kim", "PATCH", f"/issues/{n}", {"title": "Review: the extract"})
    pull_and_check(gh, ["-    title: Review the extract", '+    title: "Review: the extract"'])


def test_pull_a_reassignment_replaces_or_adds_the_owner_line(gh: Gh) -> None:
    review = issue_number(gh.server, "claims/review")
    extract = issue_number(gh.server, "claims/extract")
    as_user(gh.server, "dana-lee", "PATCH", f"/issues/{review}", {"assignees": ["sam-okafor"]})
    as_user(gh.server, "dana-lee", "PATCH", f"/issues/{extract}", {"assignees": ["alex-kim"]})
    pull_and_check(
        gh,
        [
            "+    owner: alex-kim",
            "-    owner: alex-kim",
            "+    owner: sam-okafor",
        ],
    )


def test_pull_a_relation_added_by_hand(gh: Gh) -> None:
    publish = issue_number(gh.server, "claims/publish")
    as_user(
        gh.server,
        "dana-lee",
        "POST",
        f"/issues/{publish}/dependencies/blocked_by",
        {"issue_id": gh.uid("claims/extract")},
    )
    pull_and_check(gh, ["-    depends_on: [review]", "+    depends_on: [extract, review]"])


def test_pull_a_sub_issue_added_by_hand_as_a_new_task(gh: Gh) -> None:
    mission = issue_number(gh.server, "claims")
    made = as_user(
        gh.server,
        "alex-kim",
        "POST",
        "/issues",
        {"title": "Notify the payer", "body": "Call them before Friday."},
    )
    as_user(
        gh.server, "dana-lee", "POST", f"/issues/{mission}/sub_issues", {"sub_issue_id": made["id"]}
    )
    pull_and_check(gh, ["+  - id: notify-the-payer", "+    title: Notify the payer"])
    adopted = gh.issue("claims/notify-the-payer")
    assert adopted.number == made["number"]
    assert "mission:claims" in labels_of(gh.server, adopted.number)
    assert adopted.body.startswith("Call them before Friday.\n\n<!-- missionkit:")


def test_a_change_on_both_sides_is_a_conflict_never_overwritten(gh: Gh) -> None:
    n = issue_number(gh.server, "claims/review")
    as_user(gh.server, "alex-kim", "PATCH", f"/issues/{n}", {"title": "Review twice"})
    path = Path("missions/claims.md")
    path.write_text(path.read_text().replace("Review the extract", "Review the sample"))
    before = path.read_text()
    _, err = gh.cli("pull", code=1)
    assert (
        f"conflict: claims/review #{n}: title changed on both sides: the files say "
        "'Review the sample', GitHub says 'Review twice' (last synced 'Review the extract')"
    ) in err
    assert path.read_text() == before
    plan, _ = gh.cli("plan")
    assert "conflict: the files say “Review the sample”; sync keeps GitHub's" in plan


def test_pull_propose_opens_one_pull_request_and_keeps_the_drift_until_merged(gh: Gh) -> None:
    n = issue_number(gh.server, "claims/review")
    as_user(gh.server, "alex-kim", "PATCH", f"/issues/{n}", {"title": "Review twice"})
    out, _ = gh.cli("pull", "--propose")
    assert "proposed as pull request #" in out
    git = gh.server.state.git
    with gh.server.state.lock:
        text = git.files_at("missionkit/pull")["missions/claims.md"].decode()
        pulls = [i for i in gh.server.state.issues.values() if i.pull is not None]
        head = git.branch("missionkit/pull")
    assert "    title: Review twice\n" in text
    assert [p.title for p in pulls] == ["Pull people's edits on GitHub into the mission files"]
    assert "claims/review #" in str(pulls[0].body) and "Review twice" in str(pulls[0].body)
    # the default branch still says the old title: sync keeps GitHub's side meanwhile
    Path("missions/claims.md").write_text(MISSION, encoding="utf-8")
    assert [d["field"] for d in gh.plan()["drift"]] == ["title"]
    gh.cli("pull", "--propose")  # the next scheduled run: the same proposal, nothing new
    with gh.server.state.lock:
        assert git.branch("missionkit/pull") == head
        assert len([i for i in gh.server.state.issues.values() if i.pull is not None]) == 1


NOTE = "Alex: the payer sends the extract on Mondays."


def _edit_body(gh: Gh, key: str, edit: Any, login: str = "alex-kim") -> int:
    n = issue_number(gh.server, key)
    as_user(gh.server, login, "PATCH", f"/issues/{n}", {"body": edit(gh.issue(key).body)})
    return n


def test_text_a_person_adds_to_the_body_is_drift_kept_by_sync_removed_by_overwrite(
    gh: Gh,
) -> None:
    """What a person writes outside missionkit's part of a body (above or below it) is shown
    by the plan, kept by every sync, even one that rewrites missionkit's part, and removed
    only by --overwrite."""
    n = _edit_body(gh, "claims/review", lambda body: f"Heads-up first.\r\n\r\n{body}\r\n{NOTE}\r\n")
    out, _ = gh.cli("plan")
    assert (
        f"drift: claims/review #{n}: a person's text in the body: “Heads-up first. {NOTE}”; "
        "sync keeps it"
    ) in out
    assert [(d["field"], d["synced"]) for d in gh.plan()["drift"]] == [("notes", "")]
    gh.server.reset_log()
    gh.cli("sync")
    assert gh.server.writes == [], "nothing to write: the files did not change"
    # the task changes in the file: missionkit's part is rewritten, the person's text stays
    path = Path("missions/claims.md")
    path.write_text(path.read_text().replace("owner: alex-kim", "owner: sam-okafor"))
    gh.cli("sync")
    body = gh.issue("claims/review").body
    assert body.startswith("Heads-up first.\r\n\r\n<!-- missionkit:")
    assert body.endswith(f"<!-- missionkit: end -->\n\r\n{NOTE}\r\n")
    assert "**Owner:** @sam-okafor" in body
    assert gh.plan()["drift"] == [], "the sync that wrote the body recorded the text as seen"
    # more text, then --overwrite: the body is missionkit's alone again
    _edit_body(gh, "claims/review", lambda body: body + "One more thing.\n")
    assert [d["field"] for d in gh.plan()["drift"]] == ["notes"]
    plan, _ = gh.cli("plan", "--overwrite")
    assert "sync removes it (--overwrite)" in plan
    gh.cli("sync", "--overwrite")
    body = gh.issue("claims/review").body
    assert body.startswith("<!-- missionkit:") and body.endswith("<!-- missionkit: end -->\n")
    assert NOTE not in body and gh.plan()["drift"] == []


def test_a_hand_edit_of_missionkits_part_is_drift_and_a_conflict_when_the_task_changes(
    gh: Gh,
) -> None:
    n = _edit_body(
        gh, "claims/review", lambda b: b.replace("_None given._", "- [x] Read it twice"), "dana-lee"
    )
    path = Path("missions/claims.md")
    mission = path.read_text()
    out, _ = gh.cli("plan")
    assert (
        f"drift: claims/review #{n}: missionkit's part of the body edited by hand; sync keeps it"
        in out
    )
    # the task changes in the file too: a conflict, and GitHub's text is kept
    path.write_text(
        mission.replace(
            "    owner: alex-kim\n", "    owner: alex-kim\n    acceptance: [Every row read]\n"
        )
    )
    out, _ = gh.cli("plan")
    assert (
        "edited by hand, and the task changed in the files: conflict; sync keeps GitHub's text"
        in out
    )
    gh.cli("sync")
    body = gh.issue("claims/review").body
    assert "Every row read" not in body, "GitHub's text is kept, never overwritten silently"
    gh.cli("sync", "--overwrite")
    body = gh.issue("claims/review").body
    assert "- [ ] Every row read" in body and gh.plan()["drift"] == []


def test_pull_leaves_a_persons_text_in_the_body_where_it_is(gh: Gh) -> None:
    n = _edit_body(gh, "claims/extract", lambda body: body + NOTE)
    path = Path("missions/claims.md")
    before = path.read_text()
    out, _ = gh.cli("pull")
    assert (
        f"skipped: claims/extract #{n}: notes: a person's text in the body stays on GitHub" in out
    )
    assert path.read_text() == before
    gh.server.reset_log()
    gh.cli("sync")
    assert gh.server.writes == []
    assert gh.issue("claims/extract").body.endswith(NOTE)
