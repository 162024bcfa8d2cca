"""Lincoln–Petersen and Chapman on two lists, checked against hand computation."""

from __future__ import annotations

import math

import pytest

from dalil.errors import InvalidInput
from dalil.estimation import run
from estimation.est_support import KOREA, table

# 60 people on list A, 40 on list B, 20 on both: 80 documented.
HAND = "10:40 01:20 11:20"


def test_lincoln_petersen_by_hand() -> None:
    estimate = run(table(HAND), "lincoln")
    assert estimate.total == pytest.approx(60 * 40 / 20)  # 120
    assert estimate.diagnostics["variance"] == pytest.approx(60 * 40 * 40 * 20 / 20**3)  # 240
    assert estimate.documented == 80
    assert estimate.undocumented == pytest.approx(40)
    assert estimate.share_undocumented == pytest.approx(1 / 3)


def test_chapman_by_hand() -> None:
    estimate = run(table(HAND), "chapman")
    assert estimate.total == pytest.approx(61 * 41 / 21 - 1)  # 118.095…
    variance = 61 * 41 * 40 * 20 / (21**2 * 22)  # 206.22…
    assert estimate.diagnostics["variance"] == pytest.approx(variance)
    # Chao's log-normal interval on the undocumented count f0 = N − n
    f0 = estimate.total - 80
    spread = math.exp(1.959964 * math.sqrt(math.log(1 + variance / f0**2)))
    assert estimate.interval is not None
    assert estimate.interval.lower == pytest.approx(80 + f0 / spread, rel=1e-6)
    assert estimate.interval.upper == pytest.approx(80 + f0 * spread, rel=1e-6)
    assert estimate.interval.lower > 80  # never below the documented count


def test_more_lists_are_collapsed_onto_the_pair_named() -> None:
    estimate = run(table(KOREA), "chapman", pair="A,B")
    # A: 5+54+6+12 = 77, B: 5+54+0+12 = 71, both: 54+12 = 66
    assert (estimate.diagnostics["n1"], estimate.diagnostics["n2"]) == (77, 71)
    assert estimate.diagnostics["both"] == 66
    assert estimate.total == pytest.approx(78 * 72 / 67 - 1)
    assert estimate.documented == 82  # on A or B; the 41 on C alone are ignored
    assert estimate.diagnostics["documented_on_all_lists"] == 123
    assert any("below the 123 documented" in w for w in estimate.warnings)
    assert any("uses 2 of 3 lists" in w for w in estimate.warnings)


def test_two_list_methods_need_a_pair_when_there_are_more_lists() -> None:
    with pytest.raises(InvalidInput, match="needs two of them") as refused:
        run(table(KOREA), "chapman")
    assert refused.value.hint is not None
    assert "--pair A,B" in refused.value.hint
    with pytest.raises(InvalidInput, match="two different"):
        run(table(KOREA), "chapman", pair="A,a")


def test_no_overlap_between_the_two_lists_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no one appears on more than one list"):
        run(table("100:5 010:4 101:2"), "chapman", pair="A,B")
