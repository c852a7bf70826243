"""Name similarity between a source column and a target field (its name, synonyms, description).

A name becomes words: split at case changes and punctuation (``PatientID`` → ``patient id``),
abbreviations spelled out from the field's general vocabulary (``vocabulary.yaml``:
``pt_last_nm`` → ``patient last name``, ``hadm`` → ``hospital admission``), run-together words
split when every piece is a known word (``admittime`` → ``admit time``), and words that mean
the same reduced to one (``gender`` ≈ ``sex``, ``stop`` ≈ ``end``).

Two names are alike by the weight of the words they share: a telling word weighs 1, a common
one (``id``, ``code``, ``date``…) little, so one shared word of two is no match (``address`` is
not ``email address``) and ``encounter id`` is no ``patient id``. The model's own entity word may
be left out (``Id`` in a patients table is the ``patient_id``), but only that one: in a
``pat_enc`` table mapped onto encounters, ``PAT_ID`` stays the patient's id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml

GENERIC_WEIGHT = 0.35  # a shared common word ("id") counts this much
MISSING_GENERIC = 0.15  # a common word one name has and the other lacks costs this much
EXTRA_WORD = 0.5  # a telling word only the column has (a qualifier: "hospital", "claim")
OTHER_HEAD = 0.75  # an id whose last telling word names another thing ("visit provider id")
SYNONYM = 0.95  # a synonym counts a little less than the field's own name
JOINED_MIN = 0.92  # run-together spellings this alike count ("zipcode" ≈ "zip code")
STOP_WORDS = frozenset(
    {"a", "an", "the", "of", "or", "and", "to", "in", "on", "for", "by", "as", "at", "is"}
    | {"are", "be", "its", "it", "this", "that", "which", "with", "from", "one", "per", "each"}
    | {"when", "where", "while", "e", "g", "eg"}
)
TEMPORAL = frozenset({"date", "time", "datetime", "timestamp"})
TEMPORAL_WEIGHT = 0.25  # "admit time" for "admit date": a date, if not quite the word
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[a-zA-Z])(?=[0-9])")
_SPLIT = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, eq=False)
class Vocabulary:
    abbreviations: dict[str, tuple[str, ...]]
    canonical: dict[str, str]  # word → the first word of its group of equivalents
    generic: frozenset[str]

    @cached_property
    def full_words(self) -> frozenset[str]:
        """Words, not abbreviations: what an unknown abbreviation may stand for."""
        found = set(self.canonical) | set(self.generic)
        for expansion in self.abbreviations.values():
            found.update(expansion)
        return frozenset(w for w in found if len(w) >= 3)

    @cached_property
    def known(self) -> frozenset[str]:
        """Every word and abbreviation: what a run-together name may be split into."""
        found = set(self.canonical) | set(self.generic)
        for key, expansion in self.abbreviations.items():
            found.add(key)
            found.update(expansion)
        return frozenset(w for w in found if len(w) >= 2)


@cache
def vocabulary() -> Vocabulary:
    data: dict[str, Any] = yaml.safe_load(
        resources.files("missionkit.agents.data").joinpath("vocabulary.yaml").read_text("utf-8")
    )
    return make_vocabulary(data)


def make_vocabulary(data: dict[str, Any]) -> Vocabulary:
    canonical: dict[str, str] = {}
    for group in data.get("equivalents", []):
        for word in group:
            canonical.setdefault(str(word), str(group[0]))
    abbreviations = {
        str(k): tuple(str(v).split()) for k, v in (data.get("abbreviations") or {}).items()
    }
    generic = {canonical.get(str(w), str(w)) for w in data.get("generic", [])}
    return Vocabulary(abbreviations, canonical, frozenset(generic))


@dataclass(frozen=True)
class NameMatch:
    score: float
    matched: str  # the target name or synonym that scored best


def raw_words(name: str) -> list[str]:
    spaced = _CAMEL.sub(" ", name).lower()
    return [w for w in _SPLIT.split(spaced) if w]


@lru_cache(maxsize=65536)
def _segment(token: str, known: frozenset[str]) -> tuple[str, ...]:
    """``admittime`` → ``('admit', 'time')`` when every piece is known; else the token."""
    n = len(token)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(2, n + 1):
        for start in range(0, end - 1):
            piece = token[start:end]
            prefix = best[start]
            if prefix is None or piece not in known:
                continue
            candidate = (*prefix, piece)
            current = best[end]
            if current is None or len(candidate) < len(current):
                best[end] = candidate
    found = best[n]
    return found if found is not None and len(found) >= 2 else (token,)


@lru_cache(maxsize=65536)
def _skeleton(token: str, known: frozenset[str]) -> str:
    """An unknown abbreviation of one known word: ``clm`` → ``claim``, ``dschrg`` → ``discharge``.

    The token begins the word (``bene``, ``hosp``), or is its consonants in order from its
    first letter (``clm``, ``prvdr``); one that fits several words is left as it is.
    """
    if len(token) < 3 or not token.isalpha():
        return token
    words_ = [w for w in known if len(w) > len(token) and w[0] == token[0]]
    chosen = [w for w in words_ if w.startswith(token)]
    if not chosen and not set(token[1:]) & set("aeiouy"):
        chosen = [w for w in words_ if _in_order(token, w)]
    shortest = min(chosen, key=len, default=token)
    return shortest if chosen and all(w.startswith(shortest) for w in chosen) else token


def _in_order(token: str, word: str) -> bool:
    letters = iter(word)
    return all(ch in letters for ch in token)


def words(name: str, vocab: Vocabulary | None = None) -> tuple[str, ...]:
    """``PatientID`` → ``('patient', 'id')``: abbreviations spelled out, equivalents reduced."""
    return _words(name, vocab or vocabulary())


@lru_cache(maxsize=65536)
def _words(name: str, vocab: Vocabulary) -> tuple[str, ...]:
    known = vocab.known
    out: list[str] = []
    for token in raw_words(name):
        pieces = (token,) if token in known or token.isdigit() else _segment(token, known)
        if pieces == (token,) and token not in known:
            pieces = (_skeleton(token, vocab.full_words),)
        for piece in pieces:
            for word in vocab.abbreviations.get(piece, (piece,)):
                word = _canonical(word, vocab, known)
                if not out or out[-1] != word:
                    out.append(word)
    return tuple(out)


def _canonical(word: str, vocab: Vocabulary, known: frozenset[str]) -> str:
    if word not in known and len(word) > 3 and word.endswith("s") and word[:-1] in known:
        word = word[:-1]
    return vocab.canonical.get(word, word)


def entity_words(model: str, table: str, vocab: Vocabulary | None = None) -> frozenset[str]:
    """The model's own entity: its name and the last word of the table (``pat_enc`` → encounter)."""
    vocab = vocab or vocabulary()
    found = set(words(model, vocab))
    table_words = words(table, vocab)
    if table_words:
        found.add(table_words[-1])
    return frozenset(found)


