"""The Gibbs sampler of LCMCR, vectorised in NumPy over chains and capture patterns.

Model (Manrique-Vallier 2016, Biometrics 72(4)): each person belongs to one of K latent classes;
within class k, list j documents them independently with probability λ[j, k]; class weights ν
follow a truncated stick-breaking (Dirichlet process) prior with concentration α ~ Gamma(a, b);
λ ~ Beta(1, 1); p(N) ∝ 1/N. The undocumented n0 are augmented: given the parameters they are
negative binomial, and each of them is given a class, as if observed with the all-zero pattern.

Each sweep updates, in the reference implementation's order: the class counts of each observed
pattern (a multinomial per pattern — the sampler works on pattern counts, never on people), λ
(Beta), ν (stick-breaking Beta draws, in logs), n0 (negative binomial), the classes of the n0
(multinomial), α (Gamma). Chains are a leading array axis: four chains cost little more than one.
This module only samples; :mod:`dalil.estimation.lcmcr` turns draws into an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dalil.estimation.result import Progress

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

WARMUP = 500  # sweeps with α fixed before the classes are ordered, as the R package does
P0_CEILING = 1 - 1e-9  # keep n0's negative binomial finite when the model sees almost no one


@dataclass(frozen=True)
class Prior:
    classes: int = 10  # K, the truncation of the stick-breaking prior
    a_alpha: float = 0.25
    b_alpha: float = 0.25


@dataclass
class Chains:
    """The sampler's state, one row per chain."""

    lam: FloatArray  # (C, J, K) capture probabilities
    log_nu: FloatArray  # (C, K) log class weights
    alpha: FloatArray  # (C,)
    n0_k: IntArray  # (C, K) undocumented people per class
    occupied: IntArray  # (C,) classes with anyone in them
    ceiling_hits: int = 0


@dataclass(frozen=True)
class Samples:
    """Kept draws, shaped (tables, chains, draws)."""

    n0: IntArray  # the undocumented count
    alpha: FloatArray
    occupied: IntArray  # classes with anyone in them
    ceiling_hits: int


def _gammas(
    rng: np.random.Generator, shapes: FloatArray, boosted: slice
) -> tuple[FloatArray, FloatArray]:
    """Gamma(shape, 1) draws, and their logs, exact even for tiny shapes in ``boosted``.

    Where shape < 1 the log is drawn as log Gamma(a + 1) + log(U)/a (Marsaglia & Tsang 2000),
    so a stick-breaking weight of e^-1000 is a number, not a zero. One call for a whole sweep:
    NumPy's per-call overhead, not the arithmetic, is what costs here.
    """
    part = shapes[boosted]
    small = part < 1
    shapes = shapes.copy()
    shapes[boosted] = np.where(small, part + 1, part)
    draws = rng.standard_gamma(shapes)
    logs = np.log(draws)
    logs[boosted] += np.where(small, np.log(rng.random(part.shape)) / part, 0.0)
    return draws, logs


def _normalise(logits: FloatArray) -> FloatArray:
    """Probabilities from log-weights that are ≤ 0 and whose largest is above e^-600.

    Clipped at e^-600: smaller weights are zero for sampling, and subnormal floats would make
    every later operation on them many times slower.
    """
    weights = np.exp(np.maximum(logits, -600.0))
    return np.asarray(weights / weights.sum(axis=-1, keepdims=True), dtype=np.float64)


def _softmax(logits: FloatArray) -> FloatArray:
    return _normalise(logits - logits.max(axis=-1, keepdims=True))


def _log_stick(first: FloatArray, second: FloatArray) -> FloatArray:
    """log ν from the logs of the Gamma pairs behind V_k ~ Beta(first shape, second shape)."""
    both = np.logaddexp(first, second)
    log_rest = np.cumsum(second - both, axis=1)  # Σ_{l≤k} log(1 − V_l)
    log_nu = np.empty((first.shape[0], first.shape[1] + 1))
    log_nu[:, 0] = first[:, 0] - both[:, 0]
    log_nu[:, 1:-1] = first[:, 1:] - both[:, 1:] + log_rest[:, :-1]
    log_nu[:, -1] = log_rest[:, -1]
    return log_nu


