"""Fitting one log-linear capture–recapture model, and its intervals for N.

The observed cells (every pattern but the all-zero one) are Poisson counts with
log E[y] = intercept + list effects + interactions; the undocumented are estimated by
exp(intercept), the model's prediction for the all-zero cell (Fienberg 1972; Cormack 1989).
A model whose estimate does not exist is refused with the reason, before fitting.

Intervals: profile likelihood (Cormack 1992; as R's Rcapture) on the multinomial likelihood of
the completed table, profiling over the unobserved cell; a parametric bootstrap (Buckland &
Garthwaite 1991); or Wald on the log of the undocumented count (as MultipleSystemsEstimation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from numpy.typing import NDArray

from dalil.errors import InvalidInput
from dalil.estimation._lazy import scipy
from dalil.estimation.captures import CaptureTable
from dalil.estimation.glm import GlmFit, fit_poisson, mle_exists, rank_deficiency
from dalil.estimation.result import Interval
from dalil.estimation.terms import Model, complete_design, design, label

MAX_UNDOCUMENTED_RATIO = 1e6  # an estimate this many times n is "infinite" for any purpose
_complete_design = lru_cache(maxsize=128)(complete_design)


@dataclass(frozen=True)
class ModelFit:
    table: CaptureTable
    model: Model
    glm: GlmFit

    @property
    def undocumented(self) -> float:
        return math.exp(float(self.glm.beta[0]))

    @property
    def total(self) -> float:
        return self.table.documented + self.undocumented

    @property
    def aic(self) -> float:
        return self.glm.aic()

    @property
    def bic(self) -> float:
        return self.glm.bic(self.table.documented)

    @cached_property
    def label(self) -> str:
        return label(self.table, self.model)

    def wald_p(self, position: int) -> float:
        """Two-sided Wald p-value of one coefficient (as R's ``summary.glm``)."""
        se = math.sqrt(float(self.glm.covariance[position, position]))
        return float(2 * scipy("stats").norm.sf(abs(float(self.glm.beta[position]) / se)))

    def coefficients(self) -> dict[str, dict[str, float]]:
        names = ["(intercept)", *self.table.lists]
        names += [":".join(self.table.lists[i] for i in t) for t in self.model]
        return {
            name: {"estimate": float(b), "se": float(s)}
            for name, b, s in zip(names, self.glm.beta, self.glm.standard_errors, strict=True)
        }


def why_not(table: CaptureTable, model: Model) -> str | None:
    """Why this model gives no estimate from this table, in words; None when it does."""
    x, y = table.arrays
    for j, total in enumerate(table.list_totals().values()):
        if total == 0:
            return (
                f"list {table.lists[j]} documents no one, so its effect (and the estimate) "
                "does not exist; leave the list out"
            )
    for term in model:
        together = int(y[np.all(x[:, list(term)] == 1, axis=1)].sum())
        if together == 0:
            names = ", ".join(table.lists[i] for i in term)
            return (
                f"no one is on all of {names}: the {label(table, (term,))[1:-1]} interaction "
                "would be −∞ and the estimate does not exist; drop that term"
            )
    matrix = design(x, model)
    if rank_deficiency(matrix) > 0:
        return (
            f"the model has {matrix.shape[1]} parameters, more than the {len(y)} observable "
            "patterns can identify; drop a term"
        )
    if not mle_exists(matrix, y.astype(np.float64)):
        return (
            "the maximum likelihood estimate does not exist: zero cells make some parameter "
            "infinite (Fienberg & Rinaldo 2012); drop a term touching the empty patterns"
        )
    return None


def fit_model(table: CaptureTable, model: Model) -> ModelFit:
    """Fit ``model``, or raise InvalidInput saying why its estimate does not exist."""
    reason = why_not(table, model)
    if reason is not None:
        raise InvalidInput(f"model {label(table, model)}", reason)
    x, y = table.arrays
    fit = fit_poisson(design(x, model), y.astype(np.float64))
    result = ModelFit(table, model, fit)
    undocumented = float(np.exp(min(float(fit.beta[0]), 700.0)))
    if not fit.converged or undocumented > MAX_UNDOCUMENTED_RATIO * table.documented:
        raise InvalidInput(
            f"model {label(table, model)}",
            "the fit does not settle on a finite estimate (the likelihood keeps rising as "
            "N grows): this model cannot estimate N from these data",
        )
    return result


def profile_loglik(fit: ModelFit, total: float) -> float:
    """Multinomial log-likelihood of N = ``total``, maximised over the model's parameters."""
    matrix, n = _complete_design(fit.table.size, fit.model), float(fit.table.documented)
    _, y = fit.table.arrays
    cells = np.concatenate([[total - n], y.astype(np.float64)])
    mu = fit_poisson(matrix, cells).fitted
    positive = cells > 0
    fitted = float(np.sum(cells[positive] * np.log(mu[positive] / total)))
    return (
        float(scipy("special").gammaln(total + 1) - scipy("special").gammaln(total - n + 1))
        + fitted
    )


def profile_interval(fit: ModelFit, level: float) -> tuple[Interval, float]:
    """The profile-likelihood interval for N and the N that maximises the profile."""
    n = float(fit.table.documented)

    def loglik(t: float) -> float:  # on t = log(N − n), where the profile is well behaved
        return profile_loglik(fit, n + math.exp(t))

    centre = math.log(max(fit.undocumented, 1e-6))
    best = scipy("optimize").minimize_scalar(
        lambda t: -loglik(t), bounds=(centre - 6, centre + 6), method="bounded"
    )
    t_max, top = float(best.x), -float(best.fun)
    drop = float(scipy("stats").chi2.ppf(level, 1)) / 2

    def below(t: float) -> float:
        return loglik(t) - (top - drop)

    floor = math.log(1e-9) if fit.undocumented > 1e-6 else centre - 20
    lower = n if below(floor) >= 0 else n + math.exp(scipy("optimize").brentq(below, floor, t_max))
    upper, t = math.inf, t_max
    while t < t_max + math.log(1e6):
        if below(t + 1) < 0:
            upper = n + math.exp(scipy("optimize").brentq(below, t, t + 1))
            break
        t += 1
    return Interval(lower, upper, level, "profile likelihood"), n + math.exp(t_max)


def wald_interval(fit: ModelFit, level: float) -> Interval:
    """Normal on the log of the undocumented count (the intercept), as R's MSE package."""
    z = float(scipy("stats").norm.ppf(0.5 + level / 2))
    se = math.sqrt(float(fit.glm.covariance[0, 0]))
    b0 = float(fit.glm.beta[0])
    n = fit.table.documented
    return Interval(n + math.exp(b0 - z * se), n + math.exp(b0 + z * se), level, "Wald (log)")


def bootstrap_totals(
    fit: ModelFit, replicates: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], int]:
    """N re-estimated on tables simulated from the fitted model (Buckland & Garthwaite 1991).

    Each replicate draws a population of round(N̂) over all 2^J cells with the fitted
    probabilities, hides the all-zero cell and refits the same model. Returns the totals and
    how many replicates gave no estimate (those are left out).
    """
    x, _ = fit.table.arrays
    matrix = design(x, fit.model)
    mu = np.concatenate([[fit.undocumented], fit.glm.fitted])
    population = max(round(fit.total), 1)
    draws = rng.multinomial(population, mu / mu.sum(), size=replicates)
    totals: list[float] = []
    failures = 0
    for row in draws:
        observed = row[1:].astype(np.float64)
        if not _margins_positive(x, observed, fit.model):
            failures += 1
            continue
        refit = fit_poisson(matrix, observed, start=fit.glm.beta)
        undocumented = math.exp(min(float(refit.beta[0]), 700.0))
        if not refit.converged or undocumented > MAX_UNDOCUMENTED_RATIO * max(observed.sum(), 1):
            failures += 1
            continue
        totals.append(float(observed.sum()) + undocumented)
    return np.array(totals, dtype=np.float64), failures


def _margins_positive(x: NDArray[np.int64], y: NDArray[np.float64], model: Model) -> bool:
    if np.any(x.T @ y == 0):
        return False
    return all(y[np.all(x[:, list(t)] == 1, axis=1)].sum() > 0 for t in model)


def percentile_interval(draws: NDArray[np.float64], level: float, kind: str) -> Interval:
    low, high = np.quantile(draws, [0.5 - level / 2, 0.5 + level / 2])
    return Interval(float(low), float(high), level, kind)
