"""What the loader accepts: encodings, layouts, aliases and cross-mission references."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from missionkit.spec.loader import load, load_missions

from support import HEAD

Validate = Callable[..., tuple[int, list[str]]]

TASKS = "tasks:\n  - id: a\n    title: Ingest\n  - id: b\n    title: Stage\n    depends_on: [a]\n"


def test_crlf_bom_and_non_ascii_are_valid(validate: Validate, tmp_path: Path) -> None:
    text = HEAD + "scope: Données des patients — café, Zürich, 東京\n" + TASKS + "---\nCorps\n"
    raw = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    code, lines = validate(raw)
    assert (code, lines) == (0, [])
    mission = load_missions([tmp_path / "m.md"])[0]
    assert mission.spec.scope == "Données des patients — café, Zürich, 東京"
    assert [t.id for t in mission.tasks] == ["a", "b"]
    assert mission.body.strip() == "Corps"


def test_crlf_errors_keep_their_line_numbers(validate: Validate) -> None:
    text = (HEAD + TASKS + "    timeout: soon\n---\n").replace("\n", "\r\n")
    code, lines = validate(text.encode())
    assert code == 1
    assert lines[0].startswith("m.md:11:14: tasks[1].timeout: 'soon' is not a duration")


def test_todos_is_an_alias_of_tasks(tmp_path: Path) -> None:
    path = tmp_path / "m.md"
    path.write_text(HEAD + TASKS.replace("tasks:", "todos:") + "---\n")
    mission = load_missions([path])[0]
    assert [t.id for t in mission.tasks] == ["a", "b"]


def test_todos_errors_name_todos(validate: Validate) -> None:
    code, lines = validate(HEAD + "todos:\n  - id: a\n    titel: x\n---\n")
    assert code == 1
    assert "m.md:7:5: tasks[0].titel: unknown key 'titel'; did you mean 'title'?" in lines


def test_tasks_and_todos_together_is_an_error(validate: Validate) -> None:
    code, lines = validate(HEAD + TASKS + "todos: []\n---\n")
    assert code == 1
    assert lines[0] == "m.md:11:1: todos: give either 'tasks' or its alias 'todos', not both"


def test_defaults_and_typed_fields(tmp_path: Path) -> None:
    path = tmp_path / "m.md"
    path.write_text(
        HEAD + "due: 2026-12-15\nescalation:\n  after: 1h30m\n"
        "tasks:\n  - id: a\n    title: A\n    owner: alex-kim\n    timeout: 30m\n"
        "  - id: b\n    title: B\n---\n"
    )
    mission = load_missions([path])[0]
    assert mission.spec.due == date(2026, 12, 15)
    assert mission.spec.escalation.after == timedelta(minutes=90)
    assert mission.approvers == ["dana-lee"]
    assert mission.escalation_targets == ["dana-lee"]
    assert mission.owner_of(mission.task("a")) == "alex-kim"
    assert mission.owner_of(mission.task("b")) == "dana-lee"
    assert mission.task("a").timeout == timedelta(minutes=30)
    assert mission.spec.status == "active"


def test_folder_layout(tmp_path: Path) -> None:
    folder = tmp_path / "missions" / "crm"
    (folder / "tasks").mkdir(parents=True)
    (folder / "mission.md").write_text(HEAD + "---\nThe CRM mission.\n")
    (folder / "tasks" / "extract.md").write_text("---\ntitle: Extract\n---\nPull the CRM export.\n")
    (folder / "tasks" / "load.md").write_text("---\ntitle: Load\ndepends_on: [extract]\n---\n")
    missions = load_missions([tmp_path / "missions"])
    assert [m.id for m in missions] == ["crm"]
    crm = missions[0]
    assert [t.id for t in crm.tasks] == ["extract", "load"]
    assert crm.task("extract").description == "Pull the CRM export."
    assert crm.task("load").depends_on == ["extract"]


def test_folder_layout_errors_name_the_task_file(tmp_path: Path) -> None:
    folder = tmp_path / "crm"
    (folder / "tasks").mkdir(parents=True)
    (folder / "mission.md").write_text(HEAD + "---\n")
    (folder / "tasks" / "load.md").write_text(
        "---\ntitle: Load\ndepends_on: [extract]\nretries: x\n---\n"
    )
    result = load([folder])
    assert [str(p).replace(str(tmp_path) + "/", "") for p in result.problems] == [
        "crm/tasks/load.md:4:10: tasks[0].retries: Input should be a valid integer, "
        "unable to parse string as an integer (got str 'x')"
    ]


def test_folder_task_id_must_match_file_name(tmp_path: Path) -> None:
    folder = tmp_path / "crm"
    (folder / "tasks").mkdir(parents=True)
    (folder / "mission.md").write_text(HEAD + "---\n")
    (folder / "tasks" / "load.md").write_text("---\nid: loader\ntitle: Load\n---\n")
    result = load([folder])
    assert [str(p).replace(str(tmp_path) + "/", "") for p in result.problems] == [
        "crm/tasks/load.md:2:5: id: id 'loader' differs from the file name 'load'"
    ]


def test_cross_mission_dependencies(tmp_path: Path) -> None:
    (tmp_path / "one.md").write_text(HEAD + TASKS + "---\n")
    (tmp_path / "two.md").write_text(
        HEAD + "tasks:\n  - id: c\n    title: C\n    depends_on: [one/b]\n---\n"
    )
    assert [m.id for m in load_missions([tmp_path])] == ["one", "two"]
    # Validating one file alone still resolves the other mission beside it.
    assert [m.id for m in load_missions([tmp_path / "two.md"])] == ["two"]


def test_cross_mission_dependency_to_unknown_task(tmp_path: Path) -> None:
    (tmp_path / "one.md").write_text(HEAD + TASKS + "---\n")
    (tmp_path / "two.md").write_text(
        HEAD + "tasks:\n  - id: c\n    title: C\n    depends_on: [one/z, nope/a]\n---\n"
    )
    result = load([tmp_path / "two.md"])
    assert [str(p).replace(str(tmp_path) + "/", "") for p in result.problems] == [
        "two.md:8:18: tasks[0].depends_on[0]: unknown task 'z' in mission 'one'",
        "two.md:8:25: tasks[0].depends_on[1]: unknown mission 'nope' in 'nope/a'",
    ]


def test_invalid_mission_file_name(validate: Validate) -> None:
    code, lines = validate(HEAD + "---\n", name="Bad Name.md")
    assert code == 1
    assert lines[0] == (
        "Bad Name.md:1:1: id: mission 'Bad Name' is not a valid id; use lowercase letters, "
        "digits and '-', starting with a letter or digit (from the file name)"
    )


def test_missing_path_is_reported(tmp_path: Path) -> None:
    result = load([tmp_path / "nope.md"])
    assert [p.message for p in result.problems] == ["no such file or directory"]
