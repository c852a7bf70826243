"""The ``llm`` agent: render a ``.prompt.yml`` with the task's variables, ask the LLM, and
write the answer into the repository (a pull request on GitHub) or report it.

The answer is never taken as the task's completion by itself: the task's checks decide. When
no answer can be had (no LLM configured, a refused key, a rate limit, a refusal, an answer off
its schema, the mission's request budget used up), the task goes to a person with the reason
and the prompt: the agent never crashes and never guesses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.agents.llm.inputs import LLMInputs
from missionkit.llm.budget import Budget
from missionkit.llm.client import Answer, ChatClient
from missionkit.llm.config import Endpoint, resolve
from missionkit.llm.errors import LLMUnavailable
from missionkit.llm.prompt import Prompt, PromptError, load_prompt
from missionkit.spec.model import Mission, Task
from missionkit.templating import render_template


def _relative(path: str) -> str | None:
    """Why ``path`` may not be written, or None for a plain repository-relative path."""
    parts = path.split("/")
    if not path or path.startswith("/") or "\\" in path or ".." in parts or ".git" in parts:
        return f"'{path}' is not a plain path inside the repository"
    return None


REPLAY = "MISSIONKIT_LLM_REPLAY"  # a file holding the answer a step with the key fetched


def ask(ctx: AgentContext, inputs: LLMInputs) -> AgentResult:
    """Render, ask, write (or report) the answer; a person takes over when there is none."""
    problem = _relative(inputs.prompt) or (inputs.output and _relative(inputs.output))
    if problem:
        return AgentResult(Verdict.FAILED, f"Invalid `with:` inputs: {problem}.")
    try:
        prompt, messages = _prompt(ctx.workspace, ctx.task, ctx.answers, inputs)
    except PromptError as exc:
        return AgentResult(Verdict.FAILED, f"The prompt cannot be used: {exc}")
    replay = ctx.env.get(REPLAY)
    if replay:
        outcome = read_answer(Path(replay))
    else:
        env = {**os.environ, **ctx.env}
        outcome = fetch(ctx.mission, ctx.task, inputs, prompt, messages, env, ctx.budget)
    if isinstance(outcome, str):
        return _to_person(ctx, inputs, messages, outcome)
    return _answered(ctx, inputs, prompt, outcome)


def _prompt(
    workspace: Path, task: Task, answers: tuple[str, ...], inputs: LLMInputs
) -> tuple[Prompt, list[dict[str, str]]]:
    prompt = load_prompt(workspace / inputs.prompt, inputs.prompt)
    return prompt, prompt.render({**_task_vars(task, answers), **inputs.vars})


def fetch(
    mission: Mission,
    task: Task,
    inputs: LLMInputs,
    prompt: Prompt,
    messages: list[dict[str, str]],
    env: Mapping[str, str],
    budget: Budget | None,
) -> Answer | str:
    """The LLM's answer, or why there is none."""
    endpoint = resolve(mission.spec.ai, env)
    if not isinstance(endpoint, Endpoint):
        return endpoint
    try:
        return ChatClient(endpoint, budget=budget).complete(
            messages,
            purpose=f"{task.id} ({inputs.prompt})",
            model=inputs.model or prompt.model,
            parameters=prompt.parameters,
            schema=prompt.schema,
            schema_name=prompt.schema_name,
        )
    except LLMUnavailable as exc:
        return exc.reason


def prefetch(
    mission: Mission,
    task: Task,
    workspace: Path,
    answers: tuple[str, ...],
    env: Mapping[str, str],
    budget: Budget | None,
) -> bytes | None:
    """Ask now, in a step that holds the key and runs no task code: the answer (or why there
    is none) as the file :func:`read_answer` reads in the step that runs the agent without any
    key. None when the inputs or the prompt are wrong: the agent itself reports that."""
    try:
        inputs = LLMInputs.model_validate(task.with_)
        if _relative(inputs.prompt):
            return None
        prompt, messages = _prompt(workspace, task, answers, inputs)
    except (ValidationError, PromptError):
        return None
    outcome = fetch(mission, task, inputs, prompt, messages, env, budget)
    if isinstance(outcome, str):
        data: dict[str, Any] = {"unavailable": outcome}
    else:
        data = {
            "answer": {
                "text": outcome.text,
                "data": outcome.data,
                "model": outcome.model,
                "usage": dict(outcome.usage),
            }
        }
    return json.dumps(data).encode("utf-8")


def read_answer(path: Path) -> Answer | str:
    """The answer :func:`prefetch` left, or the reason there is none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data.get("unavailable"), str):
            return str(data["unavailable"])
        raw = data["answer"]
        usage = raw.get("usage") if isinstance(raw.get("usage"), dict) else {}
        return Answer(str(raw["text"]), raw.get("data"), str(raw.get("model") or ""), usage)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return f"the answer fetched before the run ({path.name}) cannot be read"


def _task_vars(task: Task, answers: tuple[str, ...]) -> dict[str, Any]:
    """Variables every prompt may use: the task's own text, and what people answered."""
    return {
        "task_title": task.title,
        "task_description": task.description,
        "acceptance": "\n".join(f"- {a}" for a in task.acceptance),
        "answers": "\n\n".join(answers),
    }


def _to_person(
    ctx: AgentContext, inputs: LLMInputs, messages: list[dict[str, str]], reason: str
) -> AgentResult:
    context = {"task": ctx.task, "inputs": inputs, "messages": messages, "reason": reason}
    question = render_template("llm/fallback.md.j2", context)
    prompt_file = ctx.run_dir / "prompt.json"
    prompt_file.write_text(json.dumps(messages, indent=2) + "\n", encoding="utf-8")
    report = f"No answer from the LLM: {reason}. The prompt is in `prompt.json`."
    return AgentResult(Verdict.NEEDS_HUMAN, report, (prompt_file,), question)


def _answered(ctx: AgentContext, inputs: LLMInputs, prompt: Prompt, answer: Answer) -> AgentResult:
    text = answer.text if answer.data is None else json.dumps(answer.data, indent=2) + "\n"
    saved = ctx.run_dir / ("answer.json" if answer.data is not None else "answer.md")
    saved.write_text(text, encoding="utf-8")
    changed: tuple[Path, ...] = ()
    if inputs.output:
        target = ctx.workspace / inputs.output
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        changed = (target,)
    report = render_template(
        "llm/report.md.j2",
        {
            "prompt": inputs.prompt,
            "name": prompt.name,
            "model": answer.model,
            "usage": answer.usage,
            "output": inputs.output,
            "answer": text,
            "budget": ctx.budget,
        },
    )
    return AgentResult(Verdict.DONE, report, (saved,), changed=changed)
