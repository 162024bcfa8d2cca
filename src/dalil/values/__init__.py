"""Value types shared by every capability: partial dates and Arabic text normalisation."""

from dalil.values.arabic import normalise_arabic, script_of, search_key
from dalil.values.dates import DatePrecision, PartialDate, PartialDateError

__all__ = [
    "DatePrecision",
    "PartialDate",
    "PartialDateError",
    "normalise_arabic",
    "script_of",
    "search_key",
]
