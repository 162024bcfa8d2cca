"""Parsing of every field a user can set, declared once per entity kind.

``add`` and ``set`` commands, the demo and (later) the API and importers all go through
:func:`coerce`, so a value is validated the same way wherever it comes from. Errors name the
field and say what is accepted; they never echo more than the offending value itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dalil.errors import InvalidInput, a
from dalil.values import PartialDate, PartialDateError
from dalil.vocab import UnknownTermError, vocabularies

MAX_TEXT = 20_000


@dataclass(frozen=True)
class Text:
    required: bool = False
    max_length: int = MAX_TEXT

    def parse(self, field: str, raw: Any) -> str | None:
        if raw is None:
            value = None
        elif not isinstance(raw, str):
            raise InvalidInput(field, "must be text")
        else:
            value = raw.strip() or None
        if value is None:
            if self.required:
                raise InvalidInput(field, "is required and cannot be empty")
            return None
        if len(value) > self.max_length:
            raise InvalidInput(field, f"is longer than {self.max_length} characters")
        if "\x00" in value:
            raise InvalidInput(field, "contains a NUL character")
        return value


@dataclass(frozen=True)
class Date:
    def parse(self, field: str, raw: Any) -> PartialDate | None:
        if raw is None or isinstance(raw, PartialDate):
            return raw
        if not isinstance(raw, str):
            raise InvalidInput(field, "must be a date such as 2013, 2013-04 or 2013-04-16")
        if not raw.strip():
            return None
        try:
            return PartialDate.parse(raw)
        except PartialDateError as exc:
            raise InvalidInput(field, str(exc)) from None


@dataclass(frozen=True)
class Term:
    vocabulary: str
    required: bool = False

    def parse(self, field: str, raw: Any) -> str | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                valid = ", ".join(vocabularies().get(self.vocabulary).ids())
                raise InvalidInput(field, f"is required; valid terms: {valid}")
            return None
        if not isinstance(raw, str):
            raise InvalidInput(field, "must be a vocabulary term")
        try:
            return vocabularies().get(self.vocabulary).require(raw.strip()).id
        except UnknownTermError as exc:
            raise InvalidInput(field, str(exc)) from None


@dataclass(frozen=True)
class Number:
    low: float = -math.inf
    high: float = math.inf

    def parse(self, field: str, raw: Any) -> float | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        try:
            value = float(raw.strip().translate(ARABIC_DIGITS) if isinstance(raw, str) else raw)
        except (TypeError, ValueError):
            raise InvalidInput(field, f"{raw!r} is not a number") from None
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise InvalidInput(field, f"must be a number from {self.low:g} to {self.high:g}")
        return value


@dataclass(frozen=True)
class Ref:
    """A reference to another entity of the same case; resolved by the caller (needs a session)."""

    kind: str

    def parse(self, field: str, raw: Any) -> str | None:
        return Text(max_length=64).parse(field, raw)


ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫", "01234567890123456789.")

Field = Text | Date | Term | Number | Ref

COMMON: dict[str, Field] = {"sensitivity": Term("sensitivity")}

FIELDS: dict[str, dict[str, Field]] = {
    "place": {
        "place_type": Term("place_types", required=True),
        "name_en": Text(max_length=500),
        "name_ar": Text(max_length=500),
        "parent_id": Ref("place"),
        "latitude": Number(-90, 90),
        "longitude": Number(-180, 180),
    },
    "incident": {
        "title_en": Text(max_length=500),
        "title_ar": Text(max_length=500),
        "start_date": Date(),
        "end_date": Date(),
        "place_id": Ref("place"),
        "description_en": Text(),
        "description_ar": Text(),
    },
    "person": {
        "sex": Term("sexes"),
        "birth_date": Date(),
        "status": Term("person_statuses"),
        "status_date": Date(),
    },
    "organisation": {
        "org_type": Term("organisation_types", required=True),
        "name_en": Text(max_length=500),
        "name_ar": Text(max_length=500),
        "abbreviation": Text(max_length=64),
        "description": Text(),
    },
    "source": {
        "source_type": Term("source_types", required=True),
        "title": Text(required=True, max_length=1000),
        "author": Text(max_length=500),
        "publisher": Text(max_length=500),
        "published": Date(),
        "language": Term("languages"),
        "url": Text(max_length=2000),
        "reliability": Term("reliability"),
        "note": Text(),
    },
    "relation": {"start_date": Date(), "end_date": Date(), "note": Text()},
}


def spec(kind: str, field: str) -> Field:
    known = FIELDS[kind] | COMMON
    if field not in known:
        raise InvalidInput(
            field, f"is not a field of {a(kind)}; fields: {', '.join(sorted(known))}"
        )
    return known[field]


def coerce(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Parse every given field of a ``kind``; fields left out are left out of the result."""
    return {field: spec(kind, field).parse(field, raw) for field, raw in values.items()}


def check_required(kind: str, values: dict[str, Any]) -> None:
    for field, parser in FIELDS[kind].items():
        if getattr(parser, "required", False) and values.get(field) is None:
            parser.parse(field, None)  # raises the field's own "is required" message


def check_date_order(start: PartialDate | None, end: PartialDate | None) -> None:
    if start is not None and end is not None and end.latest() < start.earliest():
        raise InvalidInput("end_date", f"{end} is before the start date {start}")
