"""Log-linear Poisson models for multiple systems estimation (Fienberg 1972; Bishop et al. 1975).

Options (all stored with the result):

- ``model``: the interaction terms (``"12,23"``, ``"A:E"``); main effects when empty;
- ``select``: ``"stepwise"`` (Bales–Hesketh–Silverman), ``"aic"`` or ``"bic"`` instead of a model;
- ``threshold``: the stepwise rule's p-value threshold (0.05);
- ``interval``: ``"profile"`` likelihood (default), ``"bootstrap"`` or ``"wald"``;
- ``bootstrap``: replicates for the bootstrap interval (1000), ``seed`` for its draws;
- ``level``: 0.95.

Models assume that, given the terms, lists are independent and that everyone in a stratum is
equally likely to be on each list. Capture heterogeneity breaks that and biases them downwards.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from dalil.errors import InvalidInput
from dalil.estimation import params as checks
from dalil.estimation.captures import CaptureTable
from dalil.estimation.mle import (
    ModelFit,
    bootstrap_totals,
    fit_model,
    percentile_interval,
    profile_interval,
    wald_interval,
)
from dalil.estimation.result import Estimate, Interval, Progress
from dalil.estimation.selection import best_by, stepwise
from dalil.estimation.terms import parse_model

SELECTIONS = ("none", "stepwise", "aic", "bic")
INTERVALS = ("profile", "bootstrap", "wald")


class LogLinear:
    name = "loglinear"
    defaults: dict[str, Any] = {  # noqa: RUF012 - read only
        "model": None,
        "select": "none",
        "threshold": 0.05,
        "interval": "profile",
        "bootstrap": 1000,
        "seed": None,
        "level": 0.95,
    }

    def options(self, params: dict[str, Any]) -> dict[str, Any]:
        options = checks.resolve(self.name, self.defaults, params)
        if options["select"] not in SELECTIONS:
            raise InvalidInput("select", f"{options['select']!r}: use {', '.join(SELECTIONS)}")
        if options["interval"] not in INTERVALS:
            raise InvalidInput("interval", f"{options['interval']!r}: use {', '.join(INTERVALS)}")
        if options["select"] != "none" and options["model"]:
            raise InvalidInput("model", "give a model or a selection rule, not both")
        if isinstance(options["model"], list | tuple):
            options["model"] = ",".join(":".join(str(i + 1) for i in t) for t in options["model"])
        options["threshold"] = checks.positive("threshold", options["threshold"])
        options["bootstrap"] = checks.whole("bootstrap", options["bootstrap"], 10, 100_000)
        options["level"] = checks.level(options["level"])
        options["seed"] = checks.seed(options["seed"])
        return options

    def estimate(
        self, table: CaptureTable, *, progress: Progress | None = None, **params: Any
    ) -> Estimate:
        options = self.options(params)
        table.check_estimable()
        diagnostics: dict[str, Any] = {}
        select = options["select"]
        if select == "stepwise":
            fit, steps = stepwise(table, options["threshold"])
            diagnostics["steps"] = steps
            title = f"log-linear stepwise: {fit.label}"
        elif select in {"aic", "bic"}:
            fit, ranking = best_by(table, select, progress)
            diagnostics["best_models"] = ranking
            title = f"log-linear best {select.upper()}: {fit.label}"
        else:
            fit = fit_model(table, parse_model(options["model"], table))
            title = f"log-linear {fit.label}"
        warnings: list[str] = []
        interval, extra, draws = self._interval(fit, options, warnings)
        diagnostics |= extra
        diagnostics |= {
            "model": fit.label,
            "terms": [list(t) for t in fit.model],
            "aic": fit.aic,
            "bic": fit.bic,
            "deviance": fit.glm.deviance,
            "degrees_of_freedom": len(fit.glm.fitted) - len(fit.glm.beta),
            "coefficients": fit.coefficients(),
            "iterations": fit.glm.iterations,
        }
        if interval.upper == np.inf:
            warnings.append(
                "the interval has no upper bound: the data cannot rule out a much larger "
                "population under this model"
            )
        return Estimate(
            method=self.name,
            label=title,
            total=fit.total,
            documented=table.documented,
            interval=interval,
            parameters=options,
            diagnostics=diagnostics,
            warnings=warnings,
            draws=draws,
        )

    def _interval(
        self, fit: ModelFit, options: dict[str, Any], warnings: list[str]
    ) -> tuple[Interval, dict[str, Any], NDArray[np.float64] | None]:
        level = options["level"]
        if options["interval"] == "wald":
            return wald_interval(fit, level), {}, None
        if options["interval"] == "profile":
            interval, at = profile_interval(fit, level)
            return interval, {"profile_maximum": at}, None
        rng = np.random.default_rng(options["seed"])
        totals, failures = bootstrap_totals(fit, options["bootstrap"], rng)
        if len(totals) < 10:
            raise InvalidInput(
                "bootstrap", "almost no simulated table gave an estimate under this model"
            )
        if failures > 0.05 * options["bootstrap"]:
            warnings.append(
                f"{failures} of {options['bootstrap']} bootstrap tables gave no estimate "
                "(an empty overlap); the interval leaves them out and may be too narrow"
            )
        interval = percentile_interval(totals, level, "parametric bootstrap percentile")
        return interval, {"bootstrap_failures": failures}, totals


LOGLINEAR = LogLinear()
