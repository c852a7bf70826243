"""Find import cycles between the modules of a package (``make test`` runs it on src/).

Every import counts, wherever it is written: at the top, inside a function (a lazy import) or
under ``if TYPE_CHECKING:``; a lazy import hides a cycle from Python, not from the reader.
``from a.b import c`` is an edge to the module ``a.b.c`` when that is a module, else to ``a.b``.

    python scripts/import_cycles.py [SRC]      # default: src; exit 1 and list them if any
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import networkx as nx


def modules(src: Path) -> dict[str, Path]:
    """Every module under ``src`` by dotted name (a package is its ``__init__``)."""
    found = {}
    for path in sorted(src.rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(tree: ast.AST, name: str, is_package: bool) -> Iterator[tuple[str, list[str]]]:
    """(module, imported names) for every import statement in the module ``name``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            yield base, [alias.name for alias in node.names]


def import_graph(src: Path) -> nx.DiGraph[str]:
    known = modules(src)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(known)
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for base, names in _imports(tree, name, path.name == "__init__.py"):
            targets = [f"{base}.{n}" for n in names if f"{base}.{n}" in known]
            if not targets and base in known:
                targets = [base]
            graph.add_edges_from((name, t) for t in targets if t != name)
    return graph


def cycles(src: Path) -> list[list[str]]:
    """One cycle per group of modules that import each other, shortest first."""
    graph = import_graph(src)
    found = []
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            found.append([edge[0] for edge in nx.find_cycle(graph.subgraph(component))])
    return sorted(found, key=lambda c: (len(c), c))


def main(argv: list[str]) -> int:
    src = Path(argv[0]) if argv else Path("src")
    found = cycles(src)
    for cycle in found:
        print("import cycle: " + " → ".join([*cycle, cycle[0]]))
    if not found:
        print(f"no import cycles in {src}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
