"""Name keys per part, token comparison levels, Jaro-Winkler and name frequencies."""

import difflib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.documentation.persons import NameInput
from dalil.registry.names import (
    MatchLevel,
    NameFrequencies,
    compare_tokens,
    jaro_winkler,
    name_keys,
    parse_full_name,
    part_keys,
)


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("محمد", "مُحَمَّد", MatchLevel.EXACT),
        ("الحسن", "ال حسن", MatchLevel.EXACT),
        ("Al-Hassan", "hassan", MatchLevel.EXACT),
        ("محمد", "Mhd", MatchLevel.TRANSLIT),
        ("عبد الله", "Abdullah", MatchLevel.TRANSLIT),
        ("Hussein", "حسن", MatchLevel.SKELETON),
        ("Fawzi", "فوزي", MatchLevel.SKELETON),
        ("محمد", "أحمد", MatchLevel.NONE),
        ("Khaled", "", MatchLevel.NONE),
    ],
)
def test_compare_tokens_levels(a: str, b: str, level: MatchLevel) -> None:
    assert compare_tokens(a, b).level == level


def test_similarity_grades_near_misses() -> None:
    near = compare_tokens("Mohammad", "Mohannad")  # محمد / مهند: one letter apart
    far = compare_tokens("Mohammad", "Zainab")
    assert near.level == MatchLevel.NONE
    assert near.similarity > 0.8 > far.similarity
    assert compare_tokens("محمد", "Mohammed").similarity == 1.0


def test_compare_tokens_accepts_precomputed_keys() -> None:
    keys = part_keys("عبد الرحمن")
    assert keys is not None
    assert compare_tokens(keys, "Abdulrahman").level == MatchLevel.TRANSLIT


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("martha", "marhta", 0.961), ("dwayne", "duane", 0.84), ("dixon", "dicksonx", 0.813)],
)
def test_jaro_winkler_matches_the_published_examples(a: str, b: str, expected: float) -> None:
    assert jaro_winkler(a, b) == pytest.approx(expected, abs=0.001)


@given(st.text("abcdhkmnrsty", max_size=12), st.text("abcdhkmnrsty", max_size=12))
def test_jaro_winkler_is_a_symmetric_similarity(a: str, b: str) -> None:
    score = jaro_winkler(a, b)
    assert 0.0 <= score <= 1.0
    assert score == pytest.approx(jaro_winkler(b, a))
    assert (score == 1.0) == (a == b)
    if difflib.SequenceMatcher(None, a, b).ratio() == 0.0 and a and b:
        assert score == 0.0


def test_name_keys_of_a_name_input_and_of_a_parsed_name_agree() -> None:
    typed = name_keys(NameInput(given="محمد", father="خالد", family="الحسن", mother="فاطمة"))
    parsed = name_keys(parse_full_name("Mhd Khaled Al-Hassan"))
    for part in ("given", "father", "family"):
        a, b = typed.get(part), parsed.get(part)
        assert a is not None
        assert b is not None
        assert (a.translit, a.skeleton) == (b.translit, b.skeleton), part
    assert typed.mother is not None
    assert typed.mother.translit == "ftm"
    assert parsed.mother is None
    assert parsed.grandfather is None


def _names(*given: str) -> list[NameInput]:
    return [NameInput(given=g, family="Khatib") for g in given]


def test_common_names_weigh_less_across_scripts() -> None:
    names = _names("محمد", "Mohammad", "Mhd", "Muhammad", "أحمد", "Yazan")
    frequencies = NameFrequencies.from_names(names)
    assert frequencies.count("given", "Mouhamad") == 4
    assert frequencies.total("given") == 6
    assert frequencies.count("family", "الخطيب") == 6
    assert frequencies.weight("given", "محمد") < frequencies.weight("given", "يزن")
    assert frequencies.weight("given", "Sufyan") > frequencies.weight("given", "Yazan")
    assert frequencies.most_common("given", 1) == [("mhmd", 4)]


def test_frequencies_round_trip_through_json() -> None:
    frequencies = NameFrequencies.from_names(_names("محمد", "Ali", "Ali"))
    data = json.loads(json.dumps(frequencies.to_dict()))
    assert NameFrequencies.from_dict(data) == frequencies
    assert data["counts"]["given"] == {"ly": 2, "mhmd": 1}


def test_frequencies_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match="format"):
        NameFrequencies.from_dict({"counts": {}})
    with pytest.raises(ValueError, match="unknown name part"):
        NameFrequencies({"nickname": {"x": 1}})
    with pytest.raises(ValueError, match="whole number"):
        NameFrequencies({"given": {"x": -1}})
    with pytest.raises(ValueError, match="unknown name part"):
        NameFrequencies().weight("surname", "x")
