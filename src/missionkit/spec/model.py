"""The mission file format: the frontmatter models and the loaded mission."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

from missionkit.lifecycle import TaskState as TaskState  # re-exported: the state of a task
from missionkit.llm.config import AIConfig
from missionkit.spec.durations import format_duration, parse_duration
from missionkit.spec.key import Key
from missionkit.warehouse.location import credentials_in

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
ID_MAX = 40
TITLE_MAX = 256
_ID = re.compile(ID_PATTERN)
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RUNNER_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_id(value: str) -> str:
    if len(value) > ID_MAX:
        raise ValueError(f"'{value}' is {len(value)} characters; an id has at most {ID_MAX}")
    if not _ID.match(value):
        raise ValueError(
            f"'{value}' is not a valid id; use lowercase letters, digits and '-', "
            "starting with a letter or digit"
        )
    return value


def _check_ref(value: str) -> str:
    parts = value.split("/")
    if len(parts) > 2:
        raise ValueError(f"'{value}' is not a task reference; write <task> or <mission>/<task>")
    for part in parts:
        check_id(part)
    return value


def _check_login(value: str) -> str:
    if not _LOGIN.match(value):
        raise ValueError(f"'{value}' is not a valid GitHub login")
    return value


def _check_env_name(value: str) -> str:
    if "://" in value or value.startswith("hooks."):
        raise ValueError(
            "write the name of the environment variable that holds the webhook URL "
            "(e.g. SLACK_WEBHOOK_URL), never the URL itself"
        )
    if not _ENV.match(value):
        raise ValueError(f"'{value}' is not an environment variable name")
    return value


def _check_url_env_name(value: str) -> str:
    if "://" in value:
        raise ValueError(
            "write the name of the environment variable that holds the warehouse URL "
            "(e.g. WAREHOUSE_URL), never the URL itself"
        )
    if not _ENV.match(value):
        raise ValueError(f"'{value}' is not an environment variable name")
    return value


def _check_warehouse(value: str) -> str:
    found = credentials_in(value)
    if found:
        raise ValueError(
            f"the URL holds {' and '.join(found)}; credentials never go in a mission file: "
            "set PGUSER and PGPASSWORD (or the warehouse's own variables) where missions run, "
            "or name a variable holding the whole URL with warehouse_env"
        )
    return value


def _to_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _check_runner_label(value: str) -> str:
    if not _RUNNER_LABEL.match(value):
        raise ValueError(f"'{value}' is not a runner label (letters, digits, '.', '_', '-')")
    return value


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not an email address")
    return value


def _to_duration(value: Any) -> Any:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"'{value}' has no unit; write e.g. {value}m or {value}s")
    return value


def _to_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a date; write YYYY-MM-DD") from None
    return value


def _check_title(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    if len(value) > TITLE_MAX:
        raise ValueError(
            f"is {len(value)} characters; GitHub allows at most {TITLE_MAX} in a title"
        )
    return value


Id = Annotated[
    str,
    AfterValidator(check_id),
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN, "maxLength": ID_MAX}),
]
TaskRef = Annotated[
    str,
    AfterValidator(_check_ref),
    WithJsonSchema({"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)?$"}),
]
Login = Annotated[
    str, AfterValidator(_check_login), WithJsonSchema({"type": "string", "pattern": _LOGIN.pattern})
]
EnvName = Annotated[
    str,
    AfterValidator(_check_env_name),
    WithJsonSchema({"type": "string", "pattern": _ENV.pattern}),
]
UrlEnvName = Annotated[
    str,
    AfterValidator(_check_url_env_name),
    WithJsonSchema({"type": "string", "pattern": _ENV.pattern}),
]
RunnerLabel = Annotated[
    str,
    AfterValidator(_check_runner_label),
    WithJsonSchema({"type": "string", "pattern": _RUNNER_LABEL.pattern}),
]
Email = Annotated[
    str, AfterValidator(_check_email), WithJsonSchema({"type": "string", "format": "email"})
]
Title = Annotated[
    str,
    AfterValidator(_check_title),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": TITLE_MAX}),
]
Duration = Annotated[
    timedelta,
    BeforeValidator(_to_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*(\d+\s*[smhdw]\s*)+$",
            "examples": ["30m", "24h", "1h30m"],
        }
    ),
]
Day = Annotated[
    date, BeforeValidator(_to_date), WithJsonSchema({"type": "string", "format": "date"})
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Severity = Literal["error", "warn"]


class Check(_Strict):
    """One executable validation: ``name``, ``severity`` and exactly one kind key.

    The kinds are plug-ins (:mod:`missionkit.checks`); the value under the kind's key is
    validated by that kind's own model when the mission is loaded, so here it stays raw.
    """

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    name: str | None = None
    severity: Severity = Field(
        "error",
        description="error: a failure fails the task; warn: it is recorded and does not block",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Check:
        from missionkit.checks.names import kind_names

        kinds = kind_names()
        given = list(self.model_extra or {})
        for key in given:
            if key not in kinds:
                hint = difflib.get_close_matches(key, [*kinds, "name", "severity"], n=1)
                known = f"did you mean '{hint[0]}'?" if hint else f"check kinds: {', '.join(kinds)}"
                raise ValueError(f"unknown key '{key}'; {known}")
        if len(given) != 1:
            raise ValueError(
                f"a check needs exactly one kind: one of {', '.join(kinds)}"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @property
    def kind(self) -> str:
        return next(iter(self.model_extra or {"": None}))

    @property
    def value(self) -> Any:
        """What the mission file gives under the kind's key: a scalar or a mapping."""
        return (self.model_extra or {}).get(self.kind)

    @property
    def text(self) -> str:
        value = self.value
        if isinstance(value, dict):
            return ", ".join(f"{k}={v}" for k, v in value.items())
        return "" if value is None else str(value)

    @property
    def blocking(self) -> bool:
        return self.severity == "error"


