"""Simulated populations with known size, for testing estimators and planning studies.

A population of N people falls into latent groups (e.g. 30 % often documented, 70 % rarely);
within a group each list documents each person independently with its own probability. The
capture table of those documented is what an estimator sees; N is what it should recover.
Used by the tests and ``bench/bench_estimation.py``; never by an estimate of real data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dalil.errors import InvalidInput
from dalil.estimation.captures import CaptureTable, default_names


def simulate(
    total: int,
    shares: Sequence[float],
    probabilities: Sequence[Sequence[float]],
    rng: np.random.Generator,
    lists: Sequence[str] | None = None,
) -> CaptureTable:
    """Capture table of a population of ``total`` people.

    ``shares[g]`` is group g's share of the population; ``probabilities[g][j]`` the chance that
    list j documents a member of group g.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    weights = np.asarray(shares, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] != len(weights) or p.shape[1] < 2:
        raise InvalidInput("probabilities", "one row per group, one column per list (≥ 2)")
    if np.any((p < 0) | (p > 1)) or np.any(weights < 0) or not np.isclose(weights.sum(), 1):
        raise InvalidInput("probabilities", "probabilities in [0, 1], shares summing to 1")
    sizes = rng.multinomial(total, weights)
    group = np.repeat(np.arange(len(weights)), sizes)
    listed = rng.random((total, p.shape[1])) < p[group]
    codes = listed @ (1 << np.arange(p.shape[1])[::-1])
    found = np.bincount(codes, minlength=1 << p.shape[1])
    size = p.shape[1]
    counts = {format(code, f"0{size}b"): int(c) for code, c in enumerate(found) if code and c}
    return CaptureTable(tuple(lists) if lists is not None else default_names(size), counts)


# The benchmark's population: 30 % of people are often documented, 70 % rarely, and every list
# has its own rates (as a human-rights group, a morgue and a news monitor would).
HETEROGENEOUS_SHARES = (0.3, 0.7)
HETEROGENEOUS_PROBABILITIES = (
    (0.45, 0.35, 0.40, 0.30, 0.50),
    (0.15, 0.10, 0.20, 0.12, 0.08),
)
