"""Measure the field mapping on labelled source schemas: per source, and how calibrated it is.

    python scripts/evaluate_mapping.py [--sources data/sources] [--threshold 0.8]
        [--only NAME …] [--errors]
    python scripts/evaluate_mapping.py --truth data/healthcare/mapping_truth.yaml
        [--headers alternate]

Each folder of ``--sources`` is one source: its CSV files and ``truth.yaml`` (which column
holds each target field; written by scripts/generate_mapping_sources.py). Every source is
loaded into a scratch DuckDB file with the ingest agent and mapped with no answers, twice:

- **all sources**: with the shipped vocabulary and target models;
- **leave-one-source-out**: as if the vocabulary and the synonyms had been written without
  that source: every synonym that spells one of its headers, and every abbreviation or
  equivalent word that only its headers use (among all the sources and the project's own
  healthcare extract, which the vocabulary began with), is removed first.

Per source it prints precision (the share of the fields mapped alone that are right),
recall (the share of the fields the source has that were mapped alone and right), the
fields mapped confidently wrong, the questions asked (about absent fields: the source has
no such column; about values: the column is right but its codes need a map), whether the
best candidate is right, and the agent's time. The reliability table puts every field's
best candidate in a confidence bucket and shows the share that is right.

``--truth`` evaluates a single-extract truth file (the healthcare demo's) instead; with
``--headers alternate``, after renaming its columns to the file's ``alternate_headers``
(another vendor's spelling).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from missionkit.agents.base import AgentContext
from missionkit.agents.data.proposal import Proposal
from missionkit.agents.data.scoring import Vocabulary, raw_words, vocabulary
from missionkit.agents.data.warehouse import DataError, quote
from missionkit.agents.field_mapping.survey import propose_all
from missionkit.spec.model import Mission, MissionSpec, Task
from missionkit.warehouse.duckdb import DuckDBWarehouse

ROOT = Path(__file__).resolve().parent.parent
BUCKETS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 1.0001)


@dataclass
class Evaluation:
    source: str
    fields: int = 0
    truth: int = 0  # fields the source has a column for
    auto: int = 0  # fields mapped without a person
    correct_auto: int = 0
    wrong_auto: int = 0
    asked: int = 0
    asked_absent: int = 0
    value_questions: int = 0
    best_right: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    confidences: list[tuple[float, bool]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct_auto / self.auto if self.auto else 1.0

    @property
    def recall(self) -> float:
        return self.correct_auto / self.truth if self.truth else 1.0


def evaluate_source(
    folder: Path,
    threshold: float,
    held_out: set[str] | None = None,
    others: Iterable[Path] = (),
    truth_file: Path | None = None,
    alternate: bool = False,
) -> Evaluation:
    """Map one source folder; with ``held_out`` (its headers), without what only it uses."""
    from missionkit.agents.field_mapping.inputs import FieldMappingInputs, SourceTarget
    from missionkit.agents.ingest.inputs import IngestInputs

    truth_path = truth_file or folder / "truth.yaml"
    truth: dict[str, Any] = yaml.safe_load(truth_path.read_text(encoding="utf-8"))
    models = {k: v for k, v in truth.items() if isinstance(v, dict) and "fields" in v}
    for entry in models.values():
        entry.setdefault("table", str(entry.get("source", "")).split(".")[-1])
    with tempfile.TemporaryDirectory() as scratch:
        ctx = _context(ROOT, Path(scratch))
        files = [str(folder / f"{entry['table']}.csv") for entry in models.values()]
        from missionkit.agents.ingest.load import ingest

        loaded = ingest(ctx, IngestInputs.model_validate({"files": files}))
        if loaded.verdict != "done":
            raise DataError(loaded.report)
        if alternate:
            _rename(ctx, models, truth.get("alternate_headers", {}))
        vocab = vocabulary()
        targets = {name: str(ROOT / entry["target"]) for name, entry in models.items()}
        if held_out is not None:
            vocab, targets = _without(folder, held_out, list(others), targets, Path(scratch))
        inputs = FieldMappingInputs(
            maps=[
                SourceTarget(source=f"raw.{entry['table']}", target=targets[name])
                for name, entry in models.items()
            ],
            threshold=threshold,
        )
        start = time.perf_counter()
        proposals = propose_all(ctx, inputs, vocab)
        seconds = time.perf_counter() - start
    result = score(folder.name, proposals, {n: e["fields"] for n, e in models.items()}, threshold)
    result.seconds = seconds
    return result


def score(
    name: str, proposals: list[Proposal], truth: dict[str, dict[str, str | None]], threshold: float
) -> Evaluation:
    result = Evaluation(name)
    for proposal in proposals:
        want_by_field = truth[proposal.model.name]
        for d in proposal.decisions:
            want = want_by_field.get(d.field.name)
            result.fields += 1
            result.truth += want is not None
            best = d.column or (d.candidates[0].column if d.candidates else None)
            best_conf = (
                d.confidence if d.column else (d.candidates[0].confidence if d.candidates else 0.0)
            )
            if want is not None:
                result.best_right += best == want
            if best is not None:
                result.confidences.append((best_conf, best == want))
            label = f"{proposal.model.name}.{d.field.name}"
            if d.ask:
                result.asked += 1
                result.asked_absent += want is None
                if want is not None:
                    result.errors.append(
                        f"{label}: asks (best {best} {best_conf:.2f}), truth {want}"
                    )
            elif d.column is not None:
                result.auto += 1
                if d.column == want:
                    result.correct_auto += 1
                else:
                    result.wrong_auto += 1
                    result.errors.append(
                        f"{label}: WRONG {d.column} {d.confidence:.2f}, truth {want}"
                    )
                if d.ask_values:
                    result.value_questions += 1
            elif want is not None:
                result.errors.append(
                    f"{label}: unmapped (best {best} {best_conf:.2f}), truth {want}"
                )
    return result


def _rename(ctx: AgentContext, models: dict[str, Any], renames: dict[str, dict[str, str]]) -> None:
    """Rename the loaded columns to the truth file's ``alternate_headers`` (and the truth too)."""
    import duckdb

    assert isinstance(ctx.warehouse, DuckDBWarehouse)
    con = duckdb.connect(str(ctx.warehouse.path))
    try:
        for name, mapping in renames.items():
            table = f"raw.{quote(models[name]['table'])}"
            for old, new in mapping.items():
                con.execute(f"alter table {table} rename column {quote(old)} to {quote(new)}")
            fields = models[name]["fields"]
            models[name]["fields"] = {f: mapping.get(c, c) if c else c for f, c in fields.items()}
    finally:
        con.close()


