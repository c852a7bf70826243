"""``mission draft``: a mission file proposed from a charter, validated, marked ``status: draft``.

With an LLM: the charter, the blueprints and every agent's input schema go to the model, which
answers with tasks (JSON validated against the task schema). The mission file built from them is
checked by the normal loader; on problems the located errors go back once, and a second failure
is reported with its errors (the rejected file kept under ``.missionkit/drafts/``). Without an
LLM: the closest blueprint by the charter's words, filled from the charter and ``--set`` values,
and said so. A draft is validated but never synced until a person sets it active.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from missionkit.agents.registry import agent_names, load_agent
from missionkit.errors import CheckFailed, UsageError
from missionkit.llm.budget import Budget
from missionkit.llm.client import ChatClient, parse_json
from missionkit.llm.config import AIConfig, Endpoint, resolve
from missionkit.llm.errors import BadAnswer
from missionkit.scaffold.blueprints import blueprints, render_blueprint
from missionkit.scaffold.charter import Charter
from missionkit.spec.loader import load
from missionkit.spec.model import MissionSpec, check_id
from missionkit.templating import render_template

DRAFTS = Path(".missionkit") / "drafts"
ROUNDS = 2  # the proposal, and one repair with the located errors
_WORD = re.compile(r"[a-z]{3,}")
_COMMON = {"the", "and", "for", "with", "into", "from", "that", "this", "each", "every", "are"}


@dataclass(frozen=True)
class Draft:
    path: Path
    how: str  # "llm" or "blueprint"
    detail: str  # the model's notes, or which blueprint and why
    rounds: int = 0


def answer_schema() -> dict[str, Any]:
    """What the model must answer: tasks as the mission file's own schema describes them."""
    spec = MissionSpec.model_json_schema(by_alias=True)
    return {
        "type": "object",
        "required": ["tasks"],
        "additionalProperties": False,
        "properties": {
            "tasks": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Task"}},
            "notes": {"type": "string"},
        },
        "$defs": spec.get("$defs", {}),
    }


def _outline(source: str) -> list[str]:
    """A blueprint's tasks, one line each (id, agent, dependencies): the shape, in few tokens."""
    tasks: list[dict[str, str]] = []
    for line in source.splitlines():
        if line.startswith("  - id: "):
            tasks.append({"id": line.removeprefix("  - id: ").strip()})
        elif tasks and line.startswith(("    agent: ", "    depends_on: ", "    title: ")):
            key, _, value = line.strip().partition(": ")
            tasks[-1][key] = value.strip()[:90]
    return [
        f"{t['id']}: {t.get('title', '')}"
        + (f" [agent {t['agent']}]" if "agent" in t else " [a person]")
        + (f" after {t['depends_on']}" if "depends_on" in t else "")
        for t in tasks
    ]


def _blueprint_outlines() -> list[dict[str, Any]]:
    root = files("missionkit.scaffold.blueprints")
    return [
        {
            "name": bp.name,
            "description": bp.description,
            "tasks": _outline(root.joinpath(f"{bp.name}.md.j2").read_text(encoding="utf-8")),
        }
        for bp in blueprints().values()
    ]


def context(mission_id: str, charter: Charter) -> list[dict[str, str]]:
    """The conversation's first two messages: the rules and context, then the charter."""
    schemas = {name: load_agent(name).Inputs.model_json_schema() for name in agent_names()}
    system = render_template(
        "draft/system.md.j2",
        {"agents": agent_names(), "schemas": schemas, "blueprints": _blueprint_outlines()},
    )
    user = render_template("draft/user.md.j2", {"mission_id": mission_id, "charter": charter})
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def mission_text(charter: Charter, tasks: list[Any], notes: str = "") -> str:
    """The mission file: the charter's fields, ``status: draft``, the tasks, the free text."""
    front: dict[str, Any] = {"title": charter.title, "owner": charter.owner, "status": "draft"}
    front.update({k: v for k, v in charter.fields.items() if v not in (None, "", [])})
    front.setdefault("success_criteria", ["(to be agreed with the mission owner)"])
    front["tasks"] = tasks
    head = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
    body = charter.text
    if notes:
        body = (body + "\n\n" if body else "") + f"Drafting notes: {notes.strip()}"
    return f"---\n{head}---\n{body}\n" if body else f"---\n{head}---\n"


def _tasks_in(text: str) -> dict[str, Any] | None:
    """An answer's JSON, if it is an object with a list of task objects."""
    try:
        data = parse_json(text)
    except ValueError:
        return None
    tasks = data.get("tasks") if isinstance(data, dict) else None
    if isinstance(tasks, list) and all(isinstance(t, dict) for t in tasks):
        return dict(data)
    return None


def _check(path: Path, text: str) -> list[str]:
    path.write_text(text, encoding="utf-8")
    return [str(p) for p in load([path]).problems]


