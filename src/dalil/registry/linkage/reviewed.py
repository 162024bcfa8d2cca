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
case has :data:`MIN_EACH` decisions of each kind. It serves twice: the review queue asks first
for the decisions likeliest to change the registry (:mod:`dalil.registry.review`), and the
clustering decides the pairs of the review band by it (:mod:`.engine`).

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


def describe(scored: pd.DataFrame, lists: Lists, pairs: pd.DataFrame) -> np.ndarray:
    """The features of ``pairs`` (columns ``a``, ``b``) among the ``scored`` pairs (``a``, ``b``,
    ``p``: each pair once, in either order), one row per pair in order; a pair that is not
    scored (or has no probability) gets a row of NaN."""
    key = ["a", "b"]
    scored = scored[[*key, "p"]].dropna(subset=["p"]).drop_duplicates(subset=key)
    both = pd.concat([scored, scored.rename(columns={"a": "b", "b": "a"})], ignore_index=True)
    both = both.drop_duplicates(subset=key)
    wanted = pairs[key].reset_index(drop=True)
    p = wanted.merge(both, on=key, how="left")["p"].to_numpy(dtype=float)
    strong = both.loc[both["p"] >= MATCH, key].rename(columns={"a": "x", "b": "y"})
    strong = strong.drop_duplicates()
    list_of = _lists(lists)
    list_a, list_b = list_of(wanted["a"]), list_of(wanted["b"])
    itself = (p >= MATCH).astype(int)  # a strong pair counts itself among its records' matches
    degree = strong.groupby("x").size()
    others_a = wanted["a"].map(degree).fillna(0).to_numpy() - itself
    others_b = wanted["b"].map(degree).fillna(0).to_numpy() - itself
    per_list = strong.assign(list=list_of(strong["y"])).groupby(["x", "list"]).size()
    in_b_list = _lookup(per_list, wanted["a"], list_b) - itself
    in_a_list = _lookup(per_list, wanted["b"], list_a) - itself
    has = (others_a > 0).astype(int) + (others_b > 0).astype(int)
    out = np.column_stack(
        [
            np.ones(len(wanted)),
            _log_odds(p),
            (list_a == list_b) & pd.notna(list_a),
            has == 1,
            has == 2,
            (in_b_list > 0) | (in_a_list > 0),
            _common(wanted, strong),
        ]
    ).astype(float)
    out[np.isnan(p)] = np.nan
    return out


def learn(
    scored: pd.DataFrame, lists: Lists, judged: Iterable[tuple[Any, Any, str]]
) -> Learned | None:
    """Weights learned from the latest decisions ``judged`` ((a, b, decision)), on the pairs
    among ``scored`` (see :func:`describe`); None while fewer than :data:`MIN_EACH` of either
    "same" or "different" fall on scored pairs."""
    rows = pd.DataFrame(
        [(a, b, d == "same") for a, b, d in judged if d in ("same", "different")],
        columns=["a", "b", "same"],
    )
    if rows.empty:
        return None
    x = describe(scored, lists, rows)
    known = ~np.isnan(x).any(axis=1)
    x, y = x[known], rows["same"].to_numpy(dtype=float)[known]
    same = int(y.sum())
    different = len(y) - same
    if same < MIN_EACH or different < MIN_EACH:
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
    mapping = lists

    def list_of(ids: pd.Series) -> np.ndarray:
        return np.asarray(ids.map(lambda i: mapping.get(i)).to_numpy(dtype=object))

    return list_of


def _lookup(counts: pd.Series, ids: pd.Series, lists: np.ndarray) -> np.ndarray:
    """counts[(id, list)] for each pair of ``ids`` and ``lists`` (0 when absent)."""
    if counts.empty:
        return np.zeros(len(ids))
    index = pd.MultiIndex.from_arrays([ids.to_numpy(dtype=object), lists])
    return np.asarray(counts.reindex(index).fillna(0).to_numpy(dtype=float))


def _common(wanted: pd.DataFrame, strong: pd.DataFrame) -> np.ndarray:
    """Whether each pair's two records both match some third record."""
    pairs = wanted.reset_index().rename(columns={"index": "row"})
    first = pairs.merge(strong, left_on="a", right_on="x")  # a's matches y
    first = first[first["y"] != first["b"]][["row", "b", "y"]]
    both = first.merge(strong, left_on=["b", "y"], right_on=["x", "y"])
    out = np.zeros(len(wanted), dtype=bool)
    out[both["row"].to_numpy(dtype=np.int64)] = True
    return out


def _log_odds(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return np.asarray(np.clip(np.log(q / (1 - q)), -_CLIP, _CLIP))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(np.exp(-np.logaddexp(0.0, -z)))


__all__ = ["FEATURES", "MIN_EACH", "Learned", "describe", "learn"]
