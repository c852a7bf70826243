"""Comment commands as missionkit reads them: the comment's first word, at its very start.

The dispatch workflow only starts a run for a comment that ``startsWith`` one of
:data:`COMMANDS` (its ``if:`` is rendered from this tuple), so what the parser accepts and what
the workflow lets through stay the same set.
"""

from __future__ import annotations

COMMANDS = ("/approve", "/retry", "/answer")


def parse_command(body: str) -> tuple[str, str] | None:
    """``(command, argument)`` of a comment, or ``None`` when it holds no command.

    The command must open the comment: a comment that starts with a space, or mentions a
    command later, is conversation.  The argument is the rest of the comment, trimmed."""
    first, _, rest = body.partition("\n")
    word, _, argument = first.rstrip().partition(" ")
    if word not in COMMANDS:
        return None
    return word, (argument + ("\n" + rest if rest else "")).strip()
