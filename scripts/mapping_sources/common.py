"""What every source of the evaluation set shares: synthetic people and visits, tables."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

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


def as_text(x: date | datetime | None, fmt: str) -> str:
    return x.strftime(fmt) if x else ""
