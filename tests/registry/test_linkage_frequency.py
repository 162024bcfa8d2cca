"""The key level's term frequency: the chance that two strangers share a key in two spellings."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.registry.linkage.frequency import KEYED, other_spelling_sql


def lookup(rows: list[tuple[str | None, str | None]]) -> dict[str, float]:
    """The given name's table for records whose (key, spelling) are ``rows``."""
    frame = pd.DataFrame(rows, columns=["given_tk", "given_ex"])
    con = duckdb.connect()
    con.register("records", frame)
    out = con.execute(other_spelling_sql("records", "given")).fetchall()
    con.close()
    return dict(out)


def expected(rows: list[tuple[str | None, str | None]]) -> dict[str, float]:
    """P(k) - sum over k's spellings of P(s)^2 / P(k), at least one record's share (by hand)."""
    keyed = [(k, s) for k, s in rows if k is not None]
    total = len(keyed)
    out = {}
    for key in {k for k, _ in keyed}:
        spellings = [s for k, s in keyed if k == key]
        n = len(spellings)
        same = sum(spellings.count(s) ** 2 for s in set(spellings)) / n
        out[key] = max(n - same, 1) / total
    return out


def test_a_key_written_two_ways_keeps_the_share_of_pairs_that_differ() -> None:
    # mhmd: 6 records, 3 "محمد", 2 "mohammad", 1 "mhd"; ali: 4 records, one spelling.
    rows = [("mhmd", "محمد")] * 3 + [("mhmd", "mohammad")] * 2 + [("mhmd", "mhd")]
    rows += [("ali", "ali")] * 4 + [(None, None)] * 5
    got = lookup(rows)
    # Of mhmd's 6 records, (9 + 4 + 1) / 6 "agree with themselves": 6 - 14/6 = 22/6 remain,
    # over the 10 records with a key. The records without a key are not counted.
    assert got["mhmd"] == pytest.approx((6 - 14 / 6) / 10)
    # One spelling: no pair of strangers reaches the level with it; one record's share.
    assert got["ali"] == pytest.approx(1 / 10)
    assert set(got) == {"mhmd", "ali"}


def test_every_keyed_part_has_its_table() -> None:
    columns: dict[str, list[str | None]] = {}
    for p in KEYED:
        columns[f"{p}_tk"] = ["k", "k", None]
        columns[f"{p}_ex"] = ["a", "b", None]
    frame = pd.DataFrame(columns)
    con = duckdb.connect()
    con.register("records", frame)
    for part in KEYED:
        rows = con.execute(other_spelling_sql("records", part)).fetchall()
        # Two records of key k, spelt apart: 2 - (1 + 1) / 2 = 1 record's worth, of 2.
        assert rows == [("k", pytest.approx(0.5))]
    con.close()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["mhmd", "ahmd", "ali", None]),
            st.sampled_from(["a", "b", "c", "d"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_the_table_is_the_formula_and_never_more_than_the_keys_share(
    rows: list[tuple[str | None, str]],
) -> None:
    rows = [(k, s if k is not None else None) for k, s in rows]
    got = lookup(rows)
    want = expected(rows)
    assert set(got) == set(want)
    keyed = [k for k, _ in rows if k is not None]
    for key, tf in got.items():
        assert tf == pytest.approx(want[key])
        assert 0 < tf <= keyed.count(key) / len(keyed)
