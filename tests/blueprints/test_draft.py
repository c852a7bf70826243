"""``mission draft``: a charter becomes a validated ``status: draft`` mission file.

The LLM is the scripted chat-completions server on loopback. One charter per use case
(``charters/``): each scripted proposal validates with the normal loader; an invalid proposal
is sent back once with its located errors and repaired, or reported with them; without an LLM
the closest blueprint is used and said so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from missionkit.cli.main import main
from missionkit.spec.loader import load_missions
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.plan import make_plan

from ghserver import GitHubTestServer
from llmserver import ChatServer

ROOT = Path(__file__).resolve().parents[2]
CHARTERS = ROOT / "charters"
ANSWERS = ROOT / "tests" / "data" / "drafts"
USE_CASES = ["claims-onboarding", "orders-backfill", "encounters-quality"]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chat_server: ChatServer) -> Path:
    shutil.copytree(CHARTERS, tmp_path / "charters")
    (tmp_path / "missions").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MISSIONKIT_LLM_URL", chat_server.url)
    monkeypatch.setenv("MISSIONKIT_LLM_KEY_ENV", "LLM_KEY")
    monkeypatch.setenv("LLM_KEY", "test-key")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def answer(name: str) -> dict[str, object]:
    return dict(json.loads((ANSWERS / f"{name}.json").read_text(encoding="utf-8")))


def draft(
    capsys: pytest.CaptureFixture[str], mission_id: str, charter: str, *extra: str
) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["draft", mission_id, "--charter", charter, *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("name", USE_CASES)
def test_each_charter_becomes_a_draft_that_validates(
    repo: Path, chat_server: ChatServer, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    chat_server.answer(answer(name))
    code, out, err = draft(capsys, name, f"charters/{name}.md")
    assert code == 0, out + err
    assert out.startswith(f"wrote missions/{name}.md (status: draft), proposed by the LLM\n")
    [mission] = load_missions([repo / "missions"])
    charter = (repo / "charters" / f"{name}.md").read_text(encoding="utf-8")
    assert mission.spec.status == "draft"
    assert mission.spec.title in charter
    assert f"owner: {mission.spec.owner}" in charter
    assert [t.id for t in mission.tasks] == [t["id"] for t in answer(name)["tasks"]]  # type: ignore[index, union-attr]
    assert mission.spec.success_criteria[0].text in charter
    # the context: the charter, every agent's input schema and the blueprints
    system, user = (m["content"] for m in chat_server.requests[0].body["messages"])
    assert mission.spec.title in user
    assert '"title": "IngestInputs"' in system and '"title": "QualityInputs"' in system
    assert "### blueprint backfill:" in system and "### blueprint source-onboarding:" in system
    assert chat_server.requests[0].body["response_format"]["json_schema"]["name"] == "mission"
    # a draft is validated but never synced
    tracker = LocalTracker(repo / ".missionkit" / "tracker.db")
    try:
        assert make_plan([mission], tracker).changes == ()
    finally:
        tracker.close()


def test_an_invalid_proposal_is_repaired_after_one_round(
    repo: Path, chat_server: ChatServer, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = answer("encounters-quality")
    tasks = broken["tasks"]
    assert isinstance(tasks, list)
    tasks[1] = {**tasks[1], "with": {"checks": [], "tabel": "x"}}
    chat_server.answer(broken, answer("encounters-quality"))
    code, out, err = draft(capsys, "quality", "charters/encounters-quality.md")
    assert code == 0, out + err
    assert "proposed by the LLM after one repair" in out
    repair = chat_server.requests[1].body["messages"]
    assert repair[-2] == {"role": "assistant", "content": json.dumps(broken)}
    feedback = repair[-1]["content"]
    # located: file, line, column and field
    assert "- missions/quality.md:24:5: tasks[1].with.tabel: unknown key 'tabel'" in feedback
    assert load_missions([repo / "missions"])[0].spec.status == "draft"


def test_a_proposal_still_invalid_is_reported_with_its_errors(
    repo: Path, chat_server: ChatServer, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = {"tasks": [{"id": "Bad_Id", "title": "x", "agent": "nope"}]}
    chat_server.answer(broken, broken)
    code, _out, err = draft(capsys, "quality", "charters/encounters-quality.md")
    assert code == 1
    assert "still has problems after one repair" in err
    assert "missions/quality.md:13:7: tasks[0].id: 'Bad_Id' is not a valid id" in err
    assert "Traceback" not in err
    assert not (repo / "missions" / "quality.md").exists()
    assert "Bad_Id" in (repo / ".missionkit" / "drafts" / "quality.md").read_text()
    assert len(chat_server.requests) == 2


def test_malformed_json_counts_as_a_round(
    repo: Path, chat_server: ChatServer, capsys: pytest.CaptureFixture[str]
) -> None:
    chat_server.answer('{"tasks": [', answer("orders-backfill"))
    code, out, err = draft(capsys, "backfill", "charters/orders-backfill.md")
    assert code == 0, out + err
    assert "not valid JSON" in chat_server.requests[1].body["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("name", "blueprint", "settings"),
    [
        (
            "claims-onboarding",
            "source-onboarding",
            [
                "source=claims",
                "files=data/claims/claims-2026-11.csv",
                "table=claims",
                "target=targets/claim.yaml",
                "key=claim_id",
            ],
        ),
        (
            "orders-backfill",
            "backfill",
            [
                "table=analytics.orders",
                "extract=exports/orders-2024.csv",
                "date_column=order_date",
                "start_date=2024-01-01",
                "end_date=2024-12-31",
                "key=order_id",
            ],
        ),
        ("encounters-quality", "data-quality", ["table=raw.encounters", "key=EncounterID"]),
    ],
)
def test_without_an_llm_the_closest_blueprint_is_used_and_said(
    repo: Path,
    chat_server: ChatServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    blueprint: str,
    settings: list[str],
) -> None:
    monkeypatch.delenv("MISSIONKIT_LLM_URL")
    code, out, err = draft(capsys, name, f"charters/{name}.md")
    assert code == 1
    assert "no LLM is configured" in err and f"the closest blueprint is {blueprint}" in err
    assert "--set key=…" in err
    args = [a for s in settings for a in ("--set", s)]
    code, out, err = draft(capsys, name, f"charters/{name}.md", *args)
    assert code == 0, out + err
    assert "from a blueprint: no LLM is configured" in out
    assert f"the closest blueprint is {blueprint}" in out
    [mission] = load_missions([repo / "missions"])
    assert mission.spec.status == "draft"
    assert mission.spec.title in (repo / "charters" / f"{name}.md").read_text()
    assert chat_server.requests == []


def test_charter_errors_name_the_field(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "bad.md").write_text("---\ntitle: x\nowners: [a]\n---\n", encoding="utf-8")
    code, _out, err = draft(capsys, "bad", "bad.md")
    assert code == 1
    assert "bad.md:1:1: owners: unknown key" in err
    assert "bad.md:1:1: owner: required" in err


def test_on_github_the_draft_is_a_pull_request_and_is_not_synced(
    repo: Path,
    chat_server: ChatServer,
    github_server: GitHubTestServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/data")
    monkeypatch.setenv("GITHUB_API_URL", github_server.url)
    chat_server.answer(answer("orders-backfill"))
    code, out, err = draft(
        capsys, "orders-backfill", "charters/orders-backfill.md", "--tracker", "github"
    )
    assert code == 0, out + err
    [pull] = [i for i in github_server.state.issues.values() if i.pull is not None]
    assert f"proposed as pull request #{pull.number}: " in out
    assert (
        pull.title
        == "Draft mission orders-backfill: Backfill the 2024 orders after the currency fix"
    )
    assert "is marked `status: draft`" in (pull.body or "")
    text = github_server.state.git.file_at(
        "missionkit/draft/orders-backfill", "missions/orders-backfill.md"
    )
    assert text == (repo / "missions" / "orders-backfill.md").read_bytes()
    assert b"status: draft" in (text or b"")
    # syncing the repository creates nothing for a draft
    code = main(["sync", "--tracker", "github"])
    assert code == 0
    assert [i for i in github_server.state.issues.values() if i.pull is None] == []


def test_the_charter_may_come_from_stdin(
    repo: Path,
    chat_server: ChatServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    text = (repo / "charters" / "orders-backfill.md").read_text(encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    chat_server.answer(answer("orders-backfill"))
    code, out, err = draft(capsys, "orders", "-")
    assert code == 0, out + err
    assert load_missions([repo / "missions"])[0].spec.title == (
        "Backfill the 2024 orders after the currency fix"
    )
