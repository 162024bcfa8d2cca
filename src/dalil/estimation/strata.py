"""Estimating strata separately and adding them up, with an interval for the sum.

Heterogeneity between strata (men and women, years, governorates) is taken out by estimating
each stratum on its own. The total is the sum of the strata's estimates; its interval needs the
strata's uncertainty combined, which is done per method, assuming strata are independent:

- LCMCR: the strata are sampled together (independent chains, one random stream); draw i of the
  total is the sum of draw i of every stratum, so the total has a proper posterior. Its point is
  that posterior's median (not the sum of the strata's medians).
- log-linear: every stratum gets a parametric bootstrap (each with its own seed derived from the
  run's seed); replicate i of the total is the sum of replicate i of every stratum, and the
  interval is the percentile interval of those sums. Strata's own intervals are bootstrap too.
- Chapman / Lincoln–Petersen: variances add; the interval is Chao's log-normal one on the summed
  undocumented count, as for one table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from dalil.errors import InvalidInput
from dalil.estimation import diagnostics
from dalil.estimation import params as checks
from dalil.estimation.captures import CaptureTable
from dalil.estimation.lcmcr import ESTIMATOR as LCMCR
from dalil.estimation.lincoln import log_normal_interval
from dalil.estimation.methods import ESTIMATORS, resolved_options
from dalil.estimation.mle import percentile_interval
from dalil.estimation.result import Estimate, Interval, Progress


@dataclass
class Stratified:
    by: str
    strata: dict[str, Estimate]
    total: Estimate

    def to_json(self) -> dict[str, Any]:
        return self.total.to_json() | {
            "by": self.by,
            "strata": {name: e.to_json() for name, e in self.strata.items()},
        }


def derived_seed(seed: int, index: int) -> int:
    state = np.random.SeedSequence([seed, index]).generate_state(1, np.uint64)[0]
    return int(state) >> 2


def estimate_strata(
    tables: Mapping[str, CaptureTable],
    method: str,
    by: str,
    *,
    progress: Progress | None = None,
    **params: Any,
) -> Stratified:
    if not tables:
        raise InvalidInput("strata", "there are no strata to estimate")
    if method not in ESTIMATORS:
        raise InvalidInput("method", f"{method!r}: use {', '.join(ESTIMATORS)}")
    names = list(tables)
    for name in names:
        tables[name].check_estimable(f"stratum {name}")
    if method == "lcmcr":
        estimates = LCMCR.estimate_many([tables[n] for n in names], progress=progress, **params)
        strata = dict(zip(names, estimates, strict=True))
        return Stratified(by, strata, _sum_draws(strata, by, "summed posterior draws"))
    options = dict(params)
    if method == "loglinear":
        options |= {"interval": "bootstrap", "seed": checks.seed(params.get("seed"))}
    strata = {}
    for i, name in enumerate(names):
        own = options | ({"seed": derived_seed(options["seed"], i)} if "seed" in options else {})
        try:
            strata[name] = ESTIMATORS[method].estimate(tables[name], **own)
        except InvalidInput as exc:
            raise InvalidInput(
                f"stratum {name}", exc.message, hint="merge small strata, or estimate without --by"
            ) from None
        if progress is not None:
            progress(i + 1, len(names))
    if method == "loglinear":
        total = _sum_draws(strata, by, "summed parametric bootstrap replicates")
        total.parameters = resolved_options(method, options)
        return Stratified(by, strata, total)
    return Stratified(by, strata, _sum_variances(strata, by))


def _total(strata: dict[str, Estimate], by: str, total: float, interval: Interval) -> Estimate:
    first = next(iter(strata.values()))
    warnings = [f"{name}: {w}" for name, e in strata.items() for w in e.warnings]
    label = first.label
    if len({e.label for e in strata.values()}) > 1:  # e.g. stepwise chose different models
        label = first.label.split(":")[0] + " (model chosen per stratum)"
    return Estimate(
        method=first.method,
        label=f"{label} · sum of {len(strata)} strata by {by}",
        total=total,
        documented=sum(e.documented for e in strata.values()),
        interval=interval,
        parameters=dict(first.parameters),
        diagnostics={"strata": len(strata), "by": by, "combined": interval.kind},
        warnings=warnings,
    )


def _sum_draws(strata: dict[str, Estimate], by: str, kind: str) -> Estimate:
    draws = [e.draws for e in strata.values()]
    if any(d is None for d in draws):
        raise InvalidInput("strata", "a stratum has no draws to combine")
    kept = min(len(d) for d in draws if d is not None)
    summed = np.sum([d[:kept] for d in draws if d is not None], axis=0)
    first = next(iter(strata.values()))
    level = first.interval.level if first.interval is not None else 0.95
    interval = percentile_interval(summed, level, kind)
    total = _total(strata, by, float(np.median(summed)), interval)
    if first.method == "loglinear":
        total.total = sum(e.total for e in strata.values())  # the MLE of a sum is the sum
    traces = [e.trace for e in strata.values()]
    if all(t is not None for t in traces):
        trace = np.sum([t for t in traces if t is not None], axis=0)
        total.trace = trace
        checks_ = diagnostics.summarise(trace)
        total.diagnostics |= checks_
        total.warnings += diagnostics.problems(checks_, "the total")
    total.draws = summed
    return total


def _sum_variances(strata: dict[str, Estimate], by: str) -> Estimate:
    total = sum(e.total for e in strata.values())
    variance = sum(float(e.diagnostics["variance"]) for e in strata.values())
    on_pairs = sum(int(e.diagnostics["documented_on_pair"]) for e in strata.values())
    first = next(iter(strata.values()))
    level = first.interval.level if first.interval is not None else 0.95
    interval = log_normal_interval(total, on_pairs, variance, level, "summed variances, log-normal")
    result = _total(strata, by, total, interval)
    result.diagnostics |= {"variance": variance, "documented_on_pair": on_pairs}
    return result
