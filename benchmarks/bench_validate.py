"""Time ``mission validate`` against plain parsing with PyYAML's C loader.

Generates N missions x 100 tasks, then times (best of several runs, in-process):
  * baseline: read each file, split the frontmatter, ``yaml.load(..., CSafeLoader)``;
  * validate: ``missionkit.spec.loader.load`` (safe parse with positions, models, agents, graph).
Targets: validate <= 3x baseline at 10,000 tasks, and linear growth from 1,000 to 10,000.

    python benchmarks/bench_validate.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from missionkit.spec.frontmatter import split
from missionkit.spec.loader import load

TASKS = 100


def write_missions(root: Path, count: int) -> list[Path]:
    paths = []
    for m in range(count):
        lines = [
            "---",
            f"title: Generated mission {m}",
            "owner: dana-lee",
            "stakeholders: [sam-okafor, priya-nair]",
            "due: 2026-12-15",
            "warehouse: warehouse/bench.duckdb",
            f"scope: Benchmark mission number {m} with a hundred tasks.",
            "success_criteria:",
            "  - Every task is done",
            "escalation:",
            "  after: 24h",
            "  slack_webhook_env: SLACK_WEBHOOK_URL",
            "tasks:",
        ]
        for t in range(TASKS):
            deps = [f"t{t - k}" for k in (1, 7) if t - k >= 0]
            lines += [
                f"  - id: t{t}",
                f"    title: Step {t} of mission {m}",
                "    agent: shell",
                f"    owner: {'alex-kim' if t % 2 else 'dana-lee'}",
                f"    depends_on: [{', '.join(deps)}]",
                f'    with: {{command: "echo step {t}"}}',
                "    acceptance:",
                f"      - Step {t} printed its number",
                "      - Nothing else changed",
                "    checks:",
                f"      - sql: select count(*) >= 0 from raw.t{t}",
                "    timeout: 5m",
                "    retries: 1",
            ]
        lines += ["---", f"Mission {m} body.", ""]
        path = root / f"mission-{m:03d}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def baseline(paths: list[Path]) -> None:
    for path in paths:
        text = path.read_text(encoding="utf-8")
        yaml.load(split(text, str(path)).yaml, Loader=yaml.CSafeLoader)


def validate(paths: list[Path]) -> None:
    result = load(paths)
    if result.problems:
        raise SystemExit(f"generated missions are invalid: {result.problems[0]}")


def best(fn: Callable[[list[Path]], None], paths: list[Path], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(paths)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in (10, 100):
            folder = Path(tmp) / str(count)
            folder.mkdir()
            paths = write_missions(folder, count)
            validate(paths)  # warm caches (entry points, pydantic)
            runs = 5 if count == 10 else 3
            base = best(baseline, paths, runs)
            mine = best(validate, paths, runs)
            rows.append((count * TASKS, base, mine))
    print(f"{'tasks':>7} {'C loader (s)':>13} {'validate (s)':>13} {'ratio':>6}")
    for tasks, base, mine in rows:
        print(f"{tasks:>7} {base:>13.3f} {mine:>13.3f} {mine / base:>6.2f}")
    (small, _, t_small), (large, _, t_large) = rows
    growth = (t_large / t_small) / (large / small)
    ratio = rows[-1][2] / rows[-1][1]
    print(
        f"growth 1,000 -> 10,000 tasks: x{t_large / t_small:.1f} "
        f"(linear = x{large / small:.0f}; per-task cost ratio {growth:.2f})"
    )
    ok = ratio <= 3.0 and growth <= 1.3
    print(f"target (<= 3x C loader, linear): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
