"""Edits to mission files that keep comments and layout: only the changed lines change.

Positions come from the loader's source map (1-based line and column of every key and value).
A scalar or a one-line flow list is replaced in place, up to a trailing ``# comment``; a missing
key is inserted as a new line under the ones beside it; a new task is appended after the last
one with the same indentation.  Edits are collected, then written bottom-up per file so that
earlier positions stay true.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

_PLAIN = re.compile(r"^[A-Za-z0-9_./@][A-Za-z0-9_./@ ()'-]*$")


def scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain where that reads back the same, else double-quoted."""
    if _PLAIN.match(value) and not value.endswith(" ") and value.lower() not in _RESERVED:
        return value
    return json.dumps(value, ensure_ascii=False)


_RESERVED = {"null", "true", "false", "yes", "no", "on", "off", "~"}


def flow_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def _token_end(line: str, start: int) -> int:
    """Where the YAML value starting at ``start`` ends (before a comment or the line's end)."""
    opener = line[start] if start < len(line) else ""
    if opener in "\"'":
        i = start + 1
        while i < len(line):
            if line[i] == "\\" and opener == '"':
                i += 2
                continue
            if line[i] == opener:
                if opener == "'" and i + 1 < len(line) and line[i + 1] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        return len(line)
    if opener == "[":
        depth = 0
        for i in range(start, len(line)):
            depth += {"[": 1, "]": -1}.get(line[i], 0)
            if depth == 0:
                return i + 1
        return len(line)
    comment = line.find(" #", start)
    end = comment if comment >= 0 else len(line)
    return len(line[:end].rstrip())


@dataclass
class _Edit:
    line: int  # 1-based
    column: int  # 1-based; 0 for an insertion after ``line``
    text: str


@dataclass
class FileEdits:
    """Edits to several files, applied together by :meth:`write`."""

    edits: dict[str, list[_Edit]] = field(default_factory=dict)

    def replace(self, path: str, line: int, column: int, text: str) -> None:
        """Replace the value at ``line:column`` with ``text``."""
        self.edits.setdefault(path, []).append(_Edit(line, column, text))

    def insert(self, path: str, after: int, lines: Sequence[str]) -> None:
        """Insert ``lines`` after line ``after``."""
        self.edits.setdefault(path, []).append(_Edit(after, 0, "\n".join(lines)))

    def item_end(self, path: str, first: int, indent: int) -> int:
        """The last line of the block that starts at ``first`` and is indented ``indent``."""
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        last = first
        for number in range(first + 1, len(lines) + 1):
            text = lines[number - 1]
            if not text.strip():
                continue
            if len(text) - len(text.lstrip(" ")) < indent or text.startswith("---"):
                break
            last = number
        return last

    def write(self) -> list[str]:
        """Apply every edit; return the files changed."""
        for path, edits in self.edits.items():
            text = Path(path).read_text(encoding="utf-8")
            lines = text.split("\n")
            # bottom-up, and at one line an insertion after its replacement
            for edit in sorted(edits, key=lambda e: (e.line, e.column == 0), reverse=True):
                if edit.column == 0:
                    lines[edit.line : edit.line] = edit.text.split("\n")
                    continue
                line = lines[edit.line - 1]
                start = edit.column - 1
                lines[edit.line - 1] = line[:start] + edit.text + line[_token_end(line, start) :]
            Path(path).write_text("\n".join(lines), encoding="utf-8")
        return sorted(self.edits)
