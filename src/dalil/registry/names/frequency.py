"""How common each name is in the data, per name part, so that common names weigh less.

محمد is a large share of Syrian men's given names: two records agreeing on it say far less than
two agreeing on a rare name. :class:`NameFrequencies` counts the transliteration key of each part
(so محمد and Mohammad count together) and gives a term-frequency share and a weight in bits.

It only counts keys: it must never keep a record's identifier, a name as written, or anything else
that ties a count to a record, so its serialised form can go to a linkage run without saying who
is on which list.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from dalil.registry.names.compare import PARTS, HasNameParts
from dalil.registry.names.translit import translit_key

__all__ = ["NameFrequencies"]

_FORMAT = "dalil.name-frequencies/1"


class NameFrequencies:
    """Counts of each name key per part (given, father, grandfather, family, mother)."""

    def __init__(self, counts: Mapping[str, Mapping[str, int]] | None = None) -> None:
        self._counts: dict[str, Counter[str]] = {p: Counter() for p in PARTS}
        for part, keys in (counts or {}).items():
            self._check_part(part)
            for key, count in keys.items():
                if not isinstance(count, int) or count < 0:
                    raise ValueError(f"count of {key!r} in {part} must be a whole number >= 0")
                self._counts[part][key] += count

    @staticmethod
    def _check_part(part: str) -> None:
        if part not in PARTS:
            raise ValueError(f"unknown name part {part!r}; expected one of {', '.join(PARTS)}")

    @classmethod
    def from_names(cls, names: Iterable[HasNameParts]) -> NameFrequencies:
        frequencies = cls()
        for name in names:
            frequencies.add(name)
        return frequencies

    def add(self, name: HasNameParts) -> None:
        """Count every non-empty part of one name."""
        for part in PARTS:
            key = translit_key(getattr(name, part) or "")
            if key:
                self._counts[part][key] += 1

    def total(self, part: str) -> int:
        self._check_part(part)
        return sum(self._counts[part].values())

    def count(self, part: str, name: str) -> int:
        """How many times a name (any spelling, either script) was counted in ``part``."""
        self._check_part(part)
        return self._counts[part][translit_key(name)]

    def share(self, part: str, name: str) -> float:
        """Term frequency of a name in ``part``, smoothed: an unseen name counts as seen once."""
        total = self.total(part)
        return min(1.0, (self.count(part, name) + 1) / (total + 1))

    def weight(self, part: str, name: str) -> float:
        """Bits of evidence in agreeing on this name: ``log2(1 / share)``; lower when common."""
        return -math.log2(self.share(part, name))

    def most_common(self, part: str, n: int = 10) -> list[tuple[str, int]]:
        self._check_part(part)
        return self._counts[part].most_common(n)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: ``{"format": ..., "counts": {part: {key: count}}}``."""
        return {
            "format": _FORMAT,
            "counts": {p: dict(sorted(c.items())) for p, c in self._counts.items() if c},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NameFrequencies:
        if data.get("format") != _FORMAT:
            raise ValueError(f"not a name-frequencies table (format {data.get('format')!r})")
        counts = data.get("counts")
        if not isinstance(counts, Mapping):
            raise ValueError("name-frequencies table without counts")
        return cls(counts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NameFrequencies) and self._counts == other._counts

    __hash__ = None  # type: ignore[assignment]
