"""Strata estimated separately and summed, with the intervals combined per method."""

from __future__ import annotations

import numpy as np
import pytest

from dalil.errors import InvalidInput
from dalil.estimation import estimate_strata, run, simulate
from estimation.est_support import QUICK, table

SHARES = (0.4, 0.6)
PROBABILITIES = ((0.5, 0.4, 0.45, 0.35), (0.25, 0.2, 0.3, 0.2))


@pytest.fixture(scope="module")
def strata() -> dict[str, object]:
    rng = np.random.default_rng(11)
    return {
        "men": simulate(900, SHARES, PROBABILITIES, rng),
        "women": simulate(400, SHARES, PROBABILITIES, rng),
    }


def test_lcmcr_strata_sum_their_posterior_draws(strata: dict) -> None:
    result = estimate_strata(strata, "lcmcr", "sex", seed=5, **QUICK)
    men, women = result.strata["men"], result.strata["women"]
    assert men.draws is not None
    assert women.draws is not None
    assert result.total.draws is not None
    assert np.array_equal(result.total.draws, men.draws + women.draws)
    assert result.total.total == np.median(men.draws + women.draws)
    assert result.total.documented == strata["men"].documented + strata["women"].documented
    assert result.total.interval is not None
    assert result.total.interval.kind == "summed posterior draws"
    # the sum's interval is narrower than adding the strata's ends (errors partly cancel)
    assert men.interval is not None
    assert women.interval is not None
    assert result.total.interval.upper <= men.interval.upper + women.interval.upper
    assert result.total.interval.lower >= men.interval.lower + women.interval.lower
    assert "rhat" in result.total.diagnostics


def test_log_linear_strata_sum_bootstrap_replicates(strata: dict) -> None:
    result = estimate_strata(strata, "loglinear", "sex", seed=9, bootstrap=300)
    point = sum(run(t, "loglinear").total for t in strata.values())
    assert result.total.total == pytest.approx(point)  # the MLE of a sum is the sum of MLEs
    assert result.total.interval is not None
    assert result.total.interval.kind == "summed parametric bootstrap replicates"
    assert result.total.interval.contains(result.total.total)
    # each stratum has its own seed, so the replicates are independent
    assert result.strata["men"].parameters["seed"] != result.strata["women"].parameters["seed"]
    again = estimate_strata(strata, "loglinear", "sex", seed=9, bootstrap=300)
    assert again.total.interval == result.total.interval


def test_chapman_strata_add_their_variances(strata: dict) -> None:
    result = estimate_strata(strata, "chapman", "sex", pair="A,B")
    parts = list(result.strata.values())
    assert result.total.total == pytest.approx(sum(p.total for p in parts))
    assert result.total.diagnostics["variance"] == pytest.approx(
        sum(p.diagnostics["variance"] for p in parts)
    )
    assert result.total.interval is not None
    assert result.total.interval.contains(result.total.total)


def test_a_stratum_that_cannot_be_estimated_is_named() -> None:
    tables = {"2012": table("110:5 101:3 011:2 100:9"), "2013": table("100:4 010:0")}
    with pytest.raises(InvalidInput, match="stratum 2013"):
        estimate_strata(tables, "loglinear", "year")
