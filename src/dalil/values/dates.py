"""Partial dates: a year, a year and month, or a full day, possibly estimated.

Testimonies and lists rarely give a full date: "born 1975", "detained April 2013", "about 1980".
:class:`PartialDate` keeps exactly the precision the source gave, parses the forms people type
(Western and Arabic-Indic digits, "circa"/"حوالي"/"~" and a trailing "?"), prints one canonical
form, compares through the range of days it can mean, and formats for Arabic and English readers.

It must never guess: a month or day that was not given stays ``None``. Code that needs a single
day asks for :meth:`PartialDate.earliest` or :meth:`PartialDate.latest` and says which it chose.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from enum import StrEnum

from dalil.errors import InvalidInput
from dalil.values.arabic import ascii_digits

__all__ = ["DatePrecision", "PartialDate", "PartialDateError"]

ACCEPTED_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD, optionally prefixed 'circa'/'~'"
MIN_YEAR = 1000
MAX_YEAR = 2999

# A word marker needs a dot or whitespace after it, so "c1975" or "about1975" are not read as
# estimates by accident; "~" may touch the digits.
_ESTIMATED_PREFIX = re.compile(
    r"(?:~|(?:circa|ca|c|about|approx|approximately|حوالي|حوالى|نحو|تقريبا|تقريباً)(?:\.|(?=\s)))\s*",
    re.IGNORECASE,
)
_ESTIMATED_SUFFIX = re.compile(r"\s*[?؟]\Z")
_BODY = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{1,2})(?:-(?P<day>[0-9]{1,2}))?)?")

_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# The Levantine (Syriac-derived) month names used in Syria, not the Egyptian يناير/فبراير set.
_MONTHS_AR = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)  # fmt: skip
_ESTIMATED_WORD = {"en": "circa", "ar": "حوالي"}


class DatePrecision(StrEnum):
    """How much of a date the source gave."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"


_PRECISION_RANK = {DatePrecision.YEAR: 0, DatePrecision.MONTH: 1, DatePrecision.DAY: 2}


class PartialDateError(InvalidInput, ValueError):
    """Text or parts that do not make a valid partial date; ``field`` names where it came from."""

    def __init__(self, text: str, reason: str, *, field: str | None = None) -> None:
        shown = text if len(text) <= 40 else text[:37] + "..."
        super().__init__(
            field or "",
            f"{shown!r} is not a valid date: {reason} (accepted forms: {ACCEPTED_FORMS})",
        )
        self.text = text
        self.reason = reason


def _problem(year: int, month: int | None, day: int | None) -> str | None:
    """Why these parts are not a date, or ``None`` when they are."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return f"year must be {MIN_YEAR}-{MAX_YEAR}"
    if month is None:
        return None if day is None else "a day needs a month"
    if not 1 <= month <= 12:
        return "month must be 1-12"
    if day is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            return f"day must be 1-{last} in {year:04d}-{month:02d}"
    return None


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to the year, the month or the day; ``estimated`` if the source hedged."""

    year: int
    month: int | None = None
    day: int | None = None
    estimated: bool = False

    def __post_init__(self) -> None:
        reason = _problem(self.year, self.month, self.day)
        if reason is not None:
            parts = f"year={self.year}, month={self.month}, day={self.day}"
            raise PartialDateError(parts, reason)

    @classmethod
    def parse(cls, text: str, *, field: str | None = None) -> PartialDate:
        """Read ``2013``, ``2013-04``, ``2013-04-16``, ``~1975``, ``circa 1975``, ``1975?``…"""
        body = ascii_digits(text).strip()
        if not body:
            raise PartialDateError(text, "it is empty", field=field)
        estimated = False
        prefix = _ESTIMATED_PREFIX.match(body)
        if prefix:
            estimated, body = True, body[prefix.end() :]
        suffix = _ESTIMATED_SUFFIX.search(body)
        if suffix:
            estimated, body = True, body[: suffix.start()]
        match = _BODY.fullmatch(body)
        if match is None:
            raise PartialDateError(text, "it is not in a recognised form", field=field)
        year = int(match["year"])
        month = None if match["month"] is None else int(match["month"])
        day = None if match["day"] is None else int(match["day"])
        reason = _problem(year, month, day)
        if reason is not None:
            raise PartialDateError(text, reason, field=field)
        return cls(year, month, day, estimated)

    @classmethod
    def from_date(cls, d: datetime.date, *, estimated: bool = False) -> PartialDate:
        """A day-precision partial date for a full calendar date."""
        return cls(d.year, d.month, d.day, estimated)

    @property
    def precision(self) -> DatePrecision:
        if self.day is not None:
            return DatePrecision.DAY
        if self.month is not None:
            return DatePrecision.MONTH
        return DatePrecision.YEAR

    def earliest(self) -> datetime.date:
        """The first day this date can mean."""
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> datetime.date:
        """The last day this date can mean."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return datetime.date(self.year, month, day)

    def contains(self, d: datetime.date) -> bool:
        """Whether the calendar day ``d`` falls within this date."""
        if isinstance(d, datetime.datetime):
            d = d.date()
        return self.earliest() <= d <= self.latest()

    def sort_key(self) -> tuple[datetime.date, int, bool]:
        """Chronological by first possible day; a coarser date sorts before a finer one."""
        return (self.earliest(), _PRECISION_RANK[self.precision], self.estimated)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return f"~{text}" if self.estimated else text

    def to_dict(self) -> dict[str, str | bool]:
        return {"value": str(self), "precision": self.precision.value, "estimated": self.estimated}

    def format(self, lang: str = "en") -> str:
        """For human readers: ``16 April 2013``, ``circa 1975``, ``16 نيسان 2013``, ``حوالي 1975``.

        ``lang`` is ``"en"`` or ``"ar"`` (a region such as ``"ar-SY"`` is ignored).
        """
        code = lang.split("-")[0].split("_")[0].lower()
        if code not in _ESTIMATED_WORD:
            raise ValueError(f"no date format for language {lang!r} (expected 'ar' or 'en')")
        months = _MONTHS_AR if code == "ar" else _MONTHS_EN
        parts: list[str] = []
        if self.day is not None:
            parts.append(str(self.day))
        if self.month is not None:
            parts.append(months[self.month - 1])
        parts.append(str(self.year))
        text = " ".join(parts)
        return f"{_ESTIMATED_WORD[code]} {text}" if self.estimated else text
