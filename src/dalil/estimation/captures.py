"""Capture-history tables: how many people each combination of lists documented.

A pattern such as ``"10110"`` means "on lists 1, 3 and 4 and on no other"; a table holds a count
for each of the 2^J − 1 patterns that can be observed. The all-zero pattern is the people no list
documented — what every estimator estimates — so it can never be given. This module parses and
checks tables and says, in words, why a table cannot support an estimate. It never estimates.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dalil.errors import InvalidInput

MAX_LISTS = 15  # 2^15 − 1 cells: beyond this the log-linear design is unreasonably large
MAX_COUNT = 10**12
COUNT_HEADERS = {"count", "counts", "n", "freq", "frequency", "number"}
LIST_NAME = re.compile(r"^[^\s,:;\[\]]{1,64}$")


def observable_patterns(lists: int) -> tuple[str, ...]:
    """Every pattern but the all-zero one: fewest lists first, then list 1 before list 2."""
    patterns = ("".join(bits) for bits in itertools.product("10", repeat=lists))
    return tuple(sorted((p for p in patterns if "1" in p), key=lambda p: (p.count("1"), p[::-1])))


def default_names(lists: int) -> tuple[str, ...]:
    """A, B, C, … (then L27, L28, … past Z), as R's MultipleSystemsEstimation names lists."""
    return tuple(chr(65 + i) if i < 26 else f"L{i + 1}" for i in range(lists))


def parse_count(raw: object, where: str) -> int:
    """A non-negative whole number of people (Arabic-Indic digits accepted)."""
    if isinstance(raw, bool):
        raise InvalidInput(where, f"{raw!r} is not a count of people")
    if isinstance(raw, int | np.integer):
        value = int(raw)
    elif isinstance(raw, float | np.floating):
        if not float(raw).is_integer():
            raise InvalidInput(where, f"{raw!r} is not a whole number: counts are people")
        value = int(raw)
    else:
        text = str(raw).strip()
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-").strip()
        if not digits.isdecimal() or len(digits) > 13:
            if re.fullmatch(r"[+-]?\d+[.,]\d*", text):
                raise InvalidInput(where, f"{text!r} is not a whole number: counts are people")
            raise InvalidInput(where, f"{text[:40]!r} is not a count (a whole number like 12)")
        value = sign * int(digits)
    if value < 0:
        raise InvalidInput(where, f"{value} is negative: a count of people cannot be")
    if value > MAX_COUNT:
        raise InvalidInput(where, f"{value} is larger than any population Dalil can estimate")
    return value


