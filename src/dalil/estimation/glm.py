"""A Poisson generalised linear model with log link, fitted by iteratively reweighted least squares.

Our own small IRLS (no statsmodels): Fisher scoring with step halving, a QR solve at each step
and convergence on the deviance. Also the two checks a log-linear capture–recapture model needs
before it is fitted at all (Fienberg & Rinaldo 2012): the design has full rank (identifiable),
and the maximum likelihood estimate exists (a linear programme). Nothing here knows about lists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dalil.estimation._lazy import scipy

Array = NDArray[np.float64]

MAX_ITERATIONS = 100
TOLERANCE = 1e-10
MAX_ETA = 700.0  # exp() overflows past ~709


@dataclass(frozen=True)
class GlmFit:
    beta: Array
    fitted: Array  # μ, one per row
    covariance: Array  # inverse Fisher information
    deviance: float
    loglik: float  # the full Poisson log-likelihood, log(y!) included (as R's glm AIC)
    iterations: int
    converged: bool

    @property
    def standard_errors(self) -> Array:
        return np.sqrt(np.diag(self.covariance))

    def aic(self) -> float:
        return -2 * self.loglik + 2 * len(self.beta)

    def bic(self, n: float) -> float:
        return -2 * self.loglik + math.log(n) * len(self.beta)


def poisson_loglik(y: Array, mu: Array) -> float:
    positive = y > 0
    terms: Array = -mu - scipy("special").gammaln(y + 1)
    terms[positive] += y[positive] * np.log(mu[positive])
    return float(terms.sum())


def deviance(y: Array, mu: Array) -> float:
    positive = y > 0
    ratio = np.zeros_like(y)
    ratio[positive] = y[positive] * np.log(y[positive] / mu[positive])
    return float(2 * np.sum(ratio - (y - mu)))


def fit_poisson(design: Array, y: Array, start: Array | None = None) -> GlmFit:
    """Maximum likelihood for log E[y] = design @ beta (y may be non-integer)."""
    x = np.asarray(design, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if start is None:
        eta = np.log(y + 0.5)
        beta = np.linalg.lstsq(x, eta, rcond=None)[0]
    else:
        beta = np.asarray(start, dtype=np.float64)
    eta = np.clip(x @ beta, -MAX_ETA, MAX_ETA)
    mu = np.exp(eta)
    dev = deviance(y, mu)
    converged = False
    iteration = 0
    for iteration in range(1, MAX_ITERATIONS + 1):  # noqa: B007 - the count is reported
        z = eta + (y - mu) / mu
        w = np.sqrt(mu)
        step = np.linalg.lstsq(x * w[:, None], z * w, rcond=None)[0]
        for _ in range(30):  # halve the step until the deviance does not increase
            new_eta = np.clip(x @ step, -MAX_ETA, MAX_ETA)
            new_mu = np.exp(new_eta)
            new_dev = deviance(y, new_mu)
            if np.isfinite(new_dev) and new_dev <= dev + 1e-12 * (1 + abs(dev)):
                break
            step = (step + beta) / 2
        change = abs(dev - new_dev) / (abs(new_dev) + 0.1)
        beta, eta, mu, dev = step, new_eta, new_mu, new_dev
        if change < TOLERANCE:
            converged = True
            break
    info = x.T @ (mu[:, None] * x)
    covariance: Array
    try:
        covariance = np.asarray(np.linalg.inv(info), dtype=np.float64)
    except np.linalg.LinAlgError:
        covariance = np.full_like(info, np.nan)
    return GlmFit(
        beta=np.asarray(beta, dtype=np.float64),
        fitted=mu,
        covariance=covariance,
        deviance=dev,
        loglik=poisson_loglik(y, mu),
        iterations=iteration,
        converged=converged and bool(np.all(np.abs(eta) < MAX_ETA)),
    )


def rank_deficiency(design: Array) -> int:
    """How many parameters the data cannot tell apart (0: identifiable)."""
    return int(design.shape[1] - np.linalg.matrix_rank(design))


def mle_exists(design: Array, y: Array) -> bool:
    """Whether the Poisson MLE is finite (Haberman 1974; LP of Fienberg & Rinaldo 2012).

    It exists iff some strictly positive table v has the same sufficient statistics as y
    (designᵀv = designᵀy). Maximise t subject to v ≥ t, 0 ≤ t ≤ 1: the MLE exists iff t* > 0.
    """
    y = np.asarray(y, dtype=np.float64)
    if np.all(y > 0):
        return True
    cells, _ = design.shape
    # variables: v (cells), then t
    objective = np.zeros(cells + 1)
    objective[-1] = -1.0
    equality = np.hstack([design.T, np.zeros((design.shape[1], 1))])
    inequality = np.hstack([-np.eye(cells), np.ones((cells, 1))])  # t − v ≤ 0
    result = scipy("optimize").linprog(
        objective,
        A_ub=inequality,
        b_ub=np.zeros(cells),
        A_eq=equality,
        b_eq=design.T @ y,
        bounds=[(0, None)] * cells + [(0, 1)],
        method="highs",
    )
    return bool(result.status == 0 and result.fun is not None and -result.fun > 1e-9)
