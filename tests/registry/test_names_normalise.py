"""Arabic and Latin name folding: article, compounds and particles meet on one exact form."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.registry.names import normalise_name, tokenise

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويأإآٱةىؤئ"
MARKS = [chr(c) for c in range(0x064B, 0x0653)] + ["\u0670", "\u0640"]
LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèâôçş'-"
arabic_text = st.text(st.sampled_from([*ARABIC, *MARKS, " "]), max_size=30)
latin_text = st.text(st.sampled_from([*LATIN, " "]), max_size=30)
any_text = st.one_of(arabic_text, latin_text, st.text(max_size=30))


@pytest.mark.parametrize(
    ("variants", "form"),
    [
        (["الحسن", "ال حسن", "حسن", "الْحَسَن", "الحـسن"], "حسن"),
        (["عبد الله", "عبدالله", "عبد اللّه", "عبد اللـه", "عبدُ الله"], "عبد-الله"),
        (["عبد الرحمن", "عبدالرحمن", "عبد الرحمٰن"], "عبد-رحمن"),
        (["نور الدين", "نورالدين"], "نور-دين"),
        (["سيف الدين", "سيفالدين"], "سيف-دين"),
        (["أبو بكر", "ابو بكر", "أبوبكر"], "ابو-بكر"),
        (["أم محمد", "ام محمد"], "ام-محمد"),
        (["فاطمة", "فاطمه"], "فاطمه"),
        (["إبراهيم", "ابراهيم", "أبراهيم"], "ابراهيم"),
        (["مؤمن", "مومن"], "مومن"),
        (["عائشة", "عايشه"], "عايشه"),
    ],
)
def test_arabic_spellings_of_one_name_meet(variants: list[str], form: str) -> None:
    assert {normalise_name(v) for v in variants} == {form}


@pytest.mark.parametrize(
    ("variants", "form"),
    [
        (["Al-Hassan", "al Hassan", "El-Hassan", "AL HASSAN", "Alhassan", "Hassan"], "hassan"),
        (["Ash-Shami", "Al-Shami", "Shami", "Alshami"], "shami"),
        (["Abdullah", "Abd Allah", "Abd-Allah", "Abdallah", "Abdulla", "Abd al-Lah"], "abd-allah"),
        (["Abdul Rahman", "Abdel Rahman", "Abd al-Rahman", "Abdelrahman", "Abdulrahman"], None),
        (["Nour Eddine", "Noureddine", "Nour al-Din", "Nour-Eldin", "Nourdine"], "nour-din"),
        (["Abu Bakr", "Abou Bakr", "Abubakr", "Abo Bakr"], "abu-bakr"),
        (["Umm Ahmad", "Om Ahmad", "Oum Ahmad"], "umm-ahmad"),
        (["Sa'id", "Sa‘id", "Saʿid", "Said"], "said"),
        (["Fatmé", "Fatme"], "fatme"),
    ],
)
def test_latin_spellings_of_one_name_meet(variants: list[str], form: str | None) -> None:
    forms = {normalise_name(v) for v in variants}
    assert len(forms) == 1
    assert form is None or forms == {form}


def test_words_that_begin_with_al_but_have_no_article_are_kept() -> None:
    assert normalise_name("إلياس إلهام") == "الياس الهام"
    assert normalise_name("الله") == "الله"
    assert normalise_name("Elias Alwan Elham Alaa") == "elias alwan elham alaa"


def test_fused_prefixes_are_only_split_where_they_are_particles() -> None:
    assert normalise_name("عبده أمجد أمل") == "عبده امجد امل"
    assert normalise_name("Abdo Nadine Aboud") == "abdo nadine aboud"


def test_compounds_and_kinds_of_tokens() -> None:
    tokens = tokenise("أبو أحمد محمد بن عبد الله الخطيب")
    assert [t.surface for t in tokens] == ["أبو أحمد", "محمد", "بن", "عبد الله", "الخطيب"]
    assert [t.kind for t in tokens] == ["kunya", "name", "nasab", "name", "name"]
    assert [t.article for t in tokens] == [False, False, False, False, True]


def test_article_inside_a_compound_is_not_a_family_article() -> None:
    assert not tokenise("عبد الرحمن")[0].article
    assert tokenise("ال خطيب")[0].article
    assert tokenise("Al Khatib")[0].surface == "Al Khatib"


@given(any_text)
def test_normalise_name_is_idempotent(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once


@given(st.one_of(arabic_text, latin_text))
def test_normalise_name_is_never_empty_when_there_is_a_letter(text: str) -> None:
    if any(c.isalpha() and c != "\u0640" for c in text):
        assert normalise_name(text)