@dataclass(frozen=True, eq=False)
class CaptureTable:
    """Counts of people per capture pattern over named lists (zeros filled in)."""

    lists: tuple[str, ...]
    counts: Mapping[str, int] = field(repr=False)

    def __post_init__(self) -> None:
        lists = tuple(self.lists)
        if len(lists) < 2:
            raise InvalidInput(
                "lists",
                "a single list cannot estimate anything: the undocumented are estimated from "
                "how lists overlap, which needs at least two lists",
            )
        if len(lists) > MAX_LISTS:
            raise InvalidInput("lists", f"{len(lists)} lists; at most {MAX_LISTS} are supported")
        for name in lists:
            if not isinstance(name, str) or not LIST_NAME.match(name):
                raise InvalidInput(
                    "lists", f"{str(name)[:40]!r} is not a usable list name (no spaces, , : ;)"
                )
        if len(set(lists)) != len(lists):
            raise InvalidInput("lists", "two lists have the same name")
        full = dict.fromkeys(observable_patterns(len(lists)), 0)
        for pattern, count in self.counts.items():
            check_pattern(pattern, len(lists), "pattern")
            full[pattern] = parse_count(count, f"count of {pattern}")
        object.__setattr__(self, "lists", lists)
        object.__setattr__(self, "counts", full)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_mapping(
        cls, counts: Mapping[str, Any], lists: Sequence[str] | None = None
    ) -> CaptureTable:
        """From ``{"110": 54, …}``; missing patterns count zero; lists default to A, B, …"""
        if not counts and lists is None:
            raise InvalidInput("counts", "the table is empty: no capture patterns were given")
        clean = {str(p).strip(): c for p, c in counts.items()}
        if len(clean) != len(counts):
            raise InvalidInput("counts", "a pattern is given twice")
        length = len(lists) if lists is not None else len(next(iter(clean)))
        for pattern in clean:
            check_pattern(pattern, length, "pattern")
        return cls(tuple(lists) if lists is not None else default_names(length), clean)

    @classmethod
    def from_histories(cls, histories: Iterable[str], lists: Sequence[str]) -> CaptureTable:
        """From one pattern per person (people on no list are skipped: they are not data)."""
        counts: dict[str, int] = {}
        for pattern in histories:
            if "1" in pattern:
                counts[pattern] = counts.get(pattern, 0) + 1
        return cls(tuple(lists), counts)

    @classmethod
    def from_csv(cls, text: str) -> CaptureTable:
        """From ``pattern,count`` lines (see :func:`dalil.estimation.csvio.read_tables`)."""
        from dalil.estimation.csvio import read_tables

        tables = read_tables(text)
        if set(tables) != {""}:
            raise InvalidInput("counts", "the file has strata; read it with read_tables")
        return tables[""]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CaptureTable:
        return cls(tuple(data["lists"]), dict(data["counts"]))

    # -- views ----------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """J, the number of lists."""
        return len(self.lists)

    @cached_property
    def documented(self) -> int:
        """n, the number of people on at least one list."""
        return sum(self.counts.values())

    @cached_property
    def arrays(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(X, y): one row per observable pattern, X[m, j] = 1 when list j is in pattern m."""
        patterns = list(self.counts)
        x = np.array([[c == "1" for c in p] for p in patterns], dtype=np.int64)
        y = np.array([self.counts[p] for p in patterns], dtype=np.int64)
        return x, y

    def list_totals(self) -> dict[str, int]:
        x, y = self.arrays
        return {name: int(total) for name, total in zip(self.lists, x.T @ y, strict=True)}

    def on_several(self) -> int:
        """People documented by two or more lists: the overlaps every estimate rests on."""
        return sum(c for p, c in self.counts.items() if p.count("1") > 1)

    def nonzero(self) -> dict[str, int]:
        return {p: c for p, c in self.counts.items() if c}

    def to_json(self) -> dict[str, Any]:
        return {"lists": list(self.lists), "counts": self.nonzero()}

    def to_csv(self) -> str:
        lines = [f"lists: {','.join(self.lists)}", "pattern,count"]
        lines += [f"{p},{c}" for p, c in self.counts.items()]
        return "\n".join(lines) + "\n"

    def index_of(self, ref: str) -> int:
        """The position of a list named by name (any case) or by its 1-based number."""
        ref = ref.strip()
        if ref in self.lists:
            return self.lists.index(ref)
        folded = [n.casefold() for n in self.lists]
        if ref.casefold() in folded:
            return folded.index(ref.casefold())
        if ref.isdecimal() and 1 <= int(ref) <= self.size:
            return int(ref) - 1
        raise InvalidInput("lists", f"no list {ref!r}; the lists are {', '.join(self.lists)}")

    def select(self, refs: Sequence[str]) -> CaptureTable:
        """The table over some of the lists; people on none of them drop out (unobserved)."""
        keep = [self.index_of(r) for r in refs]
        if len(set(keep)) != len(keep):
            raise InvalidInput("lists", "a list is named twice")
        counts: dict[str, int] = {}
        for pattern, count in self.counts.items():
            sub = "".join(pattern[i] for i in keep)
            if "1" in sub:
                counts[sub] = counts.get(sub, 0) + count
        return CaptureTable(tuple(self.lists[i] for i in keep), counts)

    def same_as(self, other: CaptureTable) -> bool:
        return self.lists == other.lists and dict(self.counts) == dict(other.counts)

    # -- can anything be estimated? -------------------------------------------------------
    def check_estimable(self, what: str = "capture table") -> None:
        """Raise, saying why, when no method could estimate the undocumented from this table."""
        if self.documented == 0:
            raise InvalidInput(
                what, "the table is empty: no one is documented, so there is nothing to go on"
            )
        used = [name for name, total in self.list_totals().items() if total > 0]
        if len(used) == 1:
            raise InvalidInput(
                what,
                f"all {self.documented} people are on list {used[0]} alone: with no second "
                "list there is no overlap to learn from",
                hint="add the other lists' records, or check the list assignment",
            )
        if self.on_several() == 0:
            raise InvalidInput(
                what,
                "no one appears on more than one list: without overlaps the number never "
                "documented is unbounded, so no estimate exists",
                hint="link records across lists first (the same person on two lists)",
            )


def check_pattern(pattern: str, length: int, where: str) -> None:
    if not isinstance(pattern, str) or not pattern or set(pattern) - {"0", "1"}:
        raise InvalidInput(
            where, f"{str(pattern)[:40]!r} is not a pattern of 0s and 1s (like 10110)"
        )
    if len(pattern) != length:
        raise InvalidInput(
            where, f"{pattern!r} has {len(pattern)} digits; the table has {length} lists"
        )
    if "1" not in pattern:
        raise InvalidInput(
            where,
            f"{pattern!r} is the people on no list: that number is what is estimated, "
            "it cannot be given",
        )
