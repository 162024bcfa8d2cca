"""Keys of a person's name parts and how close two names are, for record linkage.

Three levels, strongest first: ``exact`` (same folded spelling), ``translit`` (same
cross-script key), ``skeleton`` (same loose consonant key), else ``none``; beside the level, a
Jaro-Winkler similarity of the transliteration keys for graded comparisons.

This module must never decide that two records are the same person: a name level is one piece of
evidence among dates, places and parents' names, and common names match by chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

from dalil.registry.names.tokens import normalise_name
from dalil.registry.names.translit import skeleton_key, translit_key

__all__ = [
    "PARTS",
    "HasNameParts",
    "MatchLevel",
    "NameKeys",
    "PartKeys",
    "TokenComparison",
    "compare_tokens",
    "jaro_winkler",
    "name_keys",
    "part_keys",
]

PARTS = ("given", "father", "grandfather", "family", "mother")


class HasNameParts(Protocol):
    """Anything with name parts: ``NameInput``, :class:`NameParts` from a parsed full name."""

    @property
    def given(self) -> str | None: ...
    @property
    def father(self) -> str | None: ...
    @property
    def grandfather(self) -> str | None: ...
    @property
    def family(self) -> str | None: ...
    @property
    def mother(self) -> str | None: ...


class MatchLevel(IntEnum):
    NONE = 0
    SKELETON = 1
    TRANSLIT = 2
    EXACT = 3


@dataclass(frozen=True)
class PartKeys:
    """The three keys of one name part."""

    exact: str
    translit: str
    skeleton: str


@dataclass(frozen=True)
class NameKeys:
    given: PartKeys | None = None
    father: PartKeys | None = None
    grandfather: PartKeys | None = None
    family: PartKeys | None = None
    mother: PartKeys | None = None

    def get(self, part: str) -> PartKeys | None:
        if part not in PARTS:
            raise KeyError(part)
        keys: PartKeys | None = getattr(self, part)
        return keys


@dataclass(frozen=True)
class TokenComparison:
    level: MatchLevel
    similarity: float  # Jaro-Winkler of the transliteration keys, 0 to 1


def part_keys(text: str | None) -> PartKeys | None:
    """Keys of one name part; ``None`` when it has no letter or digit."""
    text = text or ""
    exact = normalise_name(text)
    if not exact:
        return None
    # From the text, not from ``exact``: the transliteration needs ى, which ``exact`` folds.
    return PartKeys(exact, translit_key(text), skeleton_key(text))


def name_keys(parts: HasNameParts) -> NameKeys:
    """Keys of each part of a name: ``name_keys(NameInput(given="Mhd")).given.translit``."""
    return NameKeys(**{p: part_keys(getattr(parts, p)) for p in PARTS})


def jaro_winkler(a: str, b: str, prefix_scale: float = 0.1) -> float:
    """Jaro-Winkler similarity (1 = equal, 0 = nothing in common), common prefix up to 4."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    used_b = [False] * len(b)
    matched_a: list[str] = []
    for i, char in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not used_b[j] and b[j] == char:
                used_b[j] = True
                matched_a.append(char)
                break
    if not matched_a:
        return 0.0
    matched_b = [b[j] for j, used in enumerate(used_b) if used]
    m = len(matched_a)
    transpositions = sum(x != y for x, y in zip(matched_a, matched_b, strict=True)) / 2
    jaro = (m / len(a) + m / len(b) + (m - transpositions) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * prefix_scale * (1 - jaro)


def compare_tokens(a: str | PartKeys, b: str | PartKeys) -> TokenComparison:
    """How close two names (or their keys) are: ``compare_tokens("محمد", "Mhd").level`` is
    ``MatchLevel.TRANSLIT``.
    """
    keys_a = a if isinstance(a, PartKeys) else part_keys(a)
    keys_b = b if isinstance(b, PartKeys) else part_keys(b)
    if keys_a is None or keys_b is None:
        return TokenComparison(MatchLevel.NONE, 0.0)
    similarity = jaro_winkler(keys_a.translit, keys_b.translit)
    if keys_a.exact == keys_b.exact:
        level = MatchLevel.EXACT
    elif keys_a.translit == keys_b.translit:
        level = MatchLevel.TRANSLIT
    elif keys_a.skeleton == keys_b.skeleton:
        level = MatchLevel.SKELETON
    else:
        level = MatchLevel.NONE
    return TokenComparison(level, similarity)
