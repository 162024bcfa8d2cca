"""Rivals: a pair's probability given the other records each of its two records could be.

The model scores each pair alone (Fellegi–Sunter: the pair's fields, and a prior for its kind of
pair). But a list names a person once, as a rule: a record of list A is one person with at most
one record of list B. So whether ``r`` (of A) and ``s`` (of B) are one person also depends on
``r``'s other candidates in B: if another record of B is a far better match for ``r``, ``s`` is
less likely to be; if ``r`` has no other candidate in B at all, ``s`` is more likely to be than
the pair alone says, since a share of A's people are on B and ``r``'s match there, if any, can
only be ``s``.

The bipartite model says how much (Sadinle 2017, "Bayesian estimation of bipartite matchings
for record linkage", JASA). Say ``r`` has a match in B with chance ``π`` (the share of A's
records whose person is on B), equally likely any of B's records. Then, with ``o_k`` the
pairwise odds of ``r`` and each of its candidates ``k`` in B (the model's, whose prior is B's
share of matches per pair, ``π / |B|``)::

    P(r and s are one person) = o_s / ((1 - π) + Σ_k o_k)

Records that are not candidates contribute nothing (blocking finds no agreement between them).
A pair whose record has a likelier candidate falls. The same holds from ``s``'s side (its
candidates in A, ``π'`` of B in A); the pair's probability is the mean of the two.

When ``s`` has no candidate in A but ``r``, "``r`` is not ``s``'s person" also means that ``s``
has no match in A (its other records there do not agree with it at all), which has prior
``1 - π'``: from ``r``'s side the "no match" term is then ``(1 - π)(1 - π')``. So a pair of two
records that are each other's only candidate rises by ``1 / ((1 - π)(1 - π'))`` in odds, as the
joint matching model has it; with ``π`` near one half, four times. (The joint model's
probabilities for every pair, by belief propagation over the matching, were measured and ranked
the pairs worse: a pair whose model prefers the wrong rival sinks to nothing. The mean of the
sides with the partner's share when it is alone ranked best; docs/benchmarks.md, session 15.)

Pairs of one list keep the model's probability: whether a list names a person more than once is
what such a pair asks, and where lists do (FEBRL3, one list with up to nine records of a
person) the rule "at most one match" lowers true pairs: weighed too, FEBRL3's F1 fell from 0.973
to 0.953. A rival that is likely the pair's other record's own person (two records of one person
in one list, their pair at :data:`KINDRED_FLOOR` or more) counts only by its chance of not being
so.

``π`` for each ordered pair of lists is the expected number of its records with a match in the
other, by the model's probabilities, over its records (on the synthetic lists within 0.04 of
the truth's shares). Measured there (docs/benchmarks.md, sessions 14 and 15): at 200,000
records the pairs of two lists taken at 0.5 hold 139,708 true and 3,801 false matches, where
the model's own probabilities gave 138,261 and 6,087; the log loss against the truth falls
from 0.107 to 0.080.

Incremental runs score only the pairs with a new record: a record's candidates are all there
when the record is new, or when every record of the list the candidates come from is new. A
side whose candidates are not all there is left out of the mean (and of ``π``): the other side
(a new record's) always has its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["KINDRED_FLOOR", "MAX_SHARE", "Rivals", "rivals"]

MAX_SHARE = 0.99  # a list's share with a match in another, at most (1 - π stays above 0)
KINDRED_FLOOR = 0.02  # pairs of one list below this are not taken as one person's two records
_EPS = 1e-12


@dataclass(frozen=True)
class Rivals:
    """Each pair's adjustment (bits added to its match weight); whether the pair's two records
    are each other's only candidate (``alone``: both sides weighed); and, per ordered pair of
    lists (by list code), the share of the first's records with a match in the second
    (``π``)."""

    adjustment: np.ndarray
    shares: np.ndarray
    alone: np.ndarray

    def as_json(self, names: Sequence[str] = ()) -> dict[str, object]:
        """For the calibration: the shares by pair of lists (``names``: each list code's label,
        the list's id; by code where not given) and how many pairs rose and fell."""
        n_lists = len(self.shares)
        adj = self.adjustment
        label = [names[i] if i < len(names) else str(i) for i in range(n_lists)]
        return {
            "method": "bipartite: a pair's odds over each record's other candidates in the "
            "other's list and its list's share without a match there (and the other record's "
            "list's, when the other record has no other candidate); the mean of both sides",
            "shares_with_a_match": {
                f"{label[i]} in {label[j]}": round(float(self.shares[i, j]), 4)
                for i in range(n_lists)
                for j in range(n_lists)
            },
            "pairs_raised": int((adj > 0).sum()),
            "pairs_lowered": int((adj < 0).sum()),
        }


def rivals(
    a: np.ndarray,
    b: np.ndarray,
    probability: np.ndarray,
    lists: np.ndarray,
    new: np.ndarray | None = None,
) -> Rivals:
    """The adjustment of each pair ``a[i]``-``b[i]`` (record codes into ``lists``, the list code
    of each record, ``0 .. L-1``) with the model's ``probability``. ``new`` (bool per record) marks
    an incremental run's new records; None: every record's candidates are all here."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    lists = np.asarray(lists, dtype=np.int64)
    n_lists = int(lists.max()) + 1 if len(lists) else 1
    shares = np.zeros((n_lists, n_lists))
    if not len(a):
        return Rivals(np.zeros(0), shares, np.zeros(0, dtype=bool))
    p = np.clip(np.asarray(probability, dtype=float), _EPS, 1 - _EPS)
    odds = p / (1 - p)
    la, lb = lists[a], lists[b]
    size = np.bincount(lists, minlength=n_lists).astype(float)
    if new is None:
        whole = np.ones(n_lists, dtype=bool)
        a_done = b_done = np.ones(len(a), dtype=bool)
        fresh = size
    else:
        new = np.asarray(new, dtype=bool)
        fresh = np.bincount(lists[new], minlength=n_lists).astype(float)
        whole = fresh == size  # every record of the list is new
        a_done = new[a] | whole[lb]  # a's candidates in b's list are all here
        b_done = new[b] | whole[la]
    # Each side: (record, the other's list) -> the sum of the record's odds with its candidates.
    side_a = a * n_lists + lb
    side_b = b * n_lists + la
    total = np.bincount(
        np.concatenate([side_a, side_b]),
        weights=np.concatenate([odds, odds]),
        minlength=len(lists) * n_lists,
    )
    # pi: of the records whose candidates in the other list are all here, the expected share
    # with a match there.
    expected = np.zeros((n_lists, n_lists))
    np.add.at(expected, (la[a_done], lb[a_done]), p[a_done])
    np.add.at(expected, (lb[b_done], la[b_done]), p[b_done])
    counted = np.where(whole[None, :], size[:, None], fresh[:, None])
    shares = np.clip(np.divide(expected, counted, out=np.zeros_like(expected), where=counted > 0),
                     0.0, MAX_SHARE)  # fmt: skip
    # A rival that is likely the same person as the pair's other record (two records of one
    # person in one list) is not a rival: its odds count less by that likelihood.
    kept_a, kept_b = _kindred(a, b, p, odds, lists)
    # A side's "no match": its record's list's share without one, and, when the pair's other
    # record has no other candidate (all of whose candidates are here), that record's too.
    count = np.bincount(np.concatenate([side_a, side_b]), minlength=len(lists) * n_lists)
    alone_a = (count[side_a] == 1) & a_done  # a's only candidate in b's list is b
    alone_b = (count[side_b] == 1) & b_done
    none_a = (1 - shares[la, lb]) * np.where(alone_b, 1 - shares[lb, la], 1.0)
    none_b = (1 - shares[lb, la]) * np.where(alone_a, 1 - shares[la, lb], 1.0)
    q_a = odds / (none_a + total[side_a] - kept_a)
    q_b = odds / (none_b + total[side_b] - kept_b)
    sides = a_done.astype(float) + b_done.astype(float)
    q = (np.where(a_done, q_a, 0.0) + np.where(b_done, q_b, 0.0)) / np.maximum(sides, 1.0)
    # Pairs of one list, and pairs with no side whose candidates are all here, keep the model's.
    q = np.where((sides > 0) & (la != lb), np.clip(q, _EPS, 1 - _EPS), p)
    adjustment: np.ndarray = np.log2(q / (1 - q)) - np.log2(odds)
    return Rivals(adjustment, shares, alone_a & alone_b & (la != lb))


def _kindred(
    a: np.ndarray, b: np.ndarray, p: np.ndarray, odds: np.ndarray, lists: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each pair, from each side: the odds of the side's rivals that are likely its
    partner's own person, each times that likelihood. For the pair x-s, a rival k of x in s's
    list counts ``odds(x, k) * p(s, k)``, where s-k is a pair of one list at ``KINDRED_FLOOR`` or
    more (an in-list duplicate, likely or not); so only the pairs of such duplicates' neighbours
    are joined, not every pair with every other."""
    n_pairs = len(a)
    within = (lists[a] == lists[b]) & (p >= KINDRED_FLOOR)
    out = (np.zeros(n_pairs), np.zeros(n_pairs))
    if not within.any():
        return out
    # s-k both ways.
    dup_s = np.concatenate([a[within], b[within]])
    dup_k = np.concatenate([b[within], a[within]])
    dup_p = np.concatenate([p[within], p[within]])
    span = int(max(a.max(), b.max())) + 1
    key = np.minimum(a, b) * span + np.maximum(a, b)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    for side, (x, s) in enumerate(((a, b), (b, a))):
        # The pairs (x, s) whose s has a likely duplicate k; then whether x-k was scored.
        touched = np.flatnonzero(np.isin(s, dup_s))
        if not len(touched):
            continue
        halves = pd.DataFrame({"pair": touched, "x": x[touched], "s": s[touched]})
        joined = halves.merge(pd.DataFrame({"s": dup_s, "k": dup_k, "psk": dup_p}), on="s")
        jx, jk = joined["x"].to_numpy(), joined["k"].to_numpy()
        wanted = np.minimum(jx, jk) * span + np.maximum(jx, jk)
        at = np.minimum(np.searchsorted(sorted_key, wanted), n_pairs - 1)
        found = (sorted_key[at] == wanted) & (jx != jk)
        weight = odds[order[at]] * joined["psk"].to_numpy()
        out[side][:] = np.bincount(
            joined["pair"].to_numpy()[found], weights=weight[found], minlength=n_pairs
        )
    return out
