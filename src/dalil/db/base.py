"""Declarative base and the columns every record shares."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dalil.db.types import PartialDateType, UTCDateTime, utcnow
from dalil.values import PartialDate

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(24)  # "prefix_" + 16 base32 characters, with room to spare
TERM = String(48)  # a vocabulary term id


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - read once by SQLAlchemy
        datetime: UTCDateTime(),
        PartialDate: PartialDateType(),
        dict[str, Any]: JSON(),
        str: Text(),
    }


class Stamped:
    """Who created and last changed a record, and when (UTC)."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(128))
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
