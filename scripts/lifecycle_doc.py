"""Write docs/lifecycle.md, the state diagrams and tables of missionkit's lifecycle.

The document is generated from the transition table in ``missionkit.lifecycle``; a test fails
when the committed file is stale.

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

DOC = Path(__file__).resolve().parent.parent / "docs" / "lifecycle.md"


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


def main(argv: list[str]) -> int:
    text = lifecycle_markdown()
    if "--check" in argv:
        if DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is stale; run: python scripts/lifecycle_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
