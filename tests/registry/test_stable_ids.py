"""Stable registry IDs: kept when a person's members are unchanged or only grew, redirected on
merges and splits, never reused (exhaustive cases, then random partitions with hypothesis)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.registry.stable_ids import Redirect, assign, members_digest


def fresh_ids() -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"vic_new{next(numbers)}"


def test_unchanged_members_keep_their_id() -> None:
    old = {"vic_a": {"r1", "r2"}, "vic_b": {"r3"}}
    result = assign(old, [frozenset({"r3"}), frozenset({"r1", "r2"})], fresh_ids())
    assert result.ids == ["vic_b", "vic_a"]
    assert result.kept == {"vic_a": "same", "vic_b": "same"}
    assert result.created == []
    assert result.retired == []
    assert result.redirects == []


def test_a_person_grown_by_new_records_keeps_the_id() -> None:
    old = {"vic_a": {"r1", "r2"}}
    result = assign(old, [frozenset({"r1", "r2", "r9"})], fresh_ids())
    assert result.ids == ["vic_a"]
    assert result.kept == {"vic_a": "grown"}


def test_a_merge_retires_both_ids_and_redirects_them_to_the_new_one() -> None:
    old = {"vic_a": {"r1"}, "vic_b": {"r2"}}
    result = assign(old, [frozenset({"r1", "r2"})], fresh_ids())
    assert result.ids == ["vic_new1"]
    assert sorted(result.retired) == ["vic_a", "vic_b"]
    assert sorted(result.redirects, key=lambda r: r.old_id) == [
        Redirect("vic_a", "vic_new1", "merged"),
        Redirect("vic_b", "vic_new1", "merged"),
    ]


def test_a_split_retires_the_id_and_redirects_it_to_every_part() -> None:
    old = {"vic_a": {"r1", "r2", "r3"}}
    result = assign(old, [frozenset({"r1"}), frozenset({"r2", "r3"})], fresh_ids())
    assert result.retired == ["vic_a"]
    assert result.redirects == [
        Redirect("vic_a", "vic_new1", "split"),
        Redirect("vic_a", "vic_new2", "split"),
    ]


def test_a_person_that_took_another_persons_record_is_new() -> None:
    """Not "grown": r3 was someone else's, so both old persons changed."""
    old = {"vic_a": {"r1", "r2"}, "vic_b": {"r3", "r4"}}
    result = assign(old, [frozenset({"r1", "r2", "r3"}), frozenset({"r4"})], fresh_ids())
    assert result.ids == ["vic_new1", "vic_new2"]
    assert set(result.redirects) == {
        Redirect("vic_a", "vic_new1", "merged"),
        Redirect("vic_b", "vic_new1", "merged"),
        Redirect("vic_b", "vic_new2", "split"),
    }


def test_a_fresh_id_is_never_one_issued_before() -> None:
    issued = iter(["vic_old", "vic_retired", "vic_ok"])
    result = assign(
        {"vic_old": {"r1"}}, [frozenset({"r1", "r2"}), frozenset({"r3"})], lambda: next(issued),
        used={"vic_retired"},
    )  # fmt: skip
    assert result.ids == ["vic_old", "vic_ok"]


def test_bad_partitions_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        assign({}, [frozenset({"r1"}), frozenset({"r1", "r2"})], fresh_ids())
    with pytest.raises(ValueError, match="two active persons"):
        assign({"a": {"r1"}, "b": {"r1"}}, [frozenset({"r1"})], fresh_ids())


def test_digest_ignores_order_and_tells_sets_apart() -> None:
    assert members_digest(["b", "a"]) == members_digest(["a", "b"])
    assert members_digest(["a"]) != members_digest(["a", "b"])
    assert len(members_digest([])) == 64


@st.composite
def histories(draw: st.DrawFn) -> tuple[dict[str, set[str]], list[frozenset[str]], set[str]]:
    """Old persons over some records, then a new partition of those (minus a few) plus new ones."""
    n_old = draw(st.integers(0, 12))
    old_records = [f"r{i}" for i in range(n_old)]
    labels = draw(st.lists(st.integers(0, 5), min_size=n_old, max_size=n_old))
    old: dict[str, set[str]] = {}
    for record, label in zip(old_records, labels, strict=True):
        old.setdefault(f"vic_o{label}", set()).add(record)
    dropped = (
        set(draw(st.lists(st.sampled_from(old_records), max_size=2))) if old_records else set()
    )
    n_new = draw(st.integers(0, 6))
    records = [r for r in old_records if r not in dropped] + [f"n{i}" for i in range(n_new)]
    new_labels = draw(st.lists(st.integers(0, 6), min_size=len(records), max_size=len(records)))
    groups: dict[int, set[str]] = {}
    for record, label in zip(records, new_labels, strict=True):
        groups.setdefault(label, set()).add(record)
    retired_before = set(draw(st.lists(st.sampled_from(["vic_x1", "vic_new1", "vic_new3"]))))
    return old, [frozenset(g) for g in groups.values()], retired_before


@settings(max_examples=400, deadline=None)
@given(histories())
def test_every_old_id_survives_by_additions_or_redirects_to_all_holders(
    history: tuple[dict[str, set[str]], list[frozenset[str]], set[str]],
) -> None:
    old, clusters, retired_before = history
    result = assign(old, clusters, fresh_ids(), used=retired_before)
    owner = {r: pid for pid, members in old.items() for r in members}

    # One ID per cluster, all distinct, and no previously issued ID comes back as a new one.
    assert len(result.ids) == len(clusters) == len(set(result.ids))
    assert not set(result.created) & (retired_before | set(old))
    assert set(result.ids) == set(result.created) | set(result.kept)

    by_id = dict(zip(result.ids, clusters, strict=True))
    for pid, members in old.items():
        if pid in by_id:
            cluster = by_id[pid]
            # kept: superset of its old members, and anything added belonged to no one before
            assert members <= cluster
            assert all(r not in owner for r in cluster - members)
            assert pid not in result.retired
        else:
            assert pid in result.retired
            holders = {cid for cid, c in by_id.items() if c & members}
            assert {r.new_id for r in result.redirects if r.old_id == pid} == holders
    # A cluster equal to an old person's members always keeps that person's ID.
    for pid, members in old.items():
        if frozenset(members) in clusters:
            assert pid in by_id
            assert by_id[pid] == frozenset(members)
    for redirect in result.redirects:
        assert redirect.old_id in result.retired
        assert redirect.new_id in result.created
        holder = by_id[redirect.new_id]
        merged = len({owner[r] for r in holder if r in owner}) > 1
        assert redirect.reason == ("merged" if merged else "split")
