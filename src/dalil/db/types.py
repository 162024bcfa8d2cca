"""Column types shared by every table: UTC timestamps and partial dates.

Both dialects store the same text or naive-UTC value, so SQLite and PostgreSQL give identical
results; no engine ever needs a dialect ``if``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from dalil.values import PartialDate


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime, stored naive-UTC on both dialects."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass a UTC-aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite may hand back text from raw SQL
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class PartialDateType(TypeDecorator[PartialDate]):
    """A :class:`PartialDate` stored in its canonical text form (``2013-04``, ``~1975``).

    The canonical form sorts chronologically as text within one precision, and reads back exactly.
    """

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: PartialDate | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> PartialDate | None:
        return None if value is None else PartialDate.parse(value)
