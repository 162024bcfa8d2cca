"""Arabic normalisation: spelling variants of one name must meet on one search key."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.values import normalise_arabic, script_of, search_key

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
TASHKEEL = [chr(c) for c in range(0x064B, 0x0660)] + [
    "\u0670",
    "\u0640",
]  # + superscript alef, tatweel
arabic_words = st.text(st.sampled_from(ARABIC_LETTERS + "أإآٱةىؤئ"), min_size=1, max_size=12)


def _is_real_letter(char: str) -> bool:
    # Arabic presentation forms of tashkeel (U+FE70-FE7F, the shadda ligatures U+FC5E-FC63 and
    # U+FCF2-FCF4) are classed as letters but are only marks; tatweel and the ʿayn/hamza
    # modifier letters are removed on purpose.
    code = ord(char)
    return not (0xFE70 <= code <= 0xFE7F or 0xFC5E <= code <= 0xFC63 or 0xFCF2 <= code <= 0xFCF4)


real_letters = st.characters(categories=("Lu", "Ll", "Lt", "Lo")).filter(_is_real_letter)


# --- normalise_arabic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مُحَمَّد", "محمد"),  # tashkeel
        ("محـــمد", "محمد"),  # tatweel
        ("الرَّحْمٰن", "الرحمن"),  # superscript alef
        ("أحمد", "احمد"),
        ("إبراهيم", "ابراهيم"),
        ("آمنة", "امنه"),
        ("ٱلله", "الله"),  # alef wasla
        ("فاطمة", "فاطمه"),
        ("مصطفى", "مصطفي"),
        ("مؤمن", "مومن"),
        ("هانئ", "هاني"),
        ("علی", "علي"),  # Persian yeh
        ("کمال", "كمال"),  # keheh
        ("ہادی", "هادي"),  # heh goal
        ("٢٠١٣", "2013"),
        ("۱۹۷۵", "1975"),
        ("ﻣﺤﻤﺪ", "محمد"),  # presentation forms pasted from a PDF
        ("ﻷ", "لا"),  # lam-alef ligature with hamza
    ],
)
def test_normalise_arabic_folds_spelling_variants(text: str, expected: str) -> None:
    assert normalise_arabic(text) == expected


def test_normalise_arabic_composes_alef_with_combining_hamza() -> None:
    assert normalise_arabic("ا\u0654حمد") == "احمد"
    assert normalise_arabic("ا\u0653منة") == "امنه"


@pytest.mark.parametrize("text", ["Al-Hassan", "Sa'id", "José Müller", "Mohammad 2013"])
def test_normalise_arabic_leaves_latin_text_alone(text: str) -> None:
    assert normalise_arabic(text) == text


def test_normalise_arabic_applies_nfkc_to_latin() -> None:
    assert normalise_arabic("ﬁle Ｍａｈｅｒ") == "file Maher"


def test_normalise_arabic_keeps_the_article() -> None:
    assert normalise_arabic("الحسن") == "الحسن"


@given(st.text())
def test_normalise_arabic_is_idempotent(text: str) -> None:
    once = normalise_arabic(text)
    assert normalise_arabic(once) == once


# --- search_key -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("أحمد", "احمد"),
        ("فاطمة", "فاطمه"),
        ("مُحَمَّد", "محمد"),
        ("مصطفى", "مصطفي"),
        ("Sa'id", "Said"),
        ("Saʿid", "Said"),
        ("Saʾid", "Said"),
        ("Sa’id", "Said"),
        ("Sa‘id", "Said"),
        ("Sa`id", "Said"),
        ("AL-HASSAN", "al hassan"),
        ("أحمد\u200f", "احمد"),  # right-to-left mark pasted with the name
    ],
)
def test_search_key_makes_spelling_variants_meet(a: str, b: str) -> None:
    assert search_key(a) == search_key(b)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Al-Hassan", "al hassan"),
        ("مُحَمَّد", "محمد"),
        ("Sa'id", "said"),
        ("  Abu  Bakr\t", "abu bakr"),
        ("Hassan, Ali", "hassan ali"),
        ("M. Ali", "m ali"),
        ("Ali/Alaa", "ali alaa"),
        ("Ali_Hassan", "ali hassan"),
        ("محمد، أحمد", "محمد احمد"),  # Arabic comma
        ("الحسن", "الحسن"),  # the article stays
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),  # casefold, not lower
        ("---", ""),
        ("", ""),
    ],
)
def test_search_key_values(text: str, expected: str) -> None:
    assert search_key(text) == expected


@pytest.mark.parametrize("text", ["e'\u0301", "eß\u0301", "e\u0640\u0301", "e\u200f\u0301"])
def test_search_key_composes_accents_left_next_to_a_letter(text: str) -> None:
    # Dropping an apostrophe, tatweel or bidi mark, or folding ß to ss, puts the accent on a new
    # letter; the key must already be composed so that it is a fixed point.
    key = search_key(text)
    assert search_key(key) == key
    assert normalise_arabic(normalise_arabic(text)) == normalise_arabic(text)


@given(st.text())
def test_search_key_is_idempotent(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key


@given(st.text())
def test_normalise_then_search_key_equals_search_key(text: str) -> None:
    assert search_key(normalise_arabic(text)) == search_key(text)


@given(st.text(), real_letters, st.text())
def test_search_key_never_empty_when_text_has_a_letter(
    before: str, letter: str, after: str
) -> None:
    assert search_key(before + letter + after) != ""


@given(st.text(), st.text())
def test_search_key_has_no_padding_or_double_spaces(before: str, after: str) -> None:
    key = search_key(before + after)
    assert key == key.strip()
    assert "  " not in key


@given(st.data(), st.text(st.sampled_from(ARABIC_LETTERS), min_size=1, max_size=12))
def test_search_key_ignores_inserted_diacritics_and_tatweel(data: st.DataObject, word: str) -> None:
    marked = ""
    for letter in word:
        marks = data.draw(st.lists(st.sampled_from(TASHKEEL), max_size=3))
        marked += letter + "".join(marks)
    assert search_key(marked) == search_key(word)


@pytest.mark.parametrize(
    ("variants", "key"),
    [
        ("اأإآٱ", "ا"),
        ("هة", "ه"),
        ("يىئی", "ي"),
        ("وؤ", "و"),
        ("كک", "ك"),
    ],
)
def test_each_variant_set_maps_to_one_letter(variants: str, key: str) -> None:
    assert {search_key(v) for v in variants} == {key}


@given(arabic_words, st.data())
def test_swapping_variant_letters_keeps_the_key(word: str, data: st.DataObject) -> None:
    groups = ["اأإآٱ", "هة", "يىئ", "وؤ"]
    swapped = ""
    for letter in word:
        group = next((g for g in groups if letter in g), letter)
        swapped += data.draw(st.sampled_from(group))
    assert search_key(swapped) == search_key(word)


# --- script_of ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("محمد الحسن", "arab"),
        ("مُحَمَّد", "arab"),
        ("ﻣﺤﻤﺪ", "arab"),
        ("Mohammad al-Hassan", "latn"),
        ("José", "latn"),
        ("Mohammad محمد", "mixed"),
        ("", "none"),
        ("2013-04-16", "none"),
        ("٢٠١٣", "none"),
        ("ـــ", "none"),  # tatweel alone is not a letter
        ("Иван", "none"),  # neither Arabic nor Latin
        ("Иван Ali", "latn"),
    ],
)
def test_script_of_counts_arabic_and_latin_letters(text: str, script: str) -> None:
    assert script_of(text) == script


@given(st.text())
def test_script_of_always_returns_an_iso_15924_code(text: str) -> None:
    assert script_of(text) in {"arab", "latn", "mixed", "none"}