def _headers(folder: Path) -> set[str]:
    out: set[str] = set()
    for csv_path in folder.glob("*.csv"):
        with csv_path.open(encoding="utf-8") as fh:
            out.update(fh.readline().strip().split(","))
    return out


def _tokens(headers: Iterable[str]) -> set[str]:
    return {w for h in headers for w in raw_words(h)}


def _without(
    folder: Path,
    headers: set[str],
    others: list[Path],
    targets: dict[str, str],
    scratch: Path,
) -> tuple[Vocabulary, dict[str, str]]:
    """The vocabulary and target models as if written without this source."""
    mine = _tokens(headers)
    theirs = _tokens(h for other in others if other != folder for h in _headers(other))
    theirs |= _tokens(_headers(ROOT / "data" / "healthcare"))  # what the vocabulary began with
    only_mine = mine - theirs
    base = vocabulary()
    vocab = Vocabulary(
        {k: v for k, v in base.abbreviations.items() if k not in only_mine},
        {w: c for w, c in base.canonical.items() if w not in only_mine or w == c},
        base.generic,
    )
    spelled = {"".join(raw_words(h)) for h in headers}
    out = {}
    for name, path in targets.items():
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        for f in data["fields"]:
            f["synonyms"] = [
                s for s in f.get("synonyms", []) if "".join(raw_words(s)) not in spelled
            ]
        written = scratch / f"{name}.yaml"
        written.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        out[name] = str(written)
    return vocab, out