def variants(name_words: tuple[str, ...], entity: frozenset[str]) -> list[tuple[str, ...]]:
    """The words, and without a leading entity word of the model (``patient id`` → ``id``)."""
    out = [name_words]
    if len(name_words) > 1 and name_words[0] in entity:
        out.append(name_words[1:])
    return out


def similarity(have: tuple[str, ...], wanted: tuple[str, ...], generic: frozenset[str]) -> float:
    """How alike two word lists are, by the weight of the words they share (0–1)."""
    if not have or not wanted:
        return 0.0
    if have == wanted:
        return 1.0
    a, b = set(have), set(wanted)
    shared = a & b
    matched = sum(GENERIC_WEIGHT if w in generic else 1.0 for w in shared)
    if a & TEMPORAL and b & TEMPORAL and not shared & TEMPORAL:
        matched += TEMPORAL_WEIGHT
        a, b = a - TEMPORAL, b - TEMPORAL
    if not shared - generic and (a - generic or b - generic) and (a - generic) != (b - generic):
        # only common words in common: "encounter id" vs "patient id"
        matched *= 0.5
    missing = sum(MISSING_GENERIC if w in generic else 1.0 for w in (b - a))
    missing += sum(MISSING_GENERIC if w in generic else EXTRA_WORD for w in (a - b))
    dice = 2 * matched / (2 * matched + missing) if matched else 0.0
    score = max(dice, _joined(have, wanted))
    return score * OTHER_HEAD if _other_head(have, wanted, generic) else score


def _other_head(have: tuple[str, ...], wanted: tuple[str, ...], generic: frozenset[str]) -> bool:
    """``visit provider id`` names a provider's id, not the visit's (``encounter id``)."""
    if not set(wanted) & generic or not set(have) & generic:
        return False
    heads = [w for w in have if w not in generic]
    head_wanted = [w for w in wanted if w not in generic]
    return bool(heads and head_wanted) and heads[-1] != head_wanted[-1] and head_wanted[-1] in heads


def _joined(have: tuple[str, ...], wanted: tuple[str, ...]) -> float:
    from rapidfuzz import fuzz

    a, b = "".join(have), "".join(wanted)
    if abs(len(a) - len(b)) > (1 - JOINED_MIN) * (len(a) + len(b)):
        return 0.0  # too different in length to reach JOINED_MIN
    score = fuzz.ratio(a, b) / 100
    return score if score >= JOINED_MIN else 0.0


def name_score(
    column: str,
    targets: Sequence[str],
    entity: frozenset[str],
    vocab: Vocabulary | None = None,
) -> NameMatch:
    """How much ``column`` looks like the first of ``targets`` (the field) or its synonyms."""
    vocab = vocab or vocabulary()
    best = NameMatch(0.0, targets[0] if targets else "")
    column_variants = variants(words(column, vocab), entity)
    for n, target in enumerate(targets):
        for wanted in variants(words(target, vocab), entity):
            for have in column_variants:
                score = similarity(have, wanted, vocab.generic) * (SYNONYM if n else 1.0)
                if score > best.score:
                    best = NameMatch(score, target)
                if score >= 1.0:
                    return best
    return best


def description_words(text: str, vocab: Vocabulary | None = None) -> frozenset[str]:
    vocab = vocab or vocabulary()
    return frozenset(w for w in words(text, vocab) if w not in STOP_WORDS and not w.isdigit())


def description_score(
    column: str,
    described: frozenset[str],
    entity: frozenset[str],
    named: frozenset[str] = frozenset(),
    vocab: Vocabulary | None = None,
) -> float:
    """The share of the column's telling words (beyond the ``named`` ones) the description uses."""
    vocab = vocab or vocabulary()
    telling = {
        w for w in words(column, vocab) if w not in vocab.generic and w not in entity | named
    }
    if not telling:
        return 0.0
    return len(telling & described) / len(telling)
