"""The linkage engine's pure parts: features, constrained clustering, the prior, the metrics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.errors import InvalidInput
from dalil.registry.linkage.cluster import _greedy, constrained_clusters
from dalil.registry.linkage.engine import CANNOT_BITS, RETURN_FLOOR, refuses
from dalil.registry.linkage.features import _dates, _text, prepare
from dalil.registry.linkage.metrics import (
    bcubed_scores,
    pairs_to_clusters,
    pairwise_link_scores,
    pairwise_scores,
)
from dalil.registry.linkage.prior import fixed_point_prior
from dalil.registry.linkage.schema import RECORD_COLUMNS
from dalil.registry.linkage.siblings import adjust, sibling_rate

# ----------------------------------------------------------------- features


def test_features_put_arabic_and_latin_spellings_on_one_key() -> None:
    f = prepare(
        pd.DataFrame(
            [
                {"record_id": "a", "full_name": "محمد عبد الله", "place": "دير الزور"},
                {"record_id": "b", "given": "Mhd", "family": "Abdallah", "place": "Deir ez-Zor"},
            ]
        )
    ).set_index("unique_id")
    assert f.loc["a", "given_tk"] == f.loc["b", "given_tk"]
    assert f.loc["a", "family_tk"] == f.loc["b", "family_tk"]
    assert f.loc["a", "given_ex"] != f.loc["b", "given_ex"]
    assert f.loc["a", "place_tk"] == f.loc["b", "place_tk"]


def test_places_meet_across_exonyms_and_spacing() -> None:
    f = prepare(
        pd.DataFrame(
            [
                {"record_id": "a", "place": "حلب", "governorate": "ريف دمشق"},
                {"record_id": "b", "place": "Alep", "governorate": "Rif Damas"},
                {"record_id": "c", "place": "كفرزيتا", "governorate": "حماة"},
                {"record_id": "d", "place": "Kafr Zita", "governorate": "Hama"},
            ]
        )
    ).set_index("unique_id")
    assert f.loc["a", "place_tk"] == f.loc["b", "place_tk"]
    assert f.loc["a", "gov_sk"] == f.loc["b", "gov_sk"]
    assert f.loc["c", "place_sk"] == f.loc["d", "place_sk"]
    assert f.loc["a", "place_sk"] != f.loc["c", "place_sk"]


def test_a_full_name_is_split_even_when_the_list_also_gives_the_mother() -> None:
    f = prepare(
        pd.DataFrame([{"record_id": "a", "full_name": "Nizar Ahmed Zahran", "mother": "Iman"}])
    ).set_index("unique_id")
    assert f.loc["a", "given_tk"] == "nzr"
    assert f.loc["a", "father_tk"] == "hmd"
    assert f.loc["a", "family_tk"] == "zhrn"
    assert f.loc["a", "mother_tk"] == "mn"


def test_a_full_name_gives_the_parts_a_row_lacks_beside_those_it_gives() -> None:
    rows = [
        {"record_id": "a", "full_name": "وليد عبد الله المثال", "father": "عبد الله"},
        {"record_id": "b", "full_name": "Walid Abdullah Ahmad", "family": "Al-Mithal"},
        {"record_id": "c", "given": "Walid", "father": "Abdullah", "family": "Al-Mithal"},
        {"record_id": "d", "full_name": "وليد عبد الله", "father": "عبد الله"},
    ]
    f = prepare(pd.DataFrame(rows)).set_index("unique_id")
    for record in "abc":
        assert f.loc[record, "given_tk"] == "wld"
        assert f.loc[record, "father_tk"] == "bd-l"
        assert f.loc[record, "family_tk"] == "mthl"
    assert f.loc["b", "grandfather_tk"] == "hmd"  # the family given is read after the three
    assert pd.isna(f.loc["d", "family_tk"])  # the second of two names is the father given
    assert f.loc["d", "given_tk"] == "wld"


def test_features_read_partial_dates_ages_and_a_day_in_the_month_place() -> None:
    f = prepare(
        pd.DataFrame(
            [
                {"record_id": "a", "birth_date": "1980-16-04"},
                {"record_id": "b", "birth_date": "1980-04"},
                {"record_id": "c", "age": "33", "death_date": "2013-05-02"},
                {"record_id": "d", "birth_date": "1980-02-31x", "status_date": "2012"},
                {"record_id": "e", "birth_date": "0000-99-99", "age": 500},
                {"record_id": "f", "birth_date": "1960-06-50"},
                {"record_id": "g", "birth_date": "16/4/1980"},
                {"record_id": "h", "birth_date": "1960-06-50"},
            ]
        )
    ).set_index("unique_id")
    # The digits as written, only when there are eight (for the one-typo level): a day
    # that is no date still has its digits; a date of seven digits has none.
    assert f.loc["a", "birth_digits"] == "19801604"
    assert f.loc["f", "birth_digits"] == f.loc["h", "birth_digits"] == "19600650"
    assert f.loc["e", "birth_digits"] == "00009999"
    assert pd.isna(f.loc["b", "birth_digits"])
    assert pd.isna(f.loc["g", "birth_digits"])
    assert pd.isna(f.loc["c", "birth_digits"])
    assert (f.loc["a", "by"], f.loc["a", "bm"], f.loc["a", "bd"]) == (1980, 4, 16)
    assert f.loc["a", "birth_ymd"] == "19800416"
    assert f.loc["b", "bm"] == 4
    assert pd.isna(f.loc["b", "bd"])
    assert pd.isna(f.loc["b", "birth_ymd"])
    assert pd.isna(f.loc["c", "by"])
    assert f.loc["c", "by_est"] == 1980
    assert f.loc["d", "ey"] == 2012
    assert pd.isna(f.loc["e", "by"])
    assert pd.isna(f.loc["e", "by_est"])


def test_features_refuse_missing_or_repeated_record_ids() -> None:
    with pytest.raises(InvalidInput):
        prepare(pd.DataFrame({"given": ["x"]}))
    with pytest.raises(InvalidInput):
        prepare(pd.DataFrame({"record_id": ["a", "a"], "given": ["x", "y"]}))
    with pytest.raises(InvalidInput):
        prepare(pd.DataFrame({"record_id": ["a", None]}))


_cell = st.one_of(st.none(), st.text(max_size=30), st.integers(-10, 3000))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({c: _cell for c in RECORD_COLUMNS if c != "record_id"}),
                min_size=1, max_size=6))  # fmt: skip
def test_features_take_any_cell_values_and_keep_the_input(rows: list[dict[str, object]]) -> None:
    frame = pd.DataFrame(rows)
    frame.insert(0, "record_id", [f"r{i}" for i in range(len(rows))])
    copy = frame.copy()
    f = prepare(frame)
    assert list(f["unique_id"]) == list(frame["record_id"])
    pd.testing.assert_frame_equal(frame, copy)
    assert f["bm"].dropna().between(1, 12).all()
    assert f["bd"].dropna().between(1, 31).all()
    for part in ("given", "family"):  # a key only comes from a name
        assert (f[f"{part}_tk"].isna() | f[f"{part}_ex"].notna()).all()
        assert (f[f"{part}_sk"].isna() == f[f"{part}_tk"].isna()).all()


_date_text = st.one_of(
    st.none(),
    st.from_regex(r"\s?(1[89]|20)\d\d(-\d{1,2}(-\d{1,2})?)?\s?", fullmatch=True),
    st.text(max_size=12),
    st.integers(-5, 2200),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_date_text, min_size=1, max_size=12), st.lists(st.integers(0, 11), max_size=12))
def test_dates_read_once_per_distinct_value_read_as_each_row_alone(
    values: list[object], repeats: list[int]
) -> None:
    rows = values + [values[i % len(values)] for i in repeats]  # the same date on several rows
    series = pd.Series(rows, dtype="object", index=range(100, 100 + len(rows)))
    together = _dates(series)
    assert list(together.index) == list(series.index)
    for i, value in series.items():
        alone = _dates(pd.Series([value], dtype="object")).iloc[0]
        assert together.loc[i].to_dict() == alone.to_dict()


_name_word = st.sampled_from(
    ["وليد", "عبد الله", "المثال", "Walid", "Abdullah", "Al-Mithal", "أحمد", "Ahmad"]
)
_name_cell = st.one_of(st.none(), _name_word, st.lists(_name_word, max_size=4).map(" ".join))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(_name_cell, _name_cell, _name_cell, _name_cell), min_size=1, max_size=8),
    st.lists(st.integers(0, 7), max_size=8),
)
def test_full_names_beside_parts_are_completed_once_per_row_alike_as_each_row_alone(
    rows: list[tuple[str | None, ...]], repeats: list[int]
) -> None:
    rows = rows + [rows[i % len(rows)] for i in repeats]  # the same row more than once
    frame = pd.DataFrame(
        [{"record_id": f"r{i}", "full_name": full, "given": given_, "father": father,
          "family": family} for i, (full, given_, father, family) in enumerate(rows)]
    )  # fmt: skip
    parts = ("given", "father", "grandfather", "family")
    keys = [f"{p}_{k}" for p in parts for k in ("ex", "tk", "sk")]
    together = prepare(frame).set_index("unique_id")[keys]
    for i in range(len(frame)):
        alone = prepare(frame.iloc[[i]]).set_index("unique_id")[keys]
        assert together.loc[[f"r{i}"]].equals(alone)


_cell_value = st.one_of(
    st.none(),
    # "Ali\x00x" and "Ali" were one value to pandas' table of distinct strings (C strings).
    st.sampled_from([" محمد ", "Ali", "", "  ", "1", "1.0", "Ali\x00x", "\x00", "\x00 "]),
    st.text(max_size=8),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_cell_value, max_size=15), st.booleans())
def test_text_is_each_cell_stripped_and_blank_as_none(values: list[object], numbers: bool) -> None:
    cells: list[object] = [*values, 1, 1.0, True] if numbers else values  # 1 == 1.0 == True
    series = pd.Series(cells, dtype="object", index=range(7, 7 + len(cells)))
    expected = [None if pd.isna(v) else (str(v).replace("\x00", "").strip() or None) for v in cells]
    got = _text(series)
    assert list(got.index) == list(series.index)
    assert [None if pd.isna(v) else v for v in got] == expected


# ----------------------------------------------------------------- clustering


def test_a_chain_stops_where_two_compared_records_disagree() -> None:
    # A–B and B–C are strong, but A and C were compared and disagree.
    mapping, refused = constrained_clusters(
        ["A", "B", "C"], [("A", "B", 10.0), ("B", "C", 5.0)], cannot=[("A", "C")]
    )
    assert mapping["A"] == mapping["B"] != mapping["C"]
    assert refused == [("B", "C")]


def test_a_pair_refuses_a_cluster_when_its_evidence_is_against_or_it_is_surely_two_people() -> None:
    floor = RETURN_FLOOR
    evidence = np.array([-CANNOT_BITS - 1, 5.0, 5.0, 15.0, -2.0, np.nan])
    probability = np.array([0.5, floor / 30, floor * 2, 0.03, floor * 0.9, np.nan])
    # Against (below -CANNOT_BITS) whatever the prior; for a match (+5 bits) but below the floor
    # at its prior (a brother whose household fields agree); +5 bits at a prior that leaves it
    # above; a likely link; weakly against, below the floor; an unscored pair (a judgement's)
    # refuses nothing.
    assert refuses(evidence, probability).tolist() == [True, True, False, False, True, False]


def test_the_strongest_link_wins_a_contested_record() -> None:
    mapping, _ = constrained_clusters(
        ["A", "B", "C"], [("A", "B", 3.0), ("B", "C", 9.0)], cannot=[("A", "C")]
    )
    assert mapping["B"] == mapping["C"] != mapping["A"]


def test_judged_same_goes_first_and_judged_different_is_never_joined() -> None:
    mapping, _ = constrained_clusters(
        ["A", "B", "C", "D"],
        [("A", "C", 20.0), ("C", "D", 20.0)],
        forced=[("A", "B")],
        cannot=[("B", "D")],
    )
    assert mapping["A"] == mapping["B"] == mapping["C"]
    assert mapping["D"] != mapping["A"]


def test_existing_clusters_keep_their_ids_and_are_never_joined() -> None:
    existing = {"x1": "P1", "x2": "P1", "y1": "P2"}
    mapping, refused = constrained_clusters(
        ["n1", "n2"], [("n1", "x1", 8.0), ("n1", "y1", 7.0), ("n2", "n1", 1.0)], existing=existing
    )
    assert mapping["n1"] == mapping["n2"] == "P1"
    assert mapping["y1"] == "P2"
    assert ("n1", "y1") in refused


def test_cluster_ids_are_the_smallest_member() -> None:
    mapping, _ = constrained_clusters(["b", "a", "c"], [("b", "a", 1.0)])
    assert mapping == {"a": "a", "b": "a", "c": "c"}


def test_cluster_ids_of_ids_alike_up_to_a_nul_stay_apart() -> None:
    """pandas' and numpy's string tables end a string at a NUL: "a" and "a\x00b" must still be
    two records with two ids."""
    ids = ["a\x00b", "a", "c", "a\x00c"]
    mapping, _ = constrained_clusters(ids, [("a\x00b", "c", 2.0)])
    assert mapping == {"a\x00b": "a\x00b", "c": "a\x00b", "a": "a", "a\x00c": "a\x00c"}


_node = st.integers(0, 11)


@settings(max_examples=300, deadline=None)
@given(
    ids=st.lists(_node, max_size=12),
    edges=st.lists(st.tuples(_node, _node, st.sampled_from([1.0, 2.0, 5.0])), max_size=25),
    forced=st.lists(st.tuples(_node, _node), max_size=4),
    cannot=st.lists(st.tuples(_node, _node), max_size=6),
    existing=st.dictionaries(_node, st.sampled_from([100, 101, 102]), max_size=5),
)
def test_clusters_by_components_first_equal_the_greedy_pass_over_everything(
    ids: list[int],
    edges: list[tuple[int, int, float]],
    forced: list[tuple[int, int]],
    cannot: list[tuple[int, int]],
    existing: dict[int, int],
) -> None:
    """Only groups with a cannot-link or two existing clusters go through the greedy pass; the
    rest are taken whole. Same clusters, same ids, same refused edges, in the same order, as
    the greedy pass over every record (ties in weight included; ends outside the run too)."""
    got = constrained_clusters(ids, edges, forced, cannot, existing)
    assert got == _greedy(ids, edges, forced, cannot, existing)


# ----------------------------------------------------------------- prior


def test_fixed_point_prior_recovers_the_share_of_matches() -> None:
    # 100 clear matches (2^20) among 1e6 pairs, the rest clear non-matches (2^-20).
    evidence = np.array([20.0] * 100 + [-20.0] * 1000)
    prior, iterations = fixed_point_prior(evidence, 1e6, start=0.3)
    assert prior == pytest.approx(100 / 1e6, rel=0.01)
    assert iterations > 1
    # It does not depend on where it starts.
    assert fixed_point_prior(evidence, 1e6, start=1e-9)[0] == pytest.approx(prior, rel=1e-3)


# ----------------------------------------------------------------- metrics


def test_pairwise_and_bcubed_scores_on_a_worked_example() -> None:
    truth = {"a": 1, "b": 1, "c": 1, "d": 2}
    pred = {"a": "x", "b": "x", "c": "y", "d": "y"}
    pw = pairwise_scores(pred, truth)
    # true pairs ab ac bc; predicted pairs ab cd; one right
    assert (pw.precision, pw.recall) == (0.5, pytest.approx(1 / 3))
    assert pw.f1 == pytest.approx(0.4)
    b3 = bcubed_scores(pred, truth)
    assert b3.precision == pytest.approx((1 + 1 + 0.5 + 0.5) / 4)
    assert b3.recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    perfect = bcubed_scores(truth, truth)
    assert perfect.f1 == 1.0
    assert not math.isnan(pairwise_scores({}, truth).f1)


def test_links_to_clusters_and_link_scores() -> None:
    truth = pairs_to_clusters(["a", "b", "c", "d"], [("a", "b"), ("b", "c")])
    assert truth["a"] == truth["b"] == truth["c"] != truth["d"]
    s = pairwise_link_scores({("b", "a"), ("c", "d")}, truth)
    assert (s.precision, s.recall) == (0.5, pytest.approx(1 / 3))


# ----------------------------------------------------------------- siblings


@settings(max_examples=300, deadline=None)
@given(
    evidence=st.floats(-200, 200),
    personal=st.floats(-200, 200),
    s=st.floats(1e-9, 0.5),
)
def test_the_sibling_check_never_adds_evidence_and_keeps_what_tells_siblings_apart(
    evidence: float, personal: float, s: float
) -> None:
    out = float(adjust(np.array([evidence]), np.array([personal]), s)[0])
    # Never more than either hypothesis alone allows (up to the prior shares' own bits).
    assert out <= evidence - math.log2(1 - s) + 1e-9
    assert out <= personal - math.log2(s) + 1e-9
    # Where the household fields add nothing beyond the personal ones, nothing is taken away.
    if personal >= evidence:
        assert out >= evidence - 1.0


def test_siblings_lose_the_household_evidence_and_strangers_keep_theirs() -> None:
    s = 1e-4
    # Brothers: 35 bits in all, of which the given name and sex give -5.
    brothers = float(adjust(np.array([35.0]), np.array([-5.0]), s)[0])
    assert brothers < 10  # at most what -5 bits against a 1-in-10,000 sibling prior leave
    # Strangers who share only a common family name: the sibling question changes nothing.
    strangers = float(adjust(np.array([-8.0]), np.array([-5.0]), s)[0])
    assert strangers == pytest.approx(-8.0, abs=0.01)
    # The same person: given name and birth date agree strongly.
    same = float(adjust(np.array([45.0]), np.array([20.0]), s)[0])
    assert same > 30


def test_sibling_rate_counts_households_beyond_chance() -> None:
    rows = []
    for h in range(200):  # 200 households of three brothers, rare names
        for child in range(3):
            rows.append({"given_tk": f"g{h}-{child}", "father_tk": f"f{h}", "family_tk": f"x{h}"})
    with_households = sibling_rate(pd.DataFrame(rows))
    n = 600
    assert with_households == pytest.approx(200 * 3 / (n * (n - 1) / 2), rel=0.05)
    strangers = pd.DataFrame(
        [{"given_tk": f"g{i}", "father_tk": f"f{i}", "family_tk": f"x{i}"} for i in range(600)]
    )
    assert sibling_rate(strangers) < 1e-9


def _households(n: int, *, full: bool, start: int = 0) -> list[dict[str, str]]:
    """``n`` households of three brothers with rare names; ``full``: grandfather and mother too."""
    rows = []
    for h in range(start, start + n):
        for child in range(3):
            row = {"given_tk": f"g{h}-{child}", "father_tk": f"f{h}", "family_tk": f"x{h}"}
            if full:
                row |= {"grandfather_tk": f"gf{h}", "mother_tk": f"m{h}"}
            rows.append(row)
    return rows


def test_sibling_rate_asks_the_most_household_names_that_give_a_clear_count() -> None:
    from dalil.registry.linkage.siblings import basis, household_counts

    # 100 households give grandfather and mother too: enough pairs (300) beyond chance.
    frame = pd.DataFrame(_households(100, full=True) + _households(100, full=False, start=100))
    chosen = basis(household_counts(frame))
    assert chosen is not None
    assert chosen.fields == ("father", "family", "grandfather", "mother")
    n, full = 600, 300
    # Read on the records that give all four names: their 300 sibling pairs of 300 records.
    assert sibling_rate(frame) == pytest.approx(100 * 3 / (full * (full - 1) / 2), rel=0.05)
    # Siblings whose records disagree on a name are not counted: the rate is divided by how
    # often two records of one person agree on each (the model's m).
    agree = {"father": 0.9, "family": 0.8, "grandfather": 0.5, "mother": 0.5}
    assert sibling_rate(frame, agree) == pytest.approx(
        sibling_rate(frame) / (0.9 * 0.8 * 0.5 * 0.5), rel=1e-9
    )
    # Too few records with all four (20 households: 60 pairs, under the minimum): father and
    # family, over every record.
    few = pd.DataFrame(_households(20, full=True) + _households(180, full=False, start=20))
    chosen = basis(household_counts(few))
    assert chosen is not None
    assert chosen.fields == ("father", "family")
    assert sibling_rate(few) == pytest.approx(200 * 3 / (n * (n - 1) / 2), rel=0.05)


# ----------------------------------------------------------------- blocking


def test_blocking_keeps_wide_rules_within_budget_and_narrows_the_rest() -> None:
    from dalil.registry.linkage.blocking import count_pairs, plan_blocking

    # 300 records: everyone is محمد son of أحمد (a skewed name), in one of three families.
    records = pd.DataFrame(
        [
            {
                "record_id": f"r{i}",
                "given": "محمد",
                "father": "أحمد",
                "family": ["الخطيب", "الحلبي", "الشامي"][i % 3],
                "birth_date": f"{1950 + i % 40}",
                "place": ["حمص", "حماة"][i % 2],
            }
            for i in range(300)
        ]
    )
    f = prepare(records)
    assert count_pairs(f, ("given_sk", "father_sk")) == 300 * 299 // 2
    wide = plan_blocking(f)  # the default budget (2 million) holds every rule as it is
    assert ("given_sk", "father_sk") in wide.rules
    narrow = plan_blocking(f, budget=5_000)
    assert ("given_sk", "father_sk") not in narrow.rules
    assert ("given_sk", "family_sk") not in narrow.rules
    # given + family is narrowed (its blocks are of one name, so its narrowed forms are people) ...
    assert ("given_sk", "family_sk", "by") in narrow.rules
    # ... a household rule without a given name is dropped, not narrowed by a coarse key
    assert ("family_sk", "father_sk") in narrow.over
    assert not any(r[:2] == ("family_sk", "father_sk") for r in narrow.rules)
    for keys, pairs in zip(narrow.rules, narrow.pairs, strict=True):
        assert pairs == count_pairs(f, keys)
        assert pairs <= 5_000  # every rule kept fits the budget ...
    for keys in narrow.over:  # ... and those that could not be narrowed enough are dropped
        assert keys not in narrow.rules
        assert count_pairs(f, keys) > 5_000
    assert narrow.as_json()["pairs_at_most"] == sum(narrow.pairs)


# ----------------------------------------------------------------- comparisons


def _guarded_and_plain(
    level: str, column: str, pairs: list[tuple[str | None, str | None]]
) -> pd.DataFrame:
    """A guarded level's SQL and the plain Damerau-Levenshtein distance <= 1 on each pair of
    ``column``'s two sides (``l``, ``r``), both false where a side is missing."""
    import duckdb

    frame = pd.DataFrame(pairs, columns=[f"{column}_l", f"{column}_r"])
    con = duckdb.connect()
    con.register("p", frame)
    out: pd.DataFrame = con.execute(
        f"SELECT coalesce({level}, false) AS guarded, "
        f"coalesce(damerau_levenshtein({column}_l, {column}_r) <= 1, false) AS plain, "
        f"{column}_l AS l, {column}_r AS r FROM p"
    ).fetchdf()
    return out