def _context(workspace: Path, scratch: Path) -> AgentContext:
    task = Task(id="evaluate", title="Evaluate the field mapping")
    spec = MissionSpec(
        title="Evaluate", owner="missionkit", success_criteria=["measured"], tasks=[task]
    )
    mission = Mission("evaluate", "evaluate", spec, "")
    warehouse = DuckDBWarehouse.open(str(scratch / "eval.duckdb"), workspace, {}, None)
    return AgentContext(mission, task, workspace, scratch / "run", warehouse)


def table(results: list[Evaluation]) -> str:
    head = (
        f"{'source':<14} {'fields':>6} {'has':>4} {'prec':>6} {'recall':>6} {'wrong':>5} "
        f"{'asked':>5} {'absent':>6} {'values':>6} {'best':>7} {'time s':>7}"
    )
    lines = [head, "-" * len(head)]
    total = Evaluation("all")
    for r in [*results, None]:
        if r is None:
            r = total
            lines.append("-" * len(head))
        else:
            for name in (
                "fields",
                "truth",
                "auto",
                "correct_auto",
                "wrong_auto",
                "asked",
                "asked_absent",
                "value_questions",
                "best_right",
                "seconds",
            ):
                setattr(total, name, getattr(total, name) + getattr(r, name))
            total.confidences += r.confidences
        lines.append(
            f"{r.source:<14} {r.fields:>6} {r.truth:>4} {r.precision:>6.3f} {r.recall:>6.3f} "
            f"{r.wrong_auto:>5} {r.asked:>5} {r.asked_absent:>6} {r.value_questions:>6} "
            f"{r.best_right:>3}/{r.truth:<3} {r.seconds:>7.3f}"
        )
    best = total.best_right / total.truth if total.truth else 1.0
    lines.append(f"best candidate right: {best:.3f}")
    return "\n".join(lines)


def reliability(results: list[Evaluation], threshold: float) -> str:
    pairs = [p for r in results for p in r.confidences]
    lines = [f"{'confidence':<12} {'fields':>6} {'right':>6} {'share':>6}"]
    for low, high in itertools.pairwise(BUCKETS):
        inside = [right for conf, right in pairs if low <= conf < high]
        share = f"{sum(inside) / len(inside):.3f}" if inside else "—"
        lines.append(f"{low:.2f}–{min(high, 1):.2f}   {len(inside):>6} {sum(inside):>6} {share:>6}")
    accepted = [right for conf, right in pairs if conf >= threshold]
    share = sum(accepted) / len(accepted) if accepted else 1.0
    lines.append(
        f"accepted at ≥ {threshold:.2f}: {sum(accepted)}/{len(accepted)} right ({share:.3f})"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/evaluate_mapping.py", description="How well the field mapping holds."
    )
    parser.add_argument("--sources", type=Path, default=ROOT / "data" / "sources")
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--only", nargs="*", default=None, help="source folder names")
    parser.add_argument("--errors", action="store_true", help="list every field not right")
    parser.add_argument("--truth", type=Path, default=None, help="evaluate one truth file")
    parser.add_argument(
        "--headers",
        choices=["original", "alternate"],
        default="original",
        help="with --truth: rename the columns to its alternate_headers first",
    )
    args = parser.parse_args(argv)
    try:
        if args.truth is not None:
            alternate = args.headers == "alternate"
            results = [
                evaluate_source(args.truth.parent, args.threshold, None, (), args.truth, alternate)
            ]
            print(table(results))
            _errors(results, True)
            return 0
        folders = sorted(p for p in args.sources.iterdir() if (p / "truth.yaml").is_file())
        chosen = [f for f in folders if args.only is None or f.name in args.only]
        for title, loso in (("all sources", False), ("leave-one-source-out", True)):
            results = [
                evaluate_source(f, args.threshold, _headers(f) if loso else None, folders)
                for f in chosen
            ]
            print(f"\n## {title} (threshold {args.threshold:.2f})\n")
            print(table(results))
            print()
            print(reliability(results, args.threshold))
            _errors(results, args.errors)
    except (DataError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _errors(results: list[Evaluation], show: bool) -> None:
    if not show:
        return
    for r in results:
        for line in r.errors:
            print(f"  {r.source}: {line}")


if __name__ == "__main__":
    raise SystemExit(main())
