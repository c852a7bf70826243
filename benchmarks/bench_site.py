"""Time ``mission site build`` on 100 missions x 50 tasks, and how it grows from 20 missions.

The state is real: the missions are synced to the local tracker, tasks move through their
states with history events, and the done agent tasks have runs (report, result, log) made
by the runner. Then the site is built for the first 20, 40, ... missions, each time timing
the stages; "generation" is everything outside the engine (collect, render, write, check).
Targets: generation <= 20% of the total at the largest size, and the time per mission at
the largest size at most 1.25x the time per mission at the smallest (linear growth).

    python benchmarks/bench_site.py [MISSIONS] [TASKS] [--engine mkdocs|zensical]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from missionkit.execution.runner import run_task
from missionkit.graph.dag import TaskGraph
from missionkit.site import SiteOptions, build_site
from missionkit.spec.loader import load_missions
from missionkit.spec.model import Mission
from missionkit.tracking.apply import apply_plan
from missionkit.tracking.local import LocalTracker
from missionkit.tracking.plan import make_plan

PEOPLE = ("alex-kim", "sam-okafor", "lee-park")


def write_missions(folder: Path, missions: int, tasks: int) -> None:
    """Five parallel chains per mission with cross-links; every fourth task is a person's."""
    folder.mkdir(parents=True)
    for m in range(missions):
        lines = [
            "---",
            f"title: Mission {m:03d} onboarding source {m}",
            f"owner: {PEOPLE[m % 3]}",
            "stakeholders: [dana-lee]",
            f"due: 2027-{m % 12 + 1:02d}-15",
            f"scope: Bring source {m} into the warehouse, tested and documented.",
            "success_criteria: [Tables loaded, Tests pass, Dictionary written]",
            "tasks:",
        ]
        for t in range(tasks):
            deps = [f"t{t - 5}"] if t >= 5 else []
            if t >= 7 and t % 7 == 0:
                deps.append(f"t{t - 7}")
            lines += [f"  - id: t{t}", f"    title: Step {t} of mission {m}"]
            if t % 4 == 3:
                lines.append(f"    owner: {PEOPLE[t % 3]}")
            else:
                lines += ["    agent: shell", "    with: {command: 'true'}"]
            if deps:
                lines.append(f"    depends_on: [{', '.join(sorted(set(deps)))}]")
        (folder / f"m{m:03d}.md").write_text("\n".join([*lines, "---", ""]), encoding="utf-8")


def advance(mission: Mission, index: int, tracker: LocalTracker, workspace: Path) -> int:
    """Move a share of the tasks (more for later missions) to done, one to failed or ready."""
    order = TaskGraph.of(mission).order()
    share = 1.0 if index % 10 == 9 else (index % 10) / 10
    done = order[: int(len(order) * share)]
    items = {i.key.task: i for i in tracker.read(mission.id) if i.key.task}
    runs = 0
    for task_id in done:
        task = mission.task(task_id)
        item = tracker.set_state(items[task_id], "ready", "missionkit-dispatch", "deps done")
        if task.agent:
            item = tracker.set_state(item, "running", "runner:1", "claimed")
            run_task(mission, task, workspace)
            runs += 1
        tracker.set_state(item, "done", "missionkit-agent", "agent and checks passed")
    if len(done) < len(order):
        nxt = mission.task(order[len(done)])
        state = "failed" if nxt.agent else "ready"
        tracker.set_state(items[nxt.id], state, "missionkit-agent", "next up")
    return runs


def build(
    missions: list[Mission], tracker: LocalTracker, root: Path, engine: str, name: str
) -> dict[str, float]:
    """A build into folders of its own (``name``): generated pages and HTML start empty."""
    site = root / name
    options = SiteOptions(config_file=site / "mkdocs.yml", out=site / "build", engine=engine)
    report = build_site(missions, tracker, options)
    return {**report.timings, "total": report.total, "pages": report.pages}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("missions", nargs="?", type=int, default=100)
    parser.add_argument("tasks", nargs="?", type=int, default=50)
    parser.add_argument("--engine", default="mkdocs", choices=("mkdocs", "zensical"))
    args = parser.parse_args()
    sizes = sorted({max(1, args.missions * k // 5) for k in range(1, 6)})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.chdir(root)
        write_missions(root / "missions", args.missions, args.tasks)
        missions = load_missions(["missions"])
        tracker = LocalTracker(root / ".missionkit" / "tracker.db")
        start = time.perf_counter()
        apply_plan(make_plan(missions, tracker), tracker)
        runs = sum(advance(m, i, tracker, root) for i, m in enumerate(missions))
        print(
            f"state: {len(missions)} missions x {args.tasks} tasks, {runs} runs "
            f"(made in {time.perf_counter() - start:.1f} s)"
        )
        build(missions[:1], tracker, root, args.engine, "warm-up")  # imports and theme
        print(
            f"{'missions':>8} {'pages':>6} {'total s':>8} {'engine s':>9} "
            f"{'generation s':>13} {'share':>6} {'s/mission':>10}"
        )
        rows = []
        for n in sizes:
            t = build(missions[:n], tracker, root, args.engine, f"site-{n}")
            generation = t["total"] - t["build"]
            rows.append((n, t["total"], generation))
            stages = ", ".join(f"{k} {t[k]:.2f}" for k in ("collect", "render", "write", "check"))
            print(
                f"{n:>8} {int(t['pages']):>6} {t['total']:>8.2f} {t['build']:>9.2f} "
                f"{generation:>13.2f} {generation / t['total']:>6.1%} {t['total'] / n:>10.3f}"
                f"   ({stages})"
            )
        again = build(missions, tracker, root, args.engine, f"site-{sizes[-1]}")
        print(
            f"rebuild of {sizes[-1]} missions over the last build: {again['total']:.2f} s "
            f"(engine {again['build']:.2f} s)"
        )
        tracker.close()
    first, last = rows[0], rows[-1]
    share = last[2] / last[1]
    growth = (last[1] / last[0]) / (first[1] / first[0])
    print(f"generation share at {last[0]} missions: {share:.1%} (target <= 20%)")
    print(
        f"time per mission, {last[0]} vs {first[0]} missions: {growth:.2f}x "
        "(target <= 1.25x: linear)"
    )
    ok = share <= 0.20 and growth <= 1.25
    print(f"targets: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
