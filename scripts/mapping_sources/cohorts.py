"""Research data: the MIMIC-IV cohort and the UK's CPRD Aurum primary care database."""

from __future__ import annotations

import random
from datetime import date, timedelta

from mapping_sources.common import Keys, Person, Row, Source, Table, Visit, as_text


def mimic() -> Source:
    def patient(p: Person, rng: random.Random, keys: Keys) -> Row:
        anchor = rng.randrange(2110, 2190)
        return {
            "subject_id": 10000000 + p.n * 37,
            "gender": "F" if p.sex == "F" else "M",
            "anchor_age": min(91, max(18, 2023 - p.birth.year)),
            "anchor_year": anchor,
            "anchor_year_group": rng.choice(
                ["2008 - 2010", "2011 - 2013", "2014 - 2016", "2017 - 2019"]
            ),
            "dod": as_text(p.died.replace(year=p.died.year + 140) if p.died else None, "%Y-%m-%d"),
        }

    def admission(v: Visit, rng: random.Random, keys: Keys) -> Row:
        shift = timedelta(days=365 * 140)
        return {
            "subject_id": 10000000 + v.person.n * 37,
            "hadm_id": 20000000 + v.n * 13,
            "admittime": as_text(v.start + shift, "%Y-%m-%d %H:%M:%S"),
            "dischtime": as_text(v.end + shift + timedelta(days=1), "%Y-%m-%d %H:%M:%S"),
            "deathtime": "",
            "admission_type": rng.choice(
                [
                    "EW EMER.",
                    "ELECTIVE",
                    "URGENT",
                    "OBSERVATION ADMIT",
                    "SURGICAL SAME DAY ADMISSION",
                ]
            ),
            "admit_provider_id": f"P{rng.randrange(10, 20)}{rng.choice('AB')}{rng.choice('XYZ')}",
            "admission_location": rng.choice(
                ["EMERGENCY ROOM", "PHYSICIAN REFERRAL", "TRANSFER FROM HOSPITAL"]
            ),
            "discharge_location": rng.choice(
                ["HOME", "HOME HEALTH CARE", "SKILLED NURSING FACILITY"]
            ),
            "insurance": rng.choice(["Medicare", "Medicaid", "Other"]),
            "language": "ENGLISH",
            "marital_status": rng.choice(["MARRIED", "SINGLE", "WIDOWED"]),
            "race": rng.choice(["WHITE", "BLACK/AFRICAN AMERICAN", "ASIAN"]),
            "edregtime": "",
            "edouttime": "",
            "hospital_expire_flag": 0,
        }

    return Source(
        "mimic_iv",
        "research cohort",
        "MIMIC-IV v2.2 hosp module: patients, admissions",
        [
            "https://mimic.mit.edu/docs/iv/modules/hosp/patients/",
            "https://mimic.mit.edu/docs/iv/modules/hosp/admissions/",
        ],
        [Table("patients", "patient", patient), Table("admissions", "encounter", admission)],
        {
            "patient": {"patient_id": "subject_id", "sex": "gender"},
            "encounter": {
                "encounter_id": "hadm_id",
                "patient_id": "subject_id",
                "admit_date": "admittime",
                "discharge_date": "dischtime",
            },
        },
        "Dates are shifted into the future (2110–2210) as MIMIC de-identification does; every "
        "admission is a hospital stay, so no column holds the encounter type.",
    )


def cprd() -> Source:
    def patient(p: Person, rng: random.Random, keys: Keys) -> Row:
        reg = date(2000, 1, 1) + timedelta(days=rng.randrange(0, 7000))
        return {
            "patid": 1000000 + p.n * 1031 + 20,
            "pracid": 20 + p.n % 30,
            "usualgpstaffid": 2000 + rng.randrange(0, 90),
            "gender": {"F": 2, "M": 1, "U": 3}[p.sex],
            "yob": p.birth.year,
            "mob": rng.choice([0, p.birth.month]),
            "emis_ddate": as_text(p.died, "%d/%m/%Y"),
            "regstartdate": as_text(reg, "%d/%m/%Y"),
            "patienttypeid": 3,
            "regenddate": "",
            "acceptable": 1,
            "cprd_ddate": as_text(p.died, "%d/%m/%Y"),
        }

    def consultation(v: Visit, rng: random.Random, keys: Keys) -> Row:
        return {
            "patid": 1000000 + v.person.n * 1031 + 20,
            "consid": 90000000 + v.n * 17,
            "pracid": 20 + v.person.n % 30,
            "consdate": as_text(v.start, "%d/%m/%Y"),
            "enterdate": as_text(v.start + timedelta(days=rng.randrange(0, 3)), "%d/%m/%Y"),
            "staffid": 2000 + rng.randrange(0, 90),
            "conssourceid": rng.randrange(100000, 999999),
            "cprdconstype": rng.choice([1, 2, 3, 8, 9]),
            "consmedcodeid": rng.randrange(10**6, 10**7),
        }

    return Source(
        "cprd_aurum",
        "non-US primary care research database (UK)",
        "CPRD Aurum (England) data specification: Patient, Consultation",
        [
            "https://www.cprd.com/sites/default/files/2022-02/CPRD%20Aurum%20Data%20Specification%20v2.7.pdf",
            "https://ohdsi.github.io/ETL-LambdaBuilder/CPRD_Aurum/CPRD_Aurum_Person.html",
        ],
        [Table("patient", "patient", patient), Table("consultation", "encounter", consultation)],
        {
            "patient": {"patient_id": "patid", "sex": "gender"},
            "encounter": {
                "encounter_id": "consid",
                "patient_id": "patid",
                "admit_date": "consdate",
            },
        },
        "Dates are DD/MM/YYYY; gender is 1 = male, 2 = female, 3 = indeterminate; only the "
        "year (and sometimes month) of birth is released; consultation types are CPRD's own "
        "lookup numbers, not encounter classes.",
    )
