"""Split a name into matching tokens: Arabic folded, article dropped, compound names kept whole.

Builds on :func:`dalil.values.normalise_arabic`: hamza seats, ة/ه, ى/ي, tashkeel and tatweel are
folded there; this module adds what matters for *names*: the article (ال, Al-, El-, ash-) is
dropped so that الحسن, ال حسن and حسن meet; compounds (عبد الله, عبدالله, Abd-Allah, Abdullah, نور
الدين, Nour Eddine, أبو بكر, أم محمد) become one token whose pieces are joined by ``-``; Latin
particle spellings are made canonical (Abdel/Abdul → abd, Abou → abu, Eddine → din).

The output is only ever used to compare names. This module must never be used to rewrite what a
list wrote, and must never drop a word that carries a name: only articles go.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from dalil.registry.names.data import NameData, name_data
from dalil.values import normalise_arabic

__all__ = ["Token", "clean", "is_arabic", "normalise_name", "tokenise"]

TokenKind = Literal["name", "nasab", "kunya"]

_APOSTROPHES = frozenset("'`ʿʾʼ‘’′")
_DASHES = frozenset("-‐‑‒–—―−")
_LATIN_SPECIAL = str.maketrans({"ş": "sh", "š": "sh", "ı": "i", "ł": "l", "ø": "o", "æ": "ae"})
# A private-use stand-in that keeps ى through normalise_arabic, for the transliteration.
_MAKSURA = "\ue000"
_DIN = re.compile(r"^(?P<head>[a-z]{3,}?)(?:[aeiou]?l|[aeiou])?d{1,2}(?:ee|i|e)ne?$")
_ALLAH = re.compile(r"^(?P<head>[a-z]{3,}?)[aeiou]llah?$")
_LATIN_ARTICLE = re.compile(r"^[ae]l(?=[^aeiouy\d][a-z]{3})")


def is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f" or char == _MAKSURA


def _separator(char: str) -> str:
    if char in _APOSTROPHES or unicodedata.category(char) in ("Cf", "Mn", "Me"):
        return ""
    if char in _DASHES:
        return "-"
    if unicodedata.category(char)[0] in "PSZC" and char != _MAKSURA:
        return " "
    return char


def clean(text: str, *, keep_maksura: bool = False) -> str:
    """Fold a name for matching: Arabic variants, case, Latin accents; ``-`` joins pieces."""
    if keep_maksura:
        text = text.replace("ى", _MAKSURA)
    folded = normalise_arabic(text).casefold().translate(_LATIN_SPECIAL)
    folded = unicodedata.normalize("NFKD", folded)
    folded = "".join(_separator(c) for c in folded)
    folded = unicodedata.normalize("NFKC", folded).casefold().translate(_LATIN_SPECIAL)
    folded = "".join(_separator(c) for c in folded)  # NFKC may bring back marks or spaces
    folded = re.sub(r"\s*-[\s-]*", "-", folded)
    return " ".join(w.strip("-") for w in folded.split() if w.strip("-"))


def _strip_arabic_article(piece: str) -> tuple[str, bool]:
    data, found = name_data(), False
    while (
        piece.startswith(data.article)
        and len(piece) >= len(data.article) + 2
        and piece not in data.not_article
    ):
        piece, found = piece[len(data.article) :], True
    return piece, found


def _split_arabic(piece: str) -> list[str]:
    data = name_data()
    for prefix in data.prefix:  # عبدالله, عبدالرحمن; not عبده
        rest = piece[len(prefix) :]
        if piece.startswith(prefix) and (
            (rest.startswith(data.article) and len(rest) >= 4)
            or data.article + rest in data.divine_names
        ):
            return [prefix, *_split_arabic(rest)]
    for kunya in data.kunya - {"ام"}:  # ابوبكر; never ام (امجد, امل)
        if piece.startswith(kunya) and len(piece) - len(kunya) >= 3:
            return [kunya, *_split_arabic(piece[len(kunya) :])]
    for suffix in data.suffix:
        head = piece[: -len(suffix)]
        if piece.endswith(suffix) and len(head) >= 2:
            return [*_split_arabic(head), suffix]
    return [piece]


def _latin_rest(rest: str) -> str:
    """What follows a fused "abd": Abdullah → allah, Abdelaziz → aziz, Abdurrahman → rrahman."""
    suffix = name_data().latin.suffix
    if rest in suffix:
        return suffix[rest]
    if re.match(r"^[aeiou]l[a-z]{2}", rest):
        return rest[2:]
    if re.match(r"^[aeiou]([b-df-hj-np-tv-z])\1", rest):
        return rest[1:]
    return rest


@lru_cache(maxsize=1)
def _kunya_spellings() -> tuple[str, ...]:
    return tuple(sorted(name_data().latin.kunya, key=len, reverse=True))


def _split_latin(piece: str) -> tuple[list[str], bool]:
    """Pieces of a fused Latin word, and whether an attached article was dropped."""
    latin = name_data().latin
    for table in (latin.prefix, latin.kunya, latin.suffix):
        if piece in table:
            return [table[piece]], False
    if piece.startswith("abd") and len(piece) >= 6:
        rest, article = _split_latin(_latin_rest(piece[3:]))
        return ["abd", *rest], article
    for spelling in _kunya_spellings():
        if piece.startswith(spelling) and len(piece) - len(spelling) >= 3:
            rest, article = _split_latin(_latin_rest(piece[len(spelling) :]))
            return [latin.kunya[spelling], *rest], article
    for pattern, canonical in ((_DIN, "din"), (_ALLAH, "allah")):
        if match := pattern.match(piece):
            head, article = _split_latin(match["head"])
            return [*head, canonical], article
    article = False
    while _LATIN_ARTICLE.match(piece):
        piece, article = piece[2:], True
    return [piece], article


def _is_article(piece: str, followed: bool) -> bool:
    latin = name_data().latin
    if piece == name_data().article or piece in latin.articles:
        return True
    return followed and piece in latin.assimilated


@dataclass(frozen=True)
class Token:
    """One name token: the words as written, and the folded pieces of a compound."""

    surface: str
    pieces: tuple[str, ...]
    article: bool = False
    kind: TokenKind = "name"

    @property
    def form(self) -> str:
        """The exact matching form: ``عبد-الله``, ``abd-allah``, ``hassan``."""
        return "-".join(self.pieces)


@lru_cache(maxsize=1 << 16)  # names repeat: a list of a million holds a few thousand words
def _word(surface: str, keep_maksura: bool) -> Token | None:
    raw = [p for w in clean(surface, keep_maksura=keep_maksura).split() for p in w.split("-")]
    if not raw:
        return None
    pieces: list[str] = []
    article = False
    for i, piece in enumerate(raw):
        if i + 1 < len(raw) and _is_article(piece, followed=True):  # al-Hassan, ash-Shami
            article = True
            continue
        # The article of the name itself, not one inside a compound (عبد الرحمن).
        first = not pieces
        if any(is_arabic(c) for c in piece):
            for j, part in enumerate(_split_arabic(piece)):
                stripped, found = _strip_arabic_article(part)
                pieces.append(stripped)
                article = article or (found and first and j == 0)
        else:
            split, found = _split_latin(piece)
            pieces.extend(split)
            article = article or (found and first)
    return Token(surface, tuple(pieces), article, _kind(tuple(pieces)))


class _Spacing(dict[int, str]):
    """For ``str.translate``: a separator or control character (Unicode Z and C, but not the
    format characters such as the zero-width joiner) becomes a space. Each character's category
    is looked up once, on its first use, not once per character of every name (0.4 s of the
    linkage features' 10.9 s at a million records)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        category = unicodedata.category(char)
        spaced = " " if category[0] in "ZC" and category != "Cf" else char
        if len(self) < _SPACING_KEPT:  # names use a few hundred characters; text may use more
            self[code] = spaced
        return spaced


_SPACING_KEPT = 1 << 14
_SPACING = _Spacing()


_BETWEEN_WORDS = re.compile(r"[\s,;/|()\[\]]+")


def _words(text: str) -> list[str]:
    return [w for w in _BETWEEN_WORDS.split(text.translate(_SPACING)) if w]


def _join(a: Token, b: Token) -> Token:
    pieces = a.pieces + b.pieces
    return Token(f"{a.surface} {b.surface}", pieces, a.article, _kind(pieces))


@dataclass(frozen=True)
class _Sets:
    """The sets :func:`tokenise` looks pieces up in, built once per name data, not per call."""

    data: NameData
    articles: frozenset[str]  # a detached article (ال, al): it belongs to the next word
    nasab: frozenset[str]  # a lone piece that makes a token a nasab marker
    kunya: frozenset[str]  # a compound's first piece that makes it a kunya
    prefixes: frozenset[str]  # a piece the next word joins (عبد, abu)
    suffixes: frozenset[str]  # a piece that joins the word before it (الدين, allah)


_SETS: list[_Sets] = []


def _sets() -> _Sets:
    data = name_data()
    if not _SETS or _SETS[0].data is not data:
        _SETS[:] = [
            _Sets(
                data,
                frozenset({data.article}) | data.latin.articles,
                data.nasab | data.latin.nasab,
                frozenset({"abu", "umm"}) | data.kunya,
                frozenset({"abd", "abu", "umm"}) | data.prefix | data.kunya,
                frozenset({"din", "allah", "دين"}) | data.suffix,
            )
        ]
    return _SETS[0]


def _kind(pieces: tuple[str, ...]) -> TokenKind:
    sets = _sets()
    if len(pieces) == 1 and pieces[0] in sets.nasab:
        return "nasab"
    if len(pieces) > 1 and pieces[0] in sets.kunya:
        return "kunya"
    return "name"


def tokenise(text: str, *, keep_maksura: bool = False) -> list[Token]:
    """The tokens of a name, compounds joined: ``"Abd Allah al-Hassan"`` → 2 tokens."""
    words = [t for w in _words(text) if (t := _word(w, keep_maksura)) is not None]
    # A detached article ("Al Hassan", "ال حسن") belongs to the next word.
    sets = _sets()
    merged: list[Token] = []
    for token in words:
        if merged and len(merged[-1].pieces) == 1 and merged[-1].pieces[0] in sets.articles:
            prev = merged.pop()
            token = Token(f"{prev.surface} {token.surface}", token.pieces, True, token.kind)
        merged.append(token)
    tokens: list[Token] = []
    for token in merged:
        joins = (
            tokens[-1].pieces[-1] in sets.prefixes or token.pieces[0] in sets.suffixes
            if tokens
            else False
        )
        if joins and tokens[-1].kind != "nasab":
            token = _join(tokens.pop(), token)
        tokens.append(token)
    return tokens


def normalise_name(text: str) -> str:
    """The exact matching form of a name: ``normalise_name("عبد اللّه الحسن") == "عبد-الله حسن"``.

    Idempotent; empty only when ``text`` has no letter or digit.
    """
    return " ".join(t.form for t in tokenise(text))
