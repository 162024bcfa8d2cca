"""Synthetic victim lists: deterministic, the linkage schema exactly, truth that agrees with the
records, each list's spelling habits, and invented people only."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dalil.errors import InvalidInput
from dalil.registry.linkage.schema import RECORD_COLUMNS
from dalil.registry.synthetic import DEFAULT_LISTS, ListSpec, generate_lists, source_id
from dalil.registry.synthetic.population import STATUSES

PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
ARABIC = re.compile(r"[\u0600-\u06ff]")
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def lists() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_lists(6000, seed=7)


def by_list(records: pd.DataFrame, name: str, seed: int = 7) -> pd.DataFrame:
    return records[records["source_id"] == source_id(seed, name)]


def test_same_seed_gives_the_same_lists_and_another_seed_others() -> None:
    a_records, a_people = generate_lists(800, seed=3)
    b_records, b_people = generate_lists(800, seed=3)
    pd.testing.assert_frame_equal(a_records, b_records)
    pd.testing.assert_frame_equal(a_people, b_people)
    c_records, _ = generate_lists(800, seed=4)
    assert not set(a_records["record_id"]) & set(c_records["record_id"])
    assert a_records["full_name"].dropna().tolist() != c_records["full_name"].dropna().tolist()


def test_records_have_exactly_the_linkage_columns_and_valid_values(lists) -> None:
    records, _ = lists
    assert list(records.columns) == [*RECORD_COLUMNS, "true_id"]
    assert records["record_id"].is_unique
    assert records["record_id"].str.startswith("lrc_").all()
    assert records["source_id"].nunique() == len(DEFAULT_LISTS)
    assert records["sex"].dropna().isin(["male", "female"]).all()
    assert records["status"].isin(STATUSES).all()
    for column in ("birth_date", "status_date", "death_date"):
        assert records[column].dropna().map(lambda v: bool(PARTIAL_DATE.match(v))).all(), column
    ages = records["age"].dropna()
    assert ages.between(0, 95).all()
    # A death date only for the killed; every record names someone.
    assert records.loc[records["status"] != "killed", "death_date"].isna().all()
    named = records["full_name"].notna() | records["given"].notna()
    assert named.all()
    for column in ("full_name", "given", "father", "family", "mother", "place"):
        values = records[column].dropna()
        assert (values.str.strip() == values).all(), column
        assert (values != "").all(), column


def test_truth_agrees_with_the_records(lists) -> None:
    records, people = lists
    assert records["true_id"].between(0, len(people) - 1).all()
    counts = records.groupby("true_id").size().reindex(people["true_id"], fill_value=0)
    assert (counts.to_numpy() == people["records"].to_numpy()).all()
    for spec in DEFAULT_LISTS:
        in_list = set(by_list(records, spec.name)["true_id"])
        assert in_list == set(people.loc[people[f"in_{spec.name}"], "true_id"])
    joined = records.merge(people, on="true_id", suffixes=("", "_true"))
    sex = joined.dropna(subset=["sex"])
    assert (sex["sex"] == sex["sex_true"]).all()
    # Slips move a birth year by one at most; a day/month swap keeps the year.
    born = joined.dropna(subset=["birth_date"])
    gap = born["birth_date"].str[:4].astype(int) - born["birth_date_true"].str[:4].astype(int)
    assert gap.abs().max() <= 1
    arabic = by_list(joined, "A").dropna(subset=["governorate"])
    assert (arabic["governorate"] == arabic["governorate_true"]).all()
    # Some people were documented by no list, as in reality.
    assert 0 < (people["records"] == 0).sum() < len(people) // 2


def test_each_list_writes_names_its_own_way(lists) -> None:
    records, _ = lists
    arabic = by_list(records, "A")
    assert arabic["given"].map(lambda v: bool(ARABIC.search(v))).all()
    assert not arabic["given"].map(lambda v: bool(LATIN.search(v))).any()
    given = set(arabic["given"])
    assert {"أحمد", "احمد"} <= given  # hamza written and dropped
    assert {"عبد الله", "عبدالله"} <= given  # compound apart and joined
    assert given & {"فاطمة", "خديجة"}
    assert given & {"فاطمه", "خديجه"}
    family = set(arabic["family"].dropna())
    assert {"الخطيب", "خطيب"} <= family  # article attached and dropped
    assert any(re.search("[\u064b-\u0652]", v) for v in given | family)  # some diacritics

    english = " ".join(by_list(records, "B")["family"].dropna())
    english_given = set(by_list(records, "B")["given"])
    assert {"Mohammad", "Mohammed", "Muhammad"} <= english_given
    assert "Al-" in english
    assert "El-" not in english
    assert "sh" in english

    french_frame = by_list(records, "C")
    french = " ".join(french_frame["given"]) + " " + " ".join(french_frame["family"].dropna())
    assert "Mouhamad" in french
    assert "El-" in french
    assert "Dj" in french
    assert "ch" in french
    assert "Houssein" in french

    short = by_list(records, "D")
    assert short[["given", "father", "grandfather", "family"]].isna().all().all()
    names = " ".join(short["full_name"])
    assert "Mhd " in names
    assert "Abd." in names
    assert not ARABIC.search(names)


def test_given_names_are_skewed_as_in_syrian_lists(lists) -> None:
    _, people = lists
    men = people.loc[people["sex"] == "male", "given"].value_counts(normalize=True)
    assert men.index[0] == "محمد"
    assert 0.12 < men.iloc[0] < 0.25
    assert men.iloc[0] > 2 * men.iloc[1]
    assert people["family"].nunique() > 300  # family names are diverse


def test_siblings_share_parents_family_and_place(lists) -> None:
    _, people = lists
    shared = people.groupby("household")[["father", "mother", "family", "place"]].nunique()
    assert (shared == 1).all().all()
    sizes = people.groupby("household").size()
    assert (sizes > 1).mean() > 0.15


def test_lists_have_slips_duplicates_ages_and_gaps(lists) -> None:
    records, people = lists
    joined = records.merge(people, on="true_id", suffixes=("", "_true"))
    full = joined[joined["birth_date"].str.len() == 10]
    swapped = full["birth_date"].str[:4] + full["birth_date"].str[7:] + full["birth_date"].str[4:7]
    assert (
        (swapped == full["birth_date_true"]) & (full["birth_date"] != full["birth_date_true"])
    ).any()
    assert (joined["birth_date"].str.len() == 4).any()
    for spec in DEFAULT_LISTS:
        frame = by_list(records, spec.name)
        assert frame["true_id"].duplicated().any(), spec.name  # in-list duplicates
        by_age = frame["age"].notna() & frame["birth_date"].isna()
        assert by_age.mean() > spec.age_instead / 3, spec.name
    grandfather = by_list(records, "B")["grandfather"]
    assert 0.7 < grandfather.isna().mean() < 0.95


def test_coverage_depends_on_place_and_status(lists) -> None:
    _, people = lists
    east = people["governorate"].isin(["دير الزور", "الرقة", "الحسكة"])
    assert people.loc[east, "in_D"].mean() > 1.5 * people.loc[~east, "in_D"].mean()
    detained = people["status"] == "detained"
    assert people.loc[detained, "in_C"].mean() > 1.5 * people.loc[~detained, "in_C"].mean()
    # Overlaps are uneven: being on A makes being on B likelier (shared visibility).
    on_a = people["in_A"]
    assert people.loc[on_a, "in_B"].mean() > people.loc[~on_a, "in_B"].mean()


def test_people_are_invented_not_read_from_any_record() -> None:
    """The same vocabulary, two seeds: no person (name chain and birth date) recurs."""
    _, first = generate_lists(3000, seed=11)
    _, second = generate_lists(3000, seed=12)
    identity = ["given", "father", "grandfather", "family", "mother", "birth_date"]
    a = set(map(tuple, first[identity].to_numpy()))
    b = set(map(tuple, second[identity].to_numpy()))
    assert not a & b
    assert len(a) == len(first)  # no fixed cast of people reused within a population either


def test_a_list_of_full_names_may_give_the_father_in_a_column_too(lists) -> None:
    import dataclasses

    specs = [dataclasses.replace(s, father_column=s.full_name_only) for s in DEFAULT_LISTS]
    records, _ = generate_lists(6000, lists=specs, seed=7)
    before, after = by_list(lists[0], "D"), by_list(records, "D")
    assert before["father"].isna().all()
    fathers = after["father"].dropna()
    assert len(fathers) > len(after) / 2
    for full, father in zip(after.loc[fathers.index, "full_name"], fathers, strict=True):
        assert father in full  # the father's name as the full name writes it
    # The same draws otherwise: every other column of every list is unchanged.
    others = [c for c in records.columns if c != "father"]
    pd.testing.assert_frame_equal(records[others], lists[0][others])
    pd.testing.assert_series_equal(
        records["father"][records["source_id"] != source_id(7, "D")],
        lists[0]["father"][lists[0]["source_id"] != source_id(7, "D")],
    )


def test_custom_lists_and_bad_arguments() -> None:
    spec = ListSpec(name="X", habit="french", coverage=0.9, duplicate_rate=0.0, typo_rate=0.0)
    records, people = generate_lists(300, lists=[spec], seed=1)
    assert records["source_id"].nunique() == 1
    assert not records["true_id"].duplicated().any()
    assert len(records) == people["in_X"].sum()
    with pytest.raises(InvalidInput):
        generate_lists(0)
    with pytest.raises(InvalidInput):
        generate_lists(10, lists=[spec, spec])
    with pytest.raises(InvalidInput):
        generate_lists(10, lists=[])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(min_value=1, max_value=400), seed=st.integers(min_value=0, max_value=2**32))
def test_any_size_and_seed_gives_consistent_lists(n: int, seed: int) -> None:
    records, people = generate_lists(n, seed=seed)
    assert len(people) == n
    assert list(records.columns) == [*RECORD_COLUMNS, "true_id"]
    assert records["record_id"].is_unique
    assert int(people["records"].sum()) == len(records)
    assert np.isin(records["true_id"], people["true_id"]).all()
