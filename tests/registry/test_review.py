"""The review queue: what is in it, in which order, and how judgements take pairs out of it."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from dalil.db import Database
from dalil.registry.review import QueueItem, judge, priority, queue
from registry.linking_support import ACTOR, seed_run, two_lists
from registry.test_linking import records_of


def item(p: float, size: int, unsure: bool = False, a: str = "a", b: str = "b") -> QueueItem:
    return QueueItem(a, b, 0.0, p, "review", None, "lnk_x", None, None, size, unsure)


def test_closest_to_even_odds_first_then_the_most_records_then_unsure_last() -> None:
    items = [
        item(0.9, 2, a="a1"),
        item(0.52, 2, a="a2"),
        item(0.48, 9, a="a3"),
        item(0.5, 2, unsure=True, a="a4"),
        item(0.3, 4, a="a5"),
    ]
    order = [i.record_a for i in sorted(items, key=priority)]
    assert order == ["a3", "a2", "a5", "a1", "a4"]


@given(st.lists(st.tuples(st.floats(0, 1), st.integers(2, 50), st.booleans()), max_size=30))
def test_order_property_no_sure_pair_waits_behind_an_unsure_one(
    raw: list[tuple[float, int, bool]],
) -> None:
    items = sorted(
        (item(p, n, u, a=f"r{i}") for i, (p, n, u) in enumerate(raw)), key=priority
    )  # fmt: skip
    flags = [i.unsure for i in items]
    assert flags == sorted(flags)  # all not-unsure before all unsure
    for first, second in itertools.pairwise(items):
        if first.unsure == second.unsure:
            d1, d2 = abs(first.match_probability - 0.5), abs(second.match_probability - 0.5)
            assert d1 < d2 or (d1 == d2 and first.size >= second.size)


def test_queue_holds_undecided_review_pairs_and_contradicted_links(
    db: Database, tmp_path: Path
) -> None:
    case_id, _ = two_lists(db, tmp_path, n=8, overlap=6)
    a, b = records_of(db, case_id, "List A"), records_of(db, case_id, "List B")
    clusters = [[a[0], b[0]], [a[1], b[1], a[7]]] + [[r] for r in a[2:7] + b[2:]]
    seed_run(
        db,
        case_id,
        [
            (a[0], b[0], 0.9, "linked"),  # linked and one person: nothing to decide
            (a[2], b[2], 0.85, "linked"),  # linked but two persons: a contradiction to look at
            (a[3], b[3], 0.35, "review"),
            (a[1], b[4], 0.6, "review"),  # touches a person of 3 records: more at stake
            (a[5], b[5], 0.6, "review"),
            (a[4], b[3], 0.1, "unlinked"),  # the model is sure they differ: not queued
        ],
        clusters,
    )
    with db.reader() as s:
        first = queue(s, case_id)
    assert [(i.record_a, i.record_b) for i in first] == [
        tuple(sorted(p))
        for p in ((a[1], b[4]), (a[5], b[5]), (a[3], b[3]), (a[2], b[2]))
    ]  # fmt: skip
    assert first[0].size == 4  # 3 + 1 records
    assert first[-1].status == "linked"

    with db.transaction(ACTOR) as s:
        judge(s, case_id, a[1], b[4], "different", ACTOR)
        judge(s, case_id, b[5], a[5], "unsure", ACTOR)
        judge(s, case_id, a[3], b[3], "same", ACTOR)
        judge(s, case_id, a[3], b[3], "unsure", ACTOR)  # the latest judgement counts
    with db.reader() as s:
        second = queue(s, case_id)
    assert [(i.record_a, i.record_b, i.unsure) for i in second] == [
        (*sorted((a[2], b[2])), False),
        (*sorted((a[5], b[5])), True),
        (*sorted((a[3], b[3])), True),
    ]


def test_field_states_tell_a_name_in_another_script_from_a_different_one() -> None:
    from dalil.registry.review import field_states

    a = {"given": "خالد", "family": "المثال", "father": "عمر", "sex": "male", "place": "دمشق"}
    b = {"given": "Khaled", "family": "مثال", "father": "Ahmad", "sex": "male", "mother": "هند",
         "place": "Damascus"}  # fmt: skip
    assert field_states(a, b) == {
        "given": "alike",
        "father": "differ",
        "family": "alike",
        "mother": "missing",
        "sex": "agree",
        "place": "differ",  # alike is for names only: places have their own keys in the model
    }
