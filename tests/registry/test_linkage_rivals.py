"""A pair's probability given each record's other candidates (linkage.rivals, engine)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.registry.linkage import LinkResult, link, link_new
from dalil.registry.linkage.engine import RIVALS_ALONE_LABEL, RIVALS_LABEL
from dalil.registry.linkage.rivals import MAX_SHARE, rivals
from dalil.registry.synthetic import generate_lists


def adjusted(p: float, bits: float) -> float:
    odds = p / (1 - p) * 2.0**bits
    return odds / (1 + odds)


def test_a_lone_pair_rises_by_both_lists_shares_without_a_match() -> None:
    # Lists 0 and 1, four records each. Records 0-4, 1-5 and 2-6 are sure matches; 3-7 is a
    # weak pair and neither record has another candidate: "not one person" means neither has a
    # match in the other list.
    lists = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    a, b = np.array([0, 1, 2, 3]), np.array([4, 5, 6, 7])
    p = np.array([0.99, 0.99, 0.99, 0.4])
    out = rivals(a, b, p, lists)
    share = p.sum() / 4  # each list: the expected share of its records with a match in the other
    assert out.shares[0, 1] == pytest.approx(share)
    assert out.shares[1, 0] == pytest.approx(share)
    odds = 0.4 / 0.6
    none = (1 - share) * (1 - share)
    assert adjusted(0.4, out.adjustment[3]) == pytest.approx(odds / (none + odds))
    assert adjusted(0.4, out.adjustment[3]) > 0.5  # taken now; alone it would not be
    assert out.alone.all()  # each pair's records are each other's only candidate


def test_a_likelier_candidate_lowers_a_pair() -> None:
    # Record 0 (list 0) has two candidates in list 1: record 2 at 0.95 and record 3 at 0.6.
    lists = np.array([0, 0, 1, 1])
    a, b = np.array([0, 0]), np.array([2, 3])
    p = np.array([0.95, 0.6])
    out = rivals(a, b, p, lists)
    weak, strong = adjusted(0.6, out.adjustment[1]), adjusted(0.95, out.adjustment[0])
    assert weak < 0.5 < strong
    assert not out.alone.any()
    # Record 3's side has no rival; record 0's side has record 2: the mean of both sides. From
    # record 0's side, "not 3" also means 3 has no match in list 0 (0 is its only candidate).
    o = 0.6 / 0.4
    one = o / ((1 - out.shares[1, 0]) + o)
    other = o / ((1 - out.shares[0, 1]) * (1 - out.shares[1, 0]) + o + 0.95 / 0.05)
    assert weak == pytest.approx((one + other) / 2)


def test_a_persons_second_record_in_one_list_is_no_rival() -> None:
    # Record 0 (list 0) and records 1 and 2 of list 1, which are one person named twice (their
    # pair at 0.97); record 3 (list 1) is a stranger who looks like them.
    lists = np.array([0, 1, 1, 1])
    a, b = np.array([0, 0, 1, 0]), np.array([1, 2, 2, 3])
    p = np.array([0.9, 0.9, 0.97, 0.9])
    out = rivals(a, b, p, lists)
    q = [adjusted(x, bits) for x, bits in zip(p, out.adjustment, strict=True)]
    o = 0.9 / 0.1
    # Record 1's only candidate in list 0 is record 0: from 0's side, "not 1" means 1 has no
    # match in list 0 either.
    free = (1 - out.shares[0, 1]) * (1 - out.shares[1, 0])
    # From record 0's side, record 2 counts against 0-1 only by its chance of not being 1's
    # person (0.03); the stranger counts whole.
    expected = o / (free + 3 * o - o * 0.97)
    assert q[0] == pytest.approx((expected + o / ((1 - out.shares[1, 0]) + o)) / 2)
    assert q[0] == pytest.approx(q[1])
    assert q[3] < q[0]  # the stranger's pair has two rivals that are one person: it falls more
    # A pair of one list keeps the model's probability (whether a list names a person twice is
    # what it asks).
    assert out.adjustment[2] == 0
    assert not out.alone.any()


def test_an_incremental_run_counts_only_the_sides_whose_candidates_are_all_there() -> None:
    # Lists 0 (records 0-1, old) and 1 (records 2-3, new). Every pair touches a new record, so
    # both sides are whole: the same as a full run over these pairs.
    lists = np.array([0, 0, 1, 1])
    a, b = np.array([0, 1, 0]), np.array([2, 3, 3])
    p = np.array([0.9, 0.3, 0.2])
    full = rivals(a, b, p, lists)
    new = np.array([False, False, True, True])
    assert np.allclose(rivals(a, b, p, lists, new).adjustment, full.adjustment)
    # Now record 3 is new but joins list 0, whose old records were linked before: an old
    # record's candidates in list 0 are not all here, so the pair takes the new record's side
    # (and, not knowing whether record 2 has other candidates, without 2's "no match").
    lists = np.array([0, 0, 1, 0])
    new = np.array([False, False, False, True])
    a, b = np.array([2, 0]), np.array([3, 3])
    p = np.array([0.4, 0.3])
    out = rivals(a, b, p, lists, new)
    o = 0.4 / 0.6
    share = out.shares[0, 1]  # of list 0's new records, the share with a match in list 1
    assert share == pytest.approx(0.4)
    assert adjusted(0.4, out.adjustment[0]) == pytest.approx(o / ((1 - share) + o))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_adjustments_are_finite_order_free_and_never_lower_a_lone_pair(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 12))
    lists = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    lists = pd.factorize(lists)[0]
    pairs = data.draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda t: t[0] < t[1]),
            unique=True,
            max_size=20,
        )
    )
    p = np.array(
        data.draw(st.lists(st.floats(1e-3, 1 - 1e-6), min_size=len(pairs), max_size=len(pairs)))
    )
    a = np.array([x for x, _ in pairs], dtype=np.int64)
    b = np.array([y for _, y in pairs], dtype=np.int64)
    out = rivals(a, b, p, lists)
    assert np.isfinite(out.adjustment).all()
    assert ((out.shares >= 0) & (out.shares <= MAX_SHARE)).all()
    order = np.array(data.draw(st.permutations(range(len(pairs)))), dtype=np.int64)
    again = rivals(b[order], a[order], p[order], lists)  # other order, ends swapped
    assert np.allclose(again.adjustment, out.adjustment[order])
    # A pair whose two records have no other candidate in each other's list is never lowered:
    # its odds go over both lists' shares without a match.
    side_a, side_b = a * 3 + lists[b], b * 3 + lists[a]
    count = np.bincount(np.concatenate([side_a, side_b]), minlength=n * 3)
    lone = (count[side_a] == 1) & (count[side_b] == 1) & (lists[a] != lists[b])
    assert (out.adjustment[lone] >= -1e-9).all()
    odds = p / (1 - p)
    none = (1 - out.shares[lists[a], lists[b]]) * (1 - out.shares[lists[b], lists[a]])
    expected = np.log2(odds / none) - np.log2(odds)  # q / (1 - q) = odds / none
    assert np.allclose(out.adjustment[lone], expected[lone], atol=1e-6)


@pytest.fixture(scope="module")
def people() -> tuple[pd.DataFrame, dict[str, int]]:
    records, _ = generate_lists(3000, seed=11)
    truth = dict(zip(records["record_id"], records["true_id"].astype(int), strict=True))
    return records.drop(columns=["true_id"]), truth


@pytest.fixture(scope="module")
def run(people: tuple[pd.DataFrame, dict[str, int]]) -> LinkResult:
    return link(people[0], seed=42)


def _pairwise(pairs: pd.DataFrame) -> np.ndarray:
    """The model's probability of each explained pair: its weight without the rivals' entry."""
    bits = np.array([json.loads(t)["other candidates"]["weight"] for t in pairs["explanation"]])
    weight = pairs["match_weight"].to_numpy(dtype=float) - bits
    out: np.ndarray = 1 / (1 + np.exp2(-weight))
    return out


def test_the_run_weighs_rivals_and_its_probabilities_are_truer(
    run: LinkResult, people: tuple[pd.DataFrame, dict[str, int]]
) -> None:
    truth = people[1]
    assert run.calibration["rivals"]["applied"] is True
    shares = run.calibration["rivals"]["shares_with_a_match"]
    ids = sorted(set(people[0]["source_id"]))
    # Four lists, each in each, named by the lists' ids.
    assert sorted(shares) == sorted(f"{x} in {y}" for x in ids for y in ids)
    assert all(0 <= v <= MAX_SHARE for v in shares.values())
    pairs = run.pairs[run.pairs["explanation"].notna()]
    ends = zip(pairs["record_a"], pairs["record_b"], strict=True)
    same = np.array([truth[a] == truth[b] for a, b in ends])
    p = _pairwise(pairs)
    q = pairs["match_probability"].to_numpy(dtype=float)
    assert (q > p + 1e-9).sum() > 0  # some raised (lone pairs)
    assert (q < p - 1e-9).sum() > 0  # and some lowered (a likelier rival)

    def log_loss(x: np.ndarray) -> float:
        x = np.clip(x, 1e-9, 1 - 1e-9)
        return float(-np.mean(np.where(same, np.log(x), np.log(1 - x))))

    assert log_loss(q) < log_loss(p)
    # Taken at 0.5, the adjusted probabilities keep fewer false matches for at least as many
    # true ones as the model's alone would.
    assert (~same & (q >= 0.5)).sum() < (~same & (p >= 0.5)).sum()
    assert (same & (q >= 0.5)).sum() >= 0.99 * (same & (p >= 0.5)).sum()
    # The statuses follow the adjusted probability.
    status = pairs["status"].to_numpy()
    assert (status[q >= 0.8] == "linked").all()
    assert (status[q < 0.2] == "unlinked").all()


def test_the_explanation_says_when_neither_record_has_another_candidate(
    run: LinkResult, people: tuple[pd.DataFrame, dict[str, int]]
) -> None:
    lists = dict(zip(people[0]["record_id"], people[0]["source_id"], strict=True))
    a, b = run.pairs["record_a"], run.pairs["record_b"]
    # Each record's candidates in each other list, over every returned pair.
    side_a, side_b = a + "|" + b.map(lists), b + "|" + a.map(lists)
    count = pd.concat([side_a, side_b]).value_counts()
    alone = (side_a.map(count) == 1) & (side_b.map(count) == 1) & (a.map(lists) != b.map(lists))
    explained = run.pairs["explanation"].notna()
    entries = [json.loads(t)["other candidates"] for t in run.pairs.loc[explained, "explanation"]]
    levels = np.array([e["level"] for e in entries])
    expected = np.where(alone[explained], RIVALS_ALONE_LABEL, RIVALS_LABEL)
    assert (levels == expected).all()
    assert set(levels) == {RIVALS_ALONE_LABEL, RIVALS_LABEL}  # both kinds occur here
    weights = np.array([e["weight"] for e in entries])
    assert (weights[levels == RIVALS_ALONE_LABEL] >= 0).all()  # never lowered


def test_a_new_list_linked_incrementally_weighs_rivals_too(
    people: tuple[pd.DataFrame, dict[str, int]],
) -> None:
    records, _ = people
    last = sorted(records["source_id"].unique())[-1]
    existing, new = records[records["source_id"] != last], records[records["source_id"] == last]
    first = link(existing, seed=42)
    out = link_new(new, existing, first.clusters, first.model)
    assert out.calibration["rivals"]["applied"] is True
    explained = out.pairs[out.pairs["explanation"].notna()]
    assert len(explained) > 0
    for text, weight in zip(explained["explanation"], explained["match_weight"], strict=True):
        explanation = json.loads(text)
        assert "other candidates" in explanation
        total = sum(part["weight"] for part in explanation.values())
        assert total == pytest.approx(weight, abs=0.05)
