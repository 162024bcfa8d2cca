"""The priors by kind of pair (within a list, across lists): counts, estimates, rescaling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.registry.linkage.prior import (
    ACROSS,
    SHRINK_MATCHES,
    WITHIN,
    PairKinds,
    Priors,
    fixed_point_prior,
    fixed_point_priors,
)


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=40))
@settings(max_examples=100, deadline=None)
def test_pair_counts_by_kind_match_counting_every_pair(lists: list[str]) -> None:
    kinds = PairKinds.of(np.array(lists, dtype=object))
    n = len(lists)
    a, b = np.triu_indices(n, k=1)
    kind = kinds.kind(a, b)
    assert kinds.pairs[WITHIN] == (kind == WITHIN).sum()
    assert kinds.pairs[ACROSS] == (kind == ACROSS).sum()
    same = np.array([lists[i] == lists[j] for i, j in zip(a, b, strict=True)], dtype=bool)
    assert np.array_equal(kind == WITHIN, same)
    # Partners per record, summed over the records, count every pair twice.
    assert kinds.partners().sum() * n == pytest.approx(2 * n * (n - 1) / 2)
    # Each list code's label is the list it codes.
    assert [kinds.names[c] for c in kinds.lists] == lists


def test_each_kind_gets_the_share_of_its_own_matches() -> None:
    # 2,000 records in two lists: 10 clear matches within them, 1,000 across; the rest of the
    # scored pairs are clear non-matches of both kinds.
    kinds = PairKinds.of(np.repeat(np.array(["x", "y"], dtype=object), 1000))
    within, across = kinds.pairs
    evidence = np.array([30.0] * 10 + [30.0] * 1000 + [-30.0] * 500 + [-30.0] * 500)
    kind = np.array([WITHIN] * 10 + [ACROSS] * 1000 + [WITHIN] * 500 + [ACROSS] * 500)
    pooled, _ = fixed_point_prior(evidence, within + across, 1e-3)
    assert pooled == pytest.approx(1010 / (within + across), rel=1e-3)
    by_kind, iterations = fixed_point_priors(evidence, kind, kinds.pairs, pooled)
    assert iterations > 1
    # Each kind is its matches over its pairs, drawn towards the pooled prior by a few
    # pseudo-matches (negligible against 1,000 matches, visible against 10).
    expected = (np.array([10.0, 1000.0]) + SHRINK_MATCHES) / (kinds.pairs + SHRINK_MATCHES / pooled)
    assert by_kind == pytest.approx(expected, rel=1e-3)
    assert by_kind[ACROSS] == pytest.approx(1000 / across, rel=0.01)
    assert by_kind[WITHIN] < pooled < by_kind[ACROSS]


def test_a_kind_with_few_pairs_stays_near_the_pooled_prior() -> None:
    # One list of 3 records beside one of 2,000: 3 pairs within the small list, no match
    # among them scored. Its own share (0 of 3 pairs) would say "never"; the kind keeps a
    # prior near the pooled one, with 1,999,003 pairs within the big list weighing the most.
    lists = np.array(["small"] * 3 + ["big"] * 2000, dtype=object)
    kinds = PairKinds.of(lists)
    evidence = np.array([30.0] * 500 + [-30.0] * 100)
    kind = np.array([ACROSS] * 500 + [WITHIN] * 100)
    pooled, _ = fixed_point_prior(evidence, kinds.pairs.sum(), 1e-3)
    by_kind, _ = fixed_point_priors(evidence, kind, kinds.pairs, pooled)
    assert 0 < by_kind[WITHIN] < pooled
    assert by_kind[WITHIN] > 1e-3 * pooled
    # A kind with no pairs at all (one list) keeps the pooled prior.
    one = PairKinds.of(np.array(["only"] * 10, dtype=object))
    assert one.pairs[ACROSS] == 0
    alone, _ = fixed_point_priors(np.array([5.0]), np.array([WITHIN]), one.pairs, 0.01)
    assert alone[ACROSS] == pytest.approx(0.01)


@given(
    st.lists(st.integers(1, 50), min_size=2, max_size=5),
    st.floats(1e-7, 1e-2),
    st.floats(1e-7, 1e-2),
)
@settings(max_examples=100, deadline=None)
def test_a_saved_models_priors_rescale_to_the_same_records_unchanged(
    sizes: list[int], within: float, across: float
) -> None:
    lists = np.repeat(np.arange(len(sizes)), sizes)
    kinds = PairKinds.of(lists)
    priors = Priors(0.001, np.array([within, across]))
    again = Priors.rescaled(priors.per_record(kinds), 0.001, kinds)
    paired = kinds.pairs > 0  # a kind no pair is of (lists of one record) keeps the pooled prior
    assert again.by_kind[paired] == pytest.approx(priors.by_kind[paired], rel=1e-9)
    assert np.all(again.by_kind[~paired] == 0.001)
    # Twice the records in each list: the expected matches per record stay, the priors halve
    # (about: each list has one record less than double its partners).
    bigger = PairKinds.of(np.repeat(np.arange(len(sizes)), [2 * s for s in sizes]))
    doubled = Priors.rescaled(priors.per_record(kinds), 0.001, bigger)
    assert doubled.per_record(bigger) == pytest.approx(priors.per_record(kinds), rel=1e-9)
    assert doubled.by_kind[ACROSS] == pytest.approx(across / 2, rel=1e-9)
