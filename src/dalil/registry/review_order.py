"""Which review decision comes first: learned from the case's own judgements.

A decision is worth a reviewer's time when it changes the registry: "same" on two records the
registry keeps in two persons, "different" on two it holds in one. The model's probability says
how likely "same" is, but it is honest over all scored pairs, not over the pairs that reach the
queue. On the synthetic lists (200,000 records, docs/benchmarks.md, session 13), queued pairs whose
two records had no other match were "same" far more often than their probability said, and pairs
whose records each had a match elsewhere, one of them in the other's list, far less often; of
the first 2,500 decisions in the order "closest to 0.5", fewer than a quarter changed anything.

Those patterns belong to a case's lists, not to a constant, so they are learned per case from its
reviewers' decisions: a logistic regression of "same" on

- the model's log odds for the pair;
- whether the two records come from one list;
- whether one or both of them match a third record (probability >= 0.5);
- whether one matches a record of the other's list (joining them would put two records of one
  list in one person);
- whether they match a common third record.

The features read only the model's scores: never a judgement, never the clustering, so a judged
pair is described as the reviewer found it. The fit is drawn towards the model itself (weight 1 on
the log odds, 0 elsewhere) so that a few decisions move it little, and it is used only once the
case has ``MIN_EACH`` decisions of each kind; before that the queue keeps the model's order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.optimize import minimize

from dalil.registry.constraints import Pair

MIN_EACH = 20  # decisions of each kind (same, different) before the order is learned
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
_CLIP = 12.0  # log odds beyond this say nothing more (and probabilities of 0 or 1 stay finite)


class Scored(Protocol):
    """What the order reads of a pair: its records and the model's probability."""

    @property
    def record_a(self) -> str: ...

    @property
    def record_b(self) -> str: ...

    @property
    def match_probability(self) -> float: ...


@dataclass(frozen=True)
class Order:
    """The learned order: weights over :data:`FEATURES`, and the decisions it learned from."""

    weights: tuple[float, ...]
    same: int
    different: int

    def as_dict(self) -> dict[str, object]:
        return {
            "learned_from": {"same": self.same, "different": self.different},
            "weights": dict(zip(FEATURES, (round(w, 3) for w in self.weights), strict=True)),
        }


class Features:
    """The features of any pair among a run's scored pairs (see the module's docstring)."""

    def __init__(self, pairs: Iterable[Scored], lists: Mapping[str, str]) -> None:
        self._lists = lists
        self._matches: dict[str, set[str]] = {}
        self._odds: dict[Pair, float] = {}
        for pair in pairs:
            p = pair.match_probability
            if p is None or math.isnan(p):
                continue  # judged, never scored: no model view of it
            self._odds[(pair.record_a, pair.record_b)] = _log_odds(p)
            if p >= MATCH:
                self._matches.setdefault(pair.record_a, set()).add(pair.record_b)
                self._matches.setdefault(pair.record_b, set()).add(pair.record_a)

    def scored(self, pair: Pair) -> bool:
        return pair in self._odds

    def of(self, pair: Pair) -> np.ndarray:
        a, b = pair
        others_a = self._matches.get(a, set()) - {b}
        others_b = self._matches.get(b, set()) - {a}
        list_a, list_b = self._lists.get(a), self._lists.get(b)
        has = bool(others_a) + bool(others_b)
        clash = any(self._lists.get(c) == list_b for c in others_a) or any(
            self._lists.get(c) == list_a for c in others_b
        )
        return np.array(
            [
                1.0,
                self._odds[pair],
                float(list_a is not None and list_a == list_b),
                float(has == 1),
                float(has == 2),
                float(clash),
                float(bool(others_a & others_b)),
            ]
        )


def learn(features: Features, judged: Mapping[Pair, str]) -> Order | None:
    """The order learned from the latest "same" / "different" decisions on scored pairs, or
    None while there are fewer than :data:`MIN_EACH` of either."""
    rows, answers = [], []
    for pair, decision in sorted(judged.items()):
        if decision in ("same", "different") and features.scored(pair):
            rows.append(features.of(pair))
            answers.append(decision == "same")
    same = sum(answers)
    different = len(answers) - same
    if same < MIN_EACH or different < MIN_EACH:
        return None
    x, y = np.array(rows), np.array(answers, dtype=float)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        shrink = w - PRIOR
        value = float(np.sum(np.logaddexp(0.0, z) - y * z) + RIDGE * (shrink @ shrink) / 2)
        gradient = x.T @ (_sigmoid(z) - y) + RIDGE * shrink
        return value, gradient

    fitted = minimize(loss, PRIOR.copy(), jac=True, method="L-BFGS-B")
    return Order(tuple(float(w) for w in fitted.x), same, different)


def chance_same(order: Order, features: Features, pair: Pair) -> float:
    """The learned probability that a reviewer finds the pair's records one person."""
    return float(_sigmoid(np.array(order.weights) @ features.of(pair)))


def _log_odds(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return max(-_CLIP, min(_CLIP, math.log(p / (1 - p))))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(np.exp(-np.logaddexp(0.0, -z)))


__all__ = ["FEATURES", "MIN_EACH", "Features", "Order", "chance_same", "learn"]
