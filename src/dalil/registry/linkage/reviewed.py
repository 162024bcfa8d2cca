"""What a case's reviewers teach: how likely an uncertain pair is to be one person, learned from
their decisions.

The model's probability is honest over all scored pairs but not over the uncertain ones, because
the records around a pair say more than the pair does. On the synthetic lists (200,000 records,
docs/benchmarks.md, session 13), pairs at 0.35-0.5 whose two records matched nothing else were one
person three times in four; pairs whose records each had a match elsewhere, one of them in the
other's list, fewer than one in five. Those patterns belong to a case's lists, not to a constant,
so they are learned per case from its reviewers' *same* / *different* decisions: a logistic
regression of *same* on :data:`FEATURES`,

- the model's log odds for the pair;
- whether the two records come from one list;
- whether one or both of them match a third record (probability >= 0.5);
- whether one matches a record of the other's list (joining them would put two records of one
  list in one person);
- whether they match a common third record.

The features read only the model's scores: never a decision, never a clustering, so a decided
pair is described as the reviewer found it. The fit is drawn towards the model itself (weight 1
on the log odds, 0 elsewhere) so that a few decisions move it little, and none is made before the
case has :data:`MIN_EACH` decisions of each kind. The review queue asks first for the
decisions likeliest to change the registry by it (:mod:`dalil.registry.review`).

It once also decided the undecided pairs of the review band in the clustering (session 13). Once
the engine weighed each record's other candidates (:mod:`.rivals`, session 14), that made the
count swing from round to round of review (200,000 synthetic records: F1 0.957, 0.936, 0.963
after 500, 1,000 and 1,500 decisions), even where only pairs near the decided ones took it;
without it F1 rose every round (0.961, 0.963, 0.966) with the count at +1.9 to +2.0 %. The queue
asks about a narrow range of probabilities at a time, and a fit there does not carry across the
band; it was taken out (docs/benchmarks.md, session 14).

Ids may be any hashable (the engine's integer codes, the registry's record ids); ``lists`` maps
each id to its list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

MIN_EACH = 20  # decisions of each kind (same, different) before anything is learned
RIDGE = 1.0  # strength of the pull towards the model's own probability
MATCH = 0.5  # a third record "matches" at the engine's decision probability
FEATURES = (
    "intercept",
    "log odds",
    "one list",
    "one has another match",
    "both have another match",
    "one matches in the other's list",
    "a common match",
)
PRIOR = np.array([0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0])  # the model's probability, as it is
_CLIP = 12.0  # log odds beyond this say nothing more (and probabilities 0 and 1 stay finite)


@dataclass(frozen=True)
class Learned:
    """Weights over :data:`FEATURES`, and the decisions they were learned from."""

    weights: tuple[float, ...]
    same: int
    different: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "learned_from": {"same": self.same, "different": self.different},
            "weights": dict(zip(FEATURES, (round(w, 3) for w in self.weights), strict=True)),
        }

    def chance_same(self, features: np.ndarray) -> np.ndarray:
        """P(same) for each row of :func:`describe`'s features (NaN rows stay NaN)."""
        return _sigmoid(features @ np.array(self.weights))


Lists = Mapping[Any, Any] | np.ndarray  # id -> list; an array when ids are codes 0..n-1


