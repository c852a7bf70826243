"""Write the synthetic EHR extract used by the healthcare demo mission.

    python scripts/generate_healthcare_data.py [--out data/healthcare] [--seed 20240611]

Everything is invented from a fixed seed (no real person or record): data/healthcare/
patients.csv (300 patients + a few exact duplicates) and encounters.csv (600 encounters + a
few duplicates), with the messiness of a real export: vendor-style headers (``PatientID``,
``DOB``, ``pt_last_nm``, ``AdmitDt``, and one cryptic ``addr_cd`` holding ZIP codes), dates in
three formats, sex and encounter types spelled several ways, padded names, empty optional
values, charges with and without ``$`` and thousands separators. mapping_truth.yaml records
the correct source column of every target field (targets/patient.yaml, targets/encounter.yaml),
for measuring the field-mapping agent. Running it twice writes identical files.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

SEED = 20240611
PATIENTS = 300
ENCOUNTERS = 600
# fmt: off
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
FIRST = ["Maria", "James", "Aisha", "Wei", "Olga", "Carlos", "Fatima", "John", "Priya", "Liam",
    "Sofia", "Noah", "Amara", "Mateo", "Yuki", "Elena", "Omar", "Grace", "Ivan", "Zara",
    "Lucas", "Hana", "David", "Nia", "Samuel", "Leila", "Diego", "Chloe", "Kofi", "Mia"]
LAST = ["Garcia", "Smith", "Okafor", "Chen", "Ivanova", "Rossi", "Haddad", "Kim", "Patel",
    "Nguyen", "Muller", "Johnson", "Silva", "Kowalski", "Sato", "Brown", "Mensah", "Lopez",
    "Novak", "Cohen", "Dubois", "Singh", "Andersen", "Moreau", "Tanaka", "Reyes", "Ali"]
ZIPS = ["02139", "02118", "01605", "06510", "10001", "10473", "11215", "19104", "20007",
    "30303", "33101", "44106", "48201", "55414", "60614", "63110", "73104", "77030", "80203",
    "85006", "94110", "94305", "97201", "98104"]
SEX = [("F", 30), ("M", 30), ("Female", 12), ("male", 12),
    ("f", 5), ("M ", 4), ("U", 4), ("Unknown", 3)]
ENC_TYPES = [("OP", 40), ("Outpatient", 10), ("IP", 15), ("inpatient", 5),
    ("ED", 15), ("ER", 3), ("TH", 8), ("Telehealth", 4)]
DX = ["E11.9", "I10", "J06.9", "M54.5", "F41.1", "K21.9", "N39.0", "R51.9", "J45.909", "E78.5",
    "Z00.00", "S93.401A", "O80", "I25.10", "G43.909", "L03.115"]
PATIENT_HEADER = ["PatientID", "pt_first_nm", "pt_last_nm", "DOB", "Sex", "Phone_Number",
    "EMAIL_ADDR", "addr_cd", "src_system"]
ENCOUNTER_HEADER = ["ENC_ID", "PT_ID", "AdmitDt", "DischDt", "enc_type", "dx_code",
    "charges_usd", "attending_prov"]
# fmt: on
TRUTH = """\
# The correct source column of every target field in the synthetic extract: the answer key
# for measuring the field-mapping agent
# (python scripts/evaluate_mapping.py --truth data/healthcare/mapping_truth.yaml).
# Written by scripts/generate_healthcare_data.py; `null` means no source column holds it.
patient:
  source: raw.patients
  target: targets/patient.yaml
  fields:
    patient_id: PatientID
    first_name: pt_first_nm
    last_name: pt_last_nm
    birth_date: DOB
    sex: Sex
    phone: Phone_Number
    email: EMAIL_ADDR
    postal_code: addr_cd   # the deliberately cryptic one: the agent asks a person
encounter:
  source: raw.encounters
  target: targets/encounter.yaml
  fields:
    encounter_id: ENC_ID
    patient_id: PT_ID
    admit_date: AdmitDt
    discharge_date: DischDt
    encounter_type: enc_type
    diagnosis_code: dx_code
    total_charge: charges_usd
