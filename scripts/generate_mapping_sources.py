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
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Maria",
    "Wei",
    "Amara",
    "Diego",
    "Zara",
    "Noah",
    "Lena",
    "Omar",
    "Yuki",
    "Priya",
    "Kofi",
    "Elena",
    "Sven",
    "Fatima",
    "Mateo",
    "Ines",
    "Tom",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Garcia",
    "Chen",
    "Okafor",
    "Muller",
    "Patel",
    "Smith",
    "Rossi",
    "Haddad",
    "Tanaka",
    "Singh",
    "Mensah",
    "Petrova",
    "Berg",
    "Khan",
    "Lopez",
    "Silva",
    "Brown",
]
STREETS = ["Main St", "Oak Ave", "Elm St", "Park Rd", "High St", "Mill Lane", "Church Rd"]
CITIES = [
    ("Boston", "MA"),
    ("Worcester", "MA"),
    ("Springfield", "MA"),
    ("Lowell", "MA"),
    ("Cambridge", "MA"),
    ("Quincy", "MA"),
]
ICD10 = ["E11.9", "I10", "J45.909", "M54.5", "S93.401A", "R07.9", "N39.0", "K21.9", "F32.9"]
ICD9 = ["4019", "25000", "2724", "4280", "42731", "V5869", "5990", "486", "41401"]
PATIENTS, ENCOUNTERS = 160, 320


@dataclass(frozen=True)
class Person:
    n: int
    first: str
    last: str
    middle: str
    birth: date
    sex: str  # F | M | U
    zip: str
    street: str
    city: str
    state: str
    phone: str
    email: str
    died: date | None


@dataclass(frozen=True)
class Visit:
    n: int
    person: Person
    kind: str  # inpatient | outpatient | emergency | telehealth
    start: datetime
    end: datetime
    dx: str
    charge: float


