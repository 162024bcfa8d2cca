"""Comparing names across spellings and scripts, and saying why two names match.

Built on :func:`dalil.values.search_key` (Arabic variants folded, case folded, punctuation
split). On top of it, each word is reduced to a *consonant skeleton* in Latin letters: Arabic
letters transliterated by a fixed table, Latin digraphs folded (kh, sh/ch, th, dh, gh), vowels
and medial w/y (long vowels in Arabic) dropped, doubled letters collapsed, a final h (ta marbuta)
dropped. So أمجد يوسف and "Amjad Youssef" both give ``mjd ysf``, عبد الله and "Abdullah" meet
when written together. Articles (al-, el-, ال) and nasab particles (bin, ibn, bint) are ignored.

This is deliberately simple and explainable: every match lists the word pairs and the rule that
joined them. It compares; it never stores a skeleton in place of a name. Names are heavily skewed
in Syria: a name match is a lead for a human, never an identification.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import product

from dalil.values import search_key

PARTICLES = frozenset({"al", "el", "ul", "bin", "ibn", "bint", "ben", "بن", "بنت", "ابن", "ال"})
_ARABIC = {
    "ا": "",
    "ب": "b",
    "ت": "t",
    "ث": "t",
    "ج": "j",
    "ح": "h",
    "خ": "x",
    "د": "d",
    "ذ": "z",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "c",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "g",
    "ف": "f",
    "ق": "k",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "و": "w",
    "ي": "y",
    "ء": "",
}
_DIGRAPHS = (
    ("kh", "X"),
    ("sh", "C"),
    ("ch", "C"),
    ("th", "t"),
    ("dh", "z"),
    ("gh", "G"),
    ("ph", "f"),
    ("dj", "j"),
    ("ck", "k"),
)
_LATIN = {"q": "k", "c": "k", "g": "j", "x": "ks", "v": "f", "p": "b", "X": "x", "C": "c", "G": "g"}
VOWELS = frozenset("aeiou")


def words(name: str) -> list[str]:
    """The name's words, normalised, without articles and particles; ال is cut from a word."""
    result = []
    for word in search_key(name).split():
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
        if word not in PARTICLES and not word.isdigit():
            result.append(word)
    return result


def _latin(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    for digraph, mark in _DIGRAPHS:
        plain = plain.replace(digraph, mark)
    return "".join(_LATIN.get(c, c) for c in plain)


def skeleton(word: str) -> str:
    """``يوسف`` → ``ysf``; ``Youssef`` → ``ysf``; ``Fatmeh`` and ``فاطمة`` → ``ftm``."""
    arabic = any("\u0600" <= c <= "\u06ff" for c in word)
    letters = "".join(_ARABIC.get(c, "") for c in word) if arabic else _latin(word)
    kept: list[str] = []
    for i, c in enumerate(letters):
        if c in VOWELS or (c in "wy" and i > 0) or not c.isalpha():
            continue
        if kept and kept[-1] == c:
            continue
        kept.append(c)
    out = "".join(kept)
    return out[:-1] if len(out) > 2 and out.endswith("h") else out


@dataclass(frozen=True)
class WordMatch:
    ours: str
    theirs: str
    score: float
    rule: str


@dataclass
class NameMatch:
    ours: str
    theirs: str
    score: float
    words: list[WordMatch] = field(default_factory=list)
    rule: str = ""

    def explain(self) -> list[str]:
        if self.rule:
            return [self.rule]
        return [f"{w.ours} ~ {w.theirs}: {w.rule}" for w in self.words]


def compare_words(a: str, b: str) -> WordMatch | None:
    if a == b:
        return WordMatch(a, b, 1.0, "same word after normalisation")
    sa, sb = skeleton(a), skeleton(b)
    cross = (a[:1] >= "\u0600") != (b[:1] >= "\u0600")
    how = "same consonants across Arabic and Latin script" if cross else "spelling variant"
    if sa and sa == sb:
        return WordMatch(a, b, 0.9 if len(sa) >= 2 else 0.6, f"{how} ({sa})")
    if min(len(sa), len(sb)) >= 3:
        ratio = SequenceMatcher(None, sa, sb).ratio()
        if ratio >= 0.75:
            return WordMatch(a, b, round(0.7 * ratio, 3), f"similar consonants ({sa} / {sb})")
    return None


def compare_names(ours: str, theirs: str) -> NameMatch | None:
    """How well two names match (0–1) and why, or ``None`` when they share nothing."""
    wa, wb = words(ours), words(theirs)
    if not wa or not wb:
        return None
    joined_a, joined_b = skeleton("".join(wa)), skeleton("".join(wb))
    best: list[WordMatch] = []
    used: set[int] = set()
    for word in wa:
        options = [
            (m, j)
            for j, other in enumerate(wb)
            if j not in used and (m := compare_words(word, other)) is not None
        ]
        if options:
            m, j = max(options, key=lambda o: o[0].score)
            best.append(m)
            used.add(j)
    total = sum(m.score for m in best)
    score = (total / len(wa) + total / len(wb)) / 2
    if len(joined_a) >= 4 and joined_a == joined_b and score < 0.9:
        return NameMatch(ours, theirs, 0.9, rule=f"same consonants written together ({joined_a})")
    if not best:
        return None
    return NameMatch(ours, theirs, round(score, 3), best)


def best_match(ours: list[str], theirs: list[str]) -> NameMatch | None:
    found = [m for a, b in product(ours, theirs) if (m := compare_names(a, b)) is not None]
    return max(found, key=lambda m: m.score) if found else None
