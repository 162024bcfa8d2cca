"""Capture tables: parsing CSV and mappings, and refusing tables no estimate can come from."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.errors import InvalidInput
from dalil.estimation import CaptureTable, read_tables
from estimation.est_support import KOREA, table


def test_a_csv_with_list_names_and_header_reads_as_its_counts() -> None:
    text = (
        "\ufefflists: SNHR,VDC,SOHR\npattern,count\n# a comment\n"
        "110,54  # SNHR and VDC\n001,41\n\n111,12\n"
    )
    parsed = CaptureTable.from_csv(text)
    assert parsed.lists == ("SNHR", "VDC", "SOHR")
    assert parsed.documented == 107
    assert parsed.counts["110"] == 54
    assert parsed.counts["011"] == 0  # patterns not given count zero
    assert len(parsed.counts) == 7  # every observable pattern, never 000
    assert parsed.list_totals() == {"SNHR": 66, "VDC": 66, "SOHR": 53}


def test_headerless_csv_names_lists_a_b_c() -> None:
    parsed = CaptureTable.from_csv("10,5\n01,7\n11,2\n")
    assert parsed.lists == ("A", "B")
    assert parsed.nonzero() == {"10": 5, "01": 7, "11": 2}


def test_one_column_per_list_as_r_writes_it() -> None:
    parsed = CaptureTable.from_csv("A,B,C,count\n1,1,0,54\n0,0,1,41\n1,1,1,12\n")
    assert parsed.same_as(table("110:54 001:41 111:12"))


def test_stratified_csv_gives_one_table_per_stratum() -> None:
    tables = read_tables("stratum,pattern,count\nmen,110,5\nmen,011,3\nwomen,110,2\nwomen,101,1\n")
    assert set(tables) == {"men", "women"}
    assert tables["men"].documented == 8
    assert tables["women"].nonzero() == {"110": 2, "101": 1}


def test_round_trip_through_csv_and_json() -> None:
    korea = table(KOREA)
    assert CaptureTable.from_csv(korea.to_csv()).same_as(korea)
    assert CaptureTable.from_json(korea.to_json()).same_as(korea)


def test_selecting_two_lists_pools_patterns_and_drops_people_on_neither() -> None:
    pair = table(KOREA).select(["A", "b"])  # names in any case
    assert pair.lists == ("A", "B")
    # 110:54 + 111:12 on both; 100:5 + 101:6 on A only; 010:5 + 011:0 on B only; 001 dropped
    assert pair.nonzero() == {"10": 11, "01": 5, "11": 66}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("# nothing but a comment\n", "empty"),
        ("pattern,count\n", "empty"),
        ("1,5\n", "single list"),
        ("lists: A\n1,5\n", "single list"),
        ("10,-3\n01,4\n11,1\n", "negative"),
        ("10,2.5\n01,4\n11,1\n", "whole number"),
        ("10,many\n01,4\n11,1\n", "not a count"),
        ("10,5\n011,4\n", "has 3 digits"),
        ("lists: A,B,C\n10,5\n", "has 2 digits"),
        ("1x,5\n", "0s and 1s"),
        ("10,5\n10,6\n11,1\n", "given twice"),
        ("00,5\n10,4\n11,1\n", "no list"),
        ("10,5\n01,4\n", "no one appears on more than one list"),
        ("100,5\n", "on list A alone"),
        ("10,0\n01,0\n11,0\n", "empty"),
        ("10,5,3\n", "expected pattern,count"),
        ("stratum,pattern,count\nmen,10,5\n", "stratum men"),
    ],
)
def test_bad_tables_are_refused_saying_why(text: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_tables(text)
    assert says in refused.value.message


def test_mappings_are_checked_like_files() -> None:
    with pytest.raises(InvalidInput, match="negative"):
        CaptureTable.from_mapping({"10": -1, "11": 2})
    with pytest.raises(InvalidInput, match="whole number"):
        CaptureTable.from_mapping({"10": 1.5, "11": 2})
    with pytest.raises(InvalidInput, match="single list"):
        CaptureTable.from_mapping({"1": 4})
    with pytest.raises(InvalidInput, match="no list"):
        CaptureTable.from_mapping({"000": 4, "110": 2})
    with pytest.raises(InvalidInput, match="has 2 digits"):
        CaptureTable.from_mapping({"10": 4}, lists=["A", "B", "C"])
    with pytest.raises(InvalidInput, match="same name"):
        CaptureTable.from_mapping({"10": 4}, lists=["A", "A"])
    everyone_on_one = CaptureTable.from_mapping({"100": 12})
    with pytest.raises(InvalidInput, match="all 12 people are on list A alone"):
        everyone_on_one.check_estimable()


def test_arabic_indic_digits_are_counts() -> None:
    assert CaptureTable.from_csv("10,١٢\n11,٣\n01,4\n").counts["10"] == 12


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("01,:;#\n\r\t -+.xAB٣lists\ufeffcount")), max_size=80))
def test_the_parser_never_fails_with_anything_but_invalid_input(text: str) -> None:
    try:
        tables = read_tables(text)
    except InvalidInput:
        return
    for parsed in tables.values():
        assert parsed.documented > 0
        assert parsed.size >= 2
        assert all("1" in p for p in parsed.counts)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_unicode_text_either_parses_or_says_why(text: str) -> None:
    try:
        read_tables(text)
    except InvalidInput as refused:
        message = refused.message
        assert message


@settings(max_examples=100, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda j: st.dictionaries(
            st.integers(1, 2**j - 1).map(lambda c: format(c, f"0{j}b")),
            st.integers(0, 10**6),
            min_size=1,
        )
    )
)
def test_every_valid_table_survives_its_csv(counts: dict[str, int]) -> None:
    original = CaptureTable.from_mapping(counts)
    assert CaptureTable.from_mapping(original.nonzero() or counts).same_as(original)
    reread = read_tables(original.to_csv(), check=False)[""]
    assert reread.same_as(original)
