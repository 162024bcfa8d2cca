"""Convergence diagnostics for MCMC draws: split R-hat and effective sample size.

After Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-normalization, folding, and
localization: an improved R-hat for assessing convergence of MCMC", Bayesian Analysis: chains are
split in halves, draws rank-normalised; R-hat is the larger of the bulk and folded (tails)
values; ESS uses Geyer's initial monotone sequence on the chains' autocorrelations.
Input is always an array of shape (chains, draws). Values are NaN when they cannot be computed
(too few draws, or chains that never moved).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from dalil.estimation._lazy import scipy

Draws = NDArray[np.float64]

RHAT_LIMIT = 1.1
ESS_MINIMUM = 400  # Vehtari et al.: enough for stable R-hat and quantiles with 4 chains


def split_chains(draws: Draws) -> Draws:
    """Each chain cut into its first and second half (the middle draw dropped if odd)."""
    x = np.atleast_2d(np.asarray(draws, dtype=np.float64))
    half = x.shape[1] // 2
    return np.vstack([x[:, :half], x[:, x.shape[1] - half :]])


def rank_normalise(x: Draws) -> Draws:
    ranks = scipy("stats").rankdata(x, method="average").reshape(x.shape)
    return np.asarray(scipy("stats").norm.ppf((ranks - 3 / 8) / (x.size + 1 / 4)), dtype=np.float64)


def _rhat(x: Draws) -> float:
    n = x.shape[1]
    within = float(np.mean(np.var(x, axis=1, ddof=1)))
    if n < 2 or not within > 0:
        return math.nan
    between = n * float(np.var(np.mean(x, axis=1), ddof=1))
    return math.sqrt(((n - 1) / n * within + between / n) / within)


def rhat(draws: Draws) -> float:
    """Rank-normalised split R-hat: near 1 when the chains agree; above 1.1 they do not."""
    x = split_chains(draws)
    if x.shape[1] < 4 or np.ptp(x) == 0:
        return math.nan
    bulk = _rhat(rank_normalise(x))
    folded = _rhat(rank_normalise(np.abs(x - np.median(x))))
    return max(bulk, folded)


def _autocovariance(x: Draws) -> Draws:
    """Autocovariance of each chain at every lag (FFT; divided by n, as Stan does)."""
    n = x.shape[1]
    centred = x - x.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    result = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=1)[:, :n] / n
    return np.asarray(result, dtype=np.float64)


def _ess(x: Draws) -> float:
    chains, n = x.shape
    if n < 4:
        return math.nan
    acov = _autocovariance(x)
    chain_var = acov[:, 0] * n / (n - 1)
    mean_var = float(chain_var.mean())
    var_plus = mean_var * (n - 1) / n
    if chains > 1:
        var_plus += float(np.var(x.mean(axis=1), ddof=1))
    if not var_plus > 0:
        return math.nan
    rho = 1 - (mean_var - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    # Geyer: sum pairs (rho[2k] + rho[2k+1]) while positive, forced to be non-increasing.
    total, previous, t = 0.0, math.inf, 0
    while t + 1 < n:
        pair = float(rho[t] + rho[t + 1])
        if pair <= 0:
            break
        pair = min(pair, previous)
        total += pair
        previous = pair
        t += 2
    tau = max(2 * total - 1, 1 / math.log10(max(chains * n, 10)))
    return float(chains * n / tau)


def ess_bulk(draws: Draws) -> float:
    x = split_chains(draws)
    if np.ptp(x) == 0:
        return math.nan
    return _ess(rank_normalise(x))


def ess_tail(draws: Draws) -> float:
    """The smaller ESS of the 5 % and 95 % quantiles: how well the interval ends are known."""
    x = split_chains(draws)
    if np.ptp(x) == 0:
        return math.nan
    low, high = np.quantile(x, [0.05, 0.95])
    values = [_ess((x <= q).astype(np.float64)) for q in (low, high)]
    values = [v for v in values if not math.isnan(v)]
    return min(values) if values else math.nan


def summarise(draws: Draws) -> dict[str, float]:
    return {"rhat": rhat(draws), "ess_bulk": ess_bulk(draws), "ess_tail": ess_tail(draws)}


def problems(summary: dict[str, float], what: str = "N") -> list[str]:
    """Warnings, in words, when the chains have not converged or are too short."""
    found = []
    r, bulk, tail = summary["rhat"], summary["ess_bulk"], summary["ess_tail"]
    if math.isnan(r):
        found.append(f"the chains for {what} never moved: R-hat cannot be computed")
    elif r > RHAT_LIMIT:
        found.append(
            f"the chains disagree (R-hat {r:.2f} > {RHAT_LIMIT}): the sampler has not "
            "converged; run longer (more --iterations and --burn-in)"
        )
    ess = min(v for v in (bulk, tail) if not math.isnan(v)) if not math.isnan(bulk) else math.nan
    if math.isnan(ess) or ess < ESS_MINIMUM:
        shown = "unknown" if math.isnan(ess) else f"{ess:.0f}"
        found.append(
            f"effective sample size {shown} < {ESS_MINIMUM}: too few independent draws for a "
            "reliable interval; run longer or thin less"
        )
    return found
