"""Training's guards: the floors on m and u never invent evidence for a match, a level EM
leaves as NaN counts as untrained, and EM's sample grows with the records within its bounds."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.registry.linkage.engine import (
    EM_MAX_PAIRS,
    EM_MIN_PAIRS,
    M_FLOOR,
    U_FLOOR,
    _bounded,
    em_pairs,
)


def _settings(levels: list[dict[str, Any]]) -> dict[str, Any]:
    null = {"sql_condition": "x_l IS NULL", "is_null_level": True}
    return {"comparisons": [{"output_column_name": "x", "comparison_levels": [null, *levels]}]}


def _level(label: str, m: float | None, u: float | None) -> dict[str, Any]:
    return {"sql_condition": "TRUE", "label_for_charts": label, "m_probability": m,
            "u_probability": u}  # fmt: skip


def _bf(level: dict[str, Any]) -> float:
    return float(level["m_probability"]) / float(level["u_probability"])


def test_a_rare_level_training_never_saw_among_matches_counts_nothing() -> None:
    """Given and family swapped on lists that swap no names: EM drives m to ~0 and u is ~3e-5.
    The old floor (m = 1e-3) made that 2^5 for a match; now the level counts as nothing."""
    settings = _settings(
        [
            _level("given and family swapped", 1e-12, 3e-5),
            _level("exact", 0.6, 0.01),
            _level("different", 1e-9, 0.9),
        ]
    )
    levels = _bounded(settings, {})["comparisons"][0]["comparison_levels"][1:]
    assert _bf(levels[0]) == pytest.approx(1.0)
    assert _bf(levels[1]) == pytest.approx(60.0)  # trained values are kept
    # A common level training never saw among matches still counts against, within the floor.
    assert levels[2]["m_probability"] == M_FLOOR
    assert _bf(levels[2]) == pytest.approx(M_FLOOR / 0.9)


def test_an_untrained_agreement_level_still_counts_for_the_match() -> None:
    settings = _settings(
        [_level("exact", None, 0.01), _level("similar", None, 0.05), _level("different", 0.2, 0.9)]
    )
    calibration: dict[str, Any] = {}
    levels = _bounded(settings, calibration)["comparisons"][0]["comparison_levels"][1:]
    assert _bf(levels[0]) > _bf(levels[1]) > 1
    assert calibration["floors"]["untrained_levels"] == ["x: exact", "x: similar"]


def test_a_level_em_left_as_nan_is_untrained_not_nan() -> None:
    """EM writes 0/0 where its sample held no pair with the comparison's field; a NaN weight
    would reach the scoring SQL as a column named nan."""
    settings = _settings([_level("exact", float("nan"), 0.05), _level("different", 0.3, 0.9)])
    calibration: dict[str, Any] = {}
    levels = _bounded(settings, calibration)["comparisons"][0]["comparison_levels"][1:]
    assert all(math.isfinite(lv["m_probability"]) for lv in levels)
    assert _bf(levels[0]) > 1
    assert calibration["floors"]["untrained_levels"] == ["x: exact"]


probability = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(m=probability, u=probability)
def test_the_floors_never_lower_m_and_never_turn_a_level_into_evidence_for_a_match(
    m: float, u: float
) -> None:
    level = _bounded(_settings([_level("a", m, u), _level("b", 0.5, 0.5)]), {})
    out = level["comparisons"][0]["comparison_levels"][1]
    assert out["m_probability"] >= m
    assert out["u_probability"] >= max(u, U_FLOOR)
    assert out["m_probability"] > 0
    if m < min(M_FLOOR, max(u, U_FLOOR)):
        # Floored: at most neutral, and never a veto beyond M_FLOOR / u.
        assert _bf(out) <= 1.0 + 1e-12
        assert _bf(out) >= min(1.0, M_FLOOR / out["u_probability"]) * (1 - 1e-12)
    else:
        assert math.isclose(_bf(out), m / max(u, U_FLOOR))


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_em_samples_one_pair_per_record_within_its_bounds(a: int, b: int) -> None:
    """A training block's matches grow with the records, its pairs with their square: the
    sample grows with the records so that it holds as many matches, within the bounds."""
    small, large = sorted((a, b))
    assert EM_MIN_PAIRS <= em_pairs(small) <= em_pairs(large) <= EM_MAX_PAIRS
    if EM_MIN_PAIRS <= small <= EM_MAX_PAIRS:
        assert em_pairs(small) == small


def test_em_samples_what_was_measured_at_one_and_five_million_records() -> None:
    assert em_pairs(1_000_000) == 1e6  # m within 0.016 of 5e6's, in a third of the time
    assert em_pairs(5_000_000) == 5e6  # fewer broke the birth-date pass there (session 8)


def test_later_em_passes_hold_what_an_earlier_pass_trained_except_the_names() -> None:
    """At five million records the later passes' match class drifted from the persons; the
    comparisons the first pass trained (place, dates, sex) hold it to the first pass's class.
    A held level keeps the m it had, and the pass is not counted among its estimates."""
    from splink import Linker

    from dalil.registry.linkage.blocking import plan_blocking
    from dalil.registry.linkage.engine import _db_api, _encode, _register, _train
    from dalil.registry.linkage.features import NAME_PARTS, prepare
    from dalil.registry.linkage.model import EM_PASSES, settings, usable_comparisons
    from dalil.registry.synthetic import generate_lists

    records, _ = generate_lists(1500, seed=3)
    features = prepare(records.drop(columns=["true_id"]))
    n = len(_encode(features))
    known = {c: int(features[c].notna().sum()) for c in features.columns}
    calibration: dict[str, Any] = {"engine": "duckdb"}
    with _db_api("duckdb") as api:
        plan = plan_blocking(features)
        model = settings(plan, 1 / n, usable_comparisons(features))
        linker = Linker(_register(api, features), model, log_level=None)
        _train(linker, known, n, 42, set(), None, calibration)
        trained = {
            cc.output_column_name: [
                (cl.m_probability, cl._trained_m_probabilities)
                for cl in cc._comparison_levels_excluding_null
            ]
            for cc in linker._settings_obj.comparisons
        }
    passes = calibration["m"]["passes"]
    assert [p["ok"] for p in passes] == [True] * len(EM_PASSES)
    assert passes[0]["held"] == []
    for later in passes[1:]:
        assert {"place", "sex", "event_date"} <= set(later["held"])
        assert not set(later["held"]) & set(NAME_PARTS)
    # Place: estimated by the first pass alone, once per level, and its m is that estimate.
    for m, estimates in trained["place"]:
        assert len(estimates) == 1
        assert all(f'"{key}"' in estimates[0]["description"] for key in passes[0]["blocking"])
        if isinstance(estimates[0]["probability"], float):  # else "level not observed"
            assert m == estimates[0]["probability"]
    # Names are estimated by every pass that does not block on them: the father by all three.
    assert all(len(estimates) == len(EM_PASSES) for _, estimates in trained["father"])
