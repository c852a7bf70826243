"""Name similarity between a source column and a target field (and its synonyms).

Both names are split into words (``PatientID`` → ``patient id``, ``pt_last_nm`` → ``patient
last name``), common abbreviations are spelled out, and a leading word naming the entity
itself (``patient`` in a patients table or a patient model) may be dropped. The score is the
highest of rapidfuzz's ``token_sort_ratio`` over the words, ``ratio`` over the words run
together (``zip_code`` ≈ ``zipcode``), and 0.9 × ``token_set_ratio`` (one name's words inside
the other's: ``city_nm`` ≈ ``city``) when they share a word more telling than ``id``,
``code`` or ``date``; as a fraction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

ABBREVIATIONS = {
    "pt": "patient",
    "pat": "patient",
    "enc": "encounter",
    "nm": "name",
    "nme": "name",
    "fname": "first name",
    "lname": "last name",
    "dt": "date",
    "dte": "date",
    "dob": "birth date",
    "addr": "address",
    "cd": "code",
    "num": "number",
    "no": "number",
    "nbr": "number",
    "dx": "diagnosis",
    "typ": "type",
    "ins": "insurance",
    "tel": "phone",
    "amt": "amount",
    "qty": "quantity",
    "desc": "description",
    "disch": "discharge",
    "adm": "admit",
    "gndr": "gender",
    "eml": "email",
    "identifier": "id",
}
SUBSET_WEIGHT = 0.9  # all of one name's words inside the other's: "city name" ~ "city"
# Words too common to make two names alike on their own ("encounter id" is no "patient id").
GENERIC = frozenset({"id", "code", "date", "name", "number", "type", "amount", "flag", "value"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class NameMatch:
    score: float
    matched: str  # the target name or synonym that scored best


def words(name: str) -> tuple[str, ...]:
    """``PatientID`` → ``('patient', 'id')``; abbreviations spelled out."""
    spaced = _CAMEL.sub(" ", name).lower()
    out: list[str] = []
    for word in _SPLIT.split(spaced):
        if word:
            out.extend(ABBREVIATIONS.get(word, word).split())
    return tuple(out)


def entity_words(*names: str) -> frozenset[str]:
    """Words that name the entity itself: ``patients`` and ``patient`` → ``{patient}``."""
    found: set[str] = set()
    for name in names:
        for word in words(name):
            found.add(word)
            if word.endswith("s") and len(word) > 3:
                found.add(word[:-1])
    return frozenset(found)


def variants(name: str, entity: frozenset[str]) -> list[tuple[str, ...]]:
    """A name's words, and without a leading entity word (``pt_last_nm`` → ``last name``).

    Both sides get it: ``Id`` in a contacts table is the ``customer_id`` of a customer model.
    """
    full = words(name)
    out = [full]
    if len(full) > 1 and full[0] in entity:
        out.append(full[1:])
    return out


def name_score(column: str, targets: Sequence[str], entity: frozenset[str]) -> NameMatch:
    """How much ``column`` looks like the first of ``targets`` (the field) or its synonyms."""
    from rapidfuzz import fuzz

    best = NameMatch(0.0, targets[0] if targets else "")
    for target in targets:
        for have, wanted in product(variants(column, entity), variants(target, entity)):
            if have == wanted:
                return NameMatch(1.0, target)
            score = (
                max(
                    fuzz.token_sort_ratio(" ".join(have), " ".join(wanted)),
                    fuzz.ratio("".join(have), "".join(wanted)),
                    SUBSET_WEIGHT * fuzz.token_set_ratio(" ".join(have), " ".join(wanted))
                    if (set(have) & set(wanted)) - GENERIC
                    else 0,
                )
                / 100
            )
            if score > best.score:
                best = NameMatch(score, target)
    return best
