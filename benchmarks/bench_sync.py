"""Count the requests a sync of a 500-task mission makes against the GitHub test server.

Three runs: the first sync, a no-op re-sync and a one-task edit, each against its lower
bound (one create per issue and per relation, and ceil(N/100) list pages); past 100
tasks the bound counts the phase issues (GitHub allows 100 sub-issues per parent).
Targets: first sync <= 1.05x its bound; no-op re-sync = ceil(N/100) list pages plus at most
5 other reads, and no write.

``--api graphql`` syncs with batched GraphQL writes instead and also prints the REST figures
it is compared with: first sync <= 0.15x the REST bound, no-op re-sync <= REST's.  Every run
reports its requests, content-creating writes (a REST write, or each aliased GraphQL mutation)
and the wall time those writes take at GitHub's documented pace (80 a minute).  ``--faults``
adds a fault sweep: every fault kind at every request index of a first sync (of ``--sweep``
tasks, default 30), each followed by a clean re-run, must end with the fault-free state and no
duplicate issue or relation.

    python benchmarks/bench_sync.py [TASKS] [--api rest|graphql] [--faults] [--sweep N]
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from missionkit.errors import MissionkitError  # noqa: E402
from missionkit.spec.loader import load_missions  # noqa: E402
from missionkit.tracking.apply import apply_plan  # noqa: E402
from missionkit.tracking.desired import parse_marker  # noqa: E402
from missionkit.tracking.drift import Synced, digest, split_body  # noqa: E402
from missionkit.tracking.github.gql_sync import apply_plan_graphql  # noqa: E402
from missionkit.tracking.github.tracker import GitHubTracker  # noqa: E402
from missionkit.tracking.plan import make_plan  # noqa: E402

from ghserver import GitHubTestServer  # noqa: E402
from ghserver.models import GitHubState  # noqa: E402


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


PACE = 80  # content-creating writes a minute that GitHub documents


def sync_once(server: GitHubTestServer, folder: Path, api: str) -> None:
    tracker = GitHubTracker.connect(server.url, "acme/data", "t")
    try:
        plan = make_plan(load_missions([folder]), tracker)
        if api == "graphql":
            apply_plan_graphql(plan, tracker)
        else:
            apply_plan(plan, tracker)
    finally:
        tracker.close()


def sync(server: GitHubTestServer, folder: Path, api: str = "rest") -> tuple[int, int, int]:
    server.reset_log()
    sync_once(server, folder, api)
    reqs = server.requests
    lists = sum(1 for r in reqs if r.method == "GET" and r.path.endswith("/issues"))
    reads = sum(1 for r in reqs if not r.is_write) - lists
    writes = sum(1 for r in reqs if r.is_write)
    return lists, reads, writes


def content_writes(server: GitHubTestServer) -> int:
    """REST writes, counting each aliased GraphQL mutation as one."""
    return sum(r.mutations if r.is_graphql else 1 for r in server.requests if r.is_write)


# every fault kind, with the options that keep a sweep quick (no long waits)
FAULTS: list[tuple[str, dict[str, object]]] = [
    ("status", {"status": 502}),
    ("lost", {"variant": "disconnect"}),
    ("lost", {"variant": "502"}),
    ("partial", {"variant": "disconnect"}),
    ("partial", {"variant": "502"}),
    ("secondary_limit", {"retry_after": 0}),
    ("rate_limit", {"reset_in": 0}),
    ("too_many", {"retry_after": 0}),
    ("slow", {"delay": 0.05}),
]


def canonical(state: GitHubState) -> tuple[dict[str, object], list[str]]:
    """The issues by marker (numbers replaced by markers), and every duplicate found."""
    with state.lock:
        keys = {}
        problems = []
        for issue in state.issues.values():
            found = parse_marker(issue.body)
            if found is None:
                continue
            key = str(found[0])
            if key in keys.values():
                problems.append(f"two issues for {key}")
            keys[issue.number] = key
        out: dict[str, object] = {}
        for number, key in keys.items():
            issue = state.issues[number]
            body = issue.body or ""
            synced, parts = Synced.parse(body), split_body(body)
            if synced and synced.body and parts and digest(parts.section or "") != synced.body:
                problems.append(f"{key}: the body's digest is not that of its text")
            # the digest hashes the text with its issue numbers, which differ between runs
            body = re.sub(r'"body":"[0-9a-f]{16}"', '"body":"…"', body)
            for other, name in sorted(keys.items(), reverse=True):
                body = body.replace(f"#{other}", f"#<{name}>")
            if len(set(issue.blocked_by)) != len(issue.blocked_by):
                problems.append(f"{key}: a blocked-by relation twice")
            out[key] = (
                issue.title,
                body,
                issue.state,
                sorted(state.label_names(issue)),
                sorted(issue.assignees),
                keys.get(issue.parent) if issue.parent else None,
                sorted(keys.get(b, str(b)) for b in issue.blocked_by),
            )
        return out, problems


def sweep(n: int, api: str) -> bool:
    """Every fault at every request index of a first sync, then a clean re-run."""
    os.environ["MISSIONKIT_RETRY_BACKOFF"] = "0"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_mission(folder, n)
        with GitHubTestServer(users={"dana-lee": "admin"}) as server:
            sync(server, folder, api)
            wanted, _ = canonical(server.state)
            count = len(server.requests)
        bad: list[str] = []
        started = time.monotonic()
        runs_done = 0
        for kind, options in FAULTS:
            for k in range(1, count + 1):
                with GitHubTestServer(users={"dana-lee": "admin"}) as server:
                    server.faults.on_request(k, kind, **options)  # type: ignore[arg-type]
                    with contextlib.suppress(MissionkitError):  # the re-run must converge
                        sync_once(server, folder, api)
                    server.faults.clear()
                    sync_once(server, folder, api)
                    got, problems = canonical(server.state)
                    runs_done += 1
                    if got != wanted or problems or server.validation_errors:
                        bad.append(
                            f"{kind} {options} at request {k}: {problems or 'state differs'}"
                        )
    print(
        f"fault sweep [{api}]: {n} tasks, {len(FAULTS)} faults x {count} request indexes = "
        f"{runs_done} faulted syncs + clean re-runs in {time.monotonic() - started:.0f}s: "
        f"{'all converge, no duplicates' if not bad else f'{len(bad)} FAILED'}"
    )
    for line in bad[:20]:
        print("  " + line)
    return not bad


Row = tuple[int, int, int, int, float]  # list pages, other reads, writes, content writes, s


def runs(n: int, api: str) -> tuple[list[Row], int, bool]:
    """First sync, no-op re-sync and one-task edit of an ``n``-task mission; edges; valid."""
    out: list[Row] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        GitHubTestServer(owner="acme", repo="data", users={"dana-lee": "admin"}) as server,
    ):
        folder = Path(tmp)
        edges = write_mission(folder, n)
        for step in ("first", "noop", "edit"):
            if step == "edit":
                text = (folder / "large.md").read_text()
                text = text.replace("title: Task 250\n", "title: Task 250 (edited)\n")
                (folder / "large.md").write_text(text)
            started = time.monotonic()
            lists, reads, writes = sync(server, folder, api)
            out.append((lists, reads, writes, content_writes(server), time.monotonic() - started))
        if "-v" in sys.argv:
            for r in server.requests:
                print(r.method, r.path, r.query, r.mutations)
        return out, edges, not server.validation_errors


def show(api: str, rows: list[Row], bounds: list[int]) -> None:
    print(
        f"[{api}] {'run':<15} {'list pages':>10} {'other reads':>11} {'writes':>7} {'total':>6} "
        f"{'bound':>6} {'ratio':>6} {'content':>8} {'at 80/min':>10} {'here':>6}"
    )
    names = ("first sync", "no-op re-sync", "one-task edit")
    for name, (lists, reads, writes, content, wall), bound in zip(names, rows, bounds, strict=True):
        total = lists + reads + writes
        paced = content / PACE * 60
        print(
            f"[{api}] {name:<15} {lists:>10} {reads:>11} {writes:>7} {total:>6} {bound:>6} "
            f"{total / bound:>6.3f} {content:>8} {paced:>9.0f}s {wall:>5.1f}s"
        )


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    n = int(args[0]) if args and not args[0].startswith("-") else 500
    api = "graphql" if "--api=graphql" in sys.argv or "graphql" in sys.argv[1:] else "rest"
    os.environ["MISSIONKIT_WRITE_DELAY"] = "0"
    phases = math.ceil(n / 100) if n > 100 else 0
    pages = math.ceil((n + 1 + phases) / 100)  # the tasks', the phases' and the mission's issues
    rest, edges, valid = runs(n, "rest")
    # past 100 tasks (GitHub's sub-issue limit) the tasks hang under phase issues
    issues = n + 1 + phases
    relations = n + phases + edges  # sub-issue links + blocked-by
    bound_first = issues + relations + pages
    bounds = [bound_first, pages, pages + 1]  # the edit: the list pages and one update
    print(
        f"mission: {n} tasks ({issues} issues with {phases} phases), {edges} dependencies; "
        f"{'responses valid' if valid else 'INVALID'}"
    )
    show("rest", rest, bounds)
    first, noop = rest[0], rest[1]
    ok_first = sum(first[:3]) <= 1.05 * bound_first
    ok_noop = noop[0] <= pages and noop[1] <= 5 and noop[2] == 0
    print(
        f"targets: first sync <= 1.05x bound: {'met' if ok_first else 'NOT met'}; "
        f"no-op = {pages} pages + <=5 reads, 0 writes: {'met' if ok_noop else 'NOT met'}"
    )
    ok = ok_first and ok_noop
    if api == "graphql":
        gql, _, valid = runs(n, "graphql")
        show("graphql", gql, bounds)
        ratio = sum(gql[0][:3]) / bound_first
        ok_g_first = ratio <= 0.15
        ok_g_noop = sum(gql[1][:3]) <= sum(noop[:3])
        print(
            f"targets (graphql): first sync <= 0.15x the REST bound ({bound_first}): "
            f"{ratio:.3f}, {'met' if ok_g_first else 'NOT met'}; no-op re-sync <= REST's "
            f"({sum(noop[:3])}): {'met' if ok_g_noop else 'NOT met'}; "
            f"{'requests valid' if valid else 'INVALID requests'}"
        )
        ok = ok and ok_g_first and ok_g_noop and valid
    if "--faults" in sys.argv:
        sweep_n = int(sys.argv[sys.argv.index("--sweep") + 1]) if "--sweep" in sys.argv else 30
        ok = sweep(sweep_n, api) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
