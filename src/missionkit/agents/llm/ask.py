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
from pathlib import Path
from typing import Any

from missionkit.agents.base import AgentContext, AgentResult, Verdict
from missionkit.agents.llm.inputs import LLMInputs
from missionkit.llm.client import Answer, ChatClient
from missionkit.llm.config import Endpoint, resolve
from missionkit.llm.errors import LLMUnavailable
from missionkit.llm.prompt import Prompt, PromptError, load_prompt
from missionkit.templating import render_template


def _relative(path: str) -> str | None:
    """Why ``path`` may not be written, or None for a plain repository-relative path."""
    parts = path.split("/")
    if not path or path.startswith("/") or "\\" in path or ".." in parts or ".git" in parts:
        return f"'{path}' is not a plain path inside the repository"
    return None


def ask(ctx: AgentContext, inputs: LLMInputs) -> AgentResult:
    """Render, ask, write (or report) the answer; a person takes over when there is none."""
    problem = _relative(inputs.prompt) or (inputs.output and _relative(inputs.output))
    if problem:
        return AgentResult(Verdict.FAILED, f"Invalid `with:` inputs: {problem}.")
    try:
        prompt = load_prompt(ctx.workspace / inputs.prompt, inputs.prompt)
        messages = prompt.render({**_task_vars(ctx), **inputs.vars})
    except PromptError as exc:
        return AgentResult(Verdict.FAILED, f"The prompt cannot be used: {exc}")
    env = {**os.environ, **ctx.env}
    endpoint = resolve(ctx.mission.spec.ai, env)
    try:
        if not isinstance(endpoint, Endpoint):
            raise LLMUnavailable(endpoint)
        client = ChatClient(endpoint, budget=ctx.budget)
        answer = client.complete(
            messages,
            purpose=f"{ctx.task.id} ({inputs.prompt})",
            model=inputs.model or prompt.model,
            parameters=prompt.parameters,
            schema=prompt.schema,
            schema_name=prompt.schema_name,
        )
    except LLMUnavailable as exc:
        return _to_person(ctx, inputs, messages, exc.reason)
    return _answered(ctx, inputs, prompt, answer)


def _task_vars(ctx: AgentContext) -> dict[str, Any]:
    """Variables every prompt may use: the task's own text, and what people answered."""
    task = ctx.task
    return {
        "task_title": task.title,
        "task_description": task.description,
        "acceptance": "\n".join(f"- {a}" for a in task.acceptance),
        "answers": "\n\n".join(ctx.answers),
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
