"""EHR exports: Synthea's CSV export and Epic's EHI export (Clarity tables)."""

from __future__ import annotations

import random
import uuid

from mapping_sources.common import Keys, Person, Row, Source, Table, Visit, as_text


def synthea() -> Source:
    def patient(p: Person, rng: random.Random, keys: Keys) -> Row:
        return {
            "Id": str(uuid.UUID(int=rng.getrandbits(128))),
            "BIRTHDATE": as_text(p.birth, "%Y-%m-%d"),
            "DEATHDATE": as_text(p.died, "%Y-%m-%d"),
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
            "START": as_text(v.start, "%Y-%m-%dT%H:%M:%SZ"),
            "STOP": as_text(v.end, "%Y-%m-%dT%H:%M:%SZ"),
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


def epic() -> Source:
    def patient(p: Person, rng: random.Random, keys: Keys) -> Row:
        return {
            "PAT_ID": f"Z{1000 + p.n * 7}",
            "PAT_NAME": f"{p.last.upper()},{p.first.upper()}",
            "PAT_FIRST_NAME": p.first.upper(),
            "PAT_MIDDLE_NAME": p.middle.upper(),
            "PAT_LAST_NAME": p.last.upper(),
            "PAT_MRN_ID": f"{rng.randrange(10**8, 10**9)}",
            "BIRTH_DATE": as_text(p.birth, "%-m/%-d/%Y 12:00:00 AM"),
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
            "DEATH_DATE": as_text(p.died, "%-m/%-d/%Y 12:00:00 AM"),
        }

    def pat_enc(v: Visit, rng: random.Random, keys: Keys) -> Row:
        hospital = v.kind in ("inpatient", "emergency")
        return {
            "PAT_ID": f"Z{1000 + v.person.n * 7}",
            "PAT_ENC_DATE_REAL": 60000 + v.n + 0.01 * (v.n % 3),
            "PAT_ENC_CSN_ID": 720000000 + v.n * 11,
            "CONTACT_DATE": as_text(v.start, "%-m/%-d/%Y 12:00:00 AM"),
            "ENC_TYPE_C_NAME": {
                "outpatient": "Office Visit",
                "inpatient": "Hospital Encounter",
                "emergency": "Hospital Encounter",
                "telehealth": "Telemedicine",
            }[v.kind],
            "VISIT_PROV_ID": f"E{1000 + 37 * rng.randrange(0, 25)}",
            "DEPARTMENT_ID": 101000000 + v.n % 17,
            "HOSP_ADMSN_TIME": as_text(v.start, "%-m/%-d/%Y %-I:%M:00 %p") if hospital else "",
            "HOSP_DISCHRG_TIME": as_text(v.end, "%-m/%-d/%Y %-I:%M:00 %p") if hospital else "",
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