_DIGITS = st.text(alphabet="0123456789", min_size=8, max_size=8)


@st.composite
def _near_dates(draw: st.DrawFn) -> tuple[str, str]:
    """Two birth dates' eight digits: equal, one digit changed, two neighbours swapped (the
    middle ones too), or unrelated."""
    a = draw(_DIGITS)
    how = draw(st.sampled_from(["same", "digit", "swap", "any"]))
    if how == "any":
        return a, draw(_DIGITS)
    b = list(a)
    i = draw(st.integers(0, 7 if how != "swap" else 6))
    if how == "digit":
        b[i] = draw(st.sampled_from("0123456789"))
    elif how == "swap":
        b[i], b[i + 1] = b[i + 1], b[i]
    return a, "".join(b)


@given(st.lists(_near_dates(), min_size=1, max_size=60))
@settings(max_examples=60, deadline=None)
def test_the_guarded_one_typo_level_is_the_distance_itself(pairs: list[tuple[str, str]]) -> None:
    from dalil.registry.linkage.model import _ONE_TYPO

    # Fixed cases first, with what the level must say: the same, one digit, a swap across the
    # middle (no half alike), two swaps, and a missing date on either side.
    fixed = [
        ("12345678", "12345678", True),
        ("12345678", "12345679", True),
        ("12345678", "12354678", True),
        ("12345678", "21345687", False),
        ("12345678", "12436578", False),
        (None, "19800101", False),
        ("19800101", None, False),
    ]
    got = _guarded_and_plain(_ONE_TYPO, "birth_digits", [(a, b) for a, b, _ in fixed] + pairs)
    assert got["guarded"].tolist() == got["plain"].tolist()
    assert got["guarded"].iloc[: len(fixed)].tolist() == [want for _, _, want in fixed]