class Sampler:
    """LCMCR's Gibbs sampler for capture tables over the same lists, and a prior.

    ``y`` is one table's counts per pattern (rows of ``x``), or a batch of tables, one per row
    (strata, or a simulation's replicates): each table gets its own chains, all run together.
    """

    def __init__(self, x: IntArray, y: IntArray, prior: Prior, rng: np.random.Generator):
        tables = np.atleast_2d(np.asarray(y, dtype=np.int64))
        keep = tables.sum(axis=0) > 0  # patterns nobody has carry no information
        self.x = np.asarray(x, dtype=np.float64)[keep]
        self.xt = np.ascontiguousarray(self.x.T)
        self.tables = tables[:, keep]
        self.prior = prior
        self.rng = rng
        self.y = self.tables  # replaced by one row per chain in start()
        self.n = self.tables.sum(axis=1)

    def start(self, chains: int) -> Chains:
        """Capture probabilities at the lists' observed rates (jittered per chain and class).

        Row r of the state is chain r % chains of table r // chains.
        """
        k, j = self.prior.classes, self.x.shape[1]
        self.y = np.repeat(self.tables, chains, axis=0)
        self.n = self.y.sum(axis=1)
        rows = len(self.y)
        rate = np.clip((self.y @ self.x) / self.n[:, None], 0.02, 0.98)  # (rows, J)
        logit = np.log(rate / (1 - rate))[:, :, None] + self.rng.normal(0, 0.5, (rows, j, k))
        weights = np.full(k, 1 / k) if k <= 4 else np.r_[[0.225] * 4, [0.1 / (k - 4)] * (k - 4)]
        return Chains(
            lam=1 / (1 + np.exp(-logit)),
            log_nu=np.tile(np.log(weights), (rows, 1)),
            alpha=np.full(rows, 0.3 / k),
            n0_k=np.zeros((rows, k), dtype=np.int64),
            occupied=np.zeros(rows, dtype=np.int64),
        )

    def sweep(self, s: Chains, update_alpha: bool = True) -> None:
        """One Gibbs sweep of every chain (the reference's order; Gamma draws batched)."""
        rng, prior = self.rng, self.prior
        rows, k = s.log_nu.shape
        j = self.x.shape[1]
        log_miss: FloatArray = np.log1p(-s.lam)
        # 1. classes of the observed people, pattern by pattern: log P(class k | pattern m)
        logits = self.x @ (np.log(s.lam) - log_miss) + (s.log_nu + log_miss.sum(axis=1))[:, None]
        per_pattern = rng.multinomial(self.y, _softmax(logits))
        # 2–5 need Gamma draws: λ (two per Beta), V (two per Beta), n0's mixing, α. One call.
        listed: FloatArray = self.xt @ per_pattern  # (rows, J, K)
        sizes: IntArray = per_pattern.sum(axis=1) + s.n0_k  # the undocumented are on no list
        after = sizes[:, ::-1].cumsum(axis=1)[:, ::-1] - sizes  # Σ_{l>k} n_l
        lam_size, stick_size = rows * j * k, rows * (k - 1)
        shapes = np.concatenate(
            [
                (1.0 + listed).ravel(),
                (1.0 + sizes[:, None, :] - listed).ravel(),
                (1.0 + sizes[:, :-1]).ravel(),
                (s.alpha[:, None] + after[:, :-1]).ravel(),
                self.n.astype(np.float64),
                np.full(rows, prior.a_alpha + k - 1),
            ]
        )
        start = 2 * lam_size + stick_size
        draws, logs = _gammas(rng, shapes, slice(start, start + stick_size))
        on, off = draws[:lam_size], draws[lam_size : 2 * lam_size]
        s.lam = np.clip(on / (on + off), 1e-12, 1 - 1e-12).reshape(rows, j, k)
        s.occupied = np.count_nonzero(sizes, axis=1)
        # 3. class weights: V_k ~ Beta(1 + n_k, α + Σ_{l>k} n_l), in logs
        first = logs[2 * lam_size : start].reshape(rows, k - 1)
        second = logs[start : start + stick_size].reshape(rows, k - 1)
        s.log_nu = _log_stick(first, second) if k > 1 else np.zeros((rows, 1))
        # 4. the undocumented: n0 ~ NegBin(n, 1 − p0) as its Gamma–Poisson mixture
        log_missed = s.log_nu + np.log1p(-s.lam).sum(axis=1)  # log P(class k, on no list)
        top = log_missed.max(axis=1)
        p0 = np.exp(top) * np.exp(log_missed - top[:, None]).sum(axis=1)
        s.ceiling_hits += int(np.count_nonzero(p0 > P0_CEILING))
        p0 = np.minimum(p0, P0_CEILING)
        mixing = draws[start + stick_size : start + stick_size + rows]
        n0 = rng.poisson(mixing * (p0 / (1 - p0)))
        s.n0_k = rng.multinomial(n0, _normalise(log_missed - top[:, None]))
        # 5. concentration of the stick-breaking prior: Gamma(a + K − 1, b − log ν_K)
        if update_alpha:
            s.alpha = draws[-rows:] / (prior.b_alpha - s.log_nu[:, -1])

    def _order_classes(self, s: Chains) -> None:
        """Largest class first, so the stick-breaking prior's ordering matches the data."""
        order = np.argsort(-s.log_nu, axis=1)
        s.log_nu = np.take_along_axis(s.log_nu, order, axis=1)
        s.n0_k = np.take_along_axis(s.n0_k, order, axis=1)
        s.lam = np.take_along_axis(s.lam, order[:, None, :], axis=2)

    def run(
        self,
        chains: int,
        burn_in: int,
        iterations: int,
        thin: int,
        progress: Progress | None = None,
    ) -> Samples:
        state = self.start(chains)
        total = WARMUP + burn_in + iterations
        every = max(total // 200, 50)
        for i in range(WARMUP):
            self.sweep(state, update_alpha=False)
            if progress is not None and (i + 1) % every == 0:
                progress(i + 1, total)
        self._order_classes(state)
        kept = iterations // thin
        rows = len(state.alpha)
        n0 = np.zeros((rows, kept), dtype=np.int64)
        alpha = np.zeros((rows, kept))
        occupied = np.zeros((rows, kept), dtype=np.int64)
        for i in range(burn_in + iterations):
            self.sweep(state)
            after = i - burn_in + 1
            if after > 0 and after % thin == 0 and after // thin <= kept:
                slot = after // thin - 1
                n0[:, slot] = state.n0_k.sum(axis=1)
                alpha[:, slot] = state.alpha
                occupied[:, slot] = state.occupied
            if progress is not None and (WARMUP + i + 1) % every == 0:
                progress(WARMUP + i + 1, total)
        if progress is not None:
            progress(total, total)
        shape = (len(self.tables), chains, kept)
        return Samples(
            n0=n0.reshape(shape),
            alpha=alpha.reshape(shape),
            occupied=occupied.reshape(shape),
            ceiling_hits=state.ceiling_hits,
        )
