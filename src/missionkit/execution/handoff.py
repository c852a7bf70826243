"""The files an agent job's steps pass on: the task's answers in, its outcome out.

On GitHub the agent job runs in three steps.  ``mission agent prepare`` (with the token) checks
the claim and writes ``input.json``; ``mission agent run --execute-only`` (no token, no secret)
runs the agent and checks and writes ``outcome.json``, ``report.md`` and the repository files
the agent changed (under ``changed/``); ``mission agent record`` (with the token, running no
task code) reads them back and records them on the tracker.

Everything the execute step leaves was within reach of the task's code, so :func:`read_outcome`
treats it as untrusted data: sizes are bounded, every field is type-checked, the mission and
task must be the ones recorded, paths stay inside ``changed/`` and links are refused.  A folder
that fails any of this records a failed task with the reason, never a crash.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path, PurePosixPath
from typing import Any

from missionkit.agents.base import Verdict
from missionkit.errors import CheckFailed
from missionkit.execution.runner import RunOutcome
from missionkit.spec.model import Mission, Task

INPUT = "input.json"
OUTCOME = "outcome.json"
REPORT = "report.md"
CHANGED = "changed"
FORMAT = 1

MAX_JSON = 1_000_000
MAX_REPORT = 60_000  # a GitHub comment holds 65,536 characters
MAX_TEXT = 4_000
MAX_ITEMS = 100
MAX_CHANGED_BYTES = 50_000_000
#: Files an agent may not propose: the repository's own machinery.
FORBIDDEN_PREFIXES = (".git/", ".github/", ".missionkit/")


class BadHandoff(CheckFailed):
    """The files an execute step left do not describe a valid outcome."""


def _folder(out: Path) -> None:
    if out.is_symlink():
        raise BadHandoff(f"{out} is a link; give a folder")
    out.mkdir(parents=True, exist_ok=True)


def _write(path: Path, data: bytes) -> None:
    """Write a new file at ``path``: whatever is there (a link planted by task code, say) is
    removed first, and the file is created without following links."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def clear_outcome(out: Path) -> None:
    """Remove an earlier outcome from ``out``, before any task code runs."""
    for name in (OUTCOME, REPORT):
        if (out / name).is_symlink() or (out / name).is_file():
            (out / name).unlink()
    changed = out / CHANGED
    if changed.is_symlink():
        changed.unlink()
    elif changed.exists():
        shutil.rmtree(changed)


def write_input(
    out: Path, mission: Mission, task: Task, answers: tuple[str, ...], llm_used: int
) -> None:
    """``llm_used``: the mission's LLM requests so far, which its budget counts."""
    _folder(out)
    data = {
        "format": FORMAT,
        "mission": mission.id,
        "task": task.id,
        "answers": list(answers),
        "llm_used": llm_used,
    }
    _write(out / INPUT, json.dumps(data, indent=2).encode())


def read_input(out: Path, mission: Mission, task: Task) -> tuple[tuple[str, ...], int]:
    """The answers and the LLM requests used that ``prepare`` wrote; none and 0 when there is
    no input file (a run on this machine)."""
    path = out / INPUT
    if not path.exists():
        return (), 0
    data = _json(path)
    _same_task(data, mission, task, path)
    answers = data.get("answers")
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise BadHandoff(f"{path}: answers: a list of strings")
    used = data.get("llm_used", 0)
    if not isinstance(used, int) or isinstance(used, bool) or used < 0:
        raise BadHandoff(f"{path}: llm_used: a whole number")
    return tuple(answers), used


def write_outcome(
    outcome: RunOutcome,
    mission: Mission,
    task: Task,
    workspace: Path,
    out: Path,
    llm_requests: list[str],
) -> None:
    """Write what ``record`` needs; the repository files the agent changed are copied."""
    _folder(out)
    clear_outcome(out)
    root = workspace.resolve()
    changed: list[str] = []
    for path in outcome.changed:
        full = Path(path).resolve()
        if full.is_file() and full.is_relative_to(root):
            relative = full.relative_to(root).as_posix()
            target = out / CHANGED / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.parent.resolve().is_relative_to((out / CHANGED).resolve()):
                continue  # a link planted under changed/ meanwhile: copy nothing through it
            _write(target, full.read_bytes())
            changed.append(relative)
    data = {
        "format": FORMAT,
        "mission": mission.id,
        "task": task.id,
        "verdict": str(outcome.verdict),
        "attempts": outcome.attempts,
        "question": outcome.question,
        "reasons": list(outcome.reasons),
        "run_dir": str(outcome.run_dir),
        "changed": changed,
        "llm_requests": llm_requests,
    }
    _write(out / REPORT, outcome.report.encode("utf-8"))
    _write(out / OUTCOME, json.dumps(data, indent=2).encode())


