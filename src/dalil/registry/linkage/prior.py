"""The prior: how likely two records are to be one person before their fields are compared.

Two records of one list are far less often one person than two records of two lists. A list
rarely names a person twice (in-list duplicates are a few per cent of its records), while the
lists of one case document many of the same people. One prior for every pair is too high for
pairs within a list and too low for pairs across lists: at a million synthetic records, with
one prior, pairs within a list predicted at 0.01–0.8 were matches 2–4 times less often than
predicted (in odds), and pairs across lists 1.5–2.5 times more often.

So pairs are of two *kinds*, within a list and across lists, and each kind has its own prior,
estimated the same way as one would be: the maximum-likelihood fixed point given every scored
pair's evidence (m and u fixed), ``prior = expected matches / pairs of that kind``. A kind with
few pairs (a list of a dozen records) would get a noisy estimate, so each kind's estimate is
drawn towards the prior of all pairs by ``SHRINK_MATCHES`` pseudo-matches (a beta prior centred
on it); with thousands of expected matches in a kind this changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "ACROSS",
    "KINDS",
    "SHRINK_MATCHES",
    "WITHIN",
    "PairKinds",
    "Priors",
    "fixed_point_prior",
    "fixed_point_priors",
]

WITHIN, ACROSS = 0, 1
KINDS = ("within_list", "across_lists")
SHRINK_MATCHES = 5.0
_LOW, _HIGH = 1e-12, 0.5


@dataclass(frozen=True)
class PairKinds:
    """Which list each record (by its code) is in, and how many pairs of each kind there are."""

    lists: np.ndarray  # list code per record code
    pairs: np.ndarray  # float: pairs within a list, pairs across lists
    names: tuple[str, ...] = ()  # each list code's label (the list's id), when known

    @classmethod
    def of(cls, lists: np.ndarray) -> PairKinds:
        """From the list of each record, in the records' code order (any labels)."""
        # By hashing (pandas), not sorting: a million list ids as Python strings took 1.6 s
        # to sort.
        codes, labels = pd.factorize(lists, use_na_sentinel=False)
        sizes = np.bincount(codes)
        n = float(len(codes))
        within = float((sizes.astype(float) * (sizes - 1) / 2).sum())
        pairs = np.array([within, n * (n - 1) / 2 - within])
        return cls(codes.astype(np.int32), pairs, tuple(str(x) for x in labels))

    def kind(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``WITHIN`` or ``ACROSS`` for each pair of record codes."""
        out: np.ndarray = (self.lists[a] != self.lists[b]).astype(np.int8)
        return out

    def partners(self) -> np.ndarray:
        """Per record, on average, how many other records are of each kind of pair with it."""
        n = len(self.lists)
        out: np.ndarray = 2 * self.pairs / max(n, 1)
        return out


@dataclass(frozen=True)
class Priors:
    """The prior of all pairs (``pooled``) and of each kind (``by_kind``, indexed by kind)."""

    pooled: float
    by_kind: np.ndarray

    def weights(self) -> np.ndarray:
        """Each kind's prior as a match weight, log2 of its odds."""
        out: np.ndarray = np.log2(self.by_kind / (1 - self.by_kind))
        return out

    def as_json(self) -> dict[str, float]:
        """Each kind's prior, by its name."""
        return {name: float(self.by_kind[k]) for k, name in enumerate(KINDS)}

    def per_record(self, kinds: PairKinds) -> dict[str, float]:
        """Expected matches per record of each kind: what a saved model keeps, since it stays
        constant when records are added (a prior falls as the pairs grow)."""
        partners = kinds.partners()
        return {name: float(self.by_kind[k] * partners[k]) for k, name in enumerate(KINDS)}

    @classmethod
    def rescaled(cls, per_record: dict[str, float], pooled: float, kinds: PairKinds) -> Priors:
        """The priors for ``kinds``' records from a saved model's matches per record; a kind
        no record here pairs in keeps ``pooled``."""
        partners = kinds.partners()
        by_kind = np.array(
            [
                per_record[name] / partners[k] if partners[k] > 0 else pooled
                for k, name in enumerate(KINDS)
            ]
        )
        return cls(pooled, np.clip(by_kind, _LOW, _HIGH))


def fixed_point_prior(
    evidence: np.ndarray, total_pairs: float, start: float, max_iter: int = 500
) -> tuple[float, int]:
    """Maximum-likelihood prior given each candidate pair's evidence (log2 Bayes factor)."""
    lam = min(max(start, _LOW), _HIGH)
    bf = np.exp2(np.clip(evidence, -300, 300))
    for i in range(1, max_iter + 1):
        p = lam * bf / (lam * bf + 1 - lam)
        new = float(min(max(p.sum() / total_pairs, _LOW), _HIGH))
        if abs(new - lam) <= 1e-6 * lam:
            return new, i
        lam = new
    return lam, max_iter


def fixed_point_priors(
    evidence: np.ndarray, kind: np.ndarray, pairs: np.ndarray, pooled: float, max_iter: int = 500
) -> tuple[np.ndarray, int]:
    """The prior of each kind of pair (indexed by ``kind``; ``pairs`` of each kind in all),
    each drawn towards ``pooled`` (the prior of all pairs) by ``SHRINK_MATCHES``: ``(expected
    matches + a) / (pairs + a / pooled)``. A kind with no pairs keeps ``pooled``."""
    pooled = min(max(pooled, _LOW), _HIGH)
    k = len(pairs)
    lam = np.full(k, pooled)
    bf = np.exp2(np.clip(evidence, -300, 300))
    pseudo = SHRINK_MATCHES / pooled
    for i in range(1, max_iter + 1):
        prior = lam[kind]
        expected = np.bincount(kind, weights=prior * bf / (prior * bf + 1 - prior), minlength=k)
        new = np.where(pairs > 0, (expected + SHRINK_MATCHES) / (pairs + pseudo), pooled)
        new = np.clip(new, _LOW, _HIGH)
        if np.all(np.abs(new - lam) <= 1e-6 * lam):
            return new, i
        lam = new
    return lam, max_iter
