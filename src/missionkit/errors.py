"""The one exception root, and the problems that input errors carry.

Only the command line turns these into exit codes and messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def printable(text: str) -> str:
    """``text`` with every control or other unprintable character escaped (``\\x1b``, ``\\n``),
    so that text from a file keeps to one line and never drives the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input, located as precisely as we know."""

    path: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        if self.field:
            return printable(f"{where}: {self.field}: {self.message}")
        return printable(f"{where}: {self.message}")


class MissionkitError(Exception):
    """Root of every error missionkit raises on purpose."""

    exit_code = 3


class InputError(MissionkitError):
    """Invalid input: one or more problems, all reported together (exit 1)."""

    exit_code = 1

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class CheckFailed(MissionkitError):
    """A check or a requested operation failed for a stated reason (exit 1)."""

    exit_code = 1


class UsageError(MissionkitError):
    """The command was called wrongly (exit 2)."""

    exit_code = 2