def read_outcome(out: Path, mission: Mission, task: Task) -> RunOutcome:
    """The outcome the execute step left in ``out``, checked field by field."""
    path = out / OUTCOME
    if not _regular(path):
        raise BadHandoff(f"the agent step left no outcome ({path} is missing)")
    data = _json(path)
    _same_task(data, mission, task, path)
    try:
        verdict = Verdict(str(data.get("verdict")))
    except ValueError:
        raise BadHandoff(f"{path}: verdict: one of done, needs-human, failed") from None
    question = data.get("question")
    if question is not None and not _text(question):
        raise BadHandoff(f"{path}: question: text of at most {MAX_TEXT} characters")
    reasons = _list(data.get("reasons"), path, "reasons")
    attempts = data.get("attempts")
    if not isinstance(attempts, int) or isinstance(attempts, bool) or not 1 <= attempts <= 1000:
        raise BadHandoff(f"{path}: attempts: a whole number from 1")
    run_dir = data.get("run_dir")
    if not _text(run_dir):
        raise BadHandoff(f"{path}: run_dir: a path")
    report_path = out / REPORT
    if not _regular(report_path) or report_path.stat().st_size > 4 * MAX_REPORT:
        raise BadHandoff(f"{report_path}: missing or larger than {MAX_REPORT} characters")
    report = report_path.read_text(encoding="utf-8", errors="replace")
    if len(report) > MAX_REPORT:
        report = report[:MAX_REPORT] + f"\n\n… (cut at {MAX_REPORT} characters)\n"
    if verdict == Verdict.NEEDS_HUMAN and not question:
        raise BadHandoff(f"{path}: question: a task that asks a person says what")
    return RunOutcome(
        verdict,
        report,
        Path(str(run_dir)),
        attempts,
        question=question,
        reasons=tuple(reasons),
        changed=_changed(out, data.get("changed"), path),
    )


def llm_requests(out: Path, mission: Mission) -> list[str]:
    """The LLM requests the execute step made, for the mission's history (at most its budget:
    a folder claiming more is cut, never trusted to spend more)."""
    try:
        data = _json(out / OUTCOME)
    except BadHandoff:
        return []
    value = data.get("llm_requests") or []
    limit = mission.spec.ai.budget
    if not isinstance(value, list):
        return []
    return [str(v)[:MAX_TEXT] for v in value if isinstance(v, str)][:limit]


def failed_outcome(reason: str, mission: Mission, task: Task) -> RunOutcome:
    """What is recorded when the execute step's files cannot be used."""
    report = f"### {mission.id}/{task.id}: failed\n\n{reason}\n"
    return RunOutcome(Verdict.FAILED, report, Path("."), 1, reasons=(reason,))


def _json(path: Path) -> dict[str, Any]:
    if not _regular(path) or path.stat().st_size > MAX_JSON:
        raise BadHandoff(f"{path}: not a file of at most {MAX_JSON} bytes")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadHandoff(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BadHandoff(f"{path}: not a missionkit handoff of format {FORMAT}")
    return data


def _same_task(data: dict[str, Any], mission: Mission, task: Task, path: Path) -> None:
    if data.get("mission") != mission.id or data.get("task") != task.id:
        raise BadHandoff(f"{path}: written for another task, not {mission.id}/{task.id}")


def _regular(path: Path) -> bool:
    """A regular file, not a link (to a secret elsewhere, say)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _text(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_TEXT


def _list(value: object, path: Path, name: str) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS or not all(map(_text, value)):
        raise BadHandoff(f"{path}: {name}: at most {MAX_ITEMS} texts")
    return [str(v) for v in value]


def _changed(out: Path, value: object, path: Path) -> tuple[Path, ...]:
    """The copies under ``changed/``, by their paths in the repository."""
    files: list[Path] = []
    total = 0
    for relative in _list(value or [], path, "changed"):
        posix = PurePosixPath(relative)
        if (
            posix.is_absolute()
            or ".." in posix.parts
            or "\\" in relative
            or relative.startswith(FORBIDDEN_PREFIXES)
        ):
            raise BadHandoff(f"{path}: changed: '{relative}' is not a file the agent may propose")
        copy = out / CHANGED / posix
        parent = out / CHANGED
        for part in posix.parts[:-1]:
            parent = parent / part
            if parent.is_symlink():
                raise BadHandoff(f"{path}: changed: '{relative}' goes through a link")
        if not _regular(copy):
            raise BadHandoff(f"{path}: changed: '{relative}' has no file under {CHANGED}/")
        total += copy.stat().st_size
        if total > MAX_CHANGED_BYTES:
            raise BadHandoff(f"{path}: changed: more than {MAX_CHANGED_BYTES} bytes")
        files.append(copy)
    return tuple(files)