class PairContext:
    """A run's scored pairs (``a``, ``b``, ``p``: each pair once, in either order) and each
    record's list, ready to describe any pair among them: built once for all the pairs a
    learning or a queue asks about. Records and lists are numbered once, so that every join
    below is on integers (on the registry's string ids a queue of 200,000 records took seconds)."""

    def __init__(self, scored: pd.DataFrame, lists: Lists) -> None:
        scored = scored[["a", "b", "p"]].dropna(subset=["p"])
        ends = np.concatenate([scored["a"].to_numpy(), scored["b"].to_numpy()])
        self._ids = pd.Index(pd.unique(ends))
        a = self._ids.get_indexer(scored["a"])
        b = self._ids.get_indexer(scored["b"])
        p = scored["p"].to_numpy(dtype=float)
        self._n = max(len(self._ids), 1)
        keys = np.concatenate([a * self._n + b, b * self._n + a])
        self._p = pd.Series(np.concatenate([p, p]), index=keys)
        self._p = self._p[~self._p.index.duplicated()]
        strong = p >= MATCH
        x = np.concatenate([a[strong], b[strong]])
        y = np.concatenate([b[strong], a[strong]])
        self._strong = pd.DataFrame({"x": x, "y": y})
        names = _lists(lists)(pd.Series(self._ids, dtype=object))
        self._list, _ = pd.factorize(pd.Series(names, dtype=object), use_na_sentinel=True)
        self._lists = max(int(self._list.max(initial=-1)) + 1, 1)
        self._degree = np.bincount(x, minlength=len(self._ids))
        listed = self._list[y] >= 0
        self._per_list = pd.Series(x[listed] * self._lists + self._list[y[listed]]).value_counts()

    def describe(self, pairs: pd.DataFrame) -> np.ndarray:
        """The features of ``pairs`` (columns ``a``, ``b``), one row per pair in order; a pair
        that is not scored (or has no probability) gets a row of NaN."""
        a = self._ids.get_indexer(pairs["a"])
        b = self._ids.get_indexer(pairs["b"])
        known = (a >= 0) & (b >= 0)
        if not known.any():
            return np.full((len(a), len(FEATURES)), np.nan)
        p = np.full(len(a), np.nan)
        p[known] = self._p.reindex(a[known] * self._n + b[known]).to_numpy(dtype=float)
        a, b = np.where(known, a, 0), np.where(known, b, 0)  # rows not known are NaN below
        list_a, list_b = self._list[a], self._list[b]
        itself = (p >= MATCH).astype(int)  # a strong pair counts itself among its matches
        others_a = self._degree[a] - itself
        others_b = self._degree[b] - itself
        in_b_list = self._count(a, list_b) - itself
        in_a_list = self._count(b, list_a) - itself
        has = (others_a > 0).astype(int) + (others_b > 0).astype(int)
        out = np.column_stack(
            [
                np.ones(len(a)),
                _log_odds(p),
                (list_a == list_b) & (list_a >= 0),
                has == 1,
                has == 2,
                (in_b_list > 0) | (in_a_list > 0),
                _common(a, b, self._strong),
            ]
        ).astype(float)
        out[np.isnan(p)] = np.nan
        return out

    def _count(self, record: np.ndarray, list_: np.ndarray) -> np.ndarray:
        """How many of each record's matches are in the given list (0 for an unknown list)."""
        found = self._per_list.reindex(record * self._lists + list_).fillna(0).to_numpy()
        return np.where(list_ >= 0, found, 0).astype(float)


def enough(same: int, different: int) -> bool:
    """Whether this many decisions of each kind can teach anything (:data:`MIN_EACH` each)."""
    return min(same, different) >= MIN_EACH


def learn(scored: PairContext, judged: Iterable[tuple[Any, Any, str]]) -> Learned | None:
    """Weights learned from the latest decisions ``judged`` ((a, b, decision)) on the
    ``scored`` pairs; None while fewer than :data:`MIN_EACH` of either "same" or "different"
    fall on scored pairs."""
    rows = pd.DataFrame(
        [(a, b, d == "same") for a, b, d in judged if d in ("same", "different")],
        columns=["a", "b", "same"],
    )
    if rows.empty:
        return None
    x = scored.describe(rows)
    known = ~np.isnan(x).any(axis=1)
    x, y = x[known], rows["same"].to_numpy(dtype=float)[known]
    same = int(y.sum())
    different = len(y) - same
    if not enough(same, different):
        return None

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        shrink = w - PRIOR
        value = float(np.sum(np.logaddexp(0.0, z) - y * z) + RIDGE * (shrink @ shrink) / 2)
        return value, x.T @ (_sigmoid(z) - y) + RIDGE * shrink

    fitted = minimize(loss, PRIOR.copy(), jac=True, method="L-BFGS-B")
    return Learned(tuple(float(w) for w in fitted.x), same, different)


def _lists(lists: Lists) -> Any:
    if isinstance(lists, np.ndarray):
        codes = lists

        def by_code(ids: pd.Series) -> np.ndarray:
            return np.asarray(codes[ids.to_numpy(dtype=np.int64)], dtype=object)

        return by_code
    table = pd.Series(dict(lists), dtype=object)

    def list_of(ids: pd.Series) -> np.ndarray:
        found = ids.map(table).to_numpy(dtype=object)
        found[pd.isna(found)] = None
        return np.asarray(found)

    return list_of


def _common(a: np.ndarray, b: np.ndarray, strong: pd.DataFrame) -> np.ndarray:
    """Whether each pair's two records (codes) both match some third record."""
    pairs = pd.DataFrame({"row": np.arange(len(a)), "a": a, "b": b})
    first = pairs.merge(strong, left_on="a", right_on="x")  # a's matches y
    first = first.loc[first["y"] != first["b"], ["row", "b", "y"]]
    both = first.merge(strong, left_on=["b", "y"], right_on=["x", "y"])
    out = np.zeros(len(a), dtype=bool)
    out[both["row"].to_numpy(dtype=np.int64)] = True
    return out


def _log_odds(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return np.asarray(np.clip(np.log(q / (1 - q)), -_CLIP, _CLIP))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(np.exp(-np.logaddexp(0.0, -z)))


__all__ = ["FEATURES", "MIN_EACH", "Learned", "PairContext", "enough", "learn"]
