"""Judgements override the model: ``different`` never ends in one person, ``same`` never in two."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.registry.constraints import apply_judgements, ordered


def as_sets(clusters: list[frozenset[str]]) -> set[frozenset[str]]:
    return set(clusters)


def test_without_judgements_the_partition_is_unchanged() -> None:
    result = apply_judgements([{"a", "b"}, {"c"}], [("a", "b", 5.0)], {})
    assert as_sets(result.clusters) == {frozenset({"a", "b"}), frozenset({"c"})}
    assert (result.rebuilt, result.joined, result.conflicts) == (0, 0, [])


def test_different_splits_a_chain_at_its_weakest_link() -> None:
    # a-b strong, b-c weak, c-d strong: "a is not d" cuts the chain at b-c.
    edges = [("a", "b", 9.0), ("b", "c", 1.0), ("c", "d", 8.0)]
    result = apply_judgements([{"a", "b", "c", "d"}], edges, {("a", "d"): "different"})
    assert as_sets(result.clusters) == {frozenset({"a", "b"}), frozenset({"c", "d"})}
    assert result.rebuilt == 1


def test_same_joins_two_clusters() -> None:
    result = apply_judgements([{"a"}, {"b", "c"}], [("b", "c", 3.0)], {("a", "c"): "same"})
    assert as_sets(result.clusters) == {frozenset({"a", "b", "c"})}
    assert result.joined == 1


def test_same_inside_a_rebuilt_cluster_is_kept_even_against_a_strong_edge() -> None:
    edges = [("a", "b", 9.0), ("a", "c", 8.0)]
    decisions = {("b", "c"): "different", ("a", "c"): "same"}
    result = apply_judgements([{"a", "b", "c"}], edges, decisions)
    assert as_sets(result.clusters) == {frozenset({"a", "c"}), frozenset({"b"})}


def test_contradicting_judgements_keep_apart_and_are_reported() -> None:
    decisions = {("a", "b"): "same", ("b", "c"): "same", ("a", "c"): "different"}
    result = apply_judgements([{"a"}, {"b"}, {"c"}], [], decisions)
    by_record = {r: c for c in result.clusters for r in c}
    assert by_record["a"] != by_record["c"]
    assert result.conflicts == [("b", "c")]


def test_unsure_and_unknown_records_change_nothing() -> None:
    decisions = {("a", "b"): "unsure", ("a", "zz"): "different", ("b", "yy"): "same"}
    result = apply_judgements([{"a", "b"}], [("a", "b", 2.0)], decisions)
    assert as_sets(result.clusters) == {frozenset({"a", "b"})}


RECORDS = [f"r{i}" for i in range(8)]


@st.composite
def worlds(
    draw: st.DrawFn,
) -> tuple[list[set[str]], list[tuple[str, str, float]], dict[tuple[str, str], str]]:
    labels = draw(st.lists(st.integers(0, 3), min_size=len(RECORDS), max_size=len(RECORDS)))
    groups: dict[int, set[str]] = {}
    for record, label in zip(RECORDS, labels, strict=True):
        groups.setdefault(label, set()).add(record)
    pairs = st.tuples(st.sampled_from(RECORDS), st.sampled_from(RECORDS)).filter(
        lambda p: p[0] != p[1]
    )
    edges = [(a, b, draw(st.floats(-5, 20))) for a, b in draw(st.lists(pairs, max_size=12))]
    decisions = {
        ordered(a, b): draw(st.sampled_from(["same", "different", "unsure"]))
        for a, b in draw(st.lists(pairs, max_size=6))
    }
    return list(groups.values()), edges, decisions


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_result_is_a_partition_with_no_different_pair_inside(
    world: tuple[list[set[str]], list[tuple[str, str, float]], dict[tuple[str, str], str]],
) -> None:
    clusters, edges, decisions = world
    result = apply_judgements(clusters, edges, decisions)
    seen = [r for c in result.clusters for r in c]
    assert sorted(seen) == sorted(RECORDS)  # every record exactly once
    where = {r: i for i, c in enumerate(result.clusters) for r in c}
    for (a, b), decision in decisions.items():
        if decision == "different":
            assert where[a] != where[b]
        if decision == "same" and (a, b) not in result.conflicts:
            assert where[a] == where[b]
    # Records the model put apart and no "same" joined stay apart.
    before = {r: i for i, c in enumerate(clusters) for r in c}
    joined_by_same = {r for (a, b), d in decisions.items() if d == "same" for r in (a, b)}
    for c in result.clusters:
        origins = {before[r] for r in c}
        assert len(origins) == 1 or c & joined_by_same
