"""Measure the field mapping against a truth file: precision and recall of what it maps alone.

    python -m missionkit.agents.data.evaluate [--truth data/healthcare/mapping_truth.yaml]
        [--data data/healthcare] [--threshold 0.8] [--headers alternate]

Each source table of the truth file is loaded from ``<data>/<table>.csv`` into a scratch
DuckDB file with the ingest agent, then mapped with no answers. *Precision* is the share of
the fields the agent mapped on its own (confidence ≥ threshold) that match the truth;
*recall* the share of the truth's mapped fields it got right on its own. *Top-1* counts a
field as right when the agent's column, or its best candidate when it asks, is the truth's.
``--headers alternate`` first renames the columns to the truth file's ``alternate_headers``
(another vendor's spelling, written without looking at the scores) to see how the scoring
holds up on names it was not tuned on.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from missionkit.agents.base import AgentContext
from missionkit.agents.data.warehouse import DataError, qualified, quote
from missionkit.agents.field_mapping.mapping import propose_all
from missionkit.spec.model import Mission, MissionSpec, Task
from missionkit.warehouse.duckdb import DuckDBWarehouse


@dataclass
class Evaluation:
    auto: int = 0  # fields the agent mapped on its own
    correct_auto: int = 0
    truth: int = 0  # fields the truth maps to a column
    asked: int = 0
    top1: int = 0
    fields: int = 0
    errors: list[str] = field(default_factory=list)  # "model.field: got X, truth Y"

    @property
    def precision(self) -> float:
        return self.correct_auto / self.auto if self.auto else 1.0

    @property
    def recall(self) -> float:
        return self.correct_auto / self.truth if self.truth else 1.0


def evaluate(
    truth_path: Path, data_dir: Path, threshold: float = 0.8, headers: str = "original"
) -> Evaluation:
    from missionkit.agents.field_mapping.inputs import FieldMappingInputs, SourceTarget
    from missionkit.agents.ingest.inputs import IngestInputs

    truth: dict[str, Any] = yaml.safe_load(truth_path.read_text(encoding="utf-8"))
    models = {k: v for k, v in truth.items() if k != "alternate_headers"}
    renames: dict[str, dict[str, str]] = (
        truth.get("alternate_headers", {}) if (headers == "alternate") else {}
    )
    workspace = Path.cwd()
    with tempfile.TemporaryDirectory() as scratch:
        ctx = _context(workspace, Path(scratch))
        files = [
            str(data_dir / f"{entry['source'].split('.')[1]}.csv") for entry in models.values()
        ]
        from missionkit.agents.ingest.load import ingest

        loaded = ingest(ctx, IngestInputs.model_validate({"files": files}))
        if loaded.verdict != "done":
            raise DataError(loaded.report)
        if renames:
            _rename(ctx, models, renames)
        inputs = FieldMappingInputs(
            maps=[SourceTarget(source=e["source"], target=e["target"]) for e in models.values()],
            threshold=threshold,
        )
        proposals = propose_all(ctx, inputs)
    result = Evaluation()
    for proposal in proposals:
        entry = models[proposal.model.name]
        renamed = renames.get(proposal.model.name, {})
        for decision in proposal.decisions:
            name = decision.field.name
            want = entry["fields"].get(name)
            want = renamed.get(want, want) if want else None
            result.fields += 1
            result.truth += want is not None
            best = decision.column or (
                decision.candidates[0].column if decision.candidates else None
            )
            result.top1 += best == want
            if decision.ask:
                result.asked += 1
            elif decision.column is not None:
                result.auto += 1
                result.correct_auto += decision.column == want
            if best != want or decision.ask:
                state = "asks" if decision.ask else "auto"
                result.errors.append(
                    f"{proposal.model.name}.{name}: {state}, best {best}, truth {want}"
                )
    return result


def _context(workspace: Path, scratch: Path) -> AgentContext:
    task = Task(id="evaluate", title="Evaluate the field mapping")
    spec = MissionSpec(
        title="Evaluate", owner="missionkit", success_criteria=["measured"], tasks=[task]
    )
    mission = Mission("evaluate", "evaluate", spec, "")
    warehouse = DuckDBWarehouse.open(str(scratch / "eval.duckdb"), workspace, {}, None)
    return AgentContext(mission, task, workspace, scratch / "run", warehouse)


def _rename(ctx: AgentContext, models: dict[str, Any], renames: dict[str, dict[str, str]]) -> None:
    import duckdb

    assert isinstance(ctx.warehouse, DuckDBWarehouse)
    con = duckdb.connect(str(ctx.warehouse.path))
    try:
        for name, mapping in renames.items():
            table = qualified(models[name]["source"])
            for old, new in mapping.items():
                con.execute(f"alter table {table} rename column {quote(old)} to {quote(new)}")
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m missionkit.agents.data.evaluate",
        description="Precision and recall of the field mapping.",
    )
    parser.add_argument("--truth", type=Path, default=Path("data/healthcare/mapping_truth.yaml"))
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder of <table>.csv files; default: the truth file's folder",
    )
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--headers", choices=["original", "alternate"], default="original")
    args = parser.parse_args(argv)
    try:
        result = evaluate(args.truth, args.data or args.truth.parent, args.threshold, args.headers)
    except (DataError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"headers: {args.headers}, threshold {args.threshold:.2f}, {result.fields} fields")
    print(
        f"precision {result.precision:.3f} ({result.correct_auto}/{result.auto} mapped alone "
        f"are right)"
    )
    print(
        f"recall    {result.recall:.3f} ({result.correct_auto}/{result.truth} true pairs "
        f"mapped alone)"
    )
    print(f"top-1     {result.top1}/{result.fields}; asked a person about {result.asked}")
    for line in result.errors:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
