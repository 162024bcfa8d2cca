"""Invariants every estimator keeps on any table it accepts: N is at least the number
documented, and the interval contains the point estimate."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dalil.errors import InvalidInput
from dalil.estimation import CaptureTable, run


def tables(lists: int, most: int = 500) -> st.SearchStrategy[CaptureTable]:
    patterns = [format(c, f"0{lists}b") for c in range(1, 2**lists)]
    return st.lists(st.integers(0, most), min_size=len(patterns), max_size=len(patterns)).map(
        lambda counts: CaptureTable.from_mapping(dict(zip(patterns, counts, strict=True)))
    )


def estimable(table: CaptureTable) -> bool:
    try:
        table.check_estimable()
    except InvalidInput:
        return False
    return True


def check(table: CaptureTable, method: str, **options: object) -> None:
    try:
        estimate = run(table, method, **options)
    except InvalidInput as refused:  # refusing, with a reason, is also a correct answer
        message = refused.message
        assert message
        return
    assert estimate.total >= estimate.documented - 1e-9
    assert estimate.interval is not None
    assert estimate.interval.lower >= estimate.documented - 1e-6
    assert estimate.interval.lower - 1e-6 <= estimate.total <= estimate.interval.upper + 1e-6
    assert 0 <= estimate.share_undocumented < 1


@settings(max_examples=150, deadline=None)
@given(tables(2, 10_000), st.sampled_from(["chapman", "lincoln"]))
def test_two_list_estimates(table: CaptureTable, method: str) -> None:
    assume(estimable(table))
    check(table, method)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(3), st.sampled_from(["", "12", "12,13"]))
def test_log_linear_estimates(table: CaptureTable, model: str) -> None:
    assume(estimable(table))
    check(table, "loglinear", model=model)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(3, 200), st.integers(0, 1000))
def test_lcmcr_estimates(table: CaptureTable, seed: int) -> None:
    assume(estimable(table))
    check(table, "lcmcr", seed=seed, burn_in=20, iterations=60, thin=1, chains=2)
