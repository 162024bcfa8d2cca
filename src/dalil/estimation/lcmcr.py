"""LCMCR: Bayesian non-parametric latent-class capture–recapture (Manrique-Vallier 2016).

People differ in how likely lists are to document them; LCMCR lets a Dirichlet-process mixture
of latent classes absorb that heterogeneity, which is why HRDAG uses it for Syria, Kosovo, Peru
and Colombia. Defaults are the R package's: K = 10 classes, α ~ Gamma(0.25, 0.25), λ ~ Beta(1, 1),
p(N) ∝ 1/N. The point estimate is the posterior median of N; the interval its equal-tailed
quantiles (a credible interval: N lies in it with that posterior probability).

Options: ``classes``, ``a_alpha``, ``b_alpha``, ``burn_in`` (sweeps discarded per chain),
``iterations`` (sweeps kept per chain, before thinning), ``thin``, ``chains``, ``seed``, ``level``.
The same options and seed give identical draws (NumPy's PCG64 generator). The chain for N
mixes slowly (the undocumented count and the rare classes' capture probabilities move together),
so the defaults are long: 16 chains — sampled together, they cost two to three times one — of
10,000 burn-in and 40,000 kept sweeps.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from dalil.errors import InvalidInput
from dalil.estimation import diagnostics
from dalil.estimation import params as checks
from dalil.estimation.captures import CaptureTable
from dalil.estimation.gibbs import Prior, Sampler, Samples
from dalil.estimation.result import Estimate, Interval, Progress


class LCMCR:
    name = "lcmcr"
    defaults: dict[str, Any] = {  # noqa: RUF012 - read only
        "classes": 10,
        "a_alpha": 0.25,
        "b_alpha": 0.25,
        "burn_in": 10_000,
        "iterations": 40_000,
        "thin": 20,
        "chains": 16,
        "seed": None,
        "level": 0.95,
    }

    def options(self, params: dict[str, Any]) -> dict[str, Any]:
        options = checks.resolve(self.name, self.defaults, params)
        options["classes"] = checks.whole("classes", options["classes"], 1, 100)
        options["a_alpha"] = checks.positive("a_alpha", options["a_alpha"])
        options["b_alpha"] = checks.positive("b_alpha", options["b_alpha"])
        options["burn_in"] = checks.whole("burn_in", options["burn_in"], 0, 10_000_000)
        options["iterations"] = checks.whole("iterations", options["iterations"], 10, 10_000_000)
        options["thin"] = checks.whole("thin", options["thin"], 1, options["iterations"])
        options["chains"] = checks.whole("chains", options["chains"], 1, 64)
        options["seed"] = checks.seed(options["seed"])
        options["level"] = checks.level(options["level"])
        if options["iterations"] // options["thin"] < 2:
            raise InvalidInput("thin", "keeps fewer than two draws per chain; thin less")
        return options

    def estimate(
        self, table: CaptureTable, *, progress: Progress | None = None, **params: Any
    ) -> Estimate:
        return self.estimate_many([table], progress=progress, **params)[0]

    def estimate_many(
        self,
        tables: Sequence[CaptureTable],
        *,
        progress: Progress | None = None,
        **params: Any,
    ) -> list[Estimate]:
        """One estimate per table (same lists), sampled together: how strata are run."""
        options = self.options(params)
        for table in tables:
            if table.size < 3:
                raise InvalidInput(
                    "lcmcr",
                    "a latent-class model needs at least three lists; with two, its classes "
                    "cannot be told apart",
                    hint="use chapman for two lists",
                )
            table.check_estimable()
            if table.lists != tables[0].lists:
                raise InvalidInput("lcmcr", "tables sampled together must have the same lists")
        x, _ = tables[0].arrays
        y = np.array([t.arrays[1] for t in tables])
        prior = Prior(options["classes"], options["a_alpha"], options["b_alpha"])
        sampler = Sampler(x, y, prior, np.random.default_rng(options["seed"]))
        started = time.perf_counter()
        samples = sampler.run(
            options["chains"], options["burn_in"], options["iterations"], options["thin"], progress
        )
        seconds = time.perf_counter() - started
        return [
            _summarise(table, samples, index, options, seconds)
            for index, table in enumerate(tables)
        ]


def _summarise(
    table: CaptureTable, samples: Samples, index: int, options: dict[str, Any], seconds: float
) -> Estimate:
    trace = (samples.n0[index] + table.documented).astype(np.float64)  # (chains, draws)
    draws = trace.ravel()
    level = options["level"]
    low, median, high = np.quantile(draws, [0.5 - level / 2, 0.5, 0.5 + level / 2])
    checks_ = diagnostics.summarise(trace)
    warnings = diagnostics.problems(checks_)
    occupied = samples.occupied[index]
    if float(occupied.mean()) >= options["classes"] - 0.5:
        warnings.append(
            f"the sampler nearly always uses all {options['classes']} latent classes: the "
            "truncation may be too low; run again with more classes"
        )
    if samples.ceiling_hits:
        warnings.append(
            "at times the model saw almost no one as documentable (P(undocumented) ≈ 1): the "
            "data may not bound N"
        )
    return Estimate(
        method="lcmcr",
        label=f"LCMCR (K={options['classes']})",
        total=float(median),
        documented=table.documented,
        interval=Interval(float(low), float(high), level, "posterior quantiles"),
        parameters=dict(options),
        diagnostics={
            **checks_,
            "posterior_mean": float(draws.mean()),
            "posterior_sd": float(draws.std(ddof=1)),
            "quantiles": {
                str(q): float(v)
                for q, v in zip(
                    (0.025, 0.25, 0.5, 0.75, 0.975),
                    np.quantile(draws, [0.025, 0.25, 0.5, 0.75, 0.975]),
                    strict=True,
                )
            },
            "chains": int(trace.shape[0]),
            "draws_per_chain": int(trace.shape[1]),
            "occupied_classes_mean": float(occupied.mean()),
            "alpha_mean": float(samples.alpha[index].mean()),
            "seconds": seconds,
        },
        warnings=warnings,
        draws=draws,
        trace=trace,
    )


ESTIMATOR = LCMCR()
