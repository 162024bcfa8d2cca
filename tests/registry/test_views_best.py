"""The best value of a field: the most frequent, ties to the most complete record, and always
traceable to the records that give it."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from dalil.registry.views import BEST_FIELDS, _Member, best_values


def _member(record_id: str, **values: object) -> _Member:
    return _Member(record_id, "src_a", 2, {f: values.get(f) for f in BEST_FIELDS})


def test_most_frequent_wins_and_ties_go_to_the_most_complete_record() -> None:
    members = [
        _member("lrc_1", given="محمد", birth_date="1980"),
        _member("lrc_2", given="محمد", birth_date="1980-04-16", family="الخطيب"),
        _member("lrc_3", given="Mohammad"),
    ]
    best = best_values(members)
    assert best["given"] == {
        "value": "محمد", "records": ["lrc_1", "lrc_2"], "other_values": ["Mohammad"]
    }  # fmt: skip
    assert best["birth_date"]["value"] == "1980-04-16"  # 1:1, lrc_2 is more complete
    assert "sex" not in best  # no record says


VALUES = st.sampled_from(["a", "b", "c", None])


@given(st.lists(st.tuples(VALUES, VALUES), min_size=1, max_size=8))
def test_the_best_value_is_a_most_frequent_value_and_says_where_it_comes_from(
    rows: list[tuple[str | None, str | None]],
) -> None:
    members = [_member(f"lrc_{i}", given=g, family=f) for i, (g, f) in enumerate(rows)]
    best = best_values(members)
    for name, column in (("given", 0), ("family", 1)):
        given_values = [r[column] for r in rows if r[column] is not None]
        if not given_values:
            assert name not in best
            continue
        counts = Counter(given_values)
        chosen = best[name]["value"]
        assert counts[chosen] == max(counts.values())
        assert best[name]["records"] == sorted(
            m.record_id for m in members if m.values[name] == chosen
        )
        assert set(best[name]["other_values"]) == set(counts) - {chosen}
