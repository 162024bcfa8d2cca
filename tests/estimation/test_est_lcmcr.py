"""LCMCR: reproducible from its seed, right on simulated heterogeneous populations, and honest
about runs too short to trust."""

from __future__ import annotations

import numpy as np
import pytest

from dalil.errors import InvalidInput
from dalil.estimation import run, simulate
from estimation.est_support import KOREA, QUICK, table

# Two latent groups over four lists: 30 % often documented, 70 % rarely.
SHARES = (0.3, 0.7)
PROBABILITIES = ((0.55, 0.45, 0.5, 0.4), (0.2, 0.15, 0.25, 0.12))


@pytest.fixture(scope="module")
def heterogeneous() -> tuple[int, object]:
    truth = 2000
    return truth, simulate(truth, SHARES, PROBABILITIES, np.random.default_rng(2016))


def test_the_same_seed_gives_the_same_posterior_draw_for_draw() -> None:
    korea = table(KOREA)
    first = run(korea, "lcmcr", seed=42, **QUICK)
    again = run(korea, "lcmcr", seed=42, **QUICK)
    other = run(korea, "lcmcr", seed=43, **QUICK)
    assert first.draws is not None
    assert again.draws is not None
    assert other.draws is not None
    assert np.array_equal(first.draws, again.draws)
    assert (first.total, first.interval) == (again.total, again.interval)
    assert not np.array_equal(first.draws, other.draws)
    assert first.parameters == again.parameters | {"seed": 42}
    assert first.parameters["classes"] == 10  # the R package's defaults
    assert (first.parameters["a_alpha"], first.parameters["b_alpha"]) == (0.25, 0.25)


def test_a_seed_is_drawn_and_recorded_when_none_is_given() -> None:
    estimate = run(table(KOREA), "lcmcr", **QUICK)
    again = run(table(KOREA), "lcmcr", **(QUICK | {"seed": estimate.parameters["seed"]}))
    assert estimate.draws is not None
    assert again.draws is not None
    assert np.array_equal(estimate.draws, again.draws)


def test_the_interval_covers_the_true_size_of_a_heterogeneous_population(
    heterogeneous: tuple[int, object],
) -> None:
    truth, captures = heterogeneous
    estimate = run(captures, "lcmcr", seed=7, burn_in=2000, iterations=8000, thin=10, chains=2)
    assert estimate.interval is not None
    assert estimate.interval.lower < truth < estimate.interval.upper
    assert abs(estimate.total - truth) / truth < 0.10
    assert estimate.draws is not None
    assert estimate.draws.min() >= estimate.documented
    assert estimate.trace is not None
    assert estimate.trace.shape == (2, 800)
    # the log-linear independence model, blind to the heterogeneity, misses low
    independence = run(captures, "loglinear")
    assert independence.interval is not None
    assert independence.interval.upper < truth


def test_on_a_homogeneous_population_lcmcr_agrees_with_the_independence_model() -> None:
    captures = simulate(3000, (1.0,), ((0.3, 0.25, 0.35, 0.3),), np.random.default_rng(5))
    bayes = run(captures, "lcmcr", seed=3, burn_in=1000, iterations=4000, thin=5, chains=2)
    classical = run(captures, "loglinear")
    assert bayes.total == pytest.approx(classical.total, rel=0.05)
    assert bayes.total == pytest.approx(3000, rel=0.08)


def test_a_deliberately_short_run_is_flagged() -> None:
    estimate = run(table(KOREA), "lcmcr", seed=1, burn_in=0, iterations=40, thin=1, chains=2)
    joined = " ".join(estimate.warnings)
    assert "effective sample size" in joined
    assert estimate.diagnostics["ess_bulk"] < 400


def test_two_lists_are_refused_with_a_pointer_to_chapman() -> None:
    with pytest.raises(InvalidInput, match="at least three lists") as refused:
        run(table("10:5 01:4 11:3"), "lcmcr", **QUICK)
    assert refused.value.hint == "use chapman for two lists"


def test_options_out_of_range_are_refused() -> None:
    with pytest.raises(InvalidInput, match="chains"):
        run(table(KOREA), "lcmcr", chains=0)
    with pytest.raises(InvalidInput, match="thin"):
        run(table(KOREA), "lcmcr", iterations=10, thin=10)


def test_with_one_class_lcmcr_is_the_independence_model() -> None:
    captures = simulate(3000, (1.0,), ((0.3, 0.25, 0.35, 0.3),), np.random.default_rng(5))
    bayes = run(captures, "lcmcr", classes=1, seed=1, burn_in=300, iterations=1500, thin=3)
    classical = run(captures, "loglinear")
    assert bayes.total == pytest.approx(classical.total, rel=0.01)
    assert bayes.interval is not None
    assert classical.interval is not None
    assert bayes.interval.lower == pytest.approx(classical.interval.lower, rel=0.02)
    assert bayes.interval.upper == pytest.approx(classical.interval.upper, rel=0.02)
