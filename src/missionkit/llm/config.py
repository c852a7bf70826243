"""Where the LLM is and what a mission may spend: the ``ai:`` block of a mission file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

GITHUB_MODELS = "https://models.github.ai/inference"
DEFAULT_MODEL = "openai/gpt-4.1-mini"
DEFAULT_BUDGET = 20
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: Environment variables that override a mission's settings (and configure ``mission draft``).
URL_VARIABLE = "MISSIONKIT_LLM_URL"
KEY_VARIABLE = "MISSIONKIT_LLM_KEY_ENV"
MODEL_VARIABLE = "MISSIONKIT_LLM_MODEL"


def _env_name(value: str) -> str:
    if not _ENV.match(value):
        raise ValueError(
            f"'{value}' is not an environment variable name (give the name, not the key)"
        )
    return value


def _base_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"'{value}' is not an http(s) URL")
    return value.rstrip("/")


EnvVar = Annotated[str, AfterValidator(_env_name)]


class AIConfig(BaseModel):
    """The ``ai:`` block: LLM endpoint, model, request budget and the Copilot token's name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: Annotated[str, AfterValidator(_base_url)] | None = Field(
        None,
        description="OpenAI-compatible API root (…/chat/completions is appended); default: "
        "GitHub Models inside GitHub Actions, none elsewhere",
    )
    api_key_env: EnvVar = Field(
        "GITHUB_TOKEN", description="name of the variable holding the API key (never the key)"
    )
    model: str = Field(DEFAULT_MODEL, description="model id, e.g. openai/gpt-4.1-mini")
    budget: int = Field(
        DEFAULT_BUDGET, ge=0, le=10_000, description="LLM requests this mission may make in all"
    )
    suggest_mappings: bool = Field(
        False, description="let the LLM rank the candidates of field-mapping questions"
    )
    copilot_token_env: EnvVar = Field(
        "COPILOT_TOKEN",
        description="name of the secret holding a user token that may assign Copilot",
    )


@dataclass(frozen=True)
class Endpoint:
    """A reachable chat-completions service: its URL, key and default model."""

    url: str
    api_key: str = ""
    model: str = DEFAULT_MODEL
    key_name: str = ""

    @property
    def chat_url(self) -> str:
        return self.url + "/chat/completions"


def resolve(config: AIConfig, env: Mapping[str, str]) -> Endpoint | str:
    """The endpoint to use, or why there is none (a sentence for a person)."""
    url = env.get(URL_VARIABLE) or config.base_url
    key_name = env.get(KEY_VARIABLE) or config.api_key_env
    model = env.get(MODEL_VARIABLE) or config.model
    if not url:
        if env.get("GITHUB_ACTIONS") != "true":
            return (
                "no LLM is configured: set ai.base_url in the mission (or "
                f"{URL_VARIABLE}) outside GitHub Actions"
            )
        url = GITHUB_MODELS
    key = env.get(key_name, "")
    if not key:
        return f"no API key: the variable {key_name} is not set" + (
            " (give the job `permissions: models: read`)" if url == GITHUB_MODELS else ""
        )
    return Endpoint(url.rstrip("/"), key, model, key_name)
