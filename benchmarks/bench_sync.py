"""Count the requests a sync of a 500-task mission makes against the GitHub test server.

Three runs: the first sync, a no-op re-sync and a one-task edit, each against its lower
bound (one create per issue and per relation, and ceil(N/100) list pages); past 100
tasks the bound counts the phase issues (GitHub allows 100 sub-issues per parent).
Targets: first sync <= 1.05x its bound; no-op re-sync = ceil(N/100) list pages plus at most
5 other reads, and no write.

    python benchmarks/bench_sync.py [TASKS]
"""

from __future__ import annotations

import math
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from missionkit.spec.loader import load_missions  # noqa: E402
from missionkit.tracking.apply import apply_plan  # noqa: E402
from missionkit.tracking.github.tracker import GitHubTracker  # noqa: E402
from missionkit.tracking.plan import make_plan  # noqa: E402

from ghserver import GitHubTestServer  # noqa: E402


def write_mission(folder: Path, n: int) -> int:
    """A wide DAG: each task waits on one or two of the 20 tasks before it."""
    rng = random.Random(42)
    lines = [
        "---",
        "title: Large mission",
        "owner: dana-lee",
        "success_criteria: [All done]",
        "tasks:",
    ]
    edges = 0
    for t in range(n):
        deps = (
            sorted({f"t{rng.randrange(max(0, t - 20), t)}" for _ in range(rng.choice((1, 2)))})
            if t
            else []
        )
        edges += len(deps)
        lines += [
            f"  - id: t{t}",
            f"    title: Task {t}",
            "    agent: shell",
            f'    with: {{command: "echo {t}"}}',
            f"    depends_on: [{', '.join(deps)}]",
            "    acceptance: [It printed its number]",
        ]
    (folder / "large.md").write_text("\n".join([*lines, "---", ""]), encoding="utf-8")
    return edges


def sync(server: GitHubTestServer, folder: Path) -> tuple[int, int, int]:
    server.reset_log()
    tracker = GitHubTracker.connect(server.url, "acme/data", "t")
    apply_plan(make_plan(load_missions([folder]), tracker), tracker)
    tracker.close()
    reqs = server.requests
    lists = sum(1 for r in reqs if r.method == "GET" and r.path.endswith("/issues"))
    reads = sum(1 for r in reqs if not r.is_write) - lists
    writes = sum(1 for r in reqs if r.is_write)
    return lists, reads, writes


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    n = int(args[0]) if args else 500
    os.environ["MISSIONKIT_WRITE_DELAY"] = "0"
    phases = math.ceil(n / 100) if n > 100 else 0
    pages = math.ceil((n + 1 + phases) / 100)  # the tasks', the phases' and the mission's issues
    with (
        tempfile.TemporaryDirectory() as tmp,
        GitHubTestServer(owner="acme", repo="data", users={"dana-lee": "admin"}) as server,
    ):
        folder = Path(tmp)
        edges = write_mission(folder, n)
        # past 100 tasks (GitHub's sub-issue limit) the tasks hang under phase issues
        issues = n + 1 + phases
        relations = n + phases + edges  # sub-issue links + blocked-by
        first = sync(server, folder)
        noop = sync(server, folder)
        text = (
            (folder / "large.md")
            .read_text()
            .replace("title: Task 250\n", "title: Task 250 (edited)\n")
        )
        (folder / "large.md").write_text(text)
        edit = sync(server, folder)
        if "-v" in sys.argv:
            for r in server.requests:
                print(r.method, r.path, r.query)
    bound_first = issues + relations + pages
    rows = [
        ("first sync", first, bound_first),
        ("no-op re-sync", noop, pages),
        ("one-task edit", edit, pages + 1),  # the list pages and one update
    ]
    print(
        f"mission: {n} tasks ({issues} issues with {phases} phases), {edges} dependencies; {(server.validation_errors and 'INVALID') or 'responses valid'}"
    )
    print(
        f"{'run':<15} {'list pages':>10} {'other reads':>11} {'writes':>7} {'total':>6} {'bound':>6} {'ratio':>6}"
    )
    for name, (lists, reads, writes), bound in rows:
        total = lists + reads + writes
        print(
            f"{name:<15} {lists:>10} {reads:>11} {writes:>7} {total:>6} {bound:>6} {total / bound:>6.3f}"
        )
    ok_first = sum(first) <= 1.05 * bound_first
    ok_noop = noop[0] <= pages and noop[1] <= 5 and noop[2] == 0
    print(
        f"targets: first sync <= 1.05x bound: {'met' if ok_first else 'NOT met'}; "
        f"no-op = {pages} pages + <=5 reads, 0 writes: {'met' if ok_noop else 'NOT met'}"
    )
    return 0 if ok_first and ok_noop else 1


if __name__ == "__main__":
    sys.exit(main())