def people(rng: random.Random) -> list[Person]:
    out = []
    for n in range(PATIENTS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, state = rng.choice(CITIES)
        out.append(
            Person(
                n,
                first,
                last,
                rng.choice(FIRST),
                date(1930, 1, 1) + timedelta(days=rng.randrange(0, 33000)),
                rng.choices("FMU", [48, 48, 4])[0],
                f"0{rng.randrange(1000, 2799)}",
                f"{rng.randrange(1, 999)} {rng.choice(STREETS)}",
                city,
                state,
                f"{rng.randrange(201, 989)}-555-{rng.randrange(0, 9999):04d}",
                f"{first.lower()}.{last.lower()}{n}@example.org",
                date(2023, 1, 1) + timedelta(days=rng.randrange(0, 600))
                if rng.random() < 0.08
                else None,
            )
        )
    return out


def visits(rng: random.Random, persons: list[Person]) -> list[Visit]:
    out = []
    for n in range(ENCOUNTERS):
        kind = rng.choices(
            ["outpatient", "inpatient", "emergency", "telehealth"], [60, 15, 15, 10]
        )[0]
        start = datetime(2021, 1, 1, 8) + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
        stay = (
            timedelta(days=rng.randrange(1, 9))
            if kind == "inpatient"
            else timedelta(minutes=rng.randrange(15, 300))
        )
        out.append(
            Visit(
                n,
                rng.choice(persons),
                kind,
                start,
                start + stay,
                rng.choice(ICD10),
                round(rng.uniform(80, 40000 if kind == "inpatient" else 2500), 2),
            )
        )
    return out


Row = dict[str, Any]


Keys = dict[int, Any]  # person number → the source's own patient key


@dataclass(frozen=True)
class Table:
    name: str
    model: str  # patient | encounter
    row: Callable[[Any, random.Random, Keys], Row]


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    title: str
    cited: list[str]
    tables: list[Table]
    truth: dict[str, dict[str, str | None]]
    note: str = ""


def _d(x: date | datetime | None, fmt: str) -> str:
    return x.strftime(fmt) if x else ""


SEX_OMOP = {"F": 8532, "M": 8507, "U": 8551}
VISIT_OMOP = {"inpatient": 9201, "outpatient": 9202, "emergency": 9203, "telehealth": 5083}


def omop() -> Source:
    def person(p: Person, rng: random.Random, keys: Keys) -> Row:
        return {
            "person_id": 1000 + p.n,
            "gender_concept_id": SEX_OMOP[p.sex],
            "year_of_birth": p.birth.year,
            "month_of_birth": p.birth.month,
            "day_of_birth": p.birth.day,
            "birth_datetime": _d(p.birth, "%Y-%m-%d 00:00:00"),
            "race_concept_id": rng.choice([8527, 8516, 8515, 0]),
            "ethnicity_concept_id": rng.choice([38003563, 38003564]),
            "location_id": 1 + p.n % 40,
            "provider_id": 200 + p.n % 25,
            "care_site_id": 10 + p.n % 5,
            "person_source_value": f"{uuid.UUID(int=p.n)}",
            "gender_source_value": p.sex,
            "gender_source_concept_id": 0,
            "race_source_value": rng.choice(["white", "black", "asian"]),
            "race_source_concept_id": 0,
            "ethnicity_source_value": rng.choice(["hispanic", "nonhispanic"]),
            "ethnicity_source_concept_id": 0,
        }

    def visit(v: Visit, rng: random.Random, keys: Keys) -> Row:
        return {
            "visit_occurrence_id": 50000 + v.n,
            "person_id": 1000 + v.person.n,
            "visit_concept_id": VISIT_OMOP[v.kind],
            "visit_start_date": _d(v.start, "%Y-%m-%d"),
            "visit_start_datetime": _d(v.start, "%Y-%m-%d %H:%M:%S"),
            "visit_end_date": _d(v.end, "%Y-%m-%d"),
            "visit_end_datetime": _d(v.end, "%Y-%m-%d %H:%M:%S"),
            "visit_type_concept_id": rng.choice([32817, 32827]),
            "provider_id": 200 + v.n % 25,
            "care_site_id": 10 + v.n % 5,
            "visit_source_value": f"{uuid.UUID(int=10**6 + v.n)}",
            "visit_source_concept_id": 0,
            "admitted_from_concept_id": 0,
            "admitted_from_source_value": "",
            "discharged_to_concept_id": 0,
            "discharged_to_source_value": "",
            "preceding_visit_occurrence_id": "",
        }

    return Source(
        "omop",
        "standard data model",
        "OMOP Common Data Model v5.4: PERSON, VISIT_OCCURRENCE",
        [
            "https://ohdsi.github.io/CommonDataModel/cdm54.html#person",
            "https://ohdsi.github.io/CommonDataModel/cdm54.html#visit_occurrence",
        ],
        [Table("person", "patient", person), Table("visit_occurrence", "encounter", visit)],
        {
            "patient": {
                "patient_id": "person_id",
                "birth_date": "birth_datetime",
                "sex": "gender_concept_id",
            },
            "encounter": {
                "encounter_id": "visit_occurrence_id",
                "patient_id": "person_id",
                "admit_date": "visit_start_date",
                "discharge_date": "visit_end_date",
                "encounter_type": "visit_concept_id",
            },
        },
        "Sex and visit type are OMOP standard concept ids (8507/8532, 9201/9202/9203/5083).",
    )


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
            "dod": _d(p.died.replace(year=p.died.year + 140) if p.died else None, "%Y-%m-%d"),
        }

    def admission(v: Visit, rng: random.Random, keys: Keys) -> Row:
        shift = timedelta(days=365 * 140)
        return {
            "subject_id": 10000000 + v.person.n * 37,
            "hadm_id": 20000000 + v.n * 13,
            "admittime": _d(v.start + shift, "%Y-%m-%d %H:%M:%S"),
            "dischtime": _d(v.end + shift + timedelta(days=1), "%Y-%m-%d %H:%M:%S"),
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


def synthea() -> Source:
    def patient(p: Person, rng: random.Random, keys: Keys) -> Row:
        return {
            "Id": str(uuid.UUID(int=rng.getrandbits(128))),
            "BIRTHDATE": _d(p.birth, "%Y-%m-%d"),
            "DEATHDATE": _d(p.died, "%Y-%m-%d"),
            "SSN": f"999-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}",
            "DRIVERS": f"S999{rng.randrange(10000, 99999)}",
            "PASSPORT": f"X{rng.randrange(10**7, 10**8)}X",
            "PREFIX": "Mrs." if p.sex == "F" else "Mr.",
            "FIRST": f"{p.first}{rng.randrange(10, 999)}",
            "MIDDLE": f"{p.middle}{rng.randrange(10, 999)}",
            "LAST": f"{p.last}{rng.randrange(10, 999)}",
            "SUFFIX": "",
            "MAIDEN": "",
            "MARITAL": rng.choice(["M", "S", "D", "W"]),
            "RACE": rng.choice(["white", "black", "asian"]),
            "ETHNICITY": rng.choice(["hispanic", "nonhispanic"]),
            "GENDER": "F" if p.sex == "F" else "M",
            "BIRTHPLACE": f"{p.city} Massachusetts US",
            "ADDRESS": p.street,
            "CITY": p.city,
            "STATE": "Massachusetts",
            "COUNTY": "Middlesex County",
            "FIPS": f"25{rng.randrange(1, 27):03d}",
            "ZIP": p.zip,
            "LAT": round(42 + rng.random(), 6),
            "LON": round(-71 - rng.random(), 6),
            "HEALTHCARE_EXPENSES": round(rng.uniform(1000, 900000), 2),
            "HEALTHCARE_COVERAGE": round(rng.uniform(0, 90000), 2),
            "INCOME": rng.randrange(15000, 200000),
        }

    def encounter(v: Visit, rng: random.Random, keys: Keys) -> Row:
        cls = {
            "outpatient": rng.choice(["ambulatory", "wellness", "outpatient"]),
            "inpatient": "inpatient",
            "emergency": rng.choice(["emergency", "urgentcare"]),
            "telehealth": "virtual",
        }[v.kind]
        return {
            "Id": str(uuid.UUID(int=rng.getrandbits(128))),
            "START": _d(v.start, "%Y-%m-%dT%H:%M:%SZ"),
            "STOP": _d(v.end, "%Y-%m-%dT%H:%M:%SZ"),
            "PATIENT": keys[v.person.n],
            "ORGANIZATION": str(uuid.UUID(int=v.n % 7 + 99)),
            "PROVIDER": str(uuid.UUID(int=v.n % 11 + 999)),
            "PAYER": str(uuid.UUID(int=v.n % 3 + 9999)),
            "ENCOUNTERCLASS": cls,
            "CODE": rng.choice([185349003, 162673000, 50849002, 183452005]),
            "DESCRIPTION": rng.choice(
                ["Encounter for check up (procedure)", "General examination of patient (procedure)"]
            ),
            "BASE_ENCOUNTER_COST": 129.16,
            "TOTAL_CLAIM_COST": v.charge,
            "PAYER_COVERAGE": round(v.charge * 0.7, 2),
            "REASONCODE": rng.choice(["", "10509002", "444814009"]),
            "REASONDESCRIPTION": "",
        }

    return Source(
        "synthea",
        "synthetic EHR export",
        "Synthea CSV export: patients.csv, encounters.csv",
        ["https://github.com/synthetichealth/synthea/wiki/CSV-File-Data-Dictionary"],
        [Table("patients", "patient", patient), Table("encounters", "encounter", encounter)],
        {
            "patient": {
                "patient_id": "Id",
                "first_name": "FIRST",
                "last_name": "LAST",
                "birth_date": "BIRTHDATE",
                "sex": "GENDER",
                "postal_code": "ZIP",
            },
            "encounter": {
                "encounter_id": "Id",
                "patient_id": "PATIENT",
                "admit_date": "START",
                "discharge_date": "STOP",
                "encounter_type": "ENCOUNTERCLASS",
                "total_charge": "TOTAL_CLAIM_COST",
            },
        },
        "Names carry Synthea's numeric suffixes; REASONCODE holds SNOMED CT codes, not ICD-10, "
        "so it is no diagnosis_code. ENCOUNTERCLASS uses Synthea's own classes (wellness, "
        "urgentcare, virtual…), which the encounter model's value map does not all read.",
    )


def synpuf() -> Source:
    def bene(p: Person, rng: random.Random, keys: Keys) -> Row:
        sp = {
            k: rng.choice([1, 2])
            for k in [
                "SP_ALZHDMTA",
                "SP_CHF",
                "SP_CHRNKIDN",
                "SP_CNCR",
                "SP_COPD",
                "SP_DEPRESSN",
                "SP_DIABETES",
                "SP_ISCHMCHT",
                "SP_OSTEOPRS",
                "SP_RA_OA",
                "SP_STRKETIA",
            ]
        }
        return {
            "DESYNPUF_ID": f"{rng.getrandbits(64):016X}",
            "BENE_BIRTH_DT": _d(p.birth, "%Y%m%d"),
            "BENE_DEATH_DT": _d(p.died, "%Y%m%d"),
            "BENE_SEX_IDENT_CD": 2 if p.sex == "F" else 1,
            "BENE_RACE_CD": rng.choice([1, 2, 3, 5]),
            "BENE_ESRD_IND": rng.choice(["0", "Y"]),
            "SP_STATE_CODE": 22,
            "BENE_COUNTY_CD": rng.choice([10, 20, 90, 170]),
            "BENE_HI_CVRAGE_TOT_MONS": 12,
            "BENE_SMI_CVRAGE_TOT_MONS": 12,
            "BENE_HMO_CVRAGE_TOT_MONS": rng.choice([0, 12]),
            "PLAN_CVRG_MOS_NUM": rng.choice([0, 12]),
            **sp,
            "MEDREIMB_IP": rng.choice([0, 4000, 12000]),
            "BENRES_IP": rng.choice([0, 1068]),
            "PPPYMT_IP": 0,
            "MEDREIMB_OP": rng.choice([0, 50, 300]),
            "BENRES_OP": rng.choice([0, 10, 60]),
            "PPPYMT_OP": 0,
            "MEDREIMB_CAR": rng.choice([0, 300, 1200]),
            "BENRES_CAR": rng.choice([0, 100, 400]),
            "PPPYMT_CAR": 0,
        }

    def claim(v: Visit, rng: random.Random, keys: Keys) -> Row:
        return {
            "DESYNPUF_ID": keys[v.person.n],
            "CLM_ID": str(196661176988405 + v.n * 7919),
            "SEGMENT": 1,
            "CLM_FROM_DT": _d(v.start, "%Y%m%d"),
            "CLM_THRU_DT": _d(v.end, "%Y%m%d"),
            "PRVDR_NUM": f"{rng.randrange(10, 52):02d}{rng.randrange(0, 30):04d}",
            "CLM_PMT_AMT": float(rng.randrange(0, 20000, 10)),
            "NCH_PRMRY_PYR_CLM_PD_AMT": 0.0,
            "AT_PHYSN_NPI": 1003000000 + 7 * rng.randrange(0, 40),
            "OP_PHYSN_NPI": "",
            "OT_PHYSN_NPI": "",
            "CLM_ADMSN_DT": _d(v.start, "%Y%m%d"),
            "ADMTNG_ICD9_DGNS_CD": rng.choice(ICD9),
            "CLM_PASS_THRU_PER_DIEM_AMT": 0.0,
            "NCH_BENE_IP_DDCTBL_AMT": 1068.0,
            "NCH_BENE_PTA_COINSRNC_LBLTY_AM": 0.0,
            "NCH_BENE_BLOOD_DDCTBL_LBLTY_AM": 0.0,
            "CLM_UTLZTN_DAY_CNT": max(1, (v.end - v.start).days),
            "NCH_BENE_DSCHRG_DT": _d(v.end, "%Y%m%d"),
            "CLM_DRG_CD": f"{rng.randrange(1, 999):03d}",
            "ICD9_DGNS_CD_1": rng.choice(ICD9),
            "ICD9_DGNS_CD_2": rng.choice(ICD9),
            "ICD9_DGNS_CD_3": rng.choice(ICD9),
            "ICD9_PRCDR_CD_1": rng.choice(["", "3722", "8856"]),
            "HCPCS_CD_1": "",
        }

    return Source(
        "cms_synpuf",
        "claims file",
        "CMS 2008–2010 DE-SynPUF: Beneficiary Summary file, Inpatient Claims file",
        [
            "https://www.cms.gov/data-research/statistics-trends-and-reports/medicare-claims-synthetic-public-use-files/cms-2008-2010-data-entrepreneurs-synthetic-public-use-file-de-synpuf",
            "DE-SynPUF codebook (PDF, linked from the page above)",
        ],
        [
            Table("beneficiary_summary", "patient", bene),
            Table("inpatient_claims", "encounter", claim),
        ],
        {
            "patient": {
                "patient_id": "DESYNPUF_ID",
                "birth_date": "BENE_BIRTH_DT",
                "sex": "BENE_SEX_IDENT_CD",
            },
            "encounter": {
                "encounter_id": "CLM_ID",
                "patient_id": "DESYNPUF_ID",
                "admit_date": "CLM_ADMSN_DT",
                "discharge_date": "NCH_BENE_DSCHRG_DT",
            },
        },
        "Dates are YYYYMMDD; sex is 1 = male, 2 = female; diagnoses are ICD-9-CM (not the "
        "encounter model's ICD-10-CM); CLM_PMT_AMT is Medicare's payment, not billed charges. "
        "The inpatient claims file is one kind of encounter, so no column holds the type. "
        "Only the first diagnosis, procedure and HCPCS columns of their repeated groups are kept.",
    )


def epic() -> Source:
    def patient(p: Person, rng: random.Random, keys: Keys) -> Row:
        return {
            "PAT_ID": f"Z{1000 + p.n * 7}",
            "PAT_NAME": f"{p.last.upper()},{p.first.upper()}",
            "PAT_FIRST_NAME": p.first.upper(),
            "PAT_MIDDLE_NAME": p.middle.upper(),
            "PAT_LAST_NAME": p.last.upper(),
            "PAT_MRN_ID": f"{rng.randrange(10**8, 10**9)}",
            "BIRTH_DATE": _d(p.birth, "%-m/%-d/%Y 12:00:00 AM"),
            "SEX_C_NAME": {"F": "Female", "M": "Male", "U": "Unknown"}[p.sex],
            "ADD_LINE_1": p.street,
            "CITY": p.city.upper(),
            "STATE_C_NAME": "Massachusetts",
            "ZIP": p.zip,
            "HOME_PHONE": p.phone,
            "EMAIL_ADDRESS": p.email,
            "ETHNIC_GROUP_C_NAME": rng.choice(["Not Hispanic or Latino", "Hispanic or Latino"]),
            "MARITAL_STATUS_C_NAME": rng.choice(["Married", "Single", "Widowed"]),
            "CUR_PCP_PROV_ID": f"E{1000 + 37 * rng.randrange(0, 25)}",
            "DEATH_DATE": _d(p.died, "%-m/%-d/%Y 12:00:00 AM"),
        }

    def pat_enc(v: Visit, rng: random.Random, keys: Keys) -> Row:
        hospital = v.kind in ("inpatient", "emergency")
        return {
            "PAT_ID": f"Z{1000 + v.person.n * 7}",
            "PAT_ENC_DATE_REAL": 60000 + v.n + 0.01 * (v.n % 3),
            "PAT_ENC_CSN_ID": 720000000 + v.n * 11,
            "CONTACT_DATE": _d(v.start, "%-m/%-d/%Y 12:00:00 AM"),
            "ENC_TYPE_C_NAME": {
                "outpatient": "Office Visit",
                "inpatient": "Hospital Encounter",
                "emergency": "Hospital Encounter",
                "telehealth": "Telemedicine",
            }[v.kind],
            "VISIT_PROV_ID": f"E{1000 + 37 * rng.randrange(0, 25)}",
            "DEPARTMENT_ID": 101000000 + v.n % 17,
            "HOSP_ADMSN_TIME": _d(v.start, "%-m/%-d/%Y %-I:%M:00 %p") if hospital else "",
            "HOSP_DISCHRG_TIME": _d(v.end, "%-m/%-d/%Y %-I:%M:00 %p") if hospital else "",
            "FIN_CLASS_C_NAME": rng.choice(["Commercial", "Medicare", "Medicaid", "Self-Pay"]),
            "APPT_STATUS_C_NAME": rng.choice(["Completed", "Arrived", ""]),
            "ENC_CLOSED_YN": rng.choice(["Y", "N"]),
        }

    return Source(
        "epic_ehi",
        "EHR vendor export",
        "Epic EHI export (Clarity tables): PATIENT, PAT_ENC",
        [
            "https://open.epic.com/EHITables/GetTable/PATIENT.htm",
            "https://open.epic.com/EHITables/GetTable/PAT_ENC.htm",
        ],
        [Table("patient", "patient", patient), Table("pat_enc", "encounter", pat_enc)],
        {
            "patient": {
                "patient_id": "PAT_ID",
                "first_name": "PAT_FIRST_NAME",
                "last_name": "PAT_LAST_NAME",
                "birth_date": "BIRTH_DATE",
                "sex": "SEX_C_NAME",
                "phone": "HOME_PHONE",
                "email": "EMAIL_ADDRESS",
                "postal_code": "ZIP",
            },
            "encounter": {
                "encounter_id": "PAT_ENC_CSN_ID",
                "patient_id": "PAT_ID",
                "admit_date": "CONTACT_DATE",
                "discharge_date": "HOSP_DISCHRG_TIME",
                "encounter_type": "ENC_TYPE_C_NAME",
            },
        },
        "Category columns are exported as their names (`*_C_NAME`); dates as M/D/YYYY "
        "12:00:00 AM; hospital times only for hospital encounters. PAT_ID is the key other "
        "tables use; PAT_MRN_ID is the medical record number shown to people.",
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
            "emis_ddate": _d(p.died, "%d/%m/%Y"),
            "regstartdate": _d(reg, "%d/%m/%Y"),
            "patienttypeid": 3,
            "regenddate": "",
            "acceptable": 1,
            "cprd_ddate": _d(p.died, "%d/%m/%Y"),
        }

    def consultation(v: Visit, rng: random.Random, keys: Keys) -> Row:
        return {
            "patid": 1000000 + v.person.n * 1031 + 20,
            "consid": 90000000 + v.n * 17,
            "pracid": 20 + v.person.n % 30,
            "consdate": _d(v.start, "%d/%m/%Y"),
            "enterdate": _d(v.start + timedelta(days=rng.randrange(0, 3)), "%d/%m/%Y"),
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


def pcornet() -> Source:
    def demographic(p: Person, rng: random.Random, keys: Keys) -> Row:
        return {
            "PATID": f"PT{50000 + p.n}",
            "BIRTH_DATE": _d(p.birth, "%Y-%m-%d"),
            "BIRTH_TIME": "00:00",
            "SEX": {"F": "F", "M": "M", "U": "UN"}[p.sex],
            "SEXUAL_ORIENTATION": rng.choice(["NI", "ST"]),
            "GENDER_IDENTITY": rng.choice(["NI", "W", "M"]),
            "HISPANIC": rng.choice(["N", "Y", "NI"]),
            "RACE": rng.choice(["05", "03", "02", "NI"]),
            "BIOBANK_FLAG": "N",
            "PAT_PREF_LANGUAGE_SPOKEN": "ENG",
            "RAW_SEX": {"F": "Female", "M": "Male", "U": "Unknown"}[p.sex],
            "RAW_SEXUAL_ORIENTATION": "",
            "RAW_GENDER_IDENTITY": "",
            "RAW_HISPANIC": "",
            "RAW_RACE": "",
            "RAW_PAT_PREF_LANGUAGE_SPOKEN": "English",
        }

    def encounter(v: Visit, rng: random.Random, keys: Keys) -> Row:
        code = {
            "outpatient": "AV",
            "inpatient": rng.choice(["IP", "EI"]),
            "emergency": "ED",
            "telehealth": "TH",
        }[v.kind]
        return {
            "ENCOUNTERID": f"E{700000 + v.n}",
            "PATID": f"PT{50000 + v.person.n}",
            "ADMIT_DATE": _d(v.start, "%Y-%m-%d"),
            "ADMIT_TIME": _d(v.start, "%H:%M"),
            "DISCHARGE_DATE": _d(v.end, "%Y-%m-%d"),
            "DISCHARGE_TIME": _d(v.end, "%H:%M"),
            "PROVIDERID": f"PR{rng.randrange(100, 130)}",
            "FACILITY_LOCATION": f"0{rng.randrange(1000, 2799)}",
            "ENC_TYPE": code,
            "FACILITYID": f"F{rng.randrange(10, 40)}",
            "DISCHARGE_DISPOSITION": "A" if code in ("IP", "EI") else "",
            "DISCHARGE_STATUS": "HO" if code in ("IP", "EI") else "",
            "DRG": f"{rng.randrange(1, 999):03d}" if code in ("IP", "EI") else "",
            "DRG_TYPE": "02" if code in ("IP", "EI") else "",
            "ADMITTING_SOURCE": rng.choice(["ED", "HO", "NI"]),
            "PAYER_TYPE_PRIMARY": rng.choice(["1", "2", "5"]),
            "PAYER_TYPE_SECONDARY": "",
            "FACILITY_TYPE": rng.choice(["HOSPITAL_COMMUNITY", "PRIVATE_PHYSICIANS_GROUP_OFFICE"]),
            "RAW_SITEID": "SITE1",
            "RAW_ENC_TYPE": code.lower(),
            "RAW_DISCHARGE_DISPOSITION": "",
            "RAW_DISCHARGE_STATUS": "",
            "RAW_DRG_TYPE": "",
            "RAW_ADMITTING_SOURCE": "",
            "RAW_FACILITY_TYPE": "",
            "RAW_PAYER_TYPE_PRIMARY": "",
            "RAW_PAYER_NAME_PRIMARY": "",
            "RAW_PAYER_ID_PRIMARY": "",
        }

    return Source(
        "pcornet",
        "standard data model",
        "PCORnet Common Data Model v6.0: DEMOGRAPHIC, ENCOUNTER",
        ["https://pcornet.org/data/common-data-model/ (PCORnet CDM v6.0 specification)"],
        [Table("demographic", "patient", demographic), Table("encounter", "encounter", encounter)],
        {
            "patient": {"patient_id": "PATID", "birth_date": "BIRTH_DATE", "sex": "SEX"},
            "encounter": {
                "encounter_id": "ENCOUNTERID",
                "patient_id": "PATID",
                "admit_date": "ADMIT_DATE",
                "discharge_date": "DISCHARGE_DATE",
                "encounter_type": "ENC_TYPE",
            },
        },
        "SEX and ENC_TYPE use PCORnet's value sets (F/M/UN…; AV/ED/EI/IP/TH…); RAW_* keep the "
        "site's own values. FACILITY_LOCATION is the facility's 5-digit ZIP code.",
    )


def fhir() -> Source:
    def patient(p: Person, rng: random.Random, keys: Keys) -> Row:
        return {
            "id": f"pat-{p.n:05d}",
            "identifier_value": f"MRN{rng.randrange(10**6, 10**7)}",
            "name_family": p.last,
            "name_given": p.first,
            "gender": {"F": "female", "M": "male", "U": "unknown"}[p.sex],
            "birthDate": _d(p.birth, "%Y-%m-%d"),
            "telecom_phone": p.phone,
            "telecom_email": p.email,
            "address_line": p.street,
            "address_city": p.city,
            "address_state": p.state,
            "address_postalCode": p.zip,
            "deceasedDateTime": _d(p.died, "%Y-%m-%dT00:00:00Z"),
        }

    def encounter(v: Visit, rng: random.Random, keys: Keys) -> Row:
        return {
            "id": f"enc-{v.n:06d}",
            "status": "finished",
            "class_code": {
                "outpatient": "AMB",
                "inpatient": "IMP",
                "emergency": "EMER",
                "telehealth": "VR",
            }[v.kind],
            "type_text": rng.choice(["Follow-up visit", "Consultation", "Annual wellness visit"]),
            "subject_reference": f"Patient/pat-{v.person.n:05d}",
            "period_start": _d(v.start, "%Y-%m-%dT%H:%M:%SZ"),
            "period_end": _d(v.end, "%Y-%m-%dT%H:%M:%SZ"),
            "reasonCode_code": v.dx.replace(".", "") if rng.random() < 0.5 else v.dx,
            "serviceProvider_reference": f"Organization/org-{v.n % 5}",
        }

    return Source(
        "fhir_r4",
        "HL7 FHIR-derived export",
        "HL7 FHIR R4 Patient and Encounter, flattened one column per element path "
        "(SQL on FHIR style)",
        [
            "https://hl7.org/fhir/R4/patient.html",
            "https://hl7.org/fhir/R4/encounter.html",
            "https://build.fhir.org/ig/FHIR/sql-on-fhir-v2/",
        ],
        [Table("patient", "patient", patient), Table("encounter", "encounter", encounter)],
        {
            "patient": {
                "patient_id": "id",
                "first_name": "name_given",
                "last_name": "name_family",
                "birth_date": "birthDate",
                "sex": "gender",
                "phone": "telecom_phone",
                "email": "telecom_email",
                "postal_code": "address_postalCode",
            },
            "encounter": {
                "encounter_id": "id",
                "patient_id": "subject_reference",
                "admit_date": "period_start",
                "discharge_date": "period_end",
                "encounter_type": "class_code",
                "diagnosis_code": "reasonCode_code",
            },
        },
        "Headers are FHIR element paths joined by `_`; references are `Patient/<id>`; "
        "Encounter.class uses HL7 v3 ActEncounterCode (AMB/IMP/EMER/VR).",
    )


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
