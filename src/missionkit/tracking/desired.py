"""What the mission files say the tracker should hold: one spec per mission and task."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from missionkit.spec.model import Check, Mission, Task
from missionkit.templating import render_template
from missionkit.tracking.drift import BODY_BEGIN, BODY_END, BodyParts, Synced, digest
from missionkit.tracking.labels import MISSION_LABEL, PERSON_LABEL
from missionkit.tracking.limits import is_phase
from missionkit.tracking.model import Key, Spec

MARKER_PREFIX = "<!-- missionkit "
LABEL_MAX = 50  # GitHub's longest label name


def task_labels(mission: Mission, task: Task) -> list[str]:
    labels = [f"mission:{mission.id}"]
    labels.append(f"agent:{task.agent}" if task.agent else PERSON_LABEL)
    for other, dep in mission.prerequisites(task):
        label = f"after:{dep}" if other == mission.id else f"after:{other}/{dep}"
        labels.append(label if len(label) <= LABEL_MAX else f"after:{dep}")
    labels.extend(mission.spec.labels)
    return list(dict.fromkeys(labels))


def task_spec(mission: Mission, task: Task) -> Spec:
    deps = mission.prerequisites(task)
    context: dict[str, Any] = {
        "mission_title": mission.spec.title,
        "description": task.description,
        "agent": task.agent,
        "owner": mission.owner_of(task),
        "acceptance": list(task.acceptance),
        "checks": [_check(c) for c in task.checks],
        "inputs": task.with_,
        "timeout": str(task.timeout) if task.timeout else None,
        "retries": task.retries,
        "depends_on": [str(k) for k in deps],
    }
    return Spec(
        key=Key(mission.id, task.id),
        title=task.title,
        labels=tuple(task_labels(mission, task)),
        assignees=(mission.owner_of(task),),
        blocked_by=tuple(deps),
        parent=Key(mission.id),
        context=context,
    )


def _check(check: Check) -> dict[str, Any]:
    shown: dict[str, Any] = {"kind": check.kind, "text": check.text, "name": check.name}
    if not check.blocking:
        shown["severity"] = check.severity  # only then: unchanged tasks keep their spec hash
    return shown


def mission_spec(mission: Mission) -> Spec:
    spec = mission.spec
    context: dict[str, Any] = {
        "scope": spec.scope,
        "success_criteria": [c.text for c in spec.success_criteria],
        "owner": spec.owner,
        "stakeholders": list(spec.stakeholders),
        "approvers": mission.approvers,
        "due": spec.due.isoformat() if spec.due else None,
        "body": mission.body.strip(),
        "path": mission.path,
    }
    checked = {c.text: [_check(k) for k in c.checks] for c in spec.success_criteria if c.checks}
    if checked:
        context["criteria_checks"] = checked
    labels = [MISSION_LABEL, f"mission:{mission.id}", *spec.labels]
    return Spec(
        key=Key(mission.id),
        title=spec.title,
        labels=tuple(dict.fromkeys(labels)),
        assignees=(spec.owner,),
        blocked_by=(),
        parent=None,
        context=context,
    )


def specs_for(mission: Mission) -> list[Spec]:
    """The mission's spec, then its tasks' in file order."""
    return [mission_spec(mission), *(task_spec(mission, t) for t in mission.tasks)]


def marker(spec: Spec) -> str:
    import json

    data = {"mission": spec.key.mission, "task": spec.key.task or None, "spec": spec.spec_hash}
    return MARKER_PREFIX + json.dumps(data, separators=(",", ":")) + " -->"


def parse_marker(body: str | None) -> tuple[Key, str] | None:
    """The key and spec hash hidden in an issue body, if any."""
    import json

    if not body:
        return None
    start = body.rfind(MARKER_PREFIX)
    if start < 0:
        return None
    end = body.find("-->", start)
    if end < 0:
        return None
    try:
        data = json.loads(body[start + len(MARKER_PREFIX) : end])
        return Key(str(data["mission"]), str(data.get("task") or "")), str(data.get("spec", ""))
    except (ValueError, KeyError, TypeError):
        return None


def render_body(
    spec: Spec,
    link: Callable[[Key], str],
    titles: dict[Key, str],
    kept: BodyParts | None = None,
) -> str:
    """The issue body: missionkit's part, rendered from a template and ending with the hidden
    markers, between its begin and end lines. ``kept`` is the body on the tracker: the text a
    person wrote outside missionkit's part stays, and so does missionkit's part when a person
    edited it (``kept.section``, set when sync keeps that drift)."""
    if is_phase(spec.key):
        template = "issue/phase.md.j2"
    else:
        template = "issue/mission.md.j2" if spec.key.is_mission else "issue/task.md.j2"
    ctx = dict(spec.context)
    ctx.update(key=spec.key, title=spec.title, link=link, titles=titles, Key=Key)
    rendered = render_template(template, ctx).rstrip()
    kept = kept or BodyParts()
    shown = kept.section if kept.section is not None else rendered
    synced = Synced.of(spec, digest(rendered), digest(kept.notes)).comment()
    part = f"{BODY_BEGIN}\n{shown}\n\n{synced}\n{marker(spec)}\n{BODY_END}\n"
    return kept.before + part + kept.after


def flatten(missions: Iterable[Mission]) -> list[Spec]:
    return [s for m in missions for s in specs_for(m)]
