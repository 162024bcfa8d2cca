"""Latin matching keys for names in either script: محمد, Mohammad, Mouhamad and Mhd → ``mhmd``.

Arabic script writes consonants and long vowels; Latin spellings write consonants and every vowel,
but inconsistently (Mohammad/Muhammad/Mouhamad, Youssef/Yusuf, Fatmeh/Fatima). So the key keeps
what both scripts agree on: consonants, folded to one Latin spelling each (ح/ه → h, ص/س → s,
ق/ك/q/c → k, ch/sh/ش → sh, dj/j/g/ج → j, ذ/ظ/ز → z, ph/v → f), a word-initial w/y, ``w`` before a
long a (Marwan), and a final ي/i/y/ee as ``y`` (Ali, Halabi); other vowels, ʿayn, hamza, a final ة
(Fatmeh/Fatima) and doubled letters go. Compound pieces stay apart (``bd-l``), so أم أحمد is not
محمد. The variant sets in ``variants.yaml`` override spellings the rules miss (Mhd, Hussein vs
Hasan). :func:`skeleton_key` is a looser second key: no w/y, no h after s/k/t/d/g, g = j,
t = z = d.

Keys are for comparing only: never show one to a user as a transliteration, and never store one
in place of the name it came from. Every key function here is idempotent.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from dalil.registry.names.data import name_data
from dalil.registry.names.tokens import is_arabic, tokenise

__all__ = ["piece_key", "rule_key", "skeleton_key", "translit_key"]

_ARABIC = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "z", "ر": "r",
    "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "gh", "ف": "f",
    "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "پ": "b", "چ": "j", "ژ": "j",
    "ڤ": "f", "گ": "j",
}  # fmt: skip
_LATIN = {"q": "k", "x": "ks", "v": "f", "p": "b", "g": "j"}
_DIGRAPHS = {"sh": "sh", "kh": "kh", "gh": "gh", "th": "th", "dh": "dh", "ch": "sh", "ph": "f"}
_ARABIZI = str.maketrans({"7": "h", "5": "kh", "6": "t", "9": "s", "8": "gh", "3": "", "2": ""})
_VOWELS = "aeiou"
_ARABIC_RUN = "[\u0600-\u06ff\u0750-\u077f\ue000]"
_FALLBACK = "a"  # the key of a name with letters but no consonant (آية, Aya)


def _collapse(key: str) -> str:
    return re.sub(r"(.)\1+", r"\1", key)


def _arabic_run(run: str, starts: bool, ends: bool) -> str:
    """Key of a run of Arabic letters; ``starts``/``ends``: the run begins/ends its piece."""
    out = []
    last = len(run) - 1
    for i, char in enumerate(run):
        after = run[i + 1] if i < last else ""
        first, final = i == 0 and starts, i == last and ends
        if char == "و":
            consonant = first or (
                0 < i < last and (after in "ا\ue000" or (after == "ه" and i + 1 == last))
            )
            out.append("w" if consonant else "")
        elif char == "ي":
            out.append("y" if first or final else "")
        elif char == "ه":
            out.append("" if final and not first else "h")  # final ة/ه: Fatmeh = Fatima
        else:
            out.append(_ARABIC.get(char, ""))  # ا ى ع ء and unknown letters: no consonant
    return "".join(out)


def _latin_run(run: str, starts: bool, ends: bool) -> str:
    """Key of a run of Latin letters; ``starts``/``ends``: the run begins/ends its piece."""
    s = "".join(c for c in run.translate(_ARABIZI) if "a" <= c <= "z")
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        char, pair = s[i], s[i : i + 2]
        if char in _VOWELS or (char == "y" and (i > 0 or not starts)):
            j = i
            while j < n and (s[j] in _VOWELS or s[j] == "y"):
                j += 1
            vowels = s[i:j]
            if j == n and ends and vowels.endswith(("i", "y", "ee")):
                out.append("y")  # Ali, Halaby, Halabee
            elif j == n - 1 and ends and s[j] == "h":
                j = n  # Fatimah, Abdallah: a final vowel and h are one ة or ه
            i = j
        elif s.startswith("sch", i):
            out.append("sh")
            i += 3
        elif pair in _DIGRAPHS:
            out.append(_DIGRAPHS[pair])
            i += 2
        elif pair == "ck" or (pair == "dj" and i + 2 < n and s[i + 2] in _VOWELS):
            out.append(pair[1])
            i += 2
        elif char == "c":
            out.append("s" if s[i + 1 : i + 2] in ("e", "i", "y") else "k")  # Youcef, Hacene
            i += 1
        else:
            out.append(_LATIN.get(char, char))
            i += 1
    return "".join(out)


@lru_cache(maxsize=1 << 16)
def piece_key(piece: str) -> str:
    """The key of one folded piece (no spaces or ``-``), before overrides; ``""`` if no letter."""
    if not any(c.isalpha() or c == "\ue000" for c in piece):
        return ""
    runs = re.findall(f"{_ARABIC_RUN}+|[^{_ARABIC_RUN[1:]}+", piece)
    key = "".join(
        (_arabic_run if is_arabic(run[0]) else _latin_run)(run, i == 0, i == len(runs) - 1)
        for i, run in enumerate(runs)
    )
    return _collapse(key) or _FALLBACK


def _rule_key(text: str, overrides: dict[str, str]) -> str:
    keys = []
    for token in tokenise(text, keep_maksura=True):
        if token.form in overrides:
            keys.append(overrides[token.form])
            continue
        pieces = [overrides.get(p) or piece_key(p) for p in token.pieces]
        key = "-".join(overrides.get(k, k) for k in pieces if k)
        if key:
            keys.append(overrides.get(key, key))
    return " ".join(keys)


@cache
def _overrides() -> dict[str, str]:
    """Folded spelling → key, for the variant-set spellings the rules alone do not reach."""
    data = name_data()
    table: dict[str, str] = {}
    for variant in data.variants:
        canonical = variant.key or _rule_key(variant.arabic, {})
        if variant.key:
            table[variant.key] = variant.key
        for spelling in (variant.arabic, *variant.latin):
            tokens = tokenise(spelling, keep_maksura=True)
            if len(tokens) != 1:
                raise ValueError(f"variants.yaml: {spelling!r} is not one name token")
            if _rule_key(spelling, {}) != canonical:
                table[tokens[0].form] = canonical
    for abbreviation, arabic in data.latin.abbreviations.items():
        table[abbreviation] = _rule_key(arabic, {})
    for key in set(table.values()):
        if _rule_key(key, table) != key:
            raise ValueError(f"variants.yaml: key {key!r} is not stable; choose another")
    return table


def rule_key(text: str) -> str:
    """:func:`translit_key` by the rules alone, without the ``variants.yaml`` overrides."""
    return _rule_key(text, {})


@lru_cache(maxsize=1 << 16)
def translit_key(text: str) -> str:
    """Matching key in Latin letters: ``translit_key("عبد الله") == translit_key("Abdullah")``.

    One space-separated key per token, compound pieces joined by ``-``. Never empty when ``text``
    has a letter.
    """
    return _rule_key(text, _overrides())


def _loosen(piece: str) -> str:
    # ذ is z in Arabic script but dh, th or z in Latin (Munther, Monzer; Dhahban, Zahban), and
    # ث/ت/ط all meet at t: the skeleton gives up t/d/z for one d.
    loose = piece.replace("w", "").replace("y", "").replace("t", "d").replace("z", "d")
    while True:
        looser = _collapse(re.sub(r"([sktdg])h", r"\1", loose))
        if looser == loose:
            break
        loose = looser
    # g = j, and a d before j goes (dj is j; t/d/z → d must not bring one back).
    return _collapse(re.sub(r"d+j", "j", loose.replace("g", "j"))) or _FALLBACK


def skeleton_key(text: str) -> str:
    """The looser key: :func:`translit_key` without w/y, emphatic h, the g/j or the t/d/z
    distinction."""
    return " ".join(
        "-".join(_loosen(p) for p in token.split("-")) for token in translit_key(text).split()
    )