class Drafter:
    def __init__(
        self,
        missions_dir: Path,
        *,
        env: Mapping[str, str],
        config: AIConfig | None = None,
        force: bool = False,
    ) -> None:
        self.missions_dir = missions_dir
        self.env = env
        self.config = config or AIConfig()
        self.force = force

    def target(self, mission_id: str) -> Path:
        try:
            check_id(mission_id)
        except ValueError as exc:
            raise UsageError(f"mission id {exc}") from None
        path = self.missions_dir / f"{mission_id}.md"
        if path.exists() and not self.force:
            raise UsageError(f"{path} exists; pass --force to overwrite it")
        if (self.missions_dir / mission_id).exists():
            raise UsageError(f"{self.missions_dir / mission_id} exists; a mission id is unique")
        return path

    def draft(self, mission_id: str, charter: Charter, settings: Mapping[str, str]) -> Draft:
        path = self.target(mission_id)
        endpoint = resolve(self.config, self.env)
        if not isinstance(endpoint, Endpoint):
            return self._from_blueprint(mission_id, charter, settings, path, endpoint)
        return self._from_llm(mission_id, charter, path, endpoint)

    # ------------------------------------------------------------------ with an LLM

    def _from_llm(self, mission_id: str, charter: Charter, path: Path, endpoint: Endpoint) -> Draft:
        client = ChatClient(endpoint, budget=Budget(ROUNDS))
        messages = context(mission_id, charter)
        schema = answer_schema()
        self.missions_dir.mkdir(parents=True, exist_ok=True)
        previous = path.read_bytes() if path.exists() else None
        text, problems = "", ["no answer"]
        for round_ in range(1, ROUNDS + 1):
            try:
                answer = client.complete(
                    messages, purpose=f"draft {mission_id}", schema=schema, schema_name="mission"
                )
                reply, data = answer.text, answer.data
            except BadAnswer as exc:
                # JSON off the schema still goes through the loader, whose errors are located
                reply, data = exc.text, _tasks_in(exc.text)
                problems = list(exc.problems) or [exc.reason]
            if data is not None:
                notes = str(data.get("notes") or "")
                text = mission_text(charter, data["tasks"], notes)
                problems = _check(path, text)
            if not problems:
                return Draft(path, "llm", notes, round_)
            messages += [
                {"role": "assistant", "content": reply},
                {
                    "role": "user",
                    "content": render_template("draft/repair.md.j2", {"problems": problems}),
                },
            ]
        self._restore(path, previous)
        kept = ""
        if text:
            rejected = DRAFTS / f"{mission_id}.md"
            rejected.parent.mkdir(parents=True, exist_ok=True)
            rejected.write_text(text, encoding="utf-8")
            kept = f"; the rejected draft is in {rejected}"
        raise CheckFailed(
            f"the proposal for {mission_id} still has problems after one repair{kept}:\n  "
            + "\n  ".join(problems)
        )

    @staticmethod
    def _restore(path: Path, previous: bytes | None) -> None:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(previous)

    # ------------------------------------------------------------------ without one

    def _from_blueprint(
        self,
        mission_id: str,
        charter: Charter,
        settings: Mapping[str, str],
        path: Path,
        why: str,
    ) -> Draft:
        name, matched = closest_blueprint(charter)
        bp = blueprints()[name]
        known = {p.name for p in bp.params}
        given = {"owner": charter.owner, "title": charter.title}
        values = {k: v for k, v in given.items() if k in known}
        values.update(settings)
        missing = [p for p in bp.params if p.default is None and p.name not in values]
        words = ", ".join(matched) or "no word in common"
        because = f"{why}; the closest blueprint is {name} (shared words: {words})"
        if missing:
            raise CheckFailed(
                f"{because}. It needs "
                + " ".join(f"--set {p.name}=…" for p in missing)
                + " ("
                + "; ".join(f"{p.name}: {p.description}" for p in missing)
                + ")"
            )
        rendered = render_blueprint(name, mission_id, dict(values))
        text = _charter_over(rendered, charter)
        self.missions_dir.mkdir(parents=True, exist_ok=True)
        previous = path.read_bytes() if path.exists() else None
        problems = _check(path, text)
        if problems:
            self._restore(path, previous)
            raise CheckFailed("the blueprint draft does not validate:\n  " + "\n  ".join(problems))
        return Draft(path, "blueprint", because)


def closest_blueprint(charter: Charter) -> tuple[str, list[str]]:
    """The blueprint sharing the most words with the charter, and those words."""
    said = set(_WORD.findall(charter.words.lower())) - _COMMON
    best, shared_best = "", []
    score_best = -1.0
    for bp in blueprints().values():
        words = (
            set(_WORD.findall(f"{bp.name.replace('-', ' ')} {bp.description}".lower())) - _COMMON
        )
        shared = sorted(said & words)
        score = len(shared) / (len(words) ** 0.5 or 1)
        if score > score_best:
            best, shared_best, score_best = bp.name, shared, score
    return best, shared_best


def _charter_over(rendered: str, charter: Charter) -> str:
    """The blueprint's mission with the charter's own fields and text, marked as a draft."""
    _, _, rest = rendered.partition("---\n")
    head, _, body = rest.partition("\n---\n")
    front = yaml.safe_load(head)
    front.update({"title": charter.title, "owner": charter.owner, "status": "draft"})
    front.update({k: v for k, v in charter.fields.items() if v not in (None, "", [])})
    text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
    extra = f"\n{charter.text}\n" if charter.text else ""
    return f"---\n{text}---\n{body.strip()}\n{extra}"
