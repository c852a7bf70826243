"""Write docs/lifecycle.md, the state diagrams and tables of missionkit's lifecycle.

The document is generated from the transition table in ``missionkit.lifecycle``, and its task
diagram is copied into docs/ARCHITECTURE.md (after the ``lifecycle diagrams`` comment); a test
fails when either committed file is stale.

    python scripts/lifecycle_doc.py            # rewrite docs/lifecycle.md
    python scripts/lifecycle_doc.py --check    # exit 1 if it is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from missionkit.lifecycle import (
    FINISHED,
    MISSION_RULES,
    TASK_RULES,
    MissionState,
    TaskState,
)
from missionkit.templating import render_template

DOCS = Path(__file__).resolve().parent.parent / "docs"
DOC = DOCS / "lifecycle.md"
ARCHITECTURE = DOCS / "ARCHITECTURE.md"
MARK = "<!-- lifecycle diagrams: copied from lifecycle.md by scripts/lifecycle_doc.py -->\n"
FENCE = "```"


def lifecycle_markdown() -> str:
    parts = [
        {
            "title": "Tasks",
            "start": TaskState.BLOCKED,
            "states": [str(s) for s in TaskState],
            "rules": TASK_RULES,
        },
        {
            "title": "Missions",
            "start": MissionState.ACTIVE,
            "states": [str(s) for s in MissionState],
            "rules": MISSION_RULES,
        },
    ]
    finished = [str(s) for s in TaskState if s in FINISHED]
    return render_template("docs/lifecycle.md.j2", {"parts": parts, "finished": finished})


def with_diagram(architecture: str, lifecycle: str) -> str:
    """``architecture`` with the block after its marker replaced by the first diagram of
    ``lifecycle``."""
    start = lifecycle.index(FENCE + "mermaid")
    diagram = lifecycle[start : lifecycle.index(FENCE + "\n", start + 3) + 4]
    head, mark, rest = architecture.partition(MARK)
    if not mark:
        raise SystemExit(f"{ARCHITECTURE} lacks the line {MARK.strip()}")
    end = rest.index(FENCE + "\n", rest.index(FENCE + "mermaid") + 3) + 4
    return head + mark + diagram + rest[end:]


def expected() -> dict[Path, str]:
    text = lifecycle_markdown()
    return {DOC: text, ARCHITECTURE: with_diagram(ARCHITECTURE.read_text(encoding="utf-8"), text)}


def main(argv: list[str]) -> int:
    files = expected()
    if "--check" in argv:
        stale = [p for p, text in files.items() if p.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"{path} is stale; run: python scripts/lifecycle_doc.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