class Criterion(_Strict):
    """A success criterion, optionally with checks that run before sign-off."""

    text: str = Field(min_length=1)
    checks: list[Check] = Field(default_factory=list)


def _to_criterion(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


CriterionEntry = Annotated[Criterion, BeforeValidator(_to_criterion)]


class Task(_Strict):
    """A small, testable step of a mission."""

    id: Id
    title: Title
    description: str = ""
    agent: Annotated[str, AfterValidator(check_id)] | None = Field(
        None, description="agent that does the task; absent: a person does it"
    )
    owner: Login | None = Field(None, description="responsible person; default: mission owner")
    depends_on: list[TaskRef] = Field(default_factory=list)
    with_: dict[str, Any] = Field(default_factory=dict, alias="with")
    acceptance: list[str] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    timeout: Duration | None = None
    retries: int = Field(0, ge=0, le=10)
    runs_on: Annotated[list[RunnerLabel], BeforeValidator(_to_list)] | None = Field(
        None,
        description="GitHub runner labels of the task's agent job (e.g. [self-hosted, dbt]); "
        "default: ubuntu-latest",
    )


class Escalation(_Strict):
    to: list[Login] | None = Field(None, description="default: the mission owner")
    after: Duration = Field(timedelta(hours=24), description="re-escalate after this long")
    slack_webhook_env: EnvName | None = Field(
        None, description="name of the env var / secret holding a Slack-compatible webhook URL"
    )
    email: list[Email] = Field(default_factory=list)


class MissionSpec(_Strict):
    """The YAML frontmatter of a mission file."""

    title: Title
    owner: Login = Field(description="Mission Owner (GitHub login)")
    stakeholders: list[Login] = Field(default_factory=list)
    status: Literal["draft", "active", "closed"] = "active"
    due: Day | None = None
    labels: list[str] = Field(default_factory=list)
    warehouse: Annotated[str, AfterValidator(_check_warehouse)] | None = Field(
        None,
        description="where sql checks and data agents work: a DuckDB file (a path) or a "
        "server URL without credentials (postgresql://host:port/dbname)",
    )
    warehouse_env: UrlEnvName | None = Field(
        None,
        description="name of the env var / secret holding the warehouse URL, credentials "
        "included; where it is set it wins over `warehouse`",
    )
    scope: str | None = None
    success_criteria: list[CriterionEntry] = Field(min_length=1)
    approvers: list[Login] | None = Field(None, description="who may sign off; default: [owner]")
    escalation: Escalation = Field(default_factory=Escalation)
    ai: AIConfig = Field(
        default_factory=AIConfig, description="LLM endpoint and request budget, Copilot token"
    )
    tasks: list[Task] = Field(default_factory=list)


@dataclass(frozen=True)
class Mission:
    """A loaded mission: its id, where it came from, its frontmatter and body."""

    id: str
    path: str
    spec: MissionSpec
    body: str

    @property
    def tasks(self) -> list[Task]:
        return self.spec.tasks

    @cached_property
    def _tasks_by_id(self) -> dict[str, Task]:
        return {t.id: t for t in self.spec.tasks}

    def task(self, task_id: str) -> Task:
        return self._tasks_by_id[task_id]

    @cached_property
    def _prerequisites(self) -> dict[str, tuple[Key, ...]]:
        of_ref, mission_id = Key.of_ref, self.id
        return {t.id: tuple([of_ref(mission_id, r) for r in t.depends_on]) for t in self.spec.tasks}

    def prerequisites(self, task: Task) -> tuple[Key, ...]:
        """The keys of the tasks ``task`` depends on, parsed once per mission."""
        return self._prerequisites[task.id]

    @property
    def criteria(self) -> list[Criterion]:
        return self.spec.success_criteria

    @property
    def approvers(self) -> list[str]:
        return self.spec.approvers or [self.spec.owner]

    @property
    def escalation_targets(self) -> list[str]:
        return self.spec.escalation.to or [self.spec.owner]

    def owner_of(self, task: Task) -> str:
        return task.owner or self.spec.owner
