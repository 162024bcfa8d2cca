"""Arabic text normalisation for matching and search.

The same name reaches Dalil spelt many ways: with or without tashkeel, أحمد or احمد, فاطمة or
فاطمه, Persian keyboard ی and ک, presentation forms pasted from PDFs, Arabic-Indic digits.
:func:`normalise_arabic` folds those variants; :func:`search_key` adds case folding and punctuation
handling to give the key the person search compares.

These functions are pure and only ever used to *compare*: never store their output in place of
what a source wrote. They do not strip the article ال nor transliterate between scripts; the name
matching in the registry does that on top.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

__all__ = ["Script", "ascii_digits", "normalise_arabic", "script_of", "search_key"]

Script = Literal["arab", "latn", "mixed", "none"]

_DIGITS = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic ٠-٩
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Extended Arabic-Indic ۰-۹
    }
)
_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ی": "ي",  # Persian yeh
        "ک": "ك",  # keheh
        "ہ": "ه",  # Urdu heh goal
    }
)
# Tashkeel, Quranic annotation marks, superscript alef and tatweel: never part of a name's identity.
_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# Dropped without a space, so "Sa'id" and "Said" meet.
_APOSTROPHES = frozenset("'`ʿʾʼ‘’")


def ascii_digits(text: str) -> str:
    """Replace Arabic-Indic and Extended Arabic-Indic digits with ASCII ones; nothing else."""
    return text.translate(_DIGITS)


def normalise_arabic(text: str) -> str:
    """Fold Arabic spelling variants: tashkeel, tatweel, hamza seats, ة/ه, ى/ي, Persian letters.

    Latin text only goes through NFKC.
    """
    folded = unicodedata.normalize("NFKC", text)
    folded = _MARKS.sub("", folded).translate(_LETTERS).translate(_DIGITS)
    # Removing a mark can leave a Latin accent next to its base letter: compose again so that the
    # function is idempotent.
    return unicodedata.normalize("NFKC", folded)


def _separator_or_drop(char: str) -> str:
    if char in _APOSTROPHES:
        return ""
    category = unicodedata.category(char)
    if category == "Cf":  # bidi marks and zero-width joiners pasted with Arabic text
        return ""
    if category[0] in "PSZ" or category == "Cc":
        return " "
    return char


def search_key(text: str) -> str:
    """The key the person search compares: ``search_key("Al-Hassan") == "al hassan"``.

    Arabic variants are folded, case is folded, apostrophes and ʿayn/hamza signs are dropped,
    other punctuation and symbols separate words, and whitespace is collapsed.
    """
    separated = "".join(_separator_or_drop(c) for c in normalise_arabic(text))
    # Dropping an apostrophe can bring an accent next to a letter: normalise again to compose it.
    # Case folding can do the same ("ß" becomes "ss"), so it comes before.
    return " ".join(normalise_arabic(separated.casefold()).split())


def script_of(text: str) -> Script:
    """ISO 15924 code of the letters in ``text``: ``arab``, ``latn``, ``mixed`` or ``none``.

    Only Arabic and Latin letters are counted; digits, punctuation and other scripts are ignored,
    so text without any Arabic or Latin letter is ``none``.
    """
    arabic = latin = 0
    for char in normalise_arabic(text):
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("ARABIC"):
            arabic += 1
        elif name.startswith("LATIN"):
            latin += 1
    if arabic and latin:
        return "mixed"
    if arabic:
        return "arab"
    return "latn" if latin else "none"
