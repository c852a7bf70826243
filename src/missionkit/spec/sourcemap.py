"""Map a field path of a loaded mission back to ``file:line:column``."""

from __future__ import annotations

from dataclasses import dataclass, field

from missionkit.spec.yamlsafe import Document, Path


@dataclass(frozen=True)
class Origin:
    """One YAML document that supplies the data found under ``prefix``."""

    path: str
    doc: Document
    first_line: int
    prefix: Path = ()
    renames: dict[str, str] = field(default_factory=dict)


@dataclass
class SourceMap:
    """Every document a mission was assembled from."""

    origins: list[Origin] = field(default_factory=list)

    def add(self, origin: Origin) -> None:
        self.origins.append(origin)

    def locate(self, loc: Path, *, key: bool = False) -> tuple[str, int, int]:
        """``(file, line, column)`` of the value (or key) at ``loc``, or its nearest parent."""
        origin = self.origins[0]
        for candidate in self.origins:
            n = len(candidate.prefix)
            if n > len(origin.prefix) and tuple(loc[:n]) == candidate.prefix:
                origin = candidate
        rel = tuple(loc[len(origin.prefix) :])
        if rel and isinstance(rel[0], str) and rel[0] in origin.renames:
            rel = (origin.renames[rel[0]], *rel[1:])
        doc = origin.doc
        for end in range(len(rel), -1, -1):
            part = rel[:end]
            table = doc.keys if key and end == len(rel) else doc.values
            pos = table.get(part)
            if pos is None and key:
                pos = doc.values.get(part)
            if pos is not None:
                return origin.path, pos[0] + origin.first_line - 1, pos[1]
        return origin.path, origin.first_line, 1


def field_path(loc: Path) -> str:
    """``('tasks', 2, 'checks', 0, 'sql')`` → ``tasks[2].checks[0].sql``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
