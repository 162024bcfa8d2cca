"""Splitting a full name into given / father / grandfather / family, as Syrian lists write it."""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.registry.names import IN_FULL_NAME, NameParts, complete_parts, parse_full_name

# (full name, given, father, grandfather, family, kunya)
CASES = [
    ("محمد بن أحمد الخطيب", "محمد", "أحمد", None, "الخطيب", None),
    ("Abdullah Youssef al-Mithal", "Abdullah", "Youssef", None, "al-Mithal", None),
    ("أم محمد", None, None, None, None, "أم محمد"),
    ("Mhd Khaled Al-Hassan", "Mhd", "Khaled", None, "Al-Hassan", None),
    ("محمد أحمد علي الحلبي", "محمد", "أحمد", "علي", "الحلبي", None),
    ("عبد الرحمن يوسف المصري", "عبد الرحمن", "يوسف", None, "المصري", None),
    ("عبدالله بن عمر بن الخطاب", "عبدالله", "عمر", None, "الخطاب", None),
    ("محمد بن أحمد بن علي", "محمد", "أحمد", "علي", None, None),
    ("فاطمة بنت حسين الشامي", "فاطمة", "حسين", None, "الشامي", None),
    ("Fatima bint Hussein al-Shami", "Fatima", "Hussein", None, "al-Shami", None),
    ("Ahmad ibn Ali Al Halabi", "Ahmad", "Ali", None, "Al Halabi", None),
    ("أبو أحمد محمد خالد الحسن", "محمد", "خالد", None, "الحسن", "أبو أحمد"),
    ("Abu Ahmad Mohammad Khaled El-Hassan", "Mohammad", "Khaled", None, "El-Hassan", "Abu Ahmad"),
    ("Umm Khaled", None, None, None, None, "Umm Khaled"),
    ("نور الدين عمر ال زعبي", "نور الدين", "عمر", None, "ال زعبي", None),
    ("Nour Eddine Omar Al Zoubi", "Nour Eddine", "Omar", None, "Al Zoubi", None),
    ("Abd al-Rahman Mustafa Ibrahim al-Masri", "Abd al-Rahman", "Mustafa", "Ibrahim", "al-Masri",
     None),
    ("أبو بكر محمد الشامي", "أبو بكر", "محمد", None, "الشامي", None),
    ("Saif al-Din Ahmad Kurdi", "Saif al-Din", "Ahmad", None, "Kurdi", None),
    ("خديجة محمود", "خديجة", None, None, "محمود", None),
    ("Zainab", "Zainab", None, None, None, None),
    ("الخطيب محمد أحمد", "محمد", "أحمد", None, "الخطيب", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "given_", "father", "grandfather", "family", "kunya"), CASES)
def test_parse_full_name(
    text: str,
    given_: str | None,
    father: str | None,
    grandfather: str | None,
    family: str | None,
    kunya: str | None,
) -> None:
    parts = parse_full_name(text)
    assert (parts.given, parts.father, parts.grandfather, parts.family, parts.kunya) == (
        given_,
        father,
        grandfather,
        family,
        kunya,
    )


def test_a_clear_name_is_confident_and_a_guess_says_why() -> None:
    clear = parse_full_name("محمد بن أحمد الخطيب")
    assert clear.confidence >= 0.85
    assert not clear.notes
    guess = parse_full_name("خديجة محمود")
    assert guess.confidence < 0.6
    assert any("father" in note for note in guess.notes)


def test_double_given_names_with_mohammad_are_flagged() -> None:
    parts = parse_full_name("Mhd Khaled Al-Hassan")
    assert parts.confidence < 0.9
    assert any("Mhd Khaled" in note for note in parts.notes)


def test_markers_and_extra_ancestors_are_kept() -> None:
    parts = parse_full_name("محمد بن أحمد بن علي بن حسن بن عمر الخطيب")
    assert parts.markers == ("بن", "بن", "بن", "بن")
    assert parts.others == ("حسن", "عمر")
    assert parts.family == "الخطيب"
    assert any("others" in note for note in parts.notes)


def test_bint_says_the_person_is_a_woman() -> None:
    assert any("woman" in n for n in parse_full_name("زينب بنت علي").notes)


def test_an_empty_name_has_no_parts_and_no_confidence() -> None:
    assert parse_full_name("  - ") == NameParts(confidence=0.0, notes=("no name",))


