"""Claims files: CMS DE-SynPUF."""

from __future__ import annotations

import random

from mapping_sources.common import ICD9, Keys, Person, Row, Source, Table, Visit, as_text


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
            "BENE_BIRTH_DT": as_text(p.birth, "%Y%m%d"),
            "BENE_DEATH_DT": as_text(p.died, "%Y%m%d"),
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
            "CLM_FROM_DT": as_text(v.start, "%Y%m%d"),
            "CLM_THRU_DT": as_text(v.end, "%Y%m%d"),
            "PRVDR_NUM": f"{rng.randrange(10, 52):02d}{rng.randrange(0, 30):04d}",
            "CLM_PMT_AMT": float(rng.randrange(0, 20000, 10)),
            "NCH_PRMRY_PYR_CLM_PD_AMT": 0.0,
            "AT_PHYSN_NPI": 1003000000 + 7 * rng.randrange(0, 40),
            "OP_PHYSN_NPI": "",
            "OT_PHYSN_NPI": "",
            "CLM_ADMSN_DT": as_text(v.start, "%Y%m%d"),
            "ADMTNG_ICD9_DGNS_CD": rng.choice(ICD9),
            "CLM_PASS_THRU_PER_DIEM_AMT": 0.0,
            "NCH_BENE_IP_DDCTBL_AMT": 1068.0,
            "NCH_BENE_PTA_COINSRNC_LBLTY_AM": 0.0,
            "NCH_BENE_BLOOD_DDCTBL_LBLTY_AM": 0.0,
            "CLM_UTLZTN_DAY_CNT": max(1, (v.end - v.start).days),
            "NCH_BENE_DSCHRG_DT": as_text(v.end, "%Y%m%d"),
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
