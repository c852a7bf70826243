"""Split a Markdown file into its YAML frontmatter and body."""

from __future__ import annotations

from dataclasses import dataclass

from missionkit.errors import Problem


@dataclass(frozen=True)
class Split:
    """The frontmatter text, the line it starts on (1-based) and the Markdown body."""

    yaml: str
    first_line: int
    body: str


def decode(raw: bytes, path: str) -> str:
    """Decode UTF-8 (with or without a byte-order mark), or raise a located problem."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ProblemError(
            Problem(path, line, column, "", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})")
        ) from None


class ProblemError(Exception):
    """Carries a single problem out of a helper."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def split(text: str, path: str) -> Split:
    """Return the frontmatter between the opening and closing ``---`` lines."""
    if not text.strip():
        raise ProblemError(Problem(path, 1, 1, "", "file is empty; expected YAML frontmatter"))
    lines = text.splitlines(keepends=True)
    if lines[0].rstrip("\r\n").rstrip() != "---":
        raise ProblemError(
            Problem(path, 1, 1, "", "missing frontmatter: the file must start with a '---' line")
        )
    for index in range(1, len(lines)):
        stripped = lines[index].rstrip("\r\n").rstrip()
        if stripped in ("---", "..."):
            return Split("".join(lines[1:index]), 2, "".join(lines[index + 1 :]))
    raise ProblemError(
        Problem(
            path,
            1,
            1,
            "",
            "unterminated frontmatter: no closing '---' line after the opening one",
        )
    )
