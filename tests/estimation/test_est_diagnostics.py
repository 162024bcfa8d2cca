"""Convergence diagnostics: R-hat and ESS behave as Vehtari et al. (2021) describe."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dalil.estimation import diagnostics


def _ar1(rng: np.random.Generator, chains: int, n: int, phi: float) -> np.ndarray:
    x = np.zeros((chains, n))
    noise = rng.normal(size=(chains, n))
    for t in range(1, n):
        x[:, t] = phi * x[:, t - 1] + noise[:, t]
    return x


def test_independent_draws_have_rhat_one_and_ess_near_their_number() -> None:
    draws = np.random.default_rng(1).normal(size=(4, 1000))
    assert diagnostics.rhat(draws) < 1.01
    assert 3000 < diagnostics.ess_bulk(draws) < 5000
    assert diagnostics.problems(diagnostics.summarise(draws)) == []


def test_chains_in_different_places_are_flagged() -> None:
    draws = np.random.default_rng(2).normal(size=(4, 500)) + np.array([[0], [0], [0], [3]])
    summary = diagnostics.summarise(draws)
    assert summary["rhat"] > 1.1
    assert any("chains disagree" in p for p in diagnostics.problems(summary))


def test_autocorrelated_draws_have_the_ess_theory_gives() -> None:
    phi = 0.9  # integrated autocorrelation time (1 + φ)/(1 − φ) = 19
    draws = _ar1(np.random.default_rng(3), 4, 20_000, phi)
    assert diagnostics.ess_bulk(draws) == pytest.approx(4 * 20_000 / 19, rel=0.15)


def test_chains_that_never_move_say_so() -> None:
    summary = diagnostics.summarise(np.full((2, 100), 5.0))
    assert math.isnan(summary["rhat"])
    assert any("never moved" in p for p in diagnostics.problems(summary))