# Never empty: a name with no key has none (null), as the features give it.
_KEYS = st.text(alphabet="mhdnrsk-", min_size=1, max_size=6)


@st.composite
def _near_keys(draw: st.DrawFn) -> tuple[str, str]:
    """Two transliteration keys: equal, one letter changed, added, dropped or two neighbours
    swapped, or unrelated."""
    a = draw(_KEYS)
    how = draw(st.sampled_from(["change", "add", "drop", "swap", "any"]))
    b = list(a)
    i = draw(st.integers(0, max(len(a) - 1, 0)))
    if how == "any" or (how == "drop" and len(a) == 1):
        return a, draw(_KEYS)
    if how == "change":
        b[i] = draw(st.sampled_from("mhdnrsk"))
    elif how == "add":
        b.insert(i, draw(st.sampled_from("mhdnrsk")))
    elif how == "drop":
        del b[i]
    elif i + 1 < len(b):
        b[i], b[i + 1] = b[i + 1], b[i]
    return a, "".join(b)


@given(st.lists(_near_keys(), min_size=1, max_size=60))
@settings(max_examples=60, deadline=None)
def test_keys_one_edit_apart_is_the_distance_but_for_the_two_cases_it_leaves_out(
    pairs: list[tuple[str, str]],
) -> None:
    from dalil.registry.linkage.model import _one_edit

    fixed = [
        ("mrwm", "mrwn", True),  # Marwam, مروان
        ("m", "md", True),  # Ima, عماد
        ("snr", "smr", True),
        ("mhmd", "hmmd", True),  # first two swapped: the last letter stays
        ("mhmd", "mhmd", True),
        ("mhmd", "mhd", True),
        ("mhmd", "md", False),  # two edits
        ("m", "n", False),  # two one-letter keys: left out
        ("mn", "nm", False),  # a two-letter key's letters swapped: left out
        (None, "mhmd", False),
        ("mhmd", None, False),
    ]
    got = _guarded_and_plain(
        _one_edit("given_tk"), "given_tk", [(a, b) for a, b, _ in fixed] + pairs
    )
    assert got["guarded"].iloc[: len(fixed)].tolist() == [want for _, _, want in fixed]
    # Elsewhere the guard changes nothing, except for the two cases it leaves out.
    left_out = got.apply(
        lambda row: (
            isinstance(row.l, str)
            and isinstance(row.r, str)
            and len(row.l) == len(row.r)
            and (len(row.l) == 1 or (len(row.l) == 2 and row.l == row.r[::-1]))
            and row.l != row.r
        ),
        axis=1,
    )
    assert (got["guarded"] == (got["plain"] & ~left_out)).all()
