"""Siblings: the non-matches that agree on everything a household shares.

Fellegi–Sunter adds each comparison's evidence as if the fields were independent. Among relatives
they are not: two brothers agree on father, grandfather, family name, mother, place and often the
date they were taken, and that agreement is worth 30 bits or more against a random non-match, far
more than a different given name takes away. Read naively, every household becomes one person.

So a non-match is a mixture: a random other person (share ``1 - s``) or a sibling (share ``s``). A
sibling agrees on the household's fields as the same person would, so against a sibling only the
*personal* fields (given name, birth date, age, sex) are evidence. With ``E`` the pair's whole
evidence and ``P`` its personal evidence (log2 Bayes factors)::

    1 / BF = (1 - s) / 2^E + s / 2^P        evidence = -log2((1 - s) 2^-E + s 2^-P)

Pairs that disagree on the household fields keep their evidence (the first term dominates); pairs
that agree on them are judged by what tells two siblings apart. ``s`` is estimated from the data:
the share of record pairs that agree on the household's names (father and family, and grandfather
and mother where the records give them) with another given name, beyond chance, corrected for the
siblings that such agreement misses (:func:`sibling_rate`). Nothing here is tuned per data set.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "HOUSEHOLD_FIELDS",
    "PERSONAL",
    "HouseholdCount",
    "adjust",
    "basis",
    "household_counts",
    "sibling_rate",
]

# Comparisons that tell two children of one household apart; the others (father, grandfather,
# family, mother, place, event date) a household shares.
PERSONAL = ("given", "birth_date", "age", "sex")
_FLOOR = 1e-12


def _pairs(counts: pd.Series) -> float:
    c = counts.to_numpy(dtype=float)
    return float((c * (c - 1) / 2).sum())


# The household's name fields a sibling estimate may ask to agree, most first. Asking more of
# them makes chance agreement rarer, and chance is what the estimate takes away: with father
# and family name alone, chance was 99 % of what agreed at a million synthetic records, and
# the small remainder was mostly not siblings (unrelated households agree on the pair of names
# a little more often than the product of their shares says, by an amount of the order of the
# sibling share itself). That estimate was 1.6 times the true share at a million records and
# 13 times at five million; asking grandfather and mother too, within 15 % at 200,000, a
# million and five million.
HOUSEHOLD_FIELDS: tuple[tuple[str, ...], ...] = (
    ("father", "family", "grandfather", "mother"),
    ("father", "family", "grandfather"),
    ("father", "family", "mother"),
    ("father", "family"),
)
# A set of fields is used when the pairs agreeing on it beyond chance are at least this many
# and clearly more than chance's own scatter (three standard deviations of a Poisson count).
MIN_EXCESS = 100.0


@dataclass(frozen=True)
class HouseholdCount:
    """Pairs of records (with a given name and every one of ``fields``) that agree on every
    field with another given name (``observed``), and how many would by chance."""

    fields: tuple[str, ...]
    pairs: float
    observed: float
    chance: float
    same_given: float  # how often two records' given names agree by chance

    @property
    def excess(self) -> float:
        return self.observed - self.chance

    def clear(self) -> bool:
        return self.excess >= max(MIN_EXCESS, 3 * math.sqrt(max(self.observed, 1.0)))


def household_counts(features: pd.DataFrame) -> list[HouseholdCount]:
    """:class:`HouseholdCount` for each set of ``HOUSEHOLD_FIELDS`` (transliteration keys)."""
    out = []
    for fields in HOUSEHOLD_FIELDS:
        keys = [f"{f}_tk" for f in fields]
        if any(k not in features.columns for k in keys):
            continue
        known = features[["given_tk", *keys]].dropna()
        n = len(known)
        if n < 2:
            continue
        household = _pairs(known.groupby(keys, sort=False).size())
        same_given = _pairs(known.groupby([*keys, "given_tk"], sort=False).size())
        given = _agree("given_tk", known)
        chance = math.prod(_agree(k, known) for k in keys) * (1 - given)
        total = n * (n - 1) / 2
        out.append(HouseholdCount(fields, total, household - same_given, chance * total, given))
    return out


def basis(counts: Sequence[HouseholdCount]) -> HouseholdCount | None:
    """The count a sibling rate is read from: the most fields with a clear count, else the
    fewest (father and family)."""
    usable = [c for c in counts if c.pairs > 0]
    return next((c for c in usable if c.clear()), usable[-1]) if usable else None


def sibling_rate(
    features: pd.DataFrame | Sequence[HouseholdCount],
    agreement: Mapping[str, float] | None = None,
) -> float:
    """Share of record pairs that are siblings (another person of the household).

    Siblings are counted as the pairs that agree on the household's name fields, with another
    given name, beyond what unrelated people share by chance (names are common), using the
    most fields that give a clear count (``HOUSEHOLD_FIELDS``). Not every pair of siblings is
    counted that way: the count is divided by how often two records of one person agree on
    each field's key (``agreement``, from the trained model's m; 1 where not given) and by how
    often two siblings have different given names (as often as two strangers)."""
    counts = household_counts(features) if isinstance(features, pd.DataFrame) else features
    chosen = basis(counts)
    if chosen is None:
        return _FLOOR
    agree = agreement or {}
    seen = math.prod(min(max(agree.get(f, 1.0), 0.05), 1.0) for f in chosen.fields)
    rate = chosen.excess / chosen.pairs / seen / (1 - min(chosen.same_given, 0.9))
    return float(min(max(rate, _FLOOR), 0.5))


def _agree(column: str, frame: pd.DataFrame) -> float:
    """Probability that two random rows agree on ``column``."""
    shares = frame[column].value_counts(normalize=True).to_numpy(dtype=float)
    return float((shares**2).sum())


def adjust(evidence: np.ndarray, personal: np.ndarray, s: float) -> np.ndarray:
    """The evidence against the mixture of random others and siblings (see the module)."""
    s = min(max(s, _FLOOR), 0.5)
    out: np.ndarray = -np.logaddexp2(np.log2(1 - s) - evidence, np.log2(s) - personal)
    return out
