"""The candidate pairs the engine makes itself (``blocked_pairs_sql``), against a brute-force
reading of the blocking plan, and against Splink's own blocking on the same plan."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dalil.registry.linkage.blocking import (
    RULES,
    SWAP,
    Plan,
    blocked_pairs_sql,
    count_pairs,
    plan_blocking,
)
from dalil.registry.linkage.engine import _encode
from dalil.registry.linkage.features import prepare
from registry.linkage_data import records

_KEYS = sorted({k for keys, narrowing in RULES for k in (*keys, *narrowing)} - {SWAP})
_NUMBERS = {"by", "ey"}


def _brute_force(features: pd.DataFrame, plan: Plan, new: set[int] | None = None) -> dict:
    """(a, b) -> the first rule (its index; the swap rule last) that makes the pair."""
    rows = features.set_index("unique_id").to_dict("index")
    ids = sorted(rows)

    out = {}
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if new is not None and a not in new and b not in new:
                continue
            for rule, keys in enumerate(plan.rules):
                if _makes(rows[a], rows[b], keys):
                    out[(a, b)] = str(rule)
                    break
    return out


def _agree(x: dict, y: dict, left: str, right: str) -> bool:
    return not pd.isna(x[left]) and not pd.isna(y[right]) and x[left] == y[right]


def _makes(x: dict, y: dict, keys: tuple[str, ...]) -> bool:
    """Whether the rule ``keys`` makes the pair of records ``x``, ``y``."""
    if keys[0] == SWAP:  # given and family in each other's place, and not the same name
        swapped = _agree(x, y, "given_sk", "family_sk") and _agree(x, y, "family_sk", "given_sk")
        if not swapped or x["given_sk"] == x["family_sk"]:
            return False
        keys = keys[1:]
    return all(_agree(x, y, k, k) for k in keys)


def _made(con: duckdb.DuckDBPyConnection, sql: str) -> dict:
    rows = con.execute(sql).fetchall()
    assert len(rows) == len({(a, b) for _, a, b in rows})  # one row per pair
    return {(a, b): key for key, a, b in rows}


_value = st.sampled_from(["a", "b", "c", None])


@st.composite
def _tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 14))
    columns = {
        k: draw(
            st.lists(
                st.sampled_from([1, 2, None]) if k in _NUMBERS else _value, min_size=n, max_size=n
            )
        )
        for k in _KEYS
    }
    frame = pd.DataFrame({"unique_id": list(range(n)), **columns})
    for k in _NUMBERS:
        frame[k] = frame[k].astype("Int64")
    return frame


@settings(max_examples=60, deadline=None)
@given(table=_tables(), budget=st.integers(0, 6), chunks=st.integers(1, 4), data=st.data())
def test_candidate_pairs_are_the_plans_pairs_once_each_in_exactly_one_chunk(
    table: pd.DataFrame, budget: int, chunks: int, data: st.DataObject
) -> None:
    plan = plan_blocking(table, budget=budget)
    con = duckdb.connect()
    con.register("features", table)
    expected = _brute_force(table, plan)
    assert _made(con, blocked_pairs_sql(plan, "features")) == expected
    # One rule alone (its join makes each pair once, so the SQL leaves out the grouping).
    one = Plan(plan.rules[:1], plan.pairs[:1], plan.budget)
    assert _made(con, blocked_pairs_sql(one, "features")) == _brute_force(table, one)

    parts = [
        _made(con, blocked_pairs_sql(plan, "features", chunk=(k, chunks)))
        for k in range(1, chunks + 1)
    ]
    assert sum(len(p) for p in parts) == len(expected)
    assert {pair: key for part in parts for pair, key in part.items()} == expected
    for k, part in enumerate(parts):
        assert all(a % chunks == k for a, _ in part)

    # An incremental run: only the pairs with a new record.
    new = (
        set(data.draw(st.sets(st.sampled_from(list(table["unique_id"])), max_size=4)))
        if len(table)
        else set()
    )
    table["is_new"] = table["unique_id"].isin(new).astype(int)
    con.register("features", table)
    extra = "l.is_new = 1 OR r.is_new = 1"
    assert _made(con, blocked_pairs_sql(plan, "features", extra)) == _brute_force(table, plan, new)


_SOME_RULES = [keys for keys, _ in RULES] + [
    (SWAP, "father_sk"),
    (SWAP, "by", "place_sk"),
    ("given_sk", "family_sk", "by"),
]


@settings(max_examples=60, deadline=None)
@given(table=_tables())
def test_each_rules_pair_count_is_exact(table: pd.DataFrame) -> None:
    rows = table.to_dict("records")
    for keys in _SOME_RULES:
        brute = sum(
            _makes(rows[i], rows[j], keys)
            for i in range(len(rows))
            for j in range(i + 1, len(rows))
        )
        assert count_pairs(table, keys) == brute, keys


def test_a_chunk_outside_the_run_is_refused() -> None:
    plan = Plan((("given_sk",),), (1,), 10)
    for chunk in ((0, 3), (4, 3), (1, 0)):
        with pytest.raises(ValueError, match="chunk"):
            blocked_pairs_sql(plan, "features", chunk=chunk)


def test_the_same_pairs_as_splinks_own_blocking_on_the_same_plan() -> None:
    from splink import DuckDBAPI, Linker

    from dalil.registry.linkage.model import settings as make_settings

    features = prepare(records(n_people=80, seed=5)[0])
    _encode(features)
    plan = plan_blocking(features, budget=40)  # narrowed: many rules, as at scale
    assert len(plan.rules) > len(RULES)
    api = DuckDBAPI()
    table = api.register(features, table_name="records")
    linker = Linker(table, make_settings(plan), log_level=None)
    splinks = linker.inference.compute_blocked_pairs_for_predict()
    theirs = splinks.as_pandas_dataframe()
    ours = linker.misc.query_sql(blocked_pairs_sql(plan, table.physical_name), output_type="pandas")
    assert len(ours) == len(theirs) > 50
    assert _as_set(ours) == _as_set(theirs)


def _as_set(frame: pd.DataFrame) -> set[tuple[str, int, int]]:
    columns = (frame["match_key"].astype(str), frame["join_key_l"], frame["join_key_r"])
    return set(zip(*columns, strict=True))


def test_the_swap_rule_gets_a_share_of_the_budget() -> None:
    # 40 records of A B and 40 of B A (given, family), fathers in four groups.
    rows = [
        {"given_sk": g, "family_sk": f, "father_sk": f"x{i % 4}"}
        for g, f in (("A", "B"), ("B", "A"))
        for i in range(40)
    ]
    table = pd.DataFrame(rows)
    for key in _KEYS:
        if key not in table:
            table[key] = pd.Series(
                [None] * len(table), dtype="Int64" if key in _NUMBERS else object
            )
    assert count_pairs(table, ("given_sk", "family_sk")) == 2 * 40 * 39 // 2
    assert count_pairs(table, (SWAP,)) == 40 * 40
    plan = plan_blocking(table, budget=2_000)
    assert ("given_sk", "family_sk") in plan.rules  # 1,560 pairs: within the budget
    assert (SWAP,) not in plan.rules  # 1,600 pairs: over its share (400)
    assert (SWAP, "father_sk") in plan.rules  # narrowed: 4 x 10 x 10 pairs
    assert plan.pairs[plan.rules.index((SWAP, "father_sk"))] == 400


# Any text an id may hold, lone surrogates too (Arrow cannot hold those: numpy sorts them).
_ids = st.lists(
    st.text(st.characters(exclude_categories=()), max_size=6), min_size=1, max_size=40, unique=True
)


@settings(max_examples=150, deadline=None)
@given(_ids)
@example(["lrc_b", "lrc_a", "محمد", "Ä", "\U0001f600"])  # Arrow's sort
@example(["b", "\ud800", "a"])  # a lone surrogate: numpy's
def test_ids_become_codes_in_the_order_python_sorts_their_text(ids: list[str]) -> None:
    frame = pd.DataFrame({"unique_id": ids})
    names = _encode(frame)
    assert names.tolist() == sorted(ids)
    assert [names[c] for c in frame["unique_id"]] == ids
