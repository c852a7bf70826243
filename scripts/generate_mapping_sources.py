"""Write the real-schema evaluation set of the field mapping: data/sources/<source>/.

Each source is a publicly documented schema: its tables keep the exact published headers (the
documentation is cited in data/sources/README.md and in each truth file), and synthetic
values follow the source's documented conventions (code systems, date formats, identifiers).
No real person is in it. For each source it writes one CSV per table and ``truth.yaml``: the
column that holds each target field, or null where the source has none.

    python scripts/generate_mapping_sources.py [--out data/sources]
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path
from typing import Any

import yaml
from mapping_sources.claims import synpuf
from mapping_sources.cohorts import cprd, mimic
from mapping_sources.common import Keys, Row, Source, people, visits
from mapping_sources.ehr import epic, synthea
from mapping_sources.standard import fhir, omop, pcornet

SOURCES = [omop, mimic, synthea, synpuf, epic, cprd, pcornet, fhir]


def write_source(source: Source, out: Path, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed
    persons = people(rng)
    stays = visits(rng, persons)
    folder = out / source.name
    folder.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[Row]] = {}
    keys: Keys = {}
    for table in source.tables:
        items: list[Any] = persons if table.model == "patient" else stays
        made = [table.row(item, rng, keys) for item in items]
        if table.model == "patient":
            first = next(iter(made[0]))
            keys = {p.n: row[first] for p, row in zip(persons, made, strict=True)}
        rows[table.name] = made
    truth: dict[str, Any] = {
        "source": source.title,
        "kind": source.kind,
        "documentation": source.cited,
        "note": source.note,
    }
    for table in source.tables:
        with (folder / f"{table.name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[table.name][0]))
            writer.writeheader()
            writer.writerows(rows[table.name])
        model = table.model
        fields = FIELDS[model]
        truth[model] = {
            "table": table.name,
            "target": f"targets/{model}.yaml",
            "fields": {f: source.truth[model].get(f) for f in fields},
        }
    text = "# Which column of this source holds each target field (null: the source has none).\n"
    text += "# Written by scripts/generate_mapping_sources.py.\n"
    (folder / "truth.yaml").write_text(
        text + yaml.safe_dump(truth, sort_keys=False, width=100), encoding="utf-8"
    )


FIELDS = {
    "patient": [
        "patient_id",
        "first_name",
        "last_name",
        "birth_date",
        "sex",
        "phone",
        "email",
        "postal_code",
    ],
    "encounter": [
        "encounter_id",
        "patient_id",
        "admit_date",
        "discharge_date",
        "encounter_type",
        "diagnosis_code",
        "total_charge",
    ],
}


README = """\
# Real-schema evaluation set of the field mapping

Each folder is one publicly documented source schema: one CSV per table with the source's
exact published headers (a subset of a table's columns where the table is very wide, as an
extract would be), synthetic values that follow the source's documented conventions, and
`truth.yaml`: which column holds each field of `targets/patient.yaml` and
`targets/encounter.yaml` (null: the source has none). No real person is in it. Written by
`scripts/generate_mapping_sources.py`; measured by `scripts/evaluate_mapping.py`.

| source | kind | tables | headers from |
|---|---|---|---|
"""


def write_readme(out: Path, sources: list[Source]) -> None:
    rows = []
    for source in sources:
        tables = ", ".join(f"`{t.name}`" for t in source.tables)
        cited = "; ".join(source.cited)
        rows.append(f"| `{source.name}` | {source.kind} | {tables} | {source.title}: {cited} |")
    notes = [f"- `{s.name}`: {s.note}" for s in sources if s.note]
    text = README + "\n".join(rows) + "\n\nConventions followed:\n\n" + "\n".join(notes) + "\n"
    (out / "README.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "data" / "sources"
    )
    args = parser.parse_args(argv)
    sources = [make() for make in SOURCES]
    for seed, source in enumerate(sources):
        write_source(source, args.out, seed)
    write_readme(args.out, sources)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
