"""The house rules: no import cycles, one lifecycle, and its generated document is current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from import_cycles import cycles
from lifecycle_doc import expected

from missionkit import lifecycle
from missionkit.lifecycle import IllegalTransition, MissionEvent, TaskEvent, TaskState

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"

_STATE = (
    r"(?:TaskState|MissionState)\.\w+|MISSION_(?:ACTIVE|AWAITING|CLOSED)"
    r'|"(?:blocked|ready|running|done|needs-human|failed|cancelled|awaiting-signoff)"'
)
# Two states side by side in a tuple, list or set: a list of states deciding something.
STATE_LIST = re.compile(rf"[(\[{{,]\s*(?:{_STATE})\s*,\s*(?:{_STATE})\s*[,)\]}}]")
OLD_CALLS = re.compile(r"\.set_state\(|\.transition\(\s*[\w.\[\]]+\s*,\s*[\[(]")
IMPORTS = re.compile(r"^(?:from|import) [^\n(]*(?:\([^)]*\))?", re.M)


def test_src_has_no_import_cycle() -> None:
    assert cycles(SRC) == []


def test_the_cycle_check_finds_a_lazy_cycle(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.b import thing\n")
    (pkg / "b.py").write_text("def thing():\n    from pkg import a\n    return a\n")
    (pkg / "c.py").write_text("from . import a\n")
    assert cycles(tmp_path) == [["pkg.a", "pkg.b"]]


def test_no_module_but_lifecycle_lists_states_to_decide_a_transition() -> None:
    offenders = []
    for path in sorted((SRC / "missionkit").rglob("*.py")):
        if path.name == "lifecycle.py":
            continue
        text = IMPORTS.sub("", path.read_text(encoding="utf-8"))
        for pattern in (STATE_LIST, OLD_CALLS):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


def test_the_grep_sees_a_list_of_states() -> None:
    assert STATE_LIST.search("if item.state in (TaskState.DONE, TaskState.CANCELLED):")
    assert STATE_LIST.search('if state not in ("done", "cancelled"):')
    assert OLD_CALLS.search("tracker.transition(item, [TaskState.READY], TaskState.RUNNING)")
    assert not STATE_LIST.search("if item.state == TaskState.DONE:")
    assert not OLD_CALLS.search("tracker.transition(items[key], change.event, actor, why)")


def test_the_committed_lifecycle_documents_are_current() -> None:
    for path, text in expected().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is stale; run: python scripts/lifecycle_doc.py"
        )


def test_every_state_is_reachable_and_every_event_used() -> None:
    targets = {r.target for r in lifecycle.TASK_RULES} | {TaskState.BLOCKED}
    assert targets == set(TaskState)
    assert {r.event for r in lifecycle.TASK_RULES} == set(TaskEvent)
    assert {r.event for r in lifecycle.MISSION_RULES} == set(MissionEvent)


def test_an_illegal_event_is_a_typed_error_that_names_the_legal_states() -> None:
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.next_state(TaskState.DONE, TaskEvent.CLAIM, "m/t")
    assert str(caught.value) == "m/t is done: 'claim' is allowed only from ready"
    assert caught.value.state == TaskState.DONE and caught.value.event == TaskEvent.CLAIM


def test_the_sign_off_rule() -> None:
    assert lifecycle.awaits_signoff("active", ["done", "cancelled"])
    assert not lifecycle.awaits_signoff("active", ["done", "failed"])
    assert not lifecycle.awaits_signoff("active", [])  # a mission without tasks never is
    assert lifecycle.is_approver("Dana-Lee", ["dana-lee"])
    assert lifecycle.allows("awaiting-signoff", MissionEvent.SIGN_OFF)
    assert not lifecycle.allows("active", MissionEvent.SIGN_OFF)
