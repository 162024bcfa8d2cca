"""Log-linear models: published figures reproduced, intervals, selection, refusals."""

from __future__ import annotations

import pytest

from dalil.errors import InvalidInput
from dalil.estimation import run
from dalil.estimation.mle import fit_model, profile_loglik
from dalil.estimation.selection import best_by, stepwise
from dalil.estimation.terms import parse_model
from estimation.est_support import KOREA, UK_LISTS, UKDAT_5, WESTERN, table


def test_korea_main_effects_is_the_published_141_9926() -> None:
    estimate = run(table(KOREA), "loglinear")
    assert estimate.total == pytest.approx(141.9926, abs=0.01)
    assert estimate.documented == 123
    assert estimate.label == "log-linear main effects"


@pytest.mark.parametrize("spec", ["12,23", "A:B, B:C", "[A:B,B:C]", "2:3,1:2"])
def test_korea_with_interactions_12_23_is_the_published_157_1667(spec: str) -> None:
    estimate = run(table(KOREA), "loglinear", model=spec)
    assert estimate.total == pytest.approx(157.1667, abs=0.01)
    assert estimate.diagnostics["model"] == "[A:B, B:C]"


def test_western_with_a_e_interaction_is_the_published_2483_38() -> None:
    estimate = run(table(WESTERN), "loglinear", model="A:E")
    assert estimate.total == pytest.approx(2483.38, abs=0.01)


def test_ukdat5_bales_hesketh_silverman_stepwise_gives_11313() -> None:
    estimate = run(table(UKDAT_5, UK_LISTS), "loglinear", select="stepwise")
    assert round(estimate.total) == 11_313
    steps = estimate.diagnostics["steps"]
    assert [s["added"] for s in steps[1:-1]] == [
        "LA:NG", "NG:GP", "PFNCA:GP", "LA:PFNCA", "GO:GP", "NG:GO",
    ]  # fmt: skip
    assert "stopped" in steps[-1]
    assert all(s["p_value"] < 0.05 for s in steps[1:-1])
    assert steps[-1]["aic"] >= steps[-2]["aic"] or steps[-1]["p_value"] >= 0.05


def test_stepwise_stops_at_main_effects_when_nothing_helps() -> None:
    model, steps = stepwise(table("100:60 010:50 001:40 110:10 101:8 011:7 111:1"))
    assert model.model == ()
    assert "stopped" in steps[-1]


def test_profile_interval_brackets_the_estimate_and_its_ends_drop_by_the_chi2_quantile() -> None:
    korea = table(KOREA)
    estimate = run(korea, "loglinear", level=0.95)
    interval = estimate.interval
    assert interval is not None
    assert interval.kind == "profile likelihood"
    assert interval.lower < estimate.total < interval.upper
    assert interval.lower > korea.documented
    fit = fit_model(korea, ())
    top = profile_loglik(fit, estimate.diagnostics["profile_maximum"])
    for end in (interval.lower, interval.upper):
        assert 2 * (top - profile_loglik(fit, end)) == pytest.approx(3.8415, abs=1e-3)
    wider = run(korea, "loglinear", level=0.99).interval
    assert wider is not None
    assert wider.lower < interval.lower
    assert wider.upper > interval.upper


def test_bootstrap_interval_is_reproducible_from_its_seed() -> None:
    western = table(WESTERN)
    first = run(western, "loglinear", model="A:E", interval="bootstrap", bootstrap=200, seed=7)
    again = run(western, "loglinear", model="A:E", interval="bootstrap", bootstrap=200, seed=7)
    other = run(western, "loglinear", model="A:E", interval="bootstrap", bootstrap=200, seed=8)
    assert first.interval == again.interval
    assert first.interval != other.interval
    assert first.interval is not None
    assert first.interval.contains(first.total)
    assert first.parameters["seed"] == 7


def test_wald_interval_is_on_the_log_of_the_undocumented() -> None:
    estimate = run(table(KOREA), "loglinear", interval="wald")
    assert estimate.interval is not None
    low, high = estimate.interval.lower - 123, estimate.interval.upper - 123
    undocumented = estimate.total - 123
    assert low * high == pytest.approx(undocumented**2, rel=1e-9)  # symmetric in logs


def test_selection_by_aic_and_bic_searches_every_two_way_model() -> None:
    korea = table(KOREA)
    best, ranking = best_by(korea, "aic")
    assert ranking[0]["model"] == best.label
    assert [r["aic"] for r in ranking] == sorted(r["aic"] for r in ranking)
    by_bic = run(korea, "loglinear", select="bic")
    assert by_bic.label.startswith("log-linear best BIC")


def test_an_interaction_of_lists_with_no_one_in_common_is_refused() -> None:
    uk = table(UKDAT_5, UK_LISTS)  # no one is on both LA and GP
    with pytest.raises(InvalidInput, match="no one is on all of LA, GP"):
        run(uk, "loglinear", model="LA:GP")


def test_a_list_with_no_one_on_it_is_refused() -> None:
    with pytest.raises(InvalidInput, match="list C documents no one"):
        run(table("100:5 010:4 110:3"), "loglinear")


def test_a_model_with_more_parameters_than_patterns_is_refused() -> None:
    with pytest.raises(InvalidInput, match="more than the 7 observable patterns"):
        run(table(KOREA.replace("011:0", "011:3")), "loglinear", model="12,13,23,123")


def test_a_model_whose_estimate_is_infinite_is_refused() -> None:
    # 011 is empty and the model fits B:C: the MLE would put −∞ on that interaction
    with pytest.raises(InvalidInput, match="does not exist"):
        run(table(KOREA), "loglinear", model="12,13,23")


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("12,12", "given twice"),
        ("1", "main effect"),
        ("14", "outside"),
        ("A:Z", "no list"),
        ("A:A", "twice"),
        ("123", "needs"),
        ("12,,23", "empty term"),
        ("A-B", "not a term"),
    ],
)
def test_model_specifications_that_make_no_sense_are_refused(spec: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        parse_model(spec, table(KOREA))


def test_options_are_checked() -> None:
    korea = table(KOREA)
    with pytest.raises(InvalidInput, match="unknown option"):
        run(korea, "loglinear", modle="12")
    with pytest.raises(InvalidInput, match="not both"):
        run(korea, "loglinear", model="12", select="stepwise")
    with pytest.raises(InvalidInput, match="level"):
        run(korea, "loglinear", level=1.5)