# Another vendor's spelling of the same columns (source column: alternate name), for
# `python scripts/evaluate_mapping.py --truth <this file> --headers alternate`.
alternate_headers:
  patient: {PatientID: MRN, pt_first_nm: GivenName, pt_last_nm: FamilyName, DOB: BirthDt,
            Sex: Gender, Phone_Number: HomePhone, EMAIL_ADDR: EmailAddr, addr_cd: ZIP5,
            src_system: SourceSystem}
  encounter: {ENC_ID: VisitNumber, PT_ID: MRN, AdmitDt: AdmissionDate, DischDt: DischargeDate,
              enc_type: PatientClass, dx_code: PrimaryDx, charges_usd: TotalCharges,
              attending_prov: AttendingProvider}
"""


def weighted(rng: random.Random, options: list[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def messy_date(rng: random.Random, day: date) -> str:
    style = rng.random()
    if style < 0.6:
        return day.isoformat()
    if style < 0.9:
        return f"{day.month:02d}/{day.day:02d}/{day.year}"
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}"


def patients(rng: random.Random) -> list[list[str]]:
    rows = []
    ids = rng.sample(range(100000, 999999), PATIENTS)
    for pid in ids:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 90 * 365))
        phone = (
            ""
            if rng.random() < 0.08
            else rng.choice(
                [
                    f"({rng.randrange(201, 989)}) 555-{rng.randrange(0, 10000):04d}",
                    f"{rng.randrange(201, 989)}-555-{rng.randrange(0, 10000):04d}",
                ]
            )
        )
        email = "" if rng.random() < 0.1 else f"{first}.{last}{rng.randrange(1, 99)}@example.org"
        rows.append(
            [
                f"P{pid}",
                f" {first}" if rng.random() < 0.03 else first,
                f"{last} " if rng.random() < 0.03 else last,
                messy_date(rng, born),
                weighted(rng, SEX),
                phone,
                email.lower(),
                rng.choice(ZIPS),
                "ehr-east",
            ]
        )
    return rows


def encounters(rng: random.Random, patient_ids: list[str]) -> list[list[str]]:
    rows = []
    start = date(2023, 1, 1)
    for n in rng.sample(range(1000000, 9999999), ENCOUNTERS):
        kind = weighted(rng, ENC_TYPES)
        admitted = start + timedelta(days=rng.randrange(0, 900))
        stay = rng.randrange(1, 12) if kind.lower() in ("ip", "inpatient") else 0
        discharged = "" if rng.random() < 0.04 else messy_date(rng, admitted + timedelta(stay))
        amount = round(rng.uniform(80, 2500 if stay == 0 else 48000), 2)
        charge = rng.choice([f"{amount:.2f}", f"{amount:.2f}", f"${amount:,.2f}"])
        rows.append(
            [
                f"E{n}",
                rng.choice(patient_ids),
                messy_date(rng, admitted),
                discharged,
                kind,
                rng.choice(DX) if rng.random() > 0.05 else "",
                "" if rng.random() < 0.03 else charge,
                f"Dr. {rng.choice(LAST)}",
            ]
        )
    return rows


def with_duplicates(rng: random.Random, rows: list[list[str]], count: int) -> list[list[str]]:
    """``rows`` with ``count`` exact copies of random rows inserted at random places."""
    out = list(rows)
    for row in rng.sample(rows, count):
        out.insert(rng.randrange(0, len(out) + 1), list(row))
    return out


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("data/healthcare"))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)  # noqa: S311 - invented data, not secrets
    args.out.mkdir(parents=True, exist_ok=True)
    people = patients(rng)
    visits = encounters(rng, [row[0] for row in people])
    write_csv(args.out / "patients.csv", PATIENT_HEADER, with_duplicates(rng, people, 6))
    write_csv(args.out / "encounters.csv", ENCOUNTER_HEADER, with_duplicates(rng, visits, 4))
    (args.out / "mapping_truth.yaml").write_text(TRUTH, encoding="utf-8")
    print(
        f"wrote {args.out}/patients.csv ({len(people) + 6} rows), encounters.csv "
        f"({len(visits) + 4} rows), mapping_truth.yaml"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
