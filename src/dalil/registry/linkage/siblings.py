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
the share of record pairs with the same father and family name but another given name. Nothing here
is tuned per data set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PERSONAL", "adjust", "sibling_rate"]

# Comparisons that tell two children of one household apart; the others (father, grandfather,
# family, mother, place, event date) a household shares.
PERSONAL = ("given", "birth_date", "age", "sex")
_FLOOR = 1e-12


def _pairs(counts: pd.Series) -> float:
    c = counts.to_numpy(dtype=float)
    return float((c * (c - 1) / 2).sum())


def sibling_rate(features: pd.DataFrame) -> float:
    """Share of record pairs that are siblings: same father and family name (transliteration
    keys), another given name, beyond what unrelated people share by chance (names are common);
    among pairs where all three are known."""
    known = features[["given_tk", "father_tk", "family_tk"]].dropna()
    n = len(known)
    if n < 2:
        return _FLOOR
    household = _pairs(known.groupby(["father_tk", "family_tk"], sort=False).size())
    same_given = _pairs(known.groupby(["father_tk", "family_tk", "given_tk"], sort=False).size())
    observed = (household - same_given) / (n * (n - 1) / 2)
    chance = _agree("father_tk", known) * _agree("family_tk", known)
    chance *= 1 - _agree("given_tk", known)
    return float(min(max(observed - chance, _FLOOR), 0.5))


def _agree(column: str, frame: pd.DataFrame) -> float:
    """Probability that two random rows agree on ``column``."""
    shares = frame[column].value_counts(normalize=True).to_numpy(dtype=float)
    return float((shares**2).sum())


def adjust(evidence: np.ndarray, personal: np.ndarray, s: float) -> np.ndarray:
    """The evidence against the mixture of random others and siblings (see the module)."""
    s = min(max(s, _FLOOR), 0.5)
    out: np.ndarray = -np.logaddexp2(np.log2(1 - s) - evidence, np.log2(s) - personal)
    return out
