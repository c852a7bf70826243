"""Standard data models: OMOP CDM, PCORnet CDM, HL7 FHIR (flattened)."""

from __future__ import annotations

import random
import uuid

from mapping_sources.common import Keys, Person, Row, Source, Table, Visit, as_text

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
            "birth_datetime": as_text(p.birth, "%Y-%m-%d 00:00:00"),
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
            "visit_start_date": as_text(v.start, "%Y-%m-%d"),
            "visit_start_datetime": as_text(v.start, "%Y-%m-%d %H:%M:%S"),
            "visit_end_date": as_text(v.end, "%Y-%m-%d"),
            "visit_end_datetime": as_text(v.end, "%Y-%m-%d %H:%M:%S"),
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


def pcornet() -> Source:
    def demographic(p: Person, rng: random.Random, keys: Keys) -> Row:
        return {
            "PATID": f"PT{50000 + p.n}",
            "BIRTH_DATE": as_text(p.birth, "%Y-%m-%d"),
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
            "ADMIT_DATE": as_text(v.start, "%Y-%m-%d"),
            "ADMIT_TIME": as_text(v.start, "%H:%M"),
            "DISCHARGE_DATE": as_text(v.end, "%Y-%m-%d"),
            "DISCHARGE_TIME": as_text(v.end, "%H:%M"),
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
            "birthDate": as_text(p.birth, "%Y-%m-%d"),
            "telecom_phone": p.phone,
            "telecom_email": p.email,
            "address_line": p.street,
            "address_city": p.city,
            "address_state": p.state,
            "address_postalCode": p.zip,
            "deceasedDateTime": as_text(p.died, "%Y-%m-%dT00:00:00Z"),
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
            "period_start": as_text(v.start, "%Y-%m-%dT%H:%M:%SZ"),
            "period_end": as_text(v.end, "%Y-%m-%dT%H:%M:%SZ"),
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
