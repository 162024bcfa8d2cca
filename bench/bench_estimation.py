"""Benchmark: accuracy of the estimators under capture heterogeneity, and the Gibbs sampler's speed.

Accuracy (issue 5): a population of N = 10,000 in two latent groups — 30 % often documented,
70 % rarely, each of 5 lists with its own rates (``dalil.estimation.simulate``) — is drawn
``--replicates`` times (200 by default). Each replicate's capture table is estimated by

- LCMCR (K = 10, the R package's priors; 2 chains, all replicates sampled together),
- log-linear main effects, and log-linear Bales–Hesketh–Silverman stepwise (profile intervals),
- Chapman on lists A and B only,

and the bias, RMSE and 95 % interval coverage of each against the true 10,000 are printed.
Goal: LCMCR |bias| ≤ 5 %, coverage ≥ 90 %. Log-linear models are expected to fail here.

Speed: 10,000 Gibbs sweeps of one chain on the Kosovo table (4 lists, 4,400 documented killings;
Ball et al. 2002, as distributed with R's LCMCR and MultipleSystemsEstimation).

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_estimation.py [--replicates 200]``.
Record the printed figures, with date and machine, in docs/benchmarks.md.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core: no threaded BLAS
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import datetime as dt
import math
import platform
import time
from dataclasses import dataclass, field

import numpy as np

from dalil.errors import InvalidInput
from dalil.estimation import CaptureTable, Estimate, run, simulate
from dalil.estimation.lcmcr import ESTIMATOR as LCMCR
from dalil.estimation.simulate import (
    HETEROGENEOUS_PROBABILITIES,
    HETEROGENEOUS_SHARES,
)

TRUTH = 10_000
# Kosovo, March–June 1999: exhumations, ABA/CEELI, OSCE, HRW (EXH, ABA, OSCE, HRW).
KOSOVO = {
    "1000": 1131, "0100": 845, "0010": 936, "0001": 306, "1100": 177, "1010": 228,
    "1001": 106, "0110": 217, "0101": 31, "0011": 123, "1110": 181, "1101": 18,
    "1011": 42, "0111": 32, "1111": 27,
}  # fmt: skip


@dataclass
class Scores:
    name: str
    totals: list[float] = field(default_factory=list)
    covered: list[bool] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    refused: int = 0

    def add(self, estimate: Estimate) -> None:
        self.totals.append(estimate.total)
        interval = estimate.interval
        assert interval is not None
        self.covered.append(interval.lower <= TRUTH <= interval.upper)
        self.widths.append(interval.upper - interval.lower)

    def line(self) -> str:
        if not self.totals:
            return f"{self.name:<34} no estimates ({self.refused} refused)"
        totals = np.array(self.totals)
        bias = totals.mean() - TRUTH
        rmse = math.sqrt(float(np.mean((totals - TRUTH) ** 2)))
        widths = np.array(self.widths)
        width = float(np.median(widths[np.isfinite(widths)])) if np.isfinite(widths).any() else 0
        return (
            f"{self.name:<34} {totals.mean():>9,.0f} {bias:>+8,.0f} {bias / TRUTH:>+7.1%} "
            f"{rmse:>7,.0f} {np.mean(self.covered):>9.1%} {width:>9,.0f} {self.refused:>7}"
        )


def _classical(tables: list[CaptureTable], scores: dict[str, Scores]) -> None:
    runs = {
        "log-linear main effects": {"method": "loglinear"},
        "log-linear stepwise (BHS)": {"method": "loglinear", "select": "stepwise"},
        "Chapman, lists A and B": {"method": "chapman", "pair": "A,B"},
    }
    for table in tables:
        for name, options in runs.items():
            try:
                scores[name].add(run(table, **options))  # type: ignore[arg-type]
            except InvalidInput:
                scores[name].refused += 1


def accuracy(replicates: int, seed: int, sweeps: tuple[int, int, int], chunk: int) -> None:
    rng = np.random.default_rng(seed)
    tables = [
        simulate(TRUTH, HETEROGENEOUS_SHARES, HETEROGENEOUS_PROBABILITIES, rng)
        for _ in range(replicates)
    ]
    documented = np.array([t.documented for t in tables])
    burn_in, iterations, thin = sweeps
    lcmcr_name = "LCMCR (K=10)"
    names = [lcmcr_name, "log-linear main effects", "log-linear stepwise (BHS)"]
    scores = {n: Scores(n) for n in [*names, "Chapman, lists A and B"]}
    started = time.perf_counter()
    _classical(tables, scores)
    classical_seconds = time.perf_counter() - started
    rhats: list[float] = []
    ess: list[float] = []
    started = time.perf_counter()
    for first in range(0, replicates, chunk):
        batch = tables[first : first + chunk]
        estimates = LCMCR.estimate_many(
            batch, seed=seed + first, burn_in=burn_in, iterations=iterations, thin=thin, chains=2
        )
        for estimate in estimates:
            scores[lcmcr_name].add(estimate)
            rhats.append(estimate.diagnostics["rhat"])
            ess.append(estimate.diagnostics["ess_bulk"])
        print(f"  … LCMCR {first + len(batch)}/{replicates} replicates", flush=True)
    lcmcr_seconds = time.perf_counter() - started

    high, low = HETEROGENEOUS_PROBABILITIES
    print(f"\nAccuracy: N = {TRUTH:,}, 5 lists, {replicates} replicates (seed {seed})")
    print(f"  30 % of people with capture probabilities {high}")
    print(f"  70 % of people with capture probabilities {low}")
    print(
        f"  documented per replicate: mean {documented.mean():,.0f} "
        f"({documented.mean() / TRUTH:.0%} of N), range {documented.min():,}–{documented.max():,}"
    )
    print(
        f"  LCMCR: 2 chains × ({burn_in:,} burn-in + {iterations:,} kept sweeps, thin {thin}), "
        f"{chunk} replicates sampled together"
    )
    header = (
        f"{'method':<34} {'mean N':>9} {'bias':>8} {'bias %':>7} {'RMSE':>7} "
        f"{'coverage':>9} {'width':>9} {'refused':>7}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for score in scores.values():
        print(score.line())
    r = np.array(rhats)
    e = np.array(ess)
    print(
        f"\nLCMCR convergence: median R-hat {np.nanmedian(r):.3f}, R-hat > 1.1 in "
        f"{np.mean(r > 1.1):.0%} of replicates; median bulk ESS {np.nanmedian(e):.0f} "
        f"(min {np.nanmin(e):.0f})"
    )
    print(
        f"time: LCMCR {lcmcr_seconds:,.0f} s for all replicates; "
        f"log-linear and Chapman {classical_seconds:,.0f} s"
    )


def speed(seed: int) -> None:
    table = CaptureTable.from_mapping(KOSOVO, ["EXH", "ABA", "OSCE", "HRW"])
    print(f"\nSpeed: 10,000 Gibbs sweeps on Kosovo (4 lists, {table.documented:,} documented)")
    for chains in (1, 4):
        wall, cpu = time.perf_counter(), time.process_time()
        estimate = run(
            table, "lcmcr", seed=seed, burn_in=0, iterations=10_000, thin=10, chains=chains
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"  {chains} chain{'s' if chains > 1 else ' '}: {wall:5.1f} s wall, {cpu:5.1f} s CPU "
            f"({wall / 10_000 * 1e6:,.0f} µs per sweep; posterior median N {estimate.total:,.0f})"
        )
    print("  target: < 10 s for one chain on one core")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--burn-in", type=int, default=5_000)
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--thin", type=int, default=20)
    parser.add_argument("--chunk", type=int, default=50, help="replicates sampled together")
    parser.add_argument("--skip-accuracy", action="store_true")
    args = parser.parse_args()
    print(
        f"Dalil estimation benchmark — {dt.date.today()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, NumPy {np.__version__}"
    )
    speed(args.seed)
    if not args.skip_accuracy:
        accuracy(args.replicates, args.seed, (args.burn_in, args.iterations, args.thin), args.chunk)


if __name__ == "__main__":
    main()
