"""The review order learned from a case's judgements (dalil.registry.linkage.reviewed)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.db import Database
from dalil.registry.link_store import NEAR_MISSES, pairs_to_keep
from dalil.registry.linkage.reviewed import MIN_EACH, PairContext
from dalil.registry.review import judge, queue, review_queue, waiting_in_order
from registry.linking_support import ACTOR, seed_run, two_lists
from registry.test_linking import records_of


@dataclass(frozen=True)
class P:
    record_a: str
    record_b: str
    match_probability: float
    status: str
    match_weight: float = 0.0
    explanation: object = None
    run_id: str = "run"


def two_kinds(judged_each: int) -> tuple[list[P], dict[tuple[str, str], str], dict[str, str]]:
    """Pairs of two kinds, ``judged_each`` of each judged, one of each left to decide:
    - "lone": a0..: an A record and a B record, neither matching anything else, p = 0.3, that
      the reviewers found to be one person;
    - "clash": x0..: an A record already matched (0.95) to a B record, against another B
      record, p = 0.45, that the reviewers found to be two people.
    By its probability alone the clash pair (0.45) comes first."""
    pairs: list[P] = []
    judged: dict[tuple[str, str], str] = {}
    lists: dict[str, str] = {}
    for i in range(judged_each + 1):
        lone = (f"a{i:02}", f"b{i:02}")
        x, y, w = f"x{i:02}", f"y{i:02}", f"z{i:02}"
        lists |= {lone[0]: "A", lone[1]: "B", x: "A", y: "B", w: "B"}
        pairs += [P(*lone, 0.3, "review"), P(x, y, 0.95, "linked"), P(x, w, 0.45, "review")]
        if i < judged_each:
            judged[lone] = "same"
            judged[(x, w)] = "different"
    return pairs, judged, lists


def persons(pairs: list[P]) -> dict[str, str]:
    """Every record its own person but for the linked pairs."""
    person = {r: r for p in pairs for r in (p.record_a, p.record_b)}
    for p in pairs:
        if p.status == "linked":
            person[p.record_b] = person[p.record_a]
    return person


def test_the_order_learned_puts_first_what_the_reviewers_found_the_model_underrates() -> None:
    pairs, judged, lists = two_kinds(MIN_EACH)
    learned, order = waiting_in_order(pairs, judged, persons(pairs), lists)
    model, none = waiting_in_order(pairs, judged, persons(pairs))
    assert order is not None
    assert none is None
    assert order.same == MIN_EACH
    assert order.different == MIN_EACH
    assert [(i.record_a, i.record_b) for i in model] == [("x20", "z20"), ("a20", "b20")]
    assert [(i.record_a, i.record_b) for i in learned] == [("a20", "b20"), ("x20", "z20")]
    lone, clash = learned
    # Two persons each: "same" would change the registry; the lone pair likely, the clash not.
    assert lone.chance is not None
    assert clash.chance is not None
    assert lone.chance > 0.5 > clash.chance
    assert model[0].chance is None
    weights = order.as_dict()["weights"]
    assert isinstance(weights, dict)
    assert weights["one matches in the other's list"] < 0


def test_until_enough_decisions_of_each_kind_the_model_orders_the_queue() -> None:
    pairs, judged, lists = two_kinds(MIN_EACH)
    judged.pop(("a00", "b00"))  # one "same" too few
    items, order = waiting_in_order(pairs, judged, persons(pairs), lists)
    assert order is None
    assert [i.record_a for i in items] == ["x20", "a00", "a20"]
    assert all(i.chance is None for i in items)


def test_inside_one_person_the_chance_is_that_of_different() -> None:
    pairs, judged, lists = two_kinds(MIN_EACH)
    person = persons(pairs)
    person["b20"] = person["a20"]  # the registry already holds the lone pair as one person
    items, order = waiting_in_order(pairs, judged, person, lists)
    assert order is not None
    lone = next(i for i in items if i.record_a == "a20")
    apart, _ = waiting_in_order(pairs, judged, persons(pairs), lists)
    same = next(i for i in apart if i.record_a == "a20").chance
    assert lone.chance is not None
    assert same is not None
    assert math.isclose(lone.chance, 1 - same)


def test_features_read_other_pairs_only() -> None:
    lists = {"a": "A", "b": "B", "c": "B", "d": "A"}
    scored = pd.DataFrame(
        [("a", "b", 0.9), ("a", "c", 0.6), ("c", "b", 0.7), ("c", "d", 0.2)],
        columns=["a", "b", "p"],
    )
    asked = pd.DataFrame([("a", "b"), ("d", "c"), ("a", "d")], columns=["a", "b"])
    x = PairContext(scored, lists).describe(asked)
    #                  one list, one other, both others, clash, common
    assert list(x[0, 2:]) == [0, 0, 1, 1, 1]  # c: a match of both, in b's list
    assert list(x[1, 2:]) == [0, 1, 0, 1, 0]  # d matches nothing; c matches a (A), d's list
    assert x[0, 0] == 1.0
    assert math.isclose(x[0, 1], math.log(0.9 / 0.1))
    assert math.isclose(x[1, 1], math.log(0.2 / 0.8))  # either order of the pair
    assert np.isnan(x[2]).all()  # not scored: nothing to say


def test_a_run_stores_its_judged_pairs_with_their_scores() -> None:
    rows = [("r1", "r2", 0.9, "linked", None), ("r3", "r4", 0.3, "review", None),
            ("r5", "r6", 0.001, "unlinked", "different"),
            ("r7", "r8", 0.4, "linked", "same")]  # fmt: skip
    rows += [(f"u{i:04}", f"v{i:04}", 0.1, "unlinked", None) for i in range(NEAR_MISSES + 5)]
    frame = pd.DataFrame(
        rows, columns=["record_a", "record_b", "match_probability", "status", "judgement"]
    )
    kept = pairs_to_keep(frame)
    assert {"r1", "r3", "r5", "r7"} <= set(kept["record_a"])
    assert len(kept) == 4 + NEAR_MISSES  # the near misses besides, as many as ever


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[P], dict[tuple[str, str], str], dict[str, str]]:
    records = [f"r{i:02}" for i in range(draw(st.integers(4, 14)))]
    lists = {r: draw(st.sampled_from("ABC")) for r in records}
    all_pairs = list(itertools.combinations(records, 2))
    chosen = draw(st.lists(st.sampled_from(all_pairs), unique=True, max_size=40))
    pairs = [
        P(a, b, p, "linked" if p >= 0.8 else "review" if p >= 0.2 else "unlinked")
        for a, b in chosen
        for p in [draw(st.floats(0.0, 1.0))]
    ]
    judged = {
        (p.record_a, p.record_b): d
        for p in pairs
        for d in [draw(st.sampled_from(["same", "different", "unsure", None]))]
        if d is not None
    }
    return pairs, judged, lists


@settings(max_examples=200, deadline=None)
@given(cases(), st.sampled_from([1, 2]))
def test_order_property_chances_are_probabilities_and_order_the_queue(
    case: tuple[list[P], dict[tuple[str, str], str], dict[str, str]], min_each: int
) -> None:
    import dalil.registry.linkage.reviewed as ro

    pairs, judged, lists = case
    saved, ro.MIN_EACH = ro.MIN_EACH, min_each  # small cases learn too
    try:
        items, order = waiting_in_order(pairs, judged, persons(pairs), lists)
        again, _ = waiting_in_order(list(reversed(pairs)), judged, persons(pairs), lists)
    finally:
        ro.MIN_EACH = saved
    assert [(i.record_a, i.record_b) for i in items] == [(i.record_a, i.record_b) for i in again]
    decided = {k for k, d in judged.items() if d in ("same", "different")}
    assert not decided & {(i.record_a, i.record_b) for i in items}
    if order is None:
        assert all(i.chance is None for i in items)
        return
    assert all(math.isfinite(w) for w in order.weights)
    for item in items:
        assert item.chance is not None
        assert 0.0 <= item.chance <= 1.0
    for first, second in itertools.pairwise(items):
        if first.unsure == second.unsure:
            assert first.chance is not None
            assert second.chance is not None
            assert first.chance >= second.chance


def test_the_registry_queue_learns_from_stored_judgements(db: Database, tmp_path: Path) -> None:
    case_id, _ = two_lists(db, tmp_path, n=60, overlap=40)
    a, b = records_of(db, case_id, "List A"), records_of(db, case_id, "List B")
    lone = [(a[i], b[i], 0.3, "review") for i in range(MIN_EACH + 1)]
    clash_at = range(MIN_EACH + 1, 2 * MIN_EACH + 2)
    held = [(a[i], b[i], 0.95, "linked") for i in clash_at]
    clash = [(a[i], b[i + 1], 0.45, "review") for i in clash_at]
    together = [[a[i], b[i]] for i in clash_at]
    alone = sorted({*a, *b} - {r for group in together for r in group})
    seed_run(db, case_id, lone + held + clash, together + [[r] for r in alone])
    with db.reader() as s:
        before = queue(s, case_id)
    assert {before[0].record_a, before[0].record_b} in [set(c[:2]) for c in clash]  # 0.45 first
    with db.transaction(ACTOR) as s:
        for x, y, _, _ in lone[:MIN_EACH]:
            judge(s, case_id, x, y, "same", ACTOR)
        for x, y, _, _ in clash[:MIN_EACH]:
            judge(s, case_id, x, y, "different", ACTOR)
    with db.reader() as s:
        items, order = review_queue(s, case_id)
    assert order is not None
    assert (order.same, order.different) == (MIN_EACH, MIN_EACH)
    assert [{i.record_a, i.record_b} for i in items] == [
        set(lone[-1][:2]), set(clash[-1][:2])
    ]  # fmt: skip
    assert items[0].chance is not None
    assert items[0].chance > 0.5


def test_a_run_builds_persons_from_the_pairs_at_the_decision_probability() -> None:
    from dalil.registry.link_store import pair_rows
    from dalil.registry.linking import _edges

    frame = pd.DataFrame(
        {
            "record_a": ["r1", "r3"],
            "record_b": ["r2", "r4"],
            "match_weight": [-1.0, 3.0],
            "match_probability": [0.3, 0.9],
            "status": ["review", "linked"],
        }
    )
    rows = pair_rows(frame, "lnk_x", "case_x")
    assert [(r["record_a"], r["match_probability"], r["status"]) for r in rows] == [
        ("r1", 0.3, "review"), ("r3", 0.9, "linked")
    ]  # fmt: skip
    edges = _edges(
        ["r1", "r3", "r7", "r9"],
        ["r2", "r4", "r8", "r10"],
        [0.3, 0.9, float("nan"), 0.5],
        [-1.0, 3.0, float("nan"), 0.0],
    )
    # 0.3 is left, a judged pair the model never scored (NaN) too; 0.5 links.
    assert edges == [("r3", "r4", 3.0), ("r9", "r10", 0.0)]
