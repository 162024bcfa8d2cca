"""Choosing which list interactions a log-linear model includes.

- :func:`stepwise` is the rule of Bales, Hesketh & Silverman (2015), used for the UK Home Office
  estimate of modern slavery: start from main effects; among the two-list interactions not yet in
  the model, take the one whose model has the lowest AIC; add it if that lowers the AIC and its
  coefficient's p-value is below the threshold (0.05); otherwise stop. Candidates whose estimate
  would not exist (an empty overlap, a non-identifiable model) are never added.
- :func:`best_by` fits every model made of main effects and any set of two-list interactions
  (hierarchical by construction) and keeps the lowest AIC or BIC; up to five lists.

Neither protects against capture heterogeneity: a model chosen by fit can still be far off when
people differ in how likely they are to be listed (see docs/estimation.md).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from typing import Any

from dalil.errors import InvalidInput
from dalil.estimation.captures import CaptureTable
from dalil.estimation.mle import ModelFit, fit_model, why_not
from dalil.estimation.result import Progress
from dalil.estimation.terms import MAIN_EFFECTS, all_pairs, canonical, label

MAX_LISTS_FOR_SEARCH = 5


def stepwise(table: CaptureTable, threshold: float = 0.05) -> tuple[ModelFit, list[dict[str, Any]]]:
    """The Bales–Hesketh–Silverman stepwise model and the steps that led to it."""
    current = fit_model(table, MAIN_EFFECTS)
    steps: list[dict[str, Any]] = [
        {"model": current.label, "aic": current.aic, "total": current.total}
    ]
    while True:
        best: tuple[ModelFit, float] | None = None
        for pair in all_pairs(table.size):
            if pair in current.model:
                continue
            model = canonical([*current.model, pair])
            if why_not(table, model) is not None:
                continue
            candidate = fit_model(table, model)
            if best is None or candidate.aic < best[0].aic:
                position = 1 + table.size + candidate.model.index(pair)
                best = (candidate, candidate.wald_p(position))
        if best is None:
            break
        candidate, p_value = best
        added = label(table, tuple(t for t in candidate.model if t not in current.model))
        if candidate.aic >= current.aic or p_value >= threshold:
            steps.append({"stopped": added[1:-1], "aic": candidate.aic, "p_value": p_value})
            break
        current = candidate
        steps.append(
            {
                "added": added[1:-1],
                "aic": current.aic,
                "p_value": p_value,
                "total": current.total,
            }
        )
    return current, steps


def best_by(
    table: CaptureTable, criterion: str, progress: Progress | None = None
) -> tuple[ModelFit, list[dict[str, Any]]]:
    """The model with the lowest AIC or BIC, and the five best with their scores."""
    if criterion not in {"aic", "bic"}:
        raise InvalidInput("criterion", f"{criterion!r}: use aic or bic")
    if table.size > MAX_LISTS_FOR_SEARCH:
        raise InvalidInput(
            "select",
            f"searching all models of {table.size} lists is too slow "
            f"(up to {MAX_LISTS_FOR_SEARCH} lists)",
            hint="use the stepwise rule (--stepwise) or name a model (--model)",
        )
    score: Callable[[ModelFit], float] = (
        (lambda f: f.aic) if criterion == "aic" else (lambda f: f.bic)
    )
    pairs = all_pairs(table.size)
    subsets = [c for r in range(len(pairs) + 1) for c in itertools.combinations(pairs, r)]
    fits: list[ModelFit] = []
    for done, subset in enumerate(subsets, start=1):
        model = canonical(subset)
        if why_not(table, model) is None:
            with contextlib.suppress(InvalidInput):  # no finite estimate: not a candidate
                fits.append(fit_model(table, model))
        if progress is not None and done % 64 == 0:
            progress(done, len(subsets))
    if not fits:
        raise InvalidInput("select", "no log-linear model gives an estimate from this table")
    fits.sort(key=score)
    ranking = [{"model": f.label, criterion: score(f), "total": f.total} for f in fits[:5]]
    return fits[0], ranking
