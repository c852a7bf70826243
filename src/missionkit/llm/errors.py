"""Why the LLM gave no usable answer: a sentence for the person who takes over."""

from __future__ import annotations

from collections.abc import Sequence

from missionkit.errors import CheckFailed


class LLMUnavailable(CheckFailed):
    """No usable answer from the LLM; ``reason`` says why."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class BadAnswer(LLMUnavailable):
    """The model answered, but not with what the schema asks for."""

    def __init__(self, reason: str, text: str, problems: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.text = text
        self.problems = tuple(problems)


class BudgetExhausted(LLMUnavailable):
    """The mission has used every LLM request it may make."""
