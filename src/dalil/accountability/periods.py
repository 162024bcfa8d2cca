"""When a unit relation, posting or positioning held: partial-date bounds of two kinds.

Security Force Monitor distinguishes a real start or end date from the first or last date a
source *cites* the fact. Here a bound is one :class:`~dalil.values.PartialDate` plus its kind.

Rules, applied the same way to every query:

* A period *covers* a day (or a partial date) when the widest reading of the period overlaps it:
  from ``start.earliest()`` to ``end.latest()``. A posting "2013" – "2013" covers 16 April 2013.
  The coverage is ``certain`` when even the narrowest reading (``start.latest()`` to
  ``end.earliest()``) contains it, else ``possible``: the day falls inside the uncertainty of a
  partial bound.
* A missing bound is open: nothing recorded says when it began or ended. Results say so.
* A first-cited start or last-cited end is *evidence*, not a limit: the fact may have held before
  or after. Coverage stops at the cited date (only what sources show counts), and
  :meth:`Period.beyond_citations` tells when a day lies only outside the cited span, so a query
  can list the posting as a candidate instead of silently dropping or silently counting it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from dalil.values import PartialDate

Coverage = Literal["certain", "possible"]


@dataclass(frozen=True)
class Period:
    start: PartialDate | None = None
    end: PartialDate | None = None
    start_kind: str = "start"
    end_kind: str = "end"

    def covers(self, on: PartialDate) -> Coverage | None:
        """``certain``, ``possible`` or ``None`` (see the module's rules)."""
        first, last = on.earliest(), on.latest()
        if self.start is not None and last < self.start.earliest():
            return None
        if self.end is not None and first > self.end.latest():
            return None
        inside_start = self.start is None or first >= self.start.latest()
        inside_end = self.end is None or last <= self.end.earliest()
        return "certain" if inside_start and inside_end else "possible"

    def beyond_citations(self, on: PartialDate) -> str | None:
        """``before_first_cited`` / ``after_last_cited`` when only a cited bound excludes ``on``."""
        if self.covers(on) is not None:
            return None
        if self.start_kind == "first_cited" and replace(self, start=None).covers(on):
            return "before_first_cited"
        if self.end_kind == "last_cited" and replace(self, end=None).covers(on):
            return "after_last_cited"
        return None

    def caveats(self, on: PartialDate | None = None) -> list[str]:
        """What a reader must know about these bounds (and about ``on`` against them)."""
        notes: list[str] = []
        if self.start is None:
            notes.append("no start date recorded")
        elif self.start_kind == "first_cited":
            notes.append(f"first cited {self.start}: may have begun earlier")
        if self.end is None:
            notes.append("no end date recorded")
        elif self.end_kind == "last_cited":
            notes.append(f"last cited {self.end}: may have lasted longer")
        if on is not None and self.covers(on) == "possible":
            notes.append(f"{on} falls within the uncertainty of a partial date")
        return notes

    def to_dict(self) -> dict[str, str | None]:
        return {
            "start": None if self.start is None else str(self.start),
            "start_kind": self.start_kind,
            "end": None if self.end is None else str(self.end),
            "end_kind": self.end_kind,
        }

    def text(self) -> str:
        """``first cited 2012-05 – last cited 2014-02``, ``2011 – …``."""

        def bound(date: PartialDate | None, kind: str) -> str:
            if date is None:
                return "…"
            return f"{kind.replace('_', ' ')} {date}" if kind.endswith("cited") else str(date)

        return f"{bound(self.start, self.start_kind)} – {bound(self.end, self.end_kind)}"