WORDS = [
    "محمد", "أحمد", "عبد", "الله", "الرحمن", "الخطيب", "حسن", "بن", "بنت", "ابن", "أبو", "أم",
    "ال", "نور", "الدين", "علي", "فاطمة", "Mhd", "Mohammad", "Abd", "Allah", "Al", "al-Hassan",
    "Abu", "Umm", "bin", "ibn", "bint", "Nour", "Eddine", "Khaled", "El-Masri", "Abdullah",
    "Youssef", "Al-Mithal", "Zainab", "Sa'id", "3omar", "Abou", "Bakr",
]  # fmt: skip


@given(st.lists(st.sampled_from(WORDS), max_size=9))
def test_parsing_never_loses_a_word(words: list[str]) -> None:
    parts = parse_full_name(" ".join(words))
    assert Counter(parts.words()) == Counter(words)
    assert 0.0 <= parts.confidence <= 1.0


# (full name, the parts the row gives, given, father, grandfather, family): lists that give a full
# name beside a column or two of its parts.
COMPLETED = [
    # "الاسم الكامل" beside "اسم الأب": the full name gives the rest.
    ("وليد عبد الله المثال", {"father": "عبد الله"}, "وليد", "عبد الله", None, "المثال"),
    # two names and the father given: the second is the father's, the family is unknown
    ("وليد عبد الله", {"father": "عبد الله"}, "وليد", "عبد الله", None, None),
    ("وليد عبدالله", {"father": "Abdullah"}, "وليد", "Abdullah", None, None),
    # "الاسم الثلاثي" beside "الكنية": the last of the three is the grandfather, not the family
    ("وليد عبد الله أحمد", {"family": "المثال"}, "وليد", "عبد الله", "أحمد", "المثال"),
    ("وليد عبد الله أحمد", {"family": "Al-Mithal"}, "وليد", "عبد الله", "أحمد", "Al-Mithal"),
    # the family given and already in the full name: read once
    ("Walid Abdullah Al-Mithal", {"family": "المثال"}, "Walid", "Abdullah", None, "المثال"),
    ("وليد عبد الله المثال", {"family": "المثال"}, "وليد", "عبد الله", None, "المثال"),
    # a part given that the full name contradicts: the row's column wins
    ("وليد أحمد المثال", {"father": "عبد الله"}, "وليد", "عبد الله", None, "المثال"),
    ("Walid Abdullah Al-Mithal", {"given": "وليد", "family": "المثال"}, "وليد", "Abdullah",
     None, "المثال"),
]  # fmt: skip


@pytest.mark.parametrize(("full", "known", "given_", "father", "grandfather", "family"), COMPLETED)
def test_a_full_name_gives_the_parts_a_row_lacks(
    full: str,
    known: dict[str, str],
    given_: str | None,
    father: str | None,
    grandfather: str | None,
    family: str | None,
) -> None:
    parts = complete_parts(full, known)
    assert (parts.given, parts.father, parts.grandfather, parts.family) == (
        given_, father, grandfather, family,
    )  # fmt: skip


def test_a_word_given_as_another_part_is_said_so() -> None:
    parts = complete_parts("وليد عبد الله", {"father": "عبد الله"})
    assert "عبد الله is the father name the row gives, not the family name" in parts.notes


KNOWN = st.fixed_dictionaries(
    {}, optional={p: st.sampled_from(WORDS) for p in IN_FULL_NAME}
)  # fmt: skip


@given(st.lists(st.sampled_from(WORDS), max_size=7), KNOWN)
def test_completing_keeps_every_part_given_and_splits_alone_as_parsing_does(
    words: list[str], known: dict[str, str]
) -> None:
    full = " ".join(words)
    parts = complete_parts(full, known)
    for part, value in known.items():
        assert getattr(parts, part) == value  # as the row gave it
    assert 0.0 <= parts.confidence <= 1.0
    if not known:
        assert parts == parse_full_name(full)
    # Completing again with what it gave changes nothing.
    again = complete_parts(full, {p: v for p in IN_FULL_NAME if (v := getattr(parts, p))})
    assert [getattr(again, p) for p in IN_FULL_NAME] == [getattr(parts, p) for p in IN_FULL_NAME]
